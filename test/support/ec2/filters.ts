/**
 * Describe filters and pages as EC2 applies them: filters are ANDed, the
 * values of one filter ORed, `*` and `?` are wildcards, `tag:<key>` matches a
 * tag's value (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Filtering.html).
 * A filter name the endpoint does not know is refused, as EC2 does.
 */
import { Ec2Fault } from './faults.js'
import type { Tags } from './world.js'

export interface Filter {
  Name?: string
  Values?: string[]
}

/** The values a resource has for each filter name it supports. */
export type Facets = Record<string, string | string[] | undefined>

const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  )

export function matches(filters: Filter[] | undefined, facets: Facets, tags: Tags): boolean {
  for (const filter of filters ?? []) {
    const name = filter.Name ?? ''
    let have: string[]
    if (name.startsWith('tag:')) have = tags[name.slice(4)] === undefined ? [] : [tags[name.slice(4)]!]
    else if (name === 'tag-key') have = Object.keys(tags)
    else if (name in facets) have = [facets[name] ?? []].flat()
    else throw new Ec2Fault('InvalidParameterValue', `The filter '${name}' is invalid`)
    const wanted = (filter.Values ?? []).map(wildcard)
    if (!have.some((v) => wanted.some((w) => w.test(v)))) return false
  }
  return true
}

/** One page of `items` and the token of the next, if any. Tokens are opaque to the caller. */
export function page<T>(
  items: T[],
  input: { MaxResults?: unknown; NextToken?: unknown },
  pageSize: number,
): { items: T[]; next?: string } {
  const max = typeof input.MaxResults === 'number' ? input.MaxResults : Number.POSITIVE_INFINITY
  if (Number.isFinite(max) && (max < 5 || max > 1000))
    throw new Ec2Fault(
      'InvalidParameterValue',
      `Value (${max}) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    )
  const start =
    typeof input.NextToken === 'string' ? Number.parseInt(Buffer.from(input.NextToken, 'base64').toString(), 10) : 0
  if (Number.isNaN(start)) throw new Ec2Fault('InvalidParameterValue', 'The token is invalid')
  const size = Math.min(max, pageSize)
  const end = start + size
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { next: Buffer.from(String(end)).toString('base64') } : {}),
  }
}

export const tagList = (tags: Tags): { Key: string; Value: string }[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))

/** Tags asked for in TagSpecifications for one resource type. */
export function specifiedTags(specs: unknown, resourceType: string): Tags {
  const tags: Tags = {}
  for (const spec of (specs ?? []) as { ResourceType?: string; Tags?: { Key?: string; Value?: string }[] }[]) {
    if (spec.ResourceType !== resourceType) continue
    for (const tag of spec.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? ''
  }
  return tags
}
