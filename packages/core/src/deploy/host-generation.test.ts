import { API_VERSION, defineSystem, type SystemContext, type SystemDefinition } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { MachineState } from '../state/index.js'
import { describeMismatch, generationMismatch, withHostGeneration } from './host-generation.js'

const system = (onHost: number | undefined, reads = true): SystemDefinition =>
  defineSystem({
    name: 'recorded',
    apiVersion: API_VERSION,
    options: z.object({}),
    plan: async () => ({ changes: [] }),
    apply: async () => ({ number: 1, createdAt: 't', current: true }),
    check: async () => [],
    generations: async () => [],
    rollback: async () => ({ number: 1, createdAt: 't', current: true }),
    ...(reads ? { currentGeneration: async () => onHost } : {}),
  })
const ctx = {} as SystemContext
const machine = (current?: number): MachineState => ({
  platform: 'managed',
  system: 'recorded',
  generations: [
    { number: 1, createdAt: 't' },
    { number: 2, createdAt: 't' },
  ],
  ...(current ? { currentGeneration: current } : {}),
})

describe("the state follows the host's generation in force", () => {
  it('finds a host that rolled back a generation the state records, and records the host one', async () => {
    const mismatch = await generationMismatch(system(1), ctx, machine(2))
    expect(mismatch).toEqual({ recorded: 2, host: 1 })
    expect(withHostGeneration(machine(2), mismatch!).currentGeneration).toBe(1)
    expect(describeMismatch('db', mismatch!)).toMatch(
      /^machine "db": the host has generation 1 in force, not generation 2 as the state recorded .*; the state now records generation 1$/,
    )
  })

  it('takes the newest generation as the recorded one when no rollback named another', async () => {
    expect(await generationMismatch(system(2), ctx, machine())).toBeUndefined()
    expect(await generationMismatch(system(1), ctx, machine())).toEqual({ recorded: 2, host: 1 })
  })

  it('forgets generations that were never in force when the host has none', async () => {
    const mismatch = await generationMismatch(system(undefined), ctx, machine(1))
    expect(mismatch).toEqual({ recorded: 1, host: undefined })
    const after = withHostGeneration(machine(1), mismatch!)
    expect(after.currentGeneration).toBeUndefined()
    expect(after.generations).toBeUndefined()
  })

  it('leaves the state alone with a driver that cannot say', async () => {
    expect(await generationMismatch(system(5, false), ctx, machine(1))).toBeUndefined()
  })
})
