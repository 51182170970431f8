/**
 * Writes a package from a template dir: every `*.tmpl` file, placeholders
 * replaced, into a dir that is new or empty. Nothing is written when the
 * target is in use, so a typo never overwrites someone's work.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'

/** Template file names that cannot be stored under their real name. */
const RENAMED: Record<string, string> = { gitignore: '.gitignore' }

function templateFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name)
    if (entry.isDirectory()) return templateFiles(path.join(dir, entry.name), relative)
    return entry.name.endsWith('.tmpl') ? [relative] : []
  })
}

function assertUsable(target: string): void {
  let stat: ReturnType<typeof statSync>
  try {
    stat = statSync(target)
  } catch {
    return // does not exist yet
  }
  if (stat.isDirectory() && readdirSync(target).length === 0) return
  throw new GuixOpsError(
    ErrorCode.ScaffoldTarget,
    `${target} ${stat.isDirectory() ? 'is not empty' : 'exists and is not a directory'}; nothing was written`,
    { where: { file: target }, suggestion: 'choose another directory with --dir, or remove this one' },
  )
}

/** Returns the written files, relative to `target`. */
export function writeTemplate(templateDir: string, target: string, values: Record<string, string>): string[] {
  assertUsable(target)
  const files = templateFiles(templateDir).sort()
  for (const file of files) {
    const base = path.basename(file, '.tmpl')
    const out = path.join(target, path.dirname(file), RENAMED[base] ?? base)
    const text = readFileSync(path.join(templateDir, file), 'utf8').replace(
      /\{\{(\w+)\}\}/g,
      (whole, key: string) => values[key] ?? whole,
    )
    mkdirSync(path.dirname(out), { recursive: true })
    writeFileSync(out, text)
  }
  return files.map((f) => path.join(path.dirname(f), RENAMED[path.basename(f, '.tmpl')] ?? path.basename(f, '.tmpl')))
}
