/**
 * Every resource guix-ops makes carries the deployment's id and the machine's
 * name, so it can be found again when its id was lost (an interrupted
 * deploy) and so that nothing else is ever taken for one of ours.
 */
import type { ResourceType, Tag, TagSpecification } from '@aws-sdk/client-ec2'

export const DEPLOYMENT_TAG = 'guix-ops:deployment'
export const MACHINE_TAG = 'guix-ops:machine'

export interface Owner {
  deployment: { id: string; name: string }
  machine: string
}

export function machineTags(owner: Owner, extra: Record<string, string>): Tag[] {
  return [
    { Key: 'Name', Value: `${owner.deployment.name}-${owner.machine}` },
    ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value })),
    { Key: DEPLOYMENT_TAG, Value: owner.deployment.id },
    { Key: MACHINE_TAG, Value: owner.machine },
  ]
}

export function deploymentTags(owner: Owner): Tag[] {
  return [
    { Key: 'Name', Value: `guix-ops-${owner.deployment.name}` },
    { Key: DEPLOYMENT_TAG, Value: owner.deployment.id },
  ]
}

export const tagging = (type: ResourceType, tags: Tag[]): TagSpecification[] => [{ ResourceType: type, Tags: tags }]

/** Filters for the instances of one machine that are not gone. */
export const machineFilters = (owner: Owner) => [
  { Name: `tag:${DEPLOYMENT_TAG}`, Values: [owner.deployment.id] },
  { Name: `tag:${MACHINE_TAG}`, Values: [owner.machine] },
  { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
]
