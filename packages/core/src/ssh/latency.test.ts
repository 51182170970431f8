// Round trips on an open SSH connection against a real sshd on 127.0.0.1.
// With Nagle's algorithm on, each small request waits for the peer's delayed
// ACK (40 ms or more on Linux): writing and reading back a small file over
// SFTP (about eight requests) takes ~320 ms instead of ~8 ms. SFTP, not a
// command, because a command runs the user's shell and its start-up files,
// whose time has nothing to do with the connection. The bound is a median,
// far above the no-delay figure, so a busy machine does not fail it; only a
// connection that waits on delayed ACKs does.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sshdUnavailable, startSshd, type TestSshd } from '../../../../test/support/sshd.js'
import { connectSsh } from './connect.js'
import type { SshSession } from './session.js'
import type { SshTarget } from './target.js'

const ROUNDS = 15
/** Five delayed-ACK stalls: an upload and a download wait on eight or so of them with Nagle on. */
const BOUND_MS = 5 * 40

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await work()
  return performance.now() - started
}

async function medianOf(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < ROUNDS; i++) times.push(await timed(work))
  return median(times)
}

/** Median time to write a small file and read it back, on one open connection. */
async function roundTrip(ssh: SshSession, dir: string): Promise<number> {
  await ssh.upload(path.join(dir, 'warm-up'), 'x') // opens the SFTP channel
  let n = 0
  return medianOf(async () => {
    const file = path.join(dir, `f${n++}`)
    await ssh.upload(file, 'small\n')
    await ssh.download(file)
  })
}

const unavailable = sshdUnavailable()
describe.skipIf(unavailable !== undefined)('SSH round trips (TCP no-delay)', () => {
  let jump: TestSshd
  let inner: TestSshd
  let target: SshTarget
  beforeAll(async () => {
    jump = await startSshd()
    inner = await startSshd({ authorize: jump.identity })
    target = { host: '127.0.0.1', port: jump.port, user: jump.user, identity: jump.identity, hostKey: jump.hostKey }
  })
  afterAll(async () => {
    await inner?.stop()
    await jump?.stop()
  })

  it('writes and reads a small file without waiting on delayed ACKs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-latency-'))
    const connects: number[] = []
    for (let i = 0; i < 3; i++) connects.push(await timed(() => connectSsh(target).then((s) => s.close())))
    const connect = median(connects)
    const ssh = await connectSsh(target)
    try {
      const trip = await roundTrip(ssh, dir)
      console.info(`direct: connect ${connect.toFixed(1)} ms, upload + download ${trip.toFixed(1)} ms`)
      expect(trip).toBeLessThan(BOUND_MS)
    } finally {
      ssh.close()
    }
  })

  it('does the same through a jump host', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-latency-'))
    const ssh = await connectSsh({
      host: '127.0.0.1',
      port: inner.port,
      user: inner.user,
      identity: jump.identity,
      hostKey: inner.hostKey,
      jump: target,
    })
    try {
      const trip = await roundTrip(ssh, dir)
      console.info(`through a jump host: upload + download ${trip.toFixed(1)} ms`)
      expect(trip).toBeLessThan(BOUND_MS)
    } finally {
      ssh.close()
    }
  })
})
