/**
 * What a user writes in `guix-ops.config.ts`: deployments made of machines.
 *
 * A machine is a platform (what provides the computer) plus a system (what
 * runs on it). A machine may also be a function of other machines' results:
 * `web: ({ db }) => ({ ... db.address ... })`. The core calls such a function
 * once with stand-ins to learn which machines it reads (its dependencies),
 * and again with the real results once those machines are deployed.
 */
import type { JsonObject } from './json.js'

/** Which platform provides the machine, plus that platform's own options. */
export interface PlatformRef {
  /** Platform name: `qemu`, `lxc`, `ec2`, `managed`, or a third party's. */
  type: string
  [option: string]: unknown
}

/** Which system driver configures the machine, plus that driver's options. */
export interface SystemRef {
  /** System driver name: `debian`, `guix`, or a third party's. */
  type: string
  [option: string]: unknown
}

/** A machine as configured. */
export interface MachineSpec {
  platform: PlatformRef
  system: SystemRef
  /** Free-form labels; commands select machines with `--on @tag`. */
  tags?: string[]
  /**
   * Machines that must be deployed before this one, in addition to those a
   * machine function reads. Use it for ordering without data flow.
   */
  needs?: string[]
  description?: string
  /**
   * Deployment keys (secrets) sent to the machine over SSH, by name. Their
   * values never reach the state, a log, a plugin or the Guix store.
   */
  keys?: Record<string, KeySpec>
}

/**
 * One deployment key: exactly one of `text`, `file` or `command` gives its
 * value. It lands in `destDir/NAME` (default `/run/keys`, a tmpfs: gone on
 * reboot), owned by `user:group` (default root) with mode `permissions`
 * (default `0600`), before activation or, for a user the deploy creates, after.
 */
export interface KeySpec {
  /** The value itself, e.g. `process.env.DB_PASSWORD` in a `.ts` config. */
  text?: string
  /** A file read at deploy time (relative to the config file's directory). */
  file?: string
  /** A command (argument list, no shell) whose standard output is the value: `['pass', 'show', 'db']`. */
  command?: string[]
  destDir?: string
  user?: string
  group?: string
  /** Octal mode as a string, e.g. `'0640'`. */
  permissions?: string
  uploadAt?: 'pre-activation' | 'post-activation'
}

/** How to reach a machine over SSH once it exists. */
export interface SshEndpoint {
  host: string
  port: number
  user: string
  /** Path of the private key to authenticate with, when not the agent's. */
  privateKeyPath?: string
  /** Pinned host key, `ssh-ed25519 AAAA...`, when the platform knows it. */
  hostKey?: string
  /** Run commands through `sudo -n` (when `user` is not root). */
  sudo?: boolean
  /**
   * A host the machine is reached through (like `ssh -J`). The core then
   * makes every connection to the machine through it, never to `host`
   * directly, and pins the jump host's own key as well.
   */
  jump?: SshJumpHost
}

/** The jump host of an `SshEndpoint`. */
export interface SshJumpHost {
  host: string
  port: number
  user: string
  /** Path of the private key to authenticate with, when not the agent's. */
  privateKeyPath?: string
  /** Its host key, `ssh-ed25519 AAAA...`, when the platform knows it; else pinned on first contact. */
  hostKey?: string
}

/** What a machine turned out to be once deployed; what machine functions read. */
export interface MachineResult {
  name: string
  /** The address other machines of the deployment use to reach this one. */
  address: string
  ssh: SshEndpoint
  /** Platform outputs: instance id, public address, and the like. */
  outputs: JsonObject
}

export type MachineResults = Readonly<Record<string, MachineResult>>

/** A machine computed from other machines' results. */
export type MachineFactory = (results: MachineResults) => MachineSpec

export type MachineDefinition = MachineSpec | MachineFactory

/** One deployment: a named set of machines. */
export interface DeploymentDefinition {
  /** Unique among the deployments in the state dir; letters, digits, `-`, `_`, `.`. */
  name: string
  description?: string
  machines: Record<string, MachineDefinition>
  /** Plugin packages to load by path, relative to the config file. */
  plugins?: string[]
}

/** A config file that defines several deployments at once. */
export interface MultiDeploymentConfig {
  deployments: DeploymentDefinition[]
  /** Plugin packages shared by every deployment in this file. */
  plugins?: string[]
}

export type ConfigDefinition = DeploymentDefinition | MultiDeploymentConfig

/** Identity helper: returns its argument; exists for types and completion. */
export function defineDeployment<T extends DeploymentDefinition>(deployment: T): T {
  return deployment
}

/** Identity helper for a config file with several deployments. */
export function defineConfig<T extends ConfigDefinition>(config: T): T {
  return config
}

/** Identity helper for a machine computed from other machines' results. */
export function defineMachine<T extends MachineDefinition>(machine: T): T {
  return machine
}
