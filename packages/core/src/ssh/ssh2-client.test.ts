import { describe, expect, it } from 'vitest'
import { bundledClient, loadSshClient } from './ssh2-client.js'

describe('loadSshClient', () => {
  it("is ssh2's Client, from the file the build bundled from the ssh2 installed now, else from ssh2's own", async () => {
    const { Client } = await import('ssh2')
    const loaded = await loadSshClient()
    const methods = (c: object) => Object.getOwnPropertyNames(c).sort()
    expect(methods(loaded.prototype)).toEqual(methods(Client.prototype))
    const bundled = bundledClient()
    if (bundled === undefined) expect(loaded).toBe(Client)
    else {
      expect(bundled).toMatch(/\/packages\/core\/bundle\/ssh2-client\.cjs$/)
      expect(loaded).toBe((await import(bundled)).default)
    }
  })
})
