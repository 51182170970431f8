// A machine's secrets (its keys, passwords) are replaced whole: whoever reads
// one while it is being written, or after a write was cut off, finds the old
// value or the new one, never a truncated mix.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { pluginContext } from './plugin-context.js'

describe('secrets in the state dir', () => {
  it('a secret read while it is being replaced is the old or the new one, whole', async () => {
    const ctx = await pluginContext({
      stateDir: mkdtempSync(path.join(tmpdir(), 'guix-ops-secrets-')),
      deployment: { id: 'd0000000-0000-4000-8000-000000000000', name: 'shop' },
      machine: 'db',
      signal: new AbortController().signal,
      emit: () => undefined,
    })
    const size = 8 * 1024 * 1024
    const values = ['a', 'b', 'c', 'd'].map((c) => c.repeat(size))
    await ctx.secrets.set('key', values[0]!)
    const seen = new Set<string>()
    let writing = true
    const reads = (async () => {
      while (writing) {
        const value = (await ctx.secrets.get('key')) ?? ''
        seen.add(value.length === size ? `whole ${value[0]}` : `torn: ${value.length} bytes`)
      }
    })()
    for (const value of values.slice(1)) await ctx.secrets.set('key', value)
    writing = false
    await reads
    expect([...seen].filter((s) => s.startsWith('torn'))).toEqual([])
    expect(seen.size, 'reads made while writing').toBeGreaterThan(0)
  })
})
