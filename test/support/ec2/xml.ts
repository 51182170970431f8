/**
 * Writes a response document from the output structure the model names, and
 * refuses (as a fault of the endpoint itself) any member the model does not
 * have, a required one missing, or a value of the wrong type: the endpoint
 * cannot answer what EC2 would not.
 *
 * The element names follow the `ec2` protocol as botocore parses it
 * (botocore/parsers.py, EC2QueryParser): a member's element is its
 * `locationName`, else its name; a list is a wrapper element holding one
 * `<item>` per value; the root is `<ActionResponse xmlns="...">` with a
 * `requestId` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html).
 */
import { type Ec2Model, type Shape, shapeOf } from './model.js'

export class ModelViolation extends Error {}

const xmlText = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function scalar(shape: Shape, value: unknown, where: string): string {
  const wrong = () => new ModelViolation(`${where}: ${JSON.stringify(value)} is not a ${shape.type}`)
  switch (shape.type) {
    case 'string':
      if (typeof value !== 'string') throw wrong()
      if (shape.enum && !shape.enum.includes(value)) throw new ModelViolation(`${where}: ${value} is not in its enum`)
      return xmlText(value)
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) throw wrong()
      return String(value)
    case 'float':
    case 'double':
      if (typeof value !== 'number') throw wrong()
      return String(value)
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong()
      return String(value)
    case 'timestamp':
      if (!(value instanceof Date)) throw wrong()
      return value.toISOString()
    default:
      throw new ModelViolation(`${where}: the endpoint does not write ${shape.type} values`)
  }
}

function structure(model: Ec2Model, shape: Shape, value: unknown, where: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ModelViolation(`${where}: expected a structure`)
  const members = shape.members ?? {}
  for (const name of shape.required ?? [])
    if ((value as Record<string, unknown>)[name] === undefined) throw new ModelViolation(`${where}.${name} is required`)
  let xml = ''
  for (const [name, v] of Object.entries(value)) {
    if (v === undefined) continue
    const member = members[name]
    if (!member) throw new ModelViolation(`${where}: the model has no member ${name}`)
    const tag = member.locationName ?? name
    xml += `<${tag}>${element(model, member.shape, v, `${where}.${name}`)}</${tag}>`
  }
  return xml
}

function element(model: Ec2Model, shapeName: string, value: unknown, where: string): string {
  const shape = shapeOf(model, shapeName)
  if (shape.type === 'structure') return structure(model, shape, value, where)
  if (shape.type === 'list') {
    if (!Array.isArray(value)) throw new ModelViolation(`${where}: expected a list`)
    const tag = shape.member!.locationName ?? 'member'
    return value.map((v, i) => `<${tag}>${element(model, shape.member!.shape, v, `${where}[${i}]`)}</${tag}>`).join('')
  }
  return scalar(shape, value, where)
}

/** The success document of `action` for `output`; throws ModelViolation if it is not what the model says. */
export function writeResponse(model: Ec2Model, action: string, output: object, requestId: string): string {
  const operation = model.operations[action]!
  const body = operation.output ? structure(model, shapeOf(model, operation.output.shape), output, action) : ''
  if (!operation.output && Object.keys(output).length > 0) throw new ModelViolation(`${action} has no output`)
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${model.xmlNamespace}"><requestId>${requestId}</requestId>${body}</${action}Response>`
}
