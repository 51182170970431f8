/**
 * Reads an EC2 Query API request (form-encoded `Action=...&Version=...&...`)
 * into the input structure the model names, refusing what EC2 would refuse:
 * a parameter the model does not have, a required one missing, a value of the
 * wrong type or outside an enum.
 *
 * The flat names follow the `ec2` protocol as botocore serializes it
 * (botocore/serialize.py, EC2Serializer): a member is named by its
 * `queryName`, else its `locationName` with the first letter in upper case,
 * else its own name; list items are `Name.1`, `Name.2`, ... with no member
 * name between. See also AWS's "Query requests for Amazon EC2"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html).
 */

import { Ec2Fault } from './faults.js'
import { type Ec2Model, type Member, type Shape, shapeOf } from './model.js'

export type Input = { [key: string]: unknown }

export function queryName(name: string, member: Member): string {
  if (member.queryName) return member.queryName
  if (member.locationName) return member.locationName[0]!.toUpperCase() + member.locationName.slice(1)
  return name
}

interface Reader {
  model: Ec2Model
  params: Map<string, string>
  used: Set<string>
}

/** True when some parameter is `prefix` itself or lies under it. */
function present(r: Reader, prefix: string): boolean {
  for (const key of r.params.keys()) if (key === prefix || key.startsWith(`${prefix}.`)) return true
  return false
}

function scalar(r: Reader, shape: Shape, key: string): unknown {
  const text = r.params.get(key)!
  r.used.add(key)
  const bad = (why: string) =>
    new Ec2Fault('InvalidParameterValue', `Value (${text}) for parameter ${key} is invalid. ${why}`)
  switch (shape.type) {
    case 'integer':
    case 'long':
      if (!/^-?[0-9]+$/.test(text)) throw bad('Expected an integer.')
      return Number(text)
    case 'float':
    case 'double':
      if (Number.isNaN(Number(text))) throw bad('Expected a number.')
      return Number(text)
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw bad('Expected true or false.')
      return text === 'true'
    case 'string':
      if (shape.enum && !shape.enum.includes(text)) throw bad(`Expected one of ${shape.enum.join(', ')}.`)
      return text
    case 'timestamp':
      if (Number.isNaN(Date.parse(text))) throw bad('Expected an ISO 8601 time.')
      return new Date(text)
    case 'blob':
      return Buffer.from(text, 'base64')
    default:
      return text
  }
}

function readList(r: Reader, shape: Shape, prefix: string): unknown[] {
  const items: unknown[] = []
  for (let i = 1; present(r, `${prefix}.${i}`); i++) items.push(read(r, shape.member!.shape, `${prefix}.${i}`))
  return items
}

function readStructure(r: Reader, shape: Shape, prefix: string): Input {
  const out: Input = {}
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const key = prefix ? `${prefix}.${queryName(name, member)}` : queryName(name, member)
    if (present(r, key)) out[name] = read(r, member.shape, key)
  }
  for (const name of shape.required ?? []) {
    if (out[name] === undefined)
      throw new Ec2Fault(
        'MissingParameter',
        `The request must contain the parameter ${queryName(name, shape.members![name]!)}`,
      )
  }
  return out
}

function read(r: Reader, shapeName: string, prefix: string): unknown {
  const shape = shapeOf(r.model, shapeName)
  if (shape.type === 'structure') return readStructure(r, shape, prefix)
  if (shape.type === 'list') return readList(r, shape, prefix)
  if (!r.params.has(prefix)) throw new Ec2Fault('InvalidParameterValue', `Parameter ${prefix} must be a single value`)
  return scalar(r, shape, prefix)
}

/** The input of `action`, checked against the model; throws an Ec2Fault as EC2 answers it. */
export function readRequest(model: Ec2Model, action: string, params: Map<string, string>): Input {
  const operation = model.operations[action]
  if (!operation) throw new Ec2Fault('InvalidAction', `The action ${action} is not valid for this web service.`)
  const r: Reader = { model, params, used: new Set(['Action', 'Version']) }
  const input = operation.input ? readStructure(r, shapeOf(model, operation.input.shape), '') : {}
  const unknown = [...params.keys()].filter((k) => !r.used.has(k))
  if (unknown.length > 0) throw new Ec2Fault('UnknownParameter', `The parameter ${unknown[0]} is not recognized`)
  return input
}
