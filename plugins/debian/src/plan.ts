/**
 * The heart of the driver, and pure: from what is wanted, what guix-ops
 * managed after the last generation, and what the host has now, the steps
 * to take. Only what guix-ops created is ever removed; a file that was
 * there before guix-ops wrote it is backed up, and restored on removal.
 * Each kind of resource has its own planner (planners/); this combines them.
 */
import type { PlannedChange } from '@guix-ops/plugin-api'
import type { Action } from './actions.js'
import { fileBytes } from './content.js'
import { type Desired, EMPTY_MANAGED, type Facts, type GenerationRecord, type Managed } from './model.js'
import { normalPath } from './paths.js'
import { planGroups, planUsers } from './planners/accounts.js'
import { planCommands } from './planners/commands.js'
import { planDirectories } from './planners/directories.js'
import { planFiles } from './planners/files.js'
import { planHostname } from './planners/hostname.js'
import type { KindPlan } from './planners/kind.js'
import { planPackages } from './planners/packages.js'
import { planServices } from './planners/services.js'
import { describes, RECORD_CHANGE } from './recorded.js'

export interface DebianPlan {
  actions: Action[]
  changes: PlannedChange[]
  /** What guix-ops manages once the plan is applied. */
  managed: Managed
}

/** Authorized keys become a managed file (and its .ssh directory) owned by the user. */
export function expandUsers(desired: Desired): Desired {
  const files = { ...desired.files }
  const directories = { ...desired.directories }
  for (const [name, user] of Object.entries(desired.users)) {
    if (user.authorizedKeys.length === 0) continue
    directories[`${user.home}/.ssh`] = { mode: '0700', owner: name }
    files[`${user.home}/.ssh/authorized_keys`] = {
      content: `${user.authorizedKeys.join('\n')}\n`,
      mode: '0600',
      owner: name,
      group: name,
    }
  }
  return { ...desired, files, directories }
}

/** Paths recorded before they were written one way: `/etc//x` must not be removed as another file than `/etc/x`. */
function normalised(managed: Managed): Managed {
  const files = Object.entries(managed.files).map(([file, info]) => [normalPath(file), info] as const)
  return {
    ...managed,
    files: Object.fromEntries(files),
    directories: [...new Set(managed.directories.map(normalPath))],
  }
}

/**
 * Files whose change services and commands react to: those this plan writes,
 * and those the host already holds but the record in force does not describe
 * (a deploy that wrote them was interrupted before its restarts and commands ran).
 */
function triggers(
  written: Set<string>,
  desired: Desired,
  previous: GenerationRecord | undefined,
  sha256: (bytes: Uint8Array) => string,
): Set<string> {
  const triggered = new Set(written)
  // Records keep the config as written: expanded the same way, users' authorized_keys compare too.
  const recordedFiles = previous ? expandUsers(previous.desired).files : {}
  for (const [file, want] of Object.entries(desired.files)) {
    const recorded = recordedFiles[file]
    if (!recorded || sha256(fileBytes(recorded)) !== sha256(fileBytes(want))) triggered.add(file)
  }
  return triggered
}

export function planSystem(
  wanted: Desired,
  previous: GenerationRecord | undefined,
  facts: Facts,
  sha256: (bytes: Uint8Array) => string,
): DebianPlan {
  const desired = expandUsers(wanted)
  const before = normalised(previous?.managed ?? EMPTY_MANAGED)
  const hostname = planHostname(desired, facts)
  const groups = planGroups(desired, facts, before)
  const users = planUsers(desired, facts, before)
  const packages = planPackages(desired, facts, before)
  const directories = planDirectories(desired, facts, before)
  const files = planFiles(desired, facts, before, sha256)
  const triggered = triggers(files.written, desired, previous, sha256)
  const services = planServices(desired, facts, before, triggered)
  const managed: Managed = {
    packages: packages.managed,
    groups: groups.managed,
    users: users.managed,
    files: files.managed,
    directories: directories.managed,
    services: services.managed,
  }

  const kinds: KindPlan<unknown>[] = [hostname, groups, users, packages, directories, files, services]
  // Removals: only what guix-ops created, in the reverse order of creation.
  const removing = kinds.toReversed()
  const changes = [...kinds.flatMap((k) => k.changes), ...removing.flatMap((k) => k.removed)]
  // Commands run when something they watch changed; they are not changes themselves.
  const commands = changes.length > 0 ? planCommands(desired, triggered) : []
  // Nothing to do on the host, but the record in force is of another config: apply records this one.
  if (changes.length === 0 && !describes(previous, wanted, managed)) changes.push(RECORD_CHANGE)
  const actions = [...kinds.flatMap((k) => k.actions), ...commands, ...removing.flatMap((k) => k.removals)]
  return { actions, changes, managed }
}
