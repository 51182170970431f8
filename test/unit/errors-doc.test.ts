// docs/errors.md is generated from the error-code registries; it must say
// what they say, so a code added or changed without regenerating it fails here.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const GENERATOR = path.join(ROOT, 'scripts/docs/errors.mjs')

describe('docs/errors.md', () => {
  it('is what `npm run docs:errors` writes from the registries (run it after changing a codes.ts)', async () => {
    const { errorsMarkdown } = (await import(GENERATOR)) as { errorsMarkdown: () => Promise<string> }
    const written = readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8')
    expect(written, 'docs/errors.md is stale: regenerate it with `npm run docs:errors`').toBe(await errorsMarkdown())
  })

  it('lists the codes of the core and of every bundled plugin, each with a meaning and a hint', async () => {
    const written = readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8')
    for (const code of ['E_CONFIG_INVALID', 'E_USAGE', 'E_QEMU_BOOT', 'E_DEBIAN_PUSH', 'E_GUIX_SYNTAX']) {
      expect(written).toMatch(new RegExp(`^\\| \`${code}\` +\\| \`@guix-ops/[a-z-]+\` +\\| \\S.* \\| \\S.* \\|$`, 'm'))
    }
  })
})
