import { describe, expect, it } from 'vitest'
import { IssueList } from '../config/issues.js'
import { checkKeys } from './schema.js'

const SECRET = 'hunter2-canary-7f3a'

/** Every message the check gives for `keys`, as the user reads them. */
function messages(keys: unknown): string[] {
  const issues = new IssueList('guix-ops.config.ts')
  checkKeys(issues, keys, 'machines.web.keys', 'web')
  return issues.errors.map((e) => `${e.message} ${e.suggestion ?? ''}`)
}

describe('key validation never shows a value', () => {
  it.each([
    ['a bare string where the keys go', SECRET],
    ['a bare string as a key', { db: SECRET }],
    ['text of another type', { db: { text: [SECRET] } }],
    ['a command as one string', { db: { command: `pass show ${SECRET}` } }],
    ['a command with a number in it', { db: { command: ['pass', 7, SECRET] } }],
  ])('%s: the error names the field, not the value', (_what, keys) => {
    const found = messages(keys)
    expect(found.length).toBeGreaterThan(0)
    expect(found.join('\n')).toContain('machines.web.keys')
    expect(found.join('\n')).not.toContain(SECRET)
  })

  it('refuses a directory with a "." component', () => {
    expect(messages({ db: { text: 'x', destDir: '/run/./keys' } }).join('\n')).toContain('destDir')
  })
})
