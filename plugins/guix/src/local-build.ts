/**
 * Building here: the system is built on the deploying machine, its closure
 * sent over the deploy's own SSH connection (`guix archive --export` here,
 * `guix archive --import` there, as send-files of guix/ssh.scm does for
 * `guix copy` and `guix deploy`; over our connection, so the pinned host key
 * holds). The target must trust this machine's signing key: `authorize`
 * sends it first, as `authorize?` of gnu/machine/ssh.scm does.
 */
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { GuixOpsError, type SystemContext } from '@guix-ops/plugin-api'
import { GuixError } from './codes.js'
import { tail } from './remote.js'
import type { Upload } from './upload.js'

/** The first executable `guix` on this machine's PATH, if any. */
export function findLocalGuix(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'guix')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

/** The local `guix`, or an error saying that `buildLocally` needs one. */
export function localGuix(): string {
  const found = findLocalGuix()
  if (found) return found
  throw new GuixOpsError(
    GuixError.LocalGuix,
    'guix: buildLocally needs "guix" on this machine\'s PATH, and there is none',
    {
      where: { path: 'system.buildLocally' },
      suggestion: 'install Guix here, or set "buildLocally: false" to build on the target',
    },
  )
}

async function run(file: string, args: string[], encoding: 'utf8' | 'buffer'): Promise<string | Uint8Array> {
  // Loaded here, not at the top: only a build here runs programs on this machine.
  const { execa } = await import('execa')
  const result = await execa(file, args, { encoding, maxBuffer: 2 ** 32, stripFinalNewline: false, reject: false })
  if (result.failed)
    throw new GuixOpsError(
      GuixError.Build,
      `guix: ${[path.basename(file), ...args.slice(0, 2)].join(' ')} failed here: ${Buffer.from(result.stderr).toString('utf8').trim().split('\n').slice(-6).join(' | ')}`,
    )
  return result.stdout
}

/** Builds the uploaded tree's config here and imports its closure on the target. */
export async function buildAndCopy(ctx: SystemContext, upload: Upload, system: string | undefined): Promise<string> {
  const guix = localGuix()
  const root = path.join(ctx.stateDir, 'build')
  rmSync(root, { recursive: true, force: true })
  for (const file of upload.files) {
    const target = path.join(root, file.path)
    mkdirSync(path.dirname(target), { recursive: true })
    writeFileSync(target, file.content)
  }
  const pinned = upload.channels ? ['time-machine', '-C', path.join(root, 'channels.scm'), '--'] : []
  const loadPath = upload.loadPathDirs.flatMap((dir) => ['-L', path.join(root, dir)])
  ctx.progress.report('building the system locally')
  const built = String(
    await run(
      guix,
      [
        ...pinned,
        'system',
        'build',
        ...loadPath,
        ...(system ? [`--system=${system}`] : []),
        path.join(root, upload.config),
      ],
      'utf8',
    ),
  )
  const storePath = built.trim().split('\n').at(-1) ?? ''
  if (!/^\/gnu\/store\/[^/]+$/.test(storePath))
    throw new GuixOpsError(GuixError.Build, `guix: guix system build here printed no store item: "${storePath}"`)
  ctx.progress.report(`copying ${storePath} to the host`)
  const archive = (await run(guix, ['archive', '--export', '-r', storePath], 'buffer')) as Uint8Array
  const imported = await ctx.host.exec(['guix', 'archive', '--import'], { stdin: archive })
  if (imported.code !== 0)
    throw new GuixOpsError(GuixError.Build, `guix: importing the closure on the host failed: ${tail(imported)}`, {
      where: { machine: ctx.machine },
      suggestion: "authorize this machine's key on the host: guix archive --authorize < /etc/guix/signing-key.pub",
    })
  return storePath
}
