/**
 * The AWS EC2 platform: machines are EC2 instances, launched from a Debian
 * (or any) AMI with the deployment's SSH key, in the deployment's own
 * security group unless told otherwise, every resource tagged with the
 * deployment and machine. The AWS SDK is loaded only when an ec2 machine is
 * worked on.
 */
import { API_VERSION, definePlatform, type PlatformDefinition, type PluginContext } from '@guix-ops/plugin-api'
import { type Aws, connect } from './client.js'
import { destroy } from './destroy.js'
import { byId } from './find.js'
import { privateKeyPath } from './keys.js'
import { optionChanges } from './made.js'
import { type Ec2Options, ec2Options } from './options.js'
import { plan } from './plan.js'
import { provision, reachable } from './provision.js'
import { sshHost } from './reach.js'
import type { Ec2Resource } from './resource.js'
import { instanceStatus } from './status.js'
import { waitForState } from './wait.js'

const aws = (ctx: PluginContext, r: Ec2Resource): Promise<Aws> => connect(ctx.machine, r.region)
const timeoutMs = (r: Ec2Resource): number => r.bootTimeout * 1000

const ec2: PlatformDefinition<Ec2Options, Ec2Resource> = definePlatform<Ec2Options, Ec2Resource>({
  name: 'ec2',
  apiVersion: API_VERSION,
  description: 'Amazon EC2 instances (AWS SDK v3; credentials from the standard AWS chain)',
  options: ec2Options,
  capabilities: { start: true, stop: true, reboot: true, destroy: true, console: false },

  async provision(ctx, { options, existing }) {
    return provision(ctx, await connect(ctx.machine, options.region ?? existing?.region), options, existing)
  },

  status: async (ctx, r) => instanceStatus(await aws(ctx, r), r),

  async ssh(ctx, r) {
    // The public address changes with every stop and start (unless elastic): ask EC2, not the state.
    const i = await byId(await aws(ctx, r), r.instanceId)
    const host = (i && sshHost(i, r.address)) ?? (r.address === 'public' ? r.publicIp : r.privateIp) ?? r.privateIp
    return {
      host,
      port: 22,
      user: r.user,
      privateKeyPath: r.identity ?? privateKeyPath(ctx.deploymentDir),
      ...(r.user === 'root' ? {} : { sudo: true }),
      ...(r.hostKey ? { hostKey: r.hostKey } : {}),
    }
  },

  async start(ctx, r) {
    const a = await aws(ctx, r)
    ctx.progress.report(`starting instance ${r.instanceId}`)
    await a.call('StartInstances', (c, sdk) => c.send(new sdk.StartInstancesCommand({ InstanceIds: [r.instanceId] })))
    await waitForState(ctx, a, r.instanceId, 'running', timeoutMs(r))
    await reachable(ctx, a, r.instanceId, r)
  },

  async stop(ctx, r) {
    const a = await aws(ctx, r)
    ctx.progress.report(`stopping instance ${r.instanceId}`)
    await a.call('StopInstances', (c, sdk) => c.send(new sdk.StopInstancesCommand({ InstanceIds: [r.instanceId] })))
    await waitForState(ctx, a, r.instanceId, 'stopped', timeoutMs(r))
  },

  async reboot(ctx, r) {
    const a = await aws(ctx, r)
    ctx.progress.report(`rebooting instance ${r.instanceId}`)
    await a.call('RebootInstances', (c, sdk) => c.send(new sdk.RebootInstancesCommand({ InstanceIds: [r.instanceId] })))
    await reachable(ctx, a, r.instanceId, r)
  },

  destroy: async (ctx, r) => destroy(ctx, await aws(ctx, r), r),

  plan: async (ctx, { options }) => plan(ctx, await connect(ctx.machine, options.region), options),

  optionChanges: ({ options, existing }) => optionChanges(existing.madeWith, options),
})

export default ec2
export { fromAws } from './aws-errors.js'
export { Ec2Error } from './codes.js'
export { hostKeyFromConsole } from './host-key.js'
export type { Ec2Resource }
export { type Ec2Options, ec2Options }
