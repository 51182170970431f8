import { describe, expect, it } from 'vitest'
import { connectFailed } from './errors.js'

const target = { host: '127.0.0.1', port: 2222, user: 'root' }

/** An error as ssh2's client emits it: `level` says which stage of the connection failed. */
const ssh2Error = (message: string, level: string) => Object.assign(new Error(message), { level })

describe('connectFailed', () => {
  it('is E_SSH_AUTH when ssh2 says authentication failed, whatever its message', () => {
    const failure = connectFailed(
      target,
      {},
      ssh2Error('Error while signing with key: bad key', 'client-authentication'),
    )
    expect(failure.code).toBe('E_SSH_AUTH')
    expect(failure.message).toContain('cannot log in to (root@127.0.0.1:2222)')
  })

  it('is E_SSH_CONNECT for any other failure, even one whose message speaks of authentication', () => {
    for (const error of [
      ssh2Error('connect ECONNREFUSED 127.0.0.1:2222', 'client-socket'),
      ssh2Error('Timed out while waiting for handshake (authentication never started)', 'client-timeout'),
      new Error('authentication agent socket not found'),
    ]) {
      expect(connectFailed(target, {}, error).code, error.message).toBe('E_SSH_CONNECT')
    }
  })
})
