/**
 * The heart of the driver, and pure: from what is wanted, what guix-ops
 * managed after the last generation, and what the host has now, the steps
 * to take. Only what guix-ops created is ever removed; a file that was
 * there before guix-ops wrote it is backed up, and restored on removal.
 * Whether a file was taken over comes from the host's own marks first
 * (backups.ts): a deploy that wrote files and then failed left no record.
 */
import type { PlannedChange } from '@guix-ops/plugin-api'
import type { Action } from './actions.js'
import { fileBytes } from './content.js'
import { type Desired, EMPTY_MANAGED, type Facts, type GenerationRecord, type Managed } from './model.js'
import { normalPath } from './paths.js'
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

const differs = (fact: Facts['files'][string] | undefined, want: { mode: string; owner: string; group?: string }) =>
  !fact?.exists ||
  fact.mode?.padStart(4, '0') !== want.mode ||
  fact.owner !== want.owner ||
  (want.group !== undefined && fact.group !== want.group)

/** Whether a file existed before guix-ops first wrote it: the host's mark, else the last record, else what is there now. */
function wasThere(file: string, taken: NonNullable<Facts['taken']>, before: Managed, exists: boolean): boolean {
  const mark = taken[file]
  if (mark) return mark === 'original'
  return before.files[file]?.preexisting ?? exists
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
  const actions: Action[] = []
  const changes: PlannedChange[] = []
  const managed: Managed = { packages: [], groups: [], users: [], files: {}, directories: [], services: [] }

  if (desired.hostname && facts.hostname !== desired.hostname) {
    actions.push({ kind: 'hostname', name: desired.hostname })
    changes.push({ action: 'update', subject: 'hostname', detail: `${facts.hostname ?? '?'} -> ${desired.hostname}` })
  }
  for (const name of desired.groups) {
    if (!facts.groups.includes(name)) {
      actions.push({ kind: 'group-add', name })
      changes.push({ action: 'create', subject: `group ${name}` })
      managed.groups.push(name)
    } else if (before.groups.includes(name)) managed.groups.push(name)
  }
  for (const [name, user] of Object.entries(desired.users)) {
    if (!facts.users.includes(name)) {
      actions.push({ kind: 'user-add', name, user })
      changes.push({ action: 'create', subject: `user ${name}` })
      managed.users.push(name)
    } else if (before.users.includes(name)) managed.users.push(name)
  }
  const missing = desired.packages.filter((p) => !facts.installed.includes(p))
  if (missing.length > 0) {
    actions.push({ kind: 'packages-install', names: missing })
    for (const p of missing) changes.push({ action: 'create', subject: `package ${p}` })
  }
  managed.packages = desired.packages.filter((p) => missing.includes(p) || before.packages.includes(p))

  for (const [dir, want] of Object.entries(desired.directories)) {
    const fact = facts.directories[dir]
    if (differs(fact, want)) {
      actions.push({ kind: 'directory', path: dir, ...want })
      changes.push({ action: fact?.exists ? 'update' : 'create', subject: `directory ${dir}` })
    }
    if (!fact?.exists || before.directories.includes(dir)) managed.directories.push(dir)
  }
  const written = new Set<string>()
  const taken = facts.taken ?? {}
  for (const [file, want] of Object.entries(desired.files)) {
    const fact = facts.files[file]
    const known = before.files[file]
    managed.files[file] = { preexisting: wasThere(file, taken, before, fact?.exists === true) }
    // The host's mark, not the last record, says whether the original is kept already.
    if (!known && !taken[file]) actions.push({ kind: 'file-take', path: file })
    if (!differs(fact, want) && fact?.sha256 === sha256(fileBytes(want))) continue
    actions.push({ kind: 'file-write', path: file, file: want })
    changes.push({ action: fact?.exists ? 'update' : 'create', subject: `file ${file}` })
    written.add(file)
  }
  const triggered = triggers(written, desired, previous, sha256)
  for (const [unit, want] of Object.entries(desired.services)) {
    const enabled = facts.services[unit] === 'enabled'
    if (want.enable && !enabled) {
      actions.push({ kind: 'service-enable', unit })
      // Installing its package may have started it already, before its config was written.
      if (want.restartOn.some((f) => triggered.has(f))) actions.push({ kind: 'service-restart', unit })
      changes.push({ action: 'create', subject: `service ${unit}`, detail: 'enable and start' })
    } else if (!want.enable && enabled) {
      actions.push({ kind: 'service-disable', unit })
      changes.push({ action: 'update', subject: `service ${unit}`, detail: 'disable and stop' })
    } else if (want.enable && want.restartOn.some((f) => triggered.has(f))) {
      actions.push({ kind: 'service-restart', unit })
      changes.push({ action: 'update', subject: `service ${unit}`, detail: 'restart' })
    }
    if (want.enable && (!enabled || before.services.includes(unit))) managed.services.push(unit)
  }

  // Removals: only what guix-ops created, in the reverse order of creation.
  const removals: Action[] = []
  for (const unit of before.services) if (!(unit in desired.services)) removals.push({ kind: 'service-disable', unit })
  // What the last record manages, and what the host's marks say was taken over since (a deploy that never recorded).
  for (const file of new Set([...Object.keys(before.files), ...Object.keys(taken)])) {
    if (!(file in desired.files))
      removals.push({ kind: 'file-remove', path: file, restore: wasThere(file, taken, before, false) })
  }
  const goneDirs = before.directories.filter((d) => !(d in desired.directories)).sort((a, b) => b.length - a.length)
  for (const dir of goneDirs) removals.push({ kind: 'directory-remove', path: dir })
  const purge = before.packages.filter((p) => !desired.packages.includes(p))
  if (purge.length > 0) removals.push({ kind: 'packages-purge', names: purge })
  for (const name of before.users) if (!(name in desired.users)) removals.push({ kind: 'user-remove', name })
  for (const name of before.groups) if (!desired.groups.includes(name)) removals.push({ kind: 'group-remove', name })
  for (const r of removals) {
    const subject =
      r.kind === 'service-disable'
        ? `service ${r.unit}`
        : r.kind === 'file-remove'
          ? `file ${r.path}${r.restore ? ' (restore the original)' : ''}`
          : r.kind === 'directory-remove'
            ? `directory ${r.path}`
            : r.kind === 'packages-purge'
              ? `package ${r.names.join(', package ')}`
              : r.kind === 'user-remove'
                ? `user ${r.name}`
                : r.kind === 'group-remove'
                  ? `group ${r.name}`
                  : r.kind
    changes.push({ action: 'delete', subject })
  }

  // Commands run when something they watch changed; they are not changes themselves.
  if (changes.length > 0) {
    for (const command of desired.commands) {
      if (!command.on || command.on.some((f) => triggered.has(f))) actions.push({ kind: 'command', run: command.run })
    }
  }
  // Nothing to do on the host, but the record in force is of another config: apply records this one.
  if (changes.length === 0 && !describes(previous, wanted, managed)) changes.push(RECORD_CHANGE)
  return { actions: [...actions, ...removals], changes, managed }
}
