/**
 * What `check` reports: where the host differs from the generation in
 * force, and the files this machine manages that another owner's record
 * (another deployment, or another machine, on the same host) claims too.
 */

import type { Drift } from '@guix-ops/plugin-api'
import { fileBytes } from './content.js'
import { describeOwner } from './layout.js'
import type { Desired, Facts } from './model.js'
import type { OtherOwner } from './owners.js'

export function driftOf(desired: Desired, facts: Facts, sha256: (bytes: Uint8Array) => string): Drift[] {
  const drift: Drift[] = []
  for (const p of desired.packages)
    if (!facts.installed.includes(p)) drift.push({ subject: `package ${p}`, expected: 'installed', actual: 'missing' })
  for (const [file, want] of Object.entries(desired.files)) {
    const fact = facts.files[file]
    if (!fact?.exists) drift.push({ subject: `file ${file}`, expected: 'present', actual: 'missing' })
    else if (fact.sha256 !== sha256(fileBytes(want)))
      drift.push({
        subject: `file ${file}`,
        expected: `sha256 ${sha256(fileBytes(want)).slice(0, 12)}`,
        actual: `sha256 ${fact.sha256?.slice(0, 12)}`,
      })
    else if (fact.mode?.padStart(4, '0') !== want.mode || fact.owner !== want.owner) {
      drift.push({
        subject: `file ${file}`,
        expected: `${want.mode} ${want.owner}`,
        actual: `${fact.mode} ${fact.owner}`,
      })
    }
  }
  for (const name of Object.keys(desired.users))
    if (!facts.users.includes(name)) drift.push({ subject: `user ${name}`, expected: 'present', actual: 'missing' })
  for (const name of desired.groups)
    if (!facts.groups.includes(name)) drift.push({ subject: `group ${name}`, expected: 'present', actual: 'missing' })
  for (const [unit, want] of Object.entries(desired.services)) {
    const state = facts.services[unit]
    if (want.enable && state !== 'enabled')
      drift.push({ subject: `service ${unit}`, expected: 'enabled', actual: state ?? 'unknown' })
  }
  for (const dir of Object.keys(desired.directories)) {
    if (!facts.directories[dir]?.exists)
      drift.push({ subject: `directory ${dir}`, expected: 'present', actual: 'missing' })
  }
  return drift
}

/** Files of this machine that another owner's generation in force manages as well. */
export function sharedFiles(desired: Desired, others: OtherOwner[]): Drift[] {
  const drift: Drift[] = []
  for (const file of Object.keys(desired.files)) {
    const claimants = others.filter((o) => o.record && file in o.record.managed.files)
    if (claimants.length === 0) continue
    drift.push({ subject: `file ${file}: also managed by ${claimants.map((o) => describeOwner(o.owner)).join(', ')}` })
  }
  return drift
}
