import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { leaseHostNumber, releaseHostNumber } from './address-leases.js'

const leases = () => path.join(mkdtempSync(path.join(tmpdir(), 'guix-ops-leases-')), 'leases')

describe('leaseHostNumber', () => {
  it('gives machines leased at once distinct numbers, and a machine asking again its own', async () => {
    const dir = leases()
    const machines = Array.from({ length: 20 }, (_, i) => `m${i}`)
    const numbers = await Promise.all(machines.map((m) => leaseHostNumber(dir, m, 10, 250)))
    expect(new Set(numbers).size).toBe(20)
    expect(numbers.every((n) => n !== undefined && n >= 10 && n <= 29)).toBe(true)
    expect(await leaseHostNumber(dir, 'm7', 10, 250)).toBe(numbers[7])
  })

  it('is undefined when every number is taken, and a released one is free again', async () => {
    const dir = leases()
    expect(await leaseHostNumber(dir, 'a', 10, 11)).toBe(10)
    expect(await leaseHostNumber(dir, 'b', 10, 11)).toBe(11)
    expect(await leaseHostNumber(dir, 'c', 10, 11)).toBeUndefined()
    expect(await releaseHostNumber(dir, 'a')).toBe(1)
    expect(await leaseHostNumber(dir, 'c', 10, 11)).toBe(10)
    expect(await releaseHostNumber(dir, 'b')).toBe(1)
    expect(await releaseHostNumber(dir, 'c')).toBe(0)
    expect(readdirSync(dir)).toEqual([])
  })

  it('releasing from a network never made leaves nothing to count', async () => {
    expect(await releaseHostNumber(leases(), 'a')).toBe(0)
  })
})
