/** Carries out a plan's steps on the host, stopping at the first that fails, naming it. */
import type { ProgressReporter, RemoteHost } from '@guix-ops/plugin-api'
import type { Action } from './actions.js'
import { backupPath, RELEASE_SCRIPT, takeOriginals } from './backups.js'
import { fileBytes } from './content.js'
import { parentOf } from './known.js'
import type { Layout } from './layout.js'
import type { DesiredUser } from './model.js'
import { pushPackages } from './push.js'
import { APT_ENV, must, mustRun } from './remote.js'
import { type OwnerIds, ownerOf, prepareWrites } from './writes.js'

/** How a run applies its steps: where packages come from, and where progress goes. */
export interface ApplyOptions {
  packageSource: 'mirror' | 'push'
  log: (message: string) => void
  progress?: ProgressReporter
  /** false when PID 1 is not systemd: there is no systemd to reload. */
  systemd?: boolean
  /** The machine's own records on the host, where originals are kept. */
  layout: Layout
  /** Made by prepareWrites once the files' turn came: their directories exist, their owners' ids. */
  owners?: OwnerIds
  /** Directories prepareWrites did not make, since the plan saw them (known.ts). */
  seen?: ReadonlySet<string>
}

type Removal = Extract<
  Action,
  { kind: 'file-remove' | 'directory-remove' | 'packages-purge' | 'user-remove' | 'group-remove' }
>

/** systemd reads unit files (and their drop-ins) only when told to. */
const isUnitFile = (file: string): boolean => /^\/(etc|lib|usr\/lib)\/systemd\/system\//.test(file)

export async function runAction(host: RemoteHost, action: Action, options: ApplyOptions): Promise<void> {
  await applyAction(host, action, options)
  const unitFile = (action.kind === 'file-write' || action.kind === 'file-remove') && isUnitFile(action.path)
  if (unitFile && options.systemd !== false)
    await must(host, ['systemctl', 'daemon-reload'], `reloading systemd after ${action.path}`)
}

async function applyAction(host: RemoteHost, action: Action, options: ApplyOptions): Promise<void> {
  switch (action.kind) {
    case 'hostname':
      await host.upload('/etc/hostname', `${action.name}\n`, { mode: 0o644 })
      await must(host, ['hostname', action.name], `setting the hostname to ${action.name}`)
      return
    case 'group-add':
      return must(host, ['groupadd', '--', action.name], `creating group ${action.name}`)
    case 'user-add':
      return addUser(host, action.name, action.user)
    case 'packages-install':
      return installPackages(host, action.names, options)
    case 'directory':
      return must(
        host,
        ['install', '-d', '-m', action.mode, '-o', action.owner, '--', action.path],
        `creating ${action.path}`,
      )
    case 'file-take':
      return takeOriginals(host, options.layout, [action.path])
    case 'file-write': {
      const owners = options.owners ?? (await prepareWrites(host, [action]))
      const write = () =>
        host.upload(action.path, fileBytes(action.file), {
          mode: Number.parseInt(action.file.mode, 8),
          owner: owners.get(ownerOf(action)) ?? ownerOf(action),
        })
      // A directory the plan saw may have gone since (a service's runtime directory, removed as it
      // restarted): it is made, as it would have been before the upload, and the upload tried again.
      const dir = parentOf(action.path)
      await write().catch(async (error: unknown) => {
        if (!options.seen?.has(dir)) throw error
        await must(host, ['mkdir', '-p', '--', dir], `creating ${dir}`)
        await write()
      })
      return
    }
    case 'service-enable':
      return must(host, ['systemctl', 'enable', '--now', '--', action.unit], `enabling ${action.unit}`)
    case 'service-disable':
      return must(host, ['systemctl', 'disable', '--now', '--', action.unit], `disabling ${action.unit}`)
    case 'service-restart':
      return must(host, ['systemctl', 'restart', '--', action.unit], `restarting ${action.unit}`)
    case 'command':
      return must(host, action.run, `running ${action.run.join(' ')}`)
    default:
      return applyRemoval(host, action, options)
  }
}

/** Removes what guix-ops created and the config no longer wants. */
async function applyRemoval(host: RemoteHost, action: Removal, options: ApplyOptions): Promise<void> {
  const { log } = options
  switch (action.kind) {
    case 'file-remove': {
      const backup = backupPath(options.layout, action.path)
      const argv = ['sh', '-c', RELEASE_SCRIPT, 'sh', action.path, backup, action.restore ? 'yes' : 'no']
      const result = await mustRun(host, argv, `${action.restore ? 'restoring' : 'removing'} ${action.path}`)
      if (result.stderr.trim()) log(result.stderr.trim())
      return
    }
    case 'directory-remove': {
      // Only if empty: what others put there is not ours to delete.
      const result = await host.exec(['rmdir', '--', action.path])
      if (result.code !== 0) log(`left ${action.path} in place: ${result.stderr.trim()}`)
      return
    }
    case 'packages-purge':
      return must(
        host,
        [...APT_ENV, 'apt-get', 'purge', '-y', '-q', '--', ...action.names],
        `removing ${action.names.join(', ')}`,
      )
    case 'user-remove':
      return must(host, ['userdel', '--remove', '--', action.name], `removing user ${action.name}`)
    case 'group-remove':
      return must(host, ['groupdel', '--', action.name], `removing group ${action.name}`)
  }
}

async function addUser(host: RemoteHost, name: string, user: DesiredUser): Promise<void> {
  const argv = ['useradd', '--create-home', '--home-dir', user.home, '--user-group']
  if (user.system) argv.push('--system')
  if (user.shell) argv.push('--shell', user.shell)
  if (user.groups.length > 0) argv.push('--groups', user.groups.join(','))
  return must(host, [...argv, '--', name], `creating user ${name}`)
}

/** From the mirrors the host's apt is configured with, or pushed from here (`packageSource: push`). */
async function installPackages(host: RemoteHost, names: string[], options: ApplyOptions): Promise<void> {
  const { log } = options
  if (options.packageSource === 'push')
    return pushPackages(host, names, { log, ...(options.progress ? { progress: options.progress } : {}) })
  log(`installing ${names.join(' ')}`)
  await must(host, [...APT_ENV, 'apt-get', 'update', '-q'], 'apt-get update')
  return must(
    host,
    [...APT_ENV, 'apt-get', 'install', '-y', '-q', '--no-install-recommends', '--', ...names],
    `installing ${names.join(', ')}`,
  )
}
