// A config saved with a UTF-8 byte-order mark (as some Windows editors do)
// loads like the same file without one, in every format the loader takes.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { guixOps, json, tempDir } from '../support/cli.js'

const BOM = '\uFEFF'
const machines = { db: { platform: { type: 'qemu' }, system: { type: 'debian', packages: ['redis-server'] } } }
const script = (name: string) =>
  `import { defineDeployment } from '@guix-ops/plugin-api'\nexport default defineDeployment(${JSON.stringify({ name, machines })})\n`

const formats: { file: string; content: (name: string) => string }[] = [
  { file: 'guix-ops.config.json', content: (name) => JSON.stringify({ name, machines }) },
  {
    file: 'package.json',
    content: (name) => JSON.stringify({ name: 'app', private: true, 'guix-ops': { name, machines } }),
  },
  {
    file: 'guix-ops.config.yaml',
    content: (name) =>
      `name: ${name}\nmachines:\n  db:\n    platform: { type: qemu }\n    system: { type: debian, packages: [redis-server] }\n`,
  },
  { file: 'guix-ops.config.ts', content: script },
  { file: 'guix-ops.config.mts', content: script },
  { file: 'guix-ops.config.js', content: script },
  { file: 'guix-ops.config.mjs', content: script },
]

describe('configs with a byte-order mark', () => {
  for (const { file, content } of formats) {
    it(`loads ${file}`, () => {
      const stateDir = tempDir()
      const dir = path.join(tempDir(), 'project')
      mkdirSync(dir)
      const name = `bom-${path.extname(file).slice(1)}${file === 'package.json' ? '-pkg' : ''}`
      writeFileSync(path.join(dir, file), `${BOM}${content(name)}`)
      const created = guixOps(['create', '--json'], { stateDir, cwd: dir })
      expect(created.code, created.stderr).toBe(0)
      expect(json<{ name: string; machines: Record<string, unknown> }>(created)).toMatchObject({
        name,
        machines: { db: { platform: 'qemu', system: 'debian' } },
      })
    })
  }
})
