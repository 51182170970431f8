/**
 * AWS's own EC2 API model, as Debian's python3-botocore ships it
 * (/usr/lib/python3/dist-packages/botocore/data/ec2/<version>/service-2.json).
 * The loopback endpoint reads every request and writes every response through
 * it, so it can accept only what EC2 accepts and answer only what EC2 answers.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

export const BOTOCORE_EC2 = '/usr/lib/python3/dist-packages/botocore/data/ec2'

export interface Member {
  shape: string
  locationName?: string
  queryName?: string
}

export interface Shape {
  type:
    | 'structure'
    | 'list'
    | 'map'
    | 'string'
    | 'integer'
    | 'long'
    | 'boolean'
    | 'timestamp'
    | 'blob'
    | 'float'
    | 'double'
  members?: Record<string, Member>
  required?: string[]
  member?: Member
  enum?: string[]
  min?: number
  max?: number
}

export interface Operation {
  name: string
  input?: { shape: string }
  output?: { shape: string }
}

export interface Ec2Model {
  version: string
  /** `http://ec2.amazonaws.com/doc/2016-11-15/`: the namespace of every response document. */
  xmlNamespace: string
  operations: Record<string, Operation>
  shapes: Record<string, Shape>
}

/** Why the model cannot be read here, or undefined when it can. */
export function ec2ModelUnavailable(): string | undefined {
  if (!existsSync(BOTOCORE_EC2)) return "AWS's EC2 model is not installed (apt-get install python3-botocore)"
  return undefined
}

let cached: Ec2Model | undefined

/** The newest API version in the package (EC2's versions are dates, so they sort as text). */
export function loadEc2Model(): Ec2Model {
  if (cached) return cached
  const version = readdirSync(BOTOCORE_EC2).sort().at(-1)
  if (!version) throw new Error(`no EC2 model under ${BOTOCORE_EC2}`)
  const raw = JSON.parse(readFileSync(path.join(BOTOCORE_EC2, version, 'service-2.json'), 'utf8'))
  const ns: string = raw.metadata.xmlNamespace
  cached = {
    version,
    xmlNamespace: ns.endsWith('/') ? ns : `${ns}/`,
    operations: raw.operations,
    shapes: raw.shapes,
  }
  return cached
}

export function shapeOf(model: Ec2Model, name: string): Shape {
  const shape = model.shapes[name]
  if (!shape) throw new Error(`the EC2 model has no shape ${name}`)
  return shape
}
