import { describe, expect, it } from 'vitest'
import { waitUntil } from './wait.js'

describe('waitUntil', () => {
  it('checks until the check answers, and resolves to its answer', async () => {
    let calls = 0
    const answer = await waitUntil(() => (++calls === 3 ? 'up' : undefined), { timeout: 5000, interval: 10 })
    expect(answer).toBe('up')
    expect(calls).toBe(3)
  })

  it('resolves to undefined once the timeout has passed, having checked at least once', async () => {
    let calls = 0
    const started = Date.now()
    const answer = await waitUntil(() => ++calls < 0, { timeout: 100, interval: 20 })
    expect(answer).toBeUndefined()
    expect(calls).toBeGreaterThan(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(100)
  })

  it('ends with the error a check throws', async () => {
    await expect(
      waitUntil(
        () => {
          throw new Error('gone for good')
        },
        { timeout: 5000, interval: 10 },
      ),
    ).rejects.toThrow('gone for good')
  })

  it('stops waiting when aborted, with the reason given', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('interrupted')), 20)
    await expect(
      waitUntil(() => false, { timeout: Number.POSITIVE_INFINITY, interval: 10_000, signal: controller.signal }),
    ).rejects.toThrow('interrupted')
  })
})
