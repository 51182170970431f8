/**
 * Launching a machine's instance with RunInstances. The ClientToken is made
 * once per machine and written to the machine's state directory *before*
 * the call, so a retried or interrupted provision sends the same token and
 * EC2 answers with the instance it already launched instead of a second one
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Run_Instance_Idempotency.html).
 */
import { randomUUID } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Instance } from '@aws-sdk/client-ec2'
import { type PluginContext, writeFileAtomic } from '@guix-ops/plugin-api'
import type { Aws } from './client.js'
import { Ec2Error, ec2Error } from './errors.js'
import { deploymentGroup } from './group.js'
import { resolveImage } from './image.js'
import { deploymentKey, importKeyPair } from './keys.js'
import type { Ec2Options } from './options.js'
import { machineTags, type Owner, tagging } from './tags.js'

const tokenFile = (ctx: PluginContext) => path.join(ctx.stateDir, 'client-token')
const WHOLE_TOKEN = /^guix-ops-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A token file that is there but not a whole token: a launch with it may have reached EC2. */
export const DAMAGED = Symbol('damaged launch token')

/** The machine's pending launch token, if a launch was started; DAMAGED if its file holds less than a token. */
export async function savedToken(ctx: PluginContext): Promise<string | typeof DAMAGED | undefined> {
  const text = await readFile(tokenFile(ctx), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (text === undefined) return undefined
  return WHOLE_TOKEN.test(text.trim()) ? text.trim() : DAMAGED
}

/** Refuses to launch: a new token could make a second instance if the damaged one's launch went through. */
export function damagedToken(ctx: PluginContext): Error {
  return ec2Error(
    Ec2Error.Token,
    `its launch token ${tokenFile(ctx)} is damaged and no instance of it was found: a launch may have been cut off, so guix-ops will not launch another`,
    {
      machine: ctx.machine,
      suggestion: `look for an instance tagged guix-ops:machine=${ctx.machine} (guix-ops:deployment=${ctx.deployment.id}) in the EC2 console; if there is none, remove ${tokenFile(ctx)} and run deploy again`,
    },
  )
}

/** Saved whole or not at all (written beside, then renamed), before RunInstances is sent with it. */
export async function newToken(ctx: PluginContext): Promise<string> {
  const token = `guix-ops-${randomUUID()}`
  await writeFileAtomic(tokenFile(ctx), token)
  return token
}

/** Puts back a damaged token file from the instance found without it. */
export const keepToken = (ctx: PluginContext, token: string): Promise<void> =>
  WHOLE_TOKEN.test(token) ? writeFileAtomic(tokenFile(ctx), token) : forgetToken(ctx)

export const forgetToken = (ctx: PluginContext): Promise<void> => rm(tokenFile(ctx), { force: true })

export const ownerOf = (ctx: PluginContext): Owner => ({ deployment: ctx.deployment, machine: ctx.machine })

/** What RunInstances is asked for, everything but the token. */
async function launchRequest(ctx: PluginContext, aws: Aws, o: Ec2Options) {
  const owner = ownerOf(ctx)
  ctx.progress.report(`finding the image ${o.ami}`)
  const image = await resolveImage(aws, o.ami, o.amiOwners)
  const groups = o.securityGroups ?? [await deploymentGroup(aws, owner, o.vpcId, o.sshFrom)]
  const keyName = o.keyPair ?? (await importKeyPair(aws, owner, await deploymentKey(ctx.deploymentDir, owner)))
  const tags = machineTags(owner, o.tags)
  return {
    ImageId: image.imageId,
    InstanceType: o.instanceType as never,
    MinCount: 1,
    MaxCount: 1,
    KeyName: keyName,
    SecurityGroupIds: groups,
    ...(o.subnetId ? { SubnetId: o.subnetId } : {}),
    BlockDeviceMappings: [
      {
        DeviceName: image.rootDeviceName,
        Ebs: {
          VolumeSize: o.rootVolume.size,
          VolumeType: o.rootVolume.type,
          Encrypted: o.rootVolume.encrypted,
          DeleteOnTermination: true,
        },
      },
    ],
    ...(o.spot ? { InstanceMarketOptions: { MarketType: 'spot' as const } } : {}),
    TagSpecifications: [...tagging('instance', tags), ...tagging('volume', tags)],
  }
}

export async function launch(ctx: PluginContext, aws: Aws, options: Ec2Options, token: string): Promise<Instance> {
  const request = await launchRequest(ctx, aws, options)
  ctx.progress.report(`launching a ${options.instanceType} instance from ${request.ImageId}`)
  const reservation = await aws.call('RunInstances', (c, sdk) =>
    c.send(new sdk.RunInstancesCommand({ ...request, ClientToken: token })),
  )
  const instance = reservation.Instances?.[0]
  if (!instance?.InstanceId)
    return aws.call('RunInstances', () => Promise.reject(new Error('no instance in the answer')))
  ctx.logger.info(`launched instance ${instance.InstanceId} in ${aws.region}`)
  return instance
}
