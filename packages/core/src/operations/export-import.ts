/**
 * `export` and `import`: a deployment's state as a portable file, to move it
 * to another machine or keep it in version control. Secrets are not part of
 * the state document and are never exported.
 */
import { randomUUID } from 'node:crypto'
import { lstat, readFile, readlink, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { GuixOpsError, isGuixOpsError, type JsonValue } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { DEPLOYMENT_NAME } from '../config/index.js'
import { type DeploymentState, parseStateDocument, writeFileAtomic } from '../state/index.js'
import type { EngineContext } from './context.js'
import { findDeployment } from './lookup.js'
import { toSexp } from './sexp.js'
import { withLock } from './with-lock.js'

export const EXPORT_KIND = 'guix-ops/export'
export const EXPORT_VERSION = 1

export type ExportFormat = 'json' | 'sexp'

export async function exportDeployment(
  ctx: EngineContext,
  options: { deployment: string | undefined; format: ExportFormat },
): Promise<{ state: DeploymentState; text: string }> {
  const state = await findDeployment(ctx, options.deployment)
  const document = {
    kind: EXPORT_KIND,
    version: EXPORT_VERSION,
    exportedAt: new Date().toISOString(),
    deployment: state as unknown as JsonValue,
  }
  const text = options.format === 'sexp' ? `${toSexp(document)}\n` : `${JSON.stringify(document, null, 2)}\n`
  return { state, text }
}

/** Where `file` leads once its symlinks are followed, as a shell's `>` would write (a dangling link included). */
async function linkTarget(file: string): Promise<string> {
  let current = file
  for (let hops = 0; hops < 40; hops++) {
    const info = await lstat(current).catch(() => undefined)
    if (!info?.isSymbolicLink()) return current
    current = path.resolve(path.dirname(current), await readlink(current))
  }
  return current // a loop of links: the write below fails and says so
}

/**
 * Writes an export to `file` whole or not at all (a crash or a full disk
 * leaves an older export there as it was), 0600: it holds the state.
 */
export async function writeExport(file: string, text: string): Promise<void> {
  try {
    const target = await linkTarget(file)
    const kind = await stat(target).catch(() => undefined)
    // A pipe, a terminal or /dev/stdout is streamed to: replacing it with a file would break it.
    if (kind && !kind.isFile()) await writeFile(target, text)
    else await writeFileAtomic(target, text)
  } catch (error) {
    throw new GuixOpsError(ErrorCode.ExportWrite, `cannot write ${file}: ${(error as Error).message}`, {
      where: { file },
      suggestion: 'check the free space and permissions of its directory; nothing was written there',
      cause: error,
    })
  }
}

function invalid(file: string, message: string, cause?: unknown): GuixOpsError {
  return new GuixOpsError(ErrorCode.ImportInvalid, `cannot import ${file}: ${message}`, {
    where: { file },
    suggestion: 'import a file written by "guix-ops export --format json"',
    cause,
  })
}

async function readExport(file: string): Promise<DeploymentState> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw invalid(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    const hint = text.trimStart().startsWith('(')
      ? 'it looks like an s-expression export; import reads JSON'
      : (error as Error).message
    throw invalid(file, hint, error)
  }
  const record = parsed as { kind?: unknown; version?: unknown; deployment?: unknown }
  let document: unknown = parsed
  if (record?.kind === EXPORT_KIND) {
    if (typeof record.version !== 'number' || record.version > EXPORT_VERSION) {
      throw invalid(file, `export version ${String(record.version)} is not one this guix-ops reads (${EXPORT_VERSION})`)
    }
    document = record.deployment
  }
  try {
    // The same checks and migrations as a state file read from disk.
    return parseStateDocument(JSON.stringify(document), file)
  } catch (error) {
    if (isGuixOpsError(error)) throw invalid(file, error.message.replace(`${file}: `, ''), error)
    throw error
  }
}

export async function importDeployment(
  ctx: EngineContext,
  options: { file: string; name?: string },
): Promise<DeploymentState> {
  const file = path.resolve(ctx.cwd, options.file)
  const imported = await readExport(file)
  if (options.name !== undefined && !DEPLOYMENT_NAME.test(options.name)) {
    throw new GuixOpsError(ErrorCode.InvalidName, `invalid deployment name "${options.name}"`, {
      suggestion: 'use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 63)',
    })
  }
  // Renamed on import: a copy, so it gets an id of its own.
  const state: DeploymentState =
    options.name === undefined ? imported : { ...imported, name: options.name, id: randomUUID() }
  return withLock(ctx, state.name, async () => {
    for (const key of [state.id, state.name]) {
      const clash = await ctx.store.find(key)
      if (clash) {
        throw new GuixOpsError(
          ErrorCode.DeploymentExists,
          `deployment "${clash.name}" (id ${clash.id}) already exists; import would replace it`,
          {
            where: { file, deployment: clash.name },
            suggestion: `import under another name with --name, or "guix-ops delete -d ${clash.name}" first`,
          },
        )
      }
    }
    await ctx.store.write({ ...state, updatedAt: new Date().toISOString() })
    return state
  })
}
