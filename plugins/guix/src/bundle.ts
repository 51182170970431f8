/**
 * What a Guix config needs on the target: the config file, the files it
 * loads, includes or refers to with `local-file` (found by reading, not by
 * evaluating, so only literal relative paths count, and not in quoted data
 * or code a gexp stages for later), the channels file and
 * the load path's modules. Every .scm among them is read with Guile first,
 * so a syntax error stops the deploy before anything remote.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { GuixError } from './codes.js'
import { type Datum, evaluatedLists, headOf } from './scheme/datum.js'
import { readSchemeFiles } from './scheme/read.js'

/** Forms whose first argument names a file, relative to the file they appear in. */
const LOADING_FORMS = new Set(['load', 'primitive-load', 'include', 'load-from-path'])
const FILE_FORMS = new Set(['local-file', 'include-literal'])

export interface BundleFile {
  /** Path inside the uploaded directory, with `/` separators. */
  path: string
  content: Uint8Array
}

export interface Bundle {
  /** Path of the config inside the uploaded directory. */
  config: string
  files: BundleFile[]
}

function configError(file: string, at: { line?: number; col?: number }, message: string): GuixOpsError {
  return new GuixOpsError(GuixError.Config, `${file}:${at.line ?? 1}:${at.col ?? 1}: ${message}`, { where: { file } })
}

/** Literal relative paths a file's data load (.scm, to read in turn) or refer to (to upload as they are). */
function referencedFiles(data: Datum[]): { file: string; scheme: boolean; at: { line?: number; col?: number } }[] {
  const found = []
  for (const datum of data) {
    for (const list of evaluatedLists(datum)) {
      const head = headOf(list)
      if (!head || !(LOADING_FORMS.has(head) || FILE_FORMS.has(head))) continue
      const arg = list.list[1]
      // Absolute paths name files on the target; computed names cannot be known without evaluating.
      if (typeof arg !== 'string' || path.isAbsolute(arg) || head === 'load-from-path') continue
      found.push({ file: arg, scheme: LOADING_FORMS.has(head), at: list })
    }
  }
  return found
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort()
}

/** Reads `configFile` and what it loads, all within its directory; throws with file:line:col on a problem. */
export async function bundleConfig(configFile: string): Promise<Bundle> {
  if (!existsSync(configFile))
    throw new GuixOpsError(GuixError.Config, `guix: the config ${configFile} does not exist`, {
      where: { file: configFile },
    })
  const root = path.dirname(configFile)
  const seen = new Map<string, Uint8Array>()
  let queue = [configFile]
  while (queue.length > 0) {
    const batch = queue.filter((f) => !seen.has(f))
    for (const f of batch) seen.set(f, readFileSync(f))
    const data = await readSchemeFiles(batch)
    if (batch[0] === configFile && (data[0] ?? []).length === 0)
      throw configError(configFile, {}, 'the file has no expression; it must evaluate to an operating-system')
    queue = []
    for (const [i, file] of batch.entries()) {
      for (const ref of referencedFiles(data[i] ?? [])) {
        const target = path.resolve(path.dirname(file), ref.file)
        const relative = path.relative(root, target)
        if (relative.startsWith('..'))
          throw configError(file, ref.at, `${ref.file} is outside ${root}: guix-ops uploads that directory only`)
        if (!existsSync(target)) throw configError(file, ref.at, `refers to ${ref.file}, which does not exist`)
        if (statSync(target).isDirectory()) for (const f of filesUnder(target)) seen.set(f, readFileSync(f))
        else if (ref.scheme) queue.push(target)
        else seen.set(target, readFileSync(target))
      }
    }
  }
  return {
    config: path.relative(root, configFile).split(path.sep).join('/'),
    files: [...seen].map(([file, content]) => ({ path: path.relative(root, file).split(path.sep).join('/'), content })),
  }
}

/** Reads every .scm under the load path's directories (so their syntax errors show too) and returns them. */
export async function bundleLoadPath(dirs: string[]): Promise<BundleFile[][]> {
  return Promise.all(
    dirs.map(async (dir) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory())
        throw new GuixOpsError(GuixError.Config, `guix: the loadPath directory ${dir} does not exist`, {
          where: { file: dir },
        })
      const files = filesUnder(dir)
      await readSchemeFiles(files.filter((f) => f.endsWith('.scm')))
      return files.map((f) => ({ path: path.relative(dir, f).split(path.sep).join('/'), content: readFileSync(f) }))
    }),
  )
}
