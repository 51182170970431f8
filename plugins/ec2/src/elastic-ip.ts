/**
 * The machine's elastic IP (`elasticIp: true`): allocated once, tagged as the
 * machine's so a lost allocation id is found again, and associated with its
 * instance; released on destroy.
 */

import { awsCode } from './aws-errors.js'
import type { Aws } from './client.js'
import { DEPLOYMENT_TAG, MACHINE_TAG, machineTags, type Owner, tagging } from './tags.js'

async function findAddress(aws: Aws, owner: Owner) {
  const found = await aws.call('DescribeAddresses', (c, sdk) =>
    c.send(
      new sdk.DescribeAddressesCommand({
        Filters: [
          { Name: `tag:${DEPLOYMENT_TAG}`, Values: [owner.deployment.id] },
          { Name: `tag:${MACHINE_TAG}`, Values: [owner.machine] },
        ],
      }),
    ),
  )
  return found.Addresses?.[0]
}

/** Allocates (once) and associates the machine's elastic IP; returns its allocation id. */
export async function attachElasticIp(aws: Aws, owner: Owner, instanceId: string): Promise<string> {
  let address = await findAddress(aws, owner)
  if (!address) {
    const made = await aws.call('AllocateAddress', (c, sdk) =>
      c.send(
        new sdk.AllocateAddressCommand({
          Domain: 'vpc',
          TagSpecifications: tagging('elastic-ip', machineTags(owner, {})),
        }),
      ),
    )
    address = { AllocationId: made.AllocationId, PublicIp: made.PublicIp }
  }
  const allocationId = address.AllocationId!
  if (address.InstanceId !== instanceId)
    await aws.call('AssociateAddress', (c, sdk) =>
      c.send(new sdk.AssociateAddressCommand({ AllocationId: allocationId, InstanceId: instanceId })),
    )
  return allocationId
}

export async function releaseElasticIp(aws: Aws, allocationId: string): Promise<void> {
  try {
    await aws.client.send(new aws.sdk.ReleaseAddressCommand({ AllocationId: allocationId }))
  } catch (error) {
    if (awsCode(error) === 'InvalidAllocationID.NotFound') return // already released
    await aws.call('ReleaseAddress', () => Promise.reject(error))
  }
}
