/**
 * `packageSource: 'push'`: packages for a host that reaches no mirror. apt on
 * the deploying machine works out exactly which .deb files the host lacks
 * (against a copy of the host's own dpkg status) and downloads them; they are
 * copied over SSH and installed from the files, the way `guix copy` ships a
 * closure. The deploying machine must run the same Debian release and
 * architecture as the host, with its apt lists up to date.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { GuixOpsError, type ProgressReporter, type RemoteHost } from '@guix-ops/plugin-api'
import { DebianError } from './codes.js'
import { APT_ENV, must } from './remote.js'

/** Runs a program here; a failure (a missing program, an exit code but 0) rejects with its stderr. */
async function run(file: string, args: string[], options: { maxBuffer?: number } = {}) {
  // Loaded here, not at the top: only a push runs programs on this machine.
  const { execa } = await import('execa')
  return execa(file, args, { stripFinalNewline: false, ...options })
}
const REMOTE_DIR = '/var/cache/guix-ops/debs'

const pushError = (message: string, suggestion?: string) =>
  new GuixOpsError(DebianError.Push, `debian: ${message}`, suggestion ? { suggestion } : {})

export const codenameOf = (osRelease: string): string | undefined =>
  /^VERSION_CODENAME=("?)([a-z]+)\1$/m.exec(osRelease)?.[2]

/** The release and architecture must match, or apt here would pick packages the host cannot use. */
export function checkCompatible(
  local: { codename?: string | undefined; arch: string },
  target: { codename?: string | undefined; arch: string },
): void {
  if (!local.codename)
    throw pushError('packageSource push needs a Debian deploying machine: /etc/os-release names no release')
  if (local.codename !== target.codename)
    throw pushError(
      `packages of this machine's Debian ${local.codename} cannot be pushed to a host running ${target.codename ?? 'an unknown release'}`,
      "deploy from a machine of the host's release, or use packageSource: 'mirror'",
    )
  if (local.arch !== target.arch)
    throw pushError(
      `this machine's packages are ${local.arch}; the host is ${target.arch}`,
      "use packageSource: 'mirror'",
    )
}

/** `name_version_arch.deb` -> name. */
export const packageOfDeb = (file: string): string => decodeURIComponent(file).split('_')[0]!

async function localArch(): Promise<string> {
  try {
    return (await run('dpkg', ['--print-architecture'])).stdout.trim()
  } catch {
    throw pushError('packageSource push needs dpkg and apt on the deploying machine')
  }
}

function hasAptLists(): boolean {
  const lists = '/var/lib/apt/lists'
  return existsSync(lists) && readdirSync(lists).some((f) => /_Packages(\.\w+)?$/.test(f))
}

/** Downloads, here, the .deb files `names` need on a host whose dpkg status is `status`. */
async function download(names: string[], status: Uint8Array, work: string): Promise<string[]> {
  const archives = path.join(work, 'archives')
  await mkdir(path.join(archives, 'partial'), { recursive: true })
  await writeFile(path.join(work, 'status'), status)
  const options = {
    'Dir::State::status': path.join(work, 'status'),
    'Dir::State::extended_states': path.join(work, 'extended_states'),
    'Dir::Cache::archives': archives,
    'Dir::Cache::pkgcache': '',
    'Dir::Cache::srcpkgcache': '',
    'Debug::NoLocking': '1',
    'APT::Sandbox::User': process.getuid?.() === 0 ? 'root' : '',
  }
  const argv = [
    ...Object.entries(options).flatMap(([key, value]) => ['-o', `${key}=${value}`]),
    'install',
    '--download-only',
    '-y',
    '-q',
    '--no-install-recommends',
    '--',
    ...names,
  ]
  try {
    await run('apt-get', argv, { maxBuffer: 64 * 1024 * 1024 })
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim()
    throw pushError(
      `apt on this machine cannot fetch ${names.join(', ')}: ${
        stderr
          .split('\n')
          .filter((l) => l.startsWith('E:'))
          .join(' ') || stderr
      }`,
    )
  }
  return (await readdir(archives)).filter((f) => f.endsWith('.deb')).sort()
}

export async function pushPackages(
  host: RemoteHost,
  names: string[],
  options: { log: (message: string) => void; progress?: ProgressReporter },
): Promise<void> {
  const [status, release, arch] = await Promise.all([
    host.download('/var/lib/dpkg/status'),
    host.exec(['cat', '/etc/os-release']),
    host.exec(['dpkg', '--print-architecture']),
  ])
  checkCompatible(
    { codename: codenameOf(readFileSync('/etc/os-release', 'utf8')), arch: await localArch() },
    { codename: codenameOf(release.stdout), arch: arch.stdout.trim() },
  )
  if (!hasAptLists()) throw pushError("apt's package lists on this machine are empty", 'run apt-get update here first')
  const work = await mkdtemp(path.join(tmpdir(), 'guix-ops-push-'))
  try {
    options.log(`fetching ${names.join(' ')} and what they need here`)
    const debs = await download(names, status, work)
    let sent = 0
    let total = 0
    for (const deb of debs) total += (await stat(path.join(work, 'archives', deb))).size
    await must(host, ['install', '-d', '-m', '0700', '--', REMOTE_DIR], 'creating the package dir')
    try {
      for (const deb of debs) {
        const content = await readFile(path.join(work, 'archives', deb))
        await host.upload(`${REMOTE_DIR}/${deb}`, content, { mode: 0o600 })
        sent += content.length
        options.progress?.report(`pushing ${debs.length} package file(s)`, { done: sent, total })
      }
      options.log(`installing ${debs.length} pushed package file(s)`)
      const files = debs.map((deb) => `${REMOTE_DIR}/${deb}`)
      await must(
        host,
        [...APT_ENV, 'apt-get', 'install', '-y', '-q', '--no-install-recommends', '--', ...files],
        `installing ${names.join(', ')}`,
      )
      // Installed from files, everything counts as asked for; only `names` were.
      const dependencies = debs.map(packageOfDeb).filter((p) => !names.includes(p))
      if (dependencies.length > 0) await must(host, ['apt-mark', 'auto', '--', ...dependencies], 'marking dependencies')
    } finally {
      await host.exec(['rm', '-rf', '--', REMOTE_DIR])
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
