/**
 * What to run after `platform:new`. The packages a new platform builds on
 * (`@guix-ops/plugin-api`, `@guix-ops/platform-test-kit`) are not on a
 * registry yet, so a plain `npm install` there would fail: the hint links
 * the copies this install can see, and says where to get the others.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

export const AUTHOR_PACKAGES = ['@guix-ops/plugin-api', '@guix-ops/platform-test-kit'] as const

/** The directory of an installed package, found from its entry module. */
function packageDir(name: string, fromRoot: string): string | undefined {
  let dir: string
  try {
    dir = path.dirname(createRequire(path.join(fromRoot, 'package.json')).resolve(name))
  } catch {
    return undefined
  }
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json')
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === name) return dir
  }
  return undefined
}

/** The lines after "next:", for a package written to `made`, seen from `cwd`. */
export function scaffoldNextSteps(made: string, cwd: string, cliRoot: string): string[] {
  const cd = `cd ${path.relative(cwd, made) || '.'}`
  const found = AUTHOR_PACKAGES.map((name) => ({ name, dir: packageDir(name, cliRoot) }))
  const missing = found.filter((p) => p.dir === undefined).map((p) => p.name)
  const dirs = found.flatMap((p) => (p.dir === undefined ? [] : [p.dir]))
  const lines = [
    `${AUTHOR_PACKAGES.join(' and ')} are not on a registry yet: link them (npm link), then install and test:`,
  ]
  if (missing.length > 0) {
    lines.push(
      `  ${missing.join(' and ')} ${missing.length > 1 ? 'do' : 'does'} not come with this guix-ops: use a guix-ops checkout's packages/${missing.map((n) => n.replace('@guix-ops/', '')).join(' and packages/')} (npm run build there first)`,
    )
  }
  const linked = [...dirs, ...missing.map((n) => `CHECKOUT/packages/${n.replace('@guix-ops/', '')}`)]
  lines.push(`  ${cd} && npm link ${linked.join(' ')} && npm test`)
  return lines
}
