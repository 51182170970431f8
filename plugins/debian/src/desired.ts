/** Validated options as the exact state to reach: defaults filled in, files read, keys as files. */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { DebianError } from './codes.js'
import { contentOf } from './content.js'
import type { Desired } from './model.js'
import type { DebianOptions } from './options.js'

const normalMode = (mode: string | undefined, fallback: string) => (mode ?? fallback).padStart(4, '0')

export async function desiredFrom(options: DebianOptions, configDir: string | undefined): Promise<Desired> {
  const files: Desired['files'] = {}
  for (const [file, spec] of Object.entries(options.files)) {
    if (typeof spec === 'string') {
      files[file] = { content: spec, mode: '0644', owner: 'root', group: 'root' }
      continue
    }
    let content = spec.content === undefined ? undefined : { content: spec.content }
    if (content === undefined) {
      const source = path.resolve(configDir ?? process.cwd(), spec.source!)
      try {
        // Bytes, never decoded: a gzip file or Latin-1 text must arrive as it is.
        content = contentOf(await readFile(source))
      } catch (error) {
        throw new GuixOpsError(
          DebianError.Source,
          `debian: files["${file}"].source: cannot read ${source}: ${(error as Error).message}`,
        )
      }
    }
    files[file] = {
      ...content,
      mode: normalMode(spec.mode, '0644'),
      owner: spec.owner ?? 'root',
      group: spec.group ?? spec.owner ?? 'root',
    }
  }
  const users: Desired['users'] = {}
  for (const [name, user] of Object.entries(options.users)) {
    users[name] = {
      groups: [...(user.groups ?? [])].sort(),
      authorizedKeys: user.authorizedKeys ?? [],
      ...(user.shell ? { shell: user.shell } : {}),
      home: user.home ?? `/home/${name}`,
      system: user.system ?? false,
    }
  }
  const directories: Desired['directories'] = {}
  for (const [dir, spec] of Object.entries(options.directories)) {
    directories[dir] = { mode: normalMode(spec.mode, '0755'), owner: spec.owner ?? 'root' }
  }
  const services: Desired['services'] = {}
  for (const [unit, spec] of Object.entries(options.services))
    services[unit] = { enable: spec.enable, restartOn: spec.restartOn ?? [] }
  return {
    ...(options.hostname ? { hostname: options.hostname } : {}),
    packages: [...new Set(options.packages)].sort(),
    groups: [...new Set(options.groups)].sort(),
    users,
    files,
    directories,
    services,
    commands: options.commands.map((c) => ({ run: c.run, ...(c.on ? { on: c.on } : {}) })),
  }
}
