/**
 * Provision: find the machine's instance again (by the id in state, by its
 * launch token, or by its tags when the id was lost), or launch one; bring it
 * to running; give it its elastic IP; wait for SSH; read its host key from
 * the console. Running it again on a machine that is up changes nothing.
 */
import type { Instance } from '@aws-sdk/client-ec2'
import type { PluginContext, ProvisionResult } from '@guix-ops/plugin-api'
import type { Aws } from './client.js'
import { attachElasticIp } from './elastic-ip.js'
import { byId, byTags, byToken, isAlive } from './find.js'
import { groupName } from './group.js'
import { consoleHostKey } from './host-key.js'
import { changeType } from './instance-type.js'
import { keyPairName } from './keys.js'
import { DAMAGED, damagedToken, forgetToken, keepToken, launch, newToken, ownerOf, savedToken } from './launch.js'
import { type MadeWith, madeWith, madeWithFound } from './made.js'
import type { Ec2Options } from './options.js'
import { sshAnswers, sshHost } from './reach.js'
import type { Ec2Resource } from './resource.js'
import { poll, waitForState } from './wait.js'

/** How long the console may take to show cloud-init's keys once SSH answers. */
const CONSOLE_WAIT_MS = 60_000

/** The machine's live instance, if it has one, and the token it was (or would be) launched with. */
async function findAgain(ctx: PluginContext, aws: Aws, existing: Ec2Resource | undefined) {
  if (existing) {
    const known = await byId(aws, existing.instanceId)
    if (isAlive(known)) return { instance: known, token: existing.clientToken }
    if (known) ctx.logger.warn(`instance ${existing.instanceId} is ${known.State?.Name}: making the machine anew`)
  }
  const saved = await savedToken(ctx)
  const token = saved === DAMAGED ? undefined : saved
  const launched = token ? await byToken(aws, token) : undefined
  if (launched) return { instance: launched, token: token! }
  const tagged = await byTags(aws, ownerOf(ctx))
  if (tagged) {
    ctx.logger.info(`found instance ${tagged.InstanceId} by its guix-ops tags`)
    if (saved === DAMAGED) await keepToken(ctx, tagged.ClientToken ?? '')
    return { instance: tagged, token: tagged.ClientToken ?? '' }
  }
  if (saved === DAMAGED) throw damagedToken(ctx)
  // The token of a launch whose instance is gone would only give back that dead instance.
  if (token && token === existing?.clientToken) {
    await forgetToken(ctx)
    return { instance: undefined, token: undefined }
  }
  return { instance: undefined, token }
}

async function running(ctx: PluginContext, aws: Aws, instance: Instance, timeoutMs: number): Promise<Instance> {
  const id = instance.InstanceId!
  const state = instance.State?.Name
  if (state === 'stopping') await waitForState(ctx, aws, id, 'stopped', timeoutMs)
  if (state === 'stopped' || state === 'stopping') {
    ctx.progress.report(`starting instance ${id}`)
    await aws.call('StartInstances', (c, sdk) => c.send(new sdk.StartInstancesCommand({ InstanceIds: [id] })))
  }
  return waitForState(ctx, aws, id, 'running', timeoutMs)
}

/** Waits until SSH answers at the address guix-ops uses; returns that instance as last described. */
export async function reachable(
  ctx: PluginContext,
  aws: Aws,
  instanceId: string,
  r: Pick<Ec2Resource, 'address' | 'bootTimeout'>,
) {
  return poll(ctx, 'answering SSH', r.bootTimeout * 1000, async () => {
    const i = await byId(aws, instanceId)
    const host = i ? sshHost(i, r.address) : undefined
    ctx.progress.report(`waiting for SSH on ${host ?? `instance ${instanceId} to get an address`}`)
    return host && (await sshAnswers(host)) ? i : undefined
  })
}

async function hostKey(ctx: PluginContext, aws: Aws, instanceId: string, known: string | null): Promise<string | null> {
  if (known) return known
  const key = await poll(ctx, 'the console', CONSOLE_WAIT_MS, async () => {
    ctx.progress.report('reading the host key from the console')
    return consoleHostKey(aws, instanceId)
  }).catch(() => undefined)
  if (!key) ctx.logger.warn('the console shows no SSH host key: it is pinned on first contact instead')
  return key ?? null
}

/** What provision learns besides what the instance's description says. */
type Learned = Pick<Ec2Resource, 'hostKey' | 'allocationId' | 'madeWith'>

function resource(aws: Aws, ctx: PluginContext, o: Ec2Options, i: Instance, rest: Learned): Ec2Resource {
  const owner = ownerOf(ctx)
  const ours = i.SecurityGroups?.find((g) => g.GroupName === groupName(owner))
  return {
    region: aws.region,
    instanceId: i.InstanceId!,
    clientToken: i.ClientToken ?? '',
    user: o.user,
    address: o.address,
    privateIp: i.PrivateIpAddress ?? '',
    publicIp: i.PublicIpAddress ?? null,
    createdGroupId: o.securityGroups ? null : (ours?.GroupId ?? null),
    createdKeyPair: o.keyPair ? null : keyPairName(owner),
    identity: o.identity ?? null,
    bootTimeout: o.bootTimeout,
    ...rest,
  }
}

/** What the instance was made with: as recorded, else as described when found again, else the options just launched with. */
function recorded(o: Ec2Options, i: Instance, kept: MadeWith | null | undefined, foundAgain: boolean): MadeWith {
  if (kept) return kept
  return foundAgain ? madeWithFound(o, i) : madeWith(o)
}

export async function provision(
  ctx: PluginContext,
  aws: Aws,
  options: Ec2Options,
  existing: Ec2Resource | undefined,
): Promise<ProvisionResult<Ec2Resource>> {
  const timeoutMs = options.bootTimeout * 1000
  const found = await findAgain(ctx, aws, existing)
  let instance = found.instance ?? (await launch(ctx, aws, options, found.token ?? (await newToken(ctx))))
  // A saved token whose instance was terminated since: EC2 answers with that one; launch anew.
  if (!isAlive(instance)) instance = await launch(ctx, aws, options, await newToken(ctx))
  const id = instance.InstanceId!
  const same = existing?.instanceId === id
  // An instance made before: only its type follows the options; what else it was made with stays recorded.
  const made = recorded(options, instance, same ? existing.madeWith : undefined, instance === found.instance)
  const changed = await changeType(ctx, aws, instance, made, options.instanceType, timeoutMs)
  await running(ctx, aws, changed.instance, timeoutMs)
  const allocationId = options.elasticIp ? await attachElasticIp(aws, ownerOf(ctx), id) : null
  const up = await reachable(ctx, aws, id, options)
  const key = await hostKey(ctx, aws, id, same ? existing.hostKey : null)
  const r = resource(aws, ctx, options, up, { hostKey: key, allocationId, madeWith: changed.made })
  return {
    resource: r,
    address: r.privateIp,
    outputs: { instanceId: id, region: r.region, publicIp: r.publicIp, privateIp: r.privateIp },
  }
}
