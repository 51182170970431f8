// Every option a platform or system accepts is documented where its users
// look: the options table of the plugin's README (for the built-in `managed`
// platform, the config reference). The keys come from each options schema
// itself, so an option added to a schema without a row here fails.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { StandardSchemaV1 } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { managedOptions } from '../../packages/core/src/platforms/managed-options.js'
import { debianOptions } from '../../plugins/debian/src/options.js'
import { ec2Options } from '../../plugins/ec2/src/options.js'
import { guixOptions } from '../../plugins/guix/src/options.js'
import { lxcOptions } from '../../plugins/lxc/src/options.js'
import { qemuOptions } from '../../plugins/qemu/src/options.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** The option keys of a zod object schema (the plugins' schemas are zod objects). */
function schemaKeys(schema: StandardSchemaV1): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape
  if (!shape) throw new Error('the options schema is not a zod object: read its keys another way')
  return Object.keys(shape).sort()
}

/** The first column of the table under `heading` (up to the next heading): `memory` of "| `memory` | ...". */
function tableKeys(file: string, heading: string): string[] {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n')
  const start = lines.indexOf(heading)
  if (start < 0) throw new Error(`${file} has no heading "${heading}"`)
  const end = lines.findIndex((line, i) => i > start && line.startsWith('#'))
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .map((line) => /^\|\s*`([A-Za-z0-9]+)`\s*\|/.exec(line)?.[1])
    .filter((key): key is string => key !== undefined)
    .sort()
}

const DOCUMENTED = [
  { plugin: 'qemu', schema: qemuOptions, file: 'plugins/qemu/README.md', heading: '## Options' },
  { plugin: 'debian', schema: debianOptions, file: 'plugins/debian/README.md', heading: '## Options' },
  { plugin: 'guix', schema: guixOptions, file: 'plugins/guix/README.md', heading: '## Options' },
  { plugin: 'lxc', schema: lxcOptions, file: 'plugins/lxc/README.md', heading: '## Options' },
  { plugin: 'ec2', schema: ec2Options, file: 'plugins/ec2/README.md', heading: '## Options' },
  {
    plugin: 'managed',
    schema: managedOptions,
    file: 'docs/config.md',
    heading: '### `managed` platform options (built in)',
  },
]

describe('options tables', () => {
  for (const { plugin, schema, file, heading } of DOCUMENTED) {
    it(`${file} has one row for each option of ${plugin}, and none it does not take`, () => {
      expect(tableKeys(file, heading)).toEqual(schemaKeys(schema))
    })
  }
})
