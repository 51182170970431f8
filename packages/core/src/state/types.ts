/**
 * The state document: one per deployment, the single record of what
 * guix-ops created and must act on again. Plain JSON, versioned.
 */
import type { JsonObject } from '@guix-ops/plugin-api'

/** Marks a file as ours, so a foreign JSON file is never taken for state. */
export const STATE_KIND = 'guix-ops/deployment'

/** Version written by this release; older documents are migrated on read. */
export const STATE_VERSION = 2

export interface GenerationRecord {
  number: number
  createdAt: string
  description?: string
}

/** What is recorded for one machine. */
export interface MachineState {
  /** Platform and system types the machine was last deployed with. */
  platform: string
  system: string
  /** The packages that provided them, so a missing plugin can be named. */
  platformPackage?: string
  systemPackage?: string
  /** The platform's resource; present while the machine exists. */
  resource?: JsonObject
  address?: string
  /** Pinned SSH host key, `ssh-ed25519 AAAA...`. */
  hostKey?: string
  /** Pinned host key of the jump host the machine is reached through, if any. */
  jumpHostKey?: string
  outputs?: JsonObject
  generations?: GenerationRecord[]
  /** The generation in force after a rollback; the newest one otherwise. */
  currentGeneration?: number
  /** Deployment keys sent to the host, by name: where they are and a salted hash, never the value. */
  keys?: Record<string, KeyRecord>
}

/** What is recorded of one deployment key sent to a host. */
export interface KeyRecord {
  path: string
  /** sha256(salt || value), hex. */
  hash: string
  salt: string
  user: string
  group: string
  permissions: string
  uploadAt: 'pre-activation' | 'post-activation'
  uploadedAt: string
}

export interface DeploymentState {
  kind: typeof STATE_KIND
  version: typeof STATE_VERSION
  id: string
  name: string
  /** Absolute path of the config file this deployment is built from. */
  configPath: string
  description?: string
  createdAt: string
  updatedAt: string
  machines: Record<string, MachineState>
}

/** Who holds a deployment's lock. */
export interface LockInfo {
  pid: number
  host: string
  command: string
  startedAt: string
}

export interface HeldLock {
  readonly info: LockInfo
  release(): Promise<void>
}

/** A state file that could not be read; reported, never overwritten. */
export interface StateProblem {
  file: string
  error: import('@guix-ops/plugin-api').GuixOpsError
  /** The deployment name the file's text still shows, if any: a corrupt file may still name its deployment. */
  name?: string
}

/**
 * Where deployments are kept. The file store is the default; the interface
 * leaves room for another backend (a database shared by a team).
 */
export interface StateStore {
  readonly dir: string
  /** Every readable deployment, and a problem for each file that is not. */
  list(): Promise<{ deployments: DeploymentState[]; problems: StateProblem[] }>
  /** By exact id, then by name; undefined if none. Throws if the id's file is corrupt. */
  find(nameOrId: string): Promise<DeploymentState | undefined>
  /** Atomically replaces (or creates) the deployment's document. */
  write(state: DeploymentState): Promise<void>
  /**
   * Removes the deployment's document and its machine/secret dirs. Once it
   * has begun, the deployment is never listed or found again, even if it is
   * cut off; `finishRemovals` then completes it.
   */
  remove(state: DeploymentState): Promise<void>
  /** Completes every removal that was cut off; returns the deployments they were of. */
  finishRemovals(): Promise<DeploymentState[]>
  /**
   * Takes the lock for a deployment name, at once or not at all.
   * A lock left by a dead process on this host is taken over; `onTakeover`
   * is told whose it was.
   */
  lock(name: string, command: string, onTakeover?: (stale: LockInfo) => void): Promise<HeldLock>
  readLock(name: string): Promise<LockInfo | undefined>
  /** Removes a lock by hand; returns what it recorded. */
  unlock(name: string): Promise<LockInfo | undefined>
}
