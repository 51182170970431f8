// The SSH transport through a jump host, against real sshd processes: the
// machine's sshd lives in a private network namespace that only the jump
// host reaches; at the same address, this machine reaches an impostor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caught } from '../../../../test/support/errors.js'
import { startJumpSshd, startPrivateNetwork } from '../../../../test/support/private-network.js'
import { type PrivateNetwork, sshdUnavailable, startSshd, type TestSshd } from '../../../../test/support/sshd.js'
import { connectSsh } from './connect.js'
import { fingerprint, sameHostKey } from './host-key.js'
import type { SshTarget } from './target.js'

const unavailable = sshdUnavailable()
describe.skipIf(unavailable !== undefined)('SSH through a jump host', () => {
  let network: PrivateNetwork
  let jump: TestSshd
  let target: TestSshd
  let impostor: TestSshd
  let machine: SshTarget
  beforeAll(async () => {
    network = await startPrivateNetwork()
    jump = await startJumpSshd(network)
    target = await startSshd({ network, authorize: jump.identity, name: 'target' })
    impostor = await startSshd({ port: target.port, authorize: jump.identity, name: 'impostor', verbose: true })
    machine = {
      host: '127.0.0.1',
      port: target.port,
      user: target.user,
      identity: jump.identity,
      jump: { host: '127.0.0.1', port: jump.port, user: jump.user, identity: jump.identity },
    }
  })
  afterAll(async () => {
    await impostor?.stop()
    await target?.stop()
    await jump?.stop()
    await network?.stop()
  })

  it('reaches the machine the jump host reaches and reports both keys for pinning', async () => {
    const seen: string[] = []
    const ssh = await connectSsh(machine, { onFirstContact: (key, t) => seen.push(`${t.port} ${key}`) })
    try {
      expect((await ssh.exec(['printenv', 'GUIX_OPS_TEST_HOST'])).stdout).toBe('target\n')
      expect(sameHostKey(ssh.hostKey, target.hostKey)).toBe(true)
      expect(sameHostKey(ssh.jumpHostKey!, jump.hostKey)).toBe(true)
      expect(seen.sort()).toEqual([`${jump.port} ${ssh.jumpHostKey}`, `${target.port} ${ssh.hostKey}`].sort())
    } finally {
      ssh.close()
    }
    expect(impostor.log()).not.toContain('Accepted publickey')
  })

  it("logs 30 machines in through one jump host at once, none refused by OpenSSH's default MaxStartups", async () => {
    // Both sshds run with MaxStartups at its default (10:30:100): past 10
    // connections not yet logged in, each new one is dropped at random.
    const sessions = await Promise.allSettled(Array.from({ length: 30 }, () => connectSsh(machine)))
    const refused = sessions.flatMap((s) => (s.status === 'rejected' ? [String(s.reason?.message ?? s.reason)] : []))
    for (const s of sessions) if (s.status === 'fulfilled') s.value.close()
    expect(refused).toEqual([])
  })

  it('refuses a jump host whose key changed, naming it and how to accept the new key', async () => {
    const pinned = jump.hostKey
    await jump.rotateHostKey()
    const error = await caught(
      connectSsh(
        { ...machine, hostKey: target.hostKey, jump: { ...machine.jump!, hostKey: pinned } },
        { label: { deployment: 'shop', machine: 'db' } },
      ),
    )
    expect(error.code).toBe('E_SSH_HOST_KEY_CHANGED')
    expect(error.message).toContain(`the jump host (${jump.user}@127.0.0.1:${jump.port}) of machine "db"`)
    expect(error.message).toContain(fingerprint(pinned))
    expect(error.message).toContain(fingerprint(jump.hostKey))
    expect(error.message).toContain('guix-ops ssh-keys reset -d shop db --jump')
    expect(error.where).toEqual({ deployment: 'shop', machine: 'db' })
    expect(impostor.log()).not.toContain('Accepted publickey')
  })
})
