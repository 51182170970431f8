import { describe, expect, it } from 'vitest'
import { loadSshClient } from './ssh2-client.js'

describe('loadSshClient', () => {
  it("is the very Client class of ssh2's index, loaded without it", async () => {
    const { Client } = await import('ssh2')
    expect(await loadSshClient()).toBe(Client)
  })
})
