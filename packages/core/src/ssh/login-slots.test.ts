import { describe, expect, it } from 'vitest'
import { LOGINS_PER_SSHD, takeLoginSlot } from './login-slots.js'

const settled = () => new Promise((resolve) => setImmediate(resolve))

describe('login slots per sshd', () => {
  it('lets a few logins to one sshd start at once and the rest wait their turn, in order', async () => {
    const held = await Promise.all(Array.from({ length: LOGINS_PER_SSHD }, () => takeLoginSlot('a:22')))
    const order: number[] = []
    const later = [1, 2].map(async (n) => {
      const giveBack = await takeLoginSlot('a:22')
      order.push(n)
      return giveBack
    })
    const other = await takeLoginSlot('b:22') // another sshd is not held up
    await settled()
    expect(order).toEqual([])
    held[0]?.()
    held[0]?.() // giving a slot back twice frees one slot, not two
    await settled()
    expect(order).toEqual([1])
    held[1]?.()
    await settled()
    expect(order).toEqual([1, 2])
    for (const giveBack of [...held.slice(2), other, ...(await Promise.all(later))]) giveBack()
  })

  it('stops waiting when the deploy is cancelled, holding nothing', async () => {
    const held = await Promise.all(Array.from({ length: LOGINS_PER_SSHD }, () => takeLoginSlot('c:22')))
    const controller = new AbortController()
    const waiting = takeLoginSlot('c:22', controller.signal)
    controller.abort(new Error('cancelled'))
    await expect(waiting).rejects.toThrow('cancelled')
    held[0]?.()
    const next = await takeLoginSlot('c:22') // the freed slot went to a live caller, not the cancelled one
    for (const giveBack of [...held.slice(1), next]) giveBack()
  })
})
