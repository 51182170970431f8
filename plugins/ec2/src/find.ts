/**
 * Finding a machine's instance: by its id, by the token it was launched
 * with, or by its tags when the id was lost. EC2 is eventually consistent: an
 * instance launched a moment ago may be unknown to Describe for a while
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/query-api-troubleshooting.html#eventual-consistency),
 * so "not found" right after a launch means "not yet", and callers say which they mean.
 */
import type { Filter, Instance } from '@aws-sdk/client-ec2'
import { awsCode } from './aws-errors.js'
import type { Aws } from './client.js'
import { machineFilters, type Owner } from './tags.js'

/** Every instance the filters match, all pages of them. */
export async function describe(aws: Aws, filters: Filter[], ids?: string[]): Promise<Instance[]> {
  const found: Instance[] = []
  let token: string | undefined
  do {
    const page = await aws.call('DescribeInstances', (c, sdk) =>
      c.send(
        new sdk.DescribeInstancesCommand({
          ...(filters.length > 0 ? { Filters: filters } : {}),
          ...(ids ? { InstanceIds: ids } : {}),
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    )
    for (const r of page.Reservations ?? []) found.push(...(r.Instances ?? []))
    token = page.NextToken
  } while (token)
  return found
}

/** The instance by id, or undefined when EC2 does not know it (or not yet). */
export async function byId(aws: Aws, instanceId: string): Promise<Instance | undefined> {
  try {
    return (await describe(aws, [], [instanceId]))[0]
  } catch (error) {
    if (awsCode((error as { cause?: unknown }).cause) === 'InvalidInstanceID.NotFound') return undefined
    throw error
  }
}

const alive = (i: Instance) => i.State?.Name !== 'terminated' && i.State?.Name !== 'shutting-down'

/** A live instance launched with this token, if any. */
export async function byToken(aws: Aws, token: string): Promise<Instance | undefined> {
  return (await describe(aws, [{ Name: 'client-token', Values: [token] }])).find(alive)
}

/** The machine's live instance found by its tags, if any. */
export async function byTags(aws: Aws, owner: Owner): Promise<Instance | undefined> {
  return (await describe(aws, machineFilters(owner))).find(alive)
}

export const isAlive: (i: Instance | undefined) => boolean = (i) => i !== undefined && alive(i)
