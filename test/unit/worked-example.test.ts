// The worked example of docs/writing-a-platform.md is the acme fixture that
// test/e2e/third-party-platform.test.ts builds, installs, runs through the
// conformance suite and deploys: the copy in the guide must stay that file.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')

it('the guide shows test/fixtures/acme/platform.ts as it is', () => {
  const guide = read('docs/writing-a-platform.md')
  const section = guide.slice(guide.indexOf('\n## A worked example\n'))
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  expect(code, 'copy test/fixtures/acme/platform.ts into the guide again').toBe(read('test/fixtures/acme/platform.ts'))
})
