/**
 * The `managed` platform: a host that already exists and is reached over
 * SSH, like NixOps' `none` backend and Guix's managed-host environment.
 * guix-ops does not own it, so it cannot create, power on or off, or
 * destroy it; provisioning checks that it answers and records what it is.
 */
import { homedir } from 'node:os'
import path from 'node:path'
import {
  API_VERSION,
  definePlatform,
  type PlatformDefinition,
  type PluginContext,
  type SshJumpHost,
  waitUntil,
} from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { keepSession } from '../deploy/handoff.js'
import { connectSsh, endpointTarget, type SshSession, type SshTarget } from '../ssh/index.js'
import { type ManagedOptions, managedOptions } from './managed-options.js'

/** What is recorded in state for a managed host. */
export interface ManagedResource {
  [key: string]: string | number | boolean | null | { [key: string]: string }
  host: string
  port: number
  user: string
  identity: string | null
  sudo: boolean
  jump: string | null
  /** The host key the config names, if any; the key pinned on first contact is kept in state by the core. */
  hostKey: string | null
  facts: { [key: string]: string }
}

/** `user@host:port` of the `jump` option; the user and the key are the machine's unless it names a user. */
function parseJump(jump: string, user: string, identity: string | undefined): SshJumpHost {
  const match = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(jump)!
  return {
    host: match[2]!,
    port: Number(match[3] ?? 22),
    user: match[1] ?? user,
    ...(identity ? { privateKeyPath: identity } : {}),
  }
}

function expandHome(file: string): string {
  return file.startsWith('~/') ? path.join(homedir(), file.slice(2)) : file
}

interface Reachable {
  host: string
  port: number
  user: string
  sudo: boolean
  identity?: string | null | undefined
  jump?: string | null | undefined
  hostKey?: string | null | undefined
}

/** Where the host is, with its jump host if any: every connection to it goes through that. */
function endpointOf(r: Reachable) {
  const identity = r.identity ? expandHome(r.identity) : undefined
  return {
    host: r.host,
    port: r.port,
    user: r.user,
    sudo: r.sudo,
    ...(identity ? { privateKeyPath: identity } : {}),
    ...(r.jump ? { jump: parseJump(r.jump, r.user, identity) } : {}),
  }
}

/** The host with the keys to verify it and its jump host against: the config's, else those pinned in state. */
function targetOf(ctx: PluginContext, r: Reachable): SshTarget {
  return endpointTarget(endpointOf(r), r.hostKey ?? ctx.hostKey, ctx.jumpHostKey)
}

async function connect(ctx: PluginContext, target: SshTarget): Promise<SshSession> {
  return connectSsh(target, { label: { deployment: ctx.deployment.name, machine: ctx.machine }, signal: ctx.signal })
}

/**
 * What changes when a host boots: the kernel's boot id, and the start time
 * of PID 1 (a container shares its host's kernel, so only the latter moves).
 */
async function bootIdentity(ssh: SshSession): Promise<string> {
  const result = await ssh.exec(['cat', '/proc/sys/kernel/random/boot_id', '/proc/1/stat'], { sudo: false })
  const [bootId = '', stat = ''] = result.stdout.split('\n')
  return `${bootId}:${stat.split(' ')[21] ?? ''}`
}

/** Facts shown by `info` and readable by other machines as `outputs`. */
async function readFacts(ssh: SshSession): Promise<{ [key: string]: string }> {
  // One command: uname's line, then the os-release file (absent on some hosts).
  const read = await ssh.run(['sh', '-c', 'uname -m -r -n || exit 1; cat /etc/os-release 2>/dev/null; exit 0'], {
    sudo: false,
  })
  const [uname = '', ...rest] = read.split('\n')
  const release = rest.join('\n')
  const [hostname = '', kernel = '', arch = ''] = uname.trim().split(/\s+/)
  const field = (name: string) => new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(release)?.[1] ?? ''
  return { hostname, kernel, arch, os: field('ID'), osVersion: field('VERSION_ID'), osName: field('PRETTY_NAME') }
}

const managed: PlatformDefinition<ManagedOptions, ManagedResource> = definePlatform<ManagedOptions, ManagedResource>({
  name: 'managed',
  apiVersion: API_VERSION,
  description: 'An existing host reached over SSH (not created, powered or destroyed by guix-ops)',
  options: managedOptions,
  capabilities: { start: false, stop: false, reboot: true, destroy: false, console: false },

  async provision(ctx, { options, existing }) {
    // Already recorded at this address: the deploy's own connection verifies it, no need for a second.
    if (
      existing &&
      existing.host === options.host &&
      existing.port === options.port &&
      existing.user === options.user
    ) {
      const resource: ManagedResource = {
        ...existing,
        sudo: options.sudo,
        identity: options.identity ?? null,
        jump: options.jump ?? null,
        hostKey: options.hostKey ?? null,
      }
      return { resource, address: options.host, outputs: existing.facts }
    }
    const ssh = await connect(ctx, targetOf(ctx, options))
    try {
      ctx.progress.report(`connected to ${options.host}, reading facts`)
      const facts = await readFacts(ssh)
      const resource: ManagedResource = {
        host: options.host,
        port: options.port,
        user: options.user,
        sudo: options.sudo,
        hostKey: options.hostKey ?? null,
        facts,
        identity: options.identity ?? null,
        jump: options.jump ?? null,
      }
      return { resource, address: options.host, outputs: facts }
    } finally {
      // A deploy connecting next takes this connection rather than making its own.
      if (!keepSession(ctx, ssh)) ssh.close()
    }
  },

  async status(ctx, resource) {
    try {
      const ssh = await connect(ctx, targetOf(ctx, resource))
      try {
        return (await ssh.exec(['true'], { sudo: false })).code === 0 ? 'up' : 'unknown'
      } finally {
        ssh.close()
      }
    } catch (error) {
      if ((error as { code?: string }).code === ErrorCode.SshConnect) return 'unreachable'
      throw error
    }
  },

  /** Reboots the host and waits until it answers over SSH again (with the same pinned key). */
  async reboot(ctx, resource) {
    const target = targetOf(ctx, resource)
    const ssh = await connect(ctx, target)
    const bootId = await bootIdentity(ssh)
    // The connection drops as the host goes down; that is the expected outcome.
    await ssh.exec(['systemctl', 'reboot']).catch(() => undefined)
    ssh.close()
    ctx.progress.report(`rebooting ${resource.host}`)
    const bootedAgain = async () => {
      if (ctx.signal.aborted) throw new Error('aborted while waiting for the reboot')
      try {
        const again = await connect(ctx, target)
        try {
          return (await bootIdentity(again)) !== bootId
        } finally {
          again.close()
        }
      } catch (error) {
        if ((error as { code?: string }).code === ErrorCode.SshHostKeyChanged) throw error
        return false
      }
    }
    if (await waitUntil(bootedAgain, { timeout: 300_000, interval: 1000 })) return
    throw new Error(`${resource.host} did not come back within 5 minutes of the reboot`)
  },

  async ssh(_ctx, resource) {
    return { ...endpointOf(resource), ...(resource.hostKey ? { hostKey: resource.hostKey } : {}) }
  },
})

export default managed
export type { ManagedOptions }
