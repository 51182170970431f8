// The SSH transport against a real OpenSSH server on 127.0.0.1.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caught } from '../../../../test/support/errors.js'
import { sshdUnavailable, startSshd, type TestSshd } from '../../../../test/support/sshd.js'
import { connectSsh } from './connect.js'
import { fingerprint, sameHostKey } from './host-key.js'
import { commandLine, shellQuote } from './quote.js'
import type { SshTarget } from './target.js'

describe('shellQuote', () => {
  it('leaves safe words bare and single-quotes the rest', () => {
    expect(commandLine(['ls', '-l', '/etc/ssh'])).toBe('ls -l /etc/ssh')
    expect(shellQuote("it's $(rm -rf /) `x` ; |")).toBe(`'it'\\''s $(rm -rf /) \`x\` ; |'`)
    expect(shellQuote('')).toBe("''")
    expect(() => shellQuote('a\0b')).toThrow('NUL')
  })
})

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the SSH transport tests against a real sshd: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('SSH transport against a real sshd', () => {
  let sshd: TestSshd
  let target: SshTarget
  beforeAll(async () => {
    sshd = await startSshd()
    target = { host: '127.0.0.1', port: sshd.port, user: sshd.user, identity: sshd.identity }
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it('reports the host key on first contact, and accepts it once pinned', async () => {
    const seen: string[] = []
    const first = await connectSsh(target, { onFirstContact: (key) => seen.push(key) })
    first.close()
    expect(seen).toHaveLength(1)
    expect(sameHostKey(seen[0]!, sshd.hostKey)).toBe(true)
    const again = await connectSsh({ ...target, hostKey: seen[0]! }, { onFirstContact: () => seen.push('again') })
    again.close()
    expect(seen).toHaveLength(1)
  })

  it('runs argument arrays with nothing interpreted by the remote shell, passing stdin, output and exit code', async () => {
    const ssh = await connectSsh({ ...target, hostKey: sshd.hostKey })
    try {
      const canary = path.join(mkdtempSync(path.join(tmpdir(), 'guix-ops-quote-')), 'pwned')
      const hostile = `x'; echo INJECTED; '$(touch ${canary})\`touch ${canary}\``
      const echo = await ssh.exec(['printf', '%s|', hostile, 'two words', ''])
      expect(echo).toEqual({ stdout: `${hostile}|two words||`, stderr: '', code: 0 })
      expect(existsSync(canary)).toBe(false)
      expect(await ssh.exec(['sh', '-c', 'cat; echo err >&2; exit 3'], { stdin: 'from stdin' })).toEqual({
        stdout: 'from stdin',
        stderr: 'err\n',
        code: 3,
      })
      const chunks: string[] = []
      await ssh.exec(['sh', '-c', 'echo a; sleep 0.1; echo b'], { onStdout: (c) => chunks.push(c) })
      expect(chunks.join('')).toBe('a\nb\n')
    } finally {
      ssh.close()
    }
  })

  it('uploads atomically with mode and owner, replaces existing files, and downloads', async () => {
    const ssh = await connectSsh({ ...target, hostKey: sshd.hostKey })
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-upload-'))
    try {
      const file = path.join(dir, 'shop.env')
      await ssh.upload(file, 'DB_HOST=10.0.0.2\n', { mode: 0o640, owner: 'root' })
      await ssh.upload(file, 'DB_HOST=10.0.0.3\n', { mode: 0o600 })
      expect(readFileSync(file, 'utf8')).toBe('DB_HOST=10.0.0.3\n')
      expect((await ssh.exec(['stat', '-c', '%a %U', file])).stdout.trim()).toBe('600 root')
      expect((await ssh.exec(['ls', '-A', dir])).stdout.trim()).toBe('shop.env')
      const binary = Uint8Array.from([0, 1, 2, 255, 10])
      await ssh.upload(path.join(dir, 'blob'), binary)
      expect([...(await ssh.download(path.join(dir, 'blob')))]).toEqual([...binary])
      const missing = await caught(ssh.download(path.join(dir, 'nope')))
      expect(missing.code).toBe('E_SSH_TRANSFER')
      expect(missing.message).toContain('nope')
    } finally {
      ssh.close()
    }
  })

  it('says which file could not be written and why (a full disk, a directory in the way), leaving no temp file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-full-'))
    const disk = path.join(dir, 'disk')
    mkdirSync(disk)
    const small = await startSshd({ tmpfs: { [disk]: '64k' } })
    const ssh = await connectSsh(
      { ...target, port: small.port, identity: small.identity, hostKey: small.hostKey },
      { label: { deployment: 'shop', machine: 'db' } },
    )
    try {
      const big = `${disk}/big.bin`
      const full = await caught(ssh.upload(big, new Uint8Array(256 * 1024).fill(7)))
      expect(full.code).toBe('E_SSH_TRANSFER')
      expect(full.message).toContain('machine "db"')
      expect(full.message).toContain(`cannot write ${big}`)
      expect(full.message).toMatch(/no space left/i)
      await ssh.exec(['mkdir', `${disk}/conf.d`])
      const directory = await caught(ssh.upload(`${disk}/conf.d`, 'x\n'))
      expect(directory.code).toBe('E_SSH_TRANSFER')
      expect(directory.message).toContain(`cannot write ${disk}/conf.d: a directory is in the way`)
      // Nothing left behind, and the disk is usable again.
      expect((await ssh.exec(['ls', '-A', disk])).stdout).toBe('conf.d\n')
      await ssh.upload(`${disk}/small`, 'fits\n')
      expect((await ssh.exec(['cat', `${disk}/small`])).stdout).toBe('fits\n')
    } finally {
      ssh.close()
      await small.stop()
    }
  })

  it('refuses a host key that changed, showing both fingerprints and how to accept it', async () => {
    const pinned = sshd.hostKey
    await sshd.rotateHostKey()
    const error = await caught(
      connectSsh({ ...target, hostKey: pinned }, { label: { deployment: 'shop', machine: 'db' } }),
    )
    expect(error.code).toBe('E_SSH_HOST_KEY_CHANGED')
    expect(error.message).toContain(fingerprint(pinned))
    expect(error.message).toContain(fingerprint(sshd.hostKey))
    expect(error.message).toContain('nothing was sent to it')
    expect(error.message).toContain('accept it with "guix-ops ssh-keys reset -d shop db"')
    expect(error.suggestion).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub')
  })

  it('names the host when it cannot connect or log in', async () => {
    const refused = await caught(connectSsh({ ...target, port: 1 }, { readyTimeout: 3000 }))
    expect(refused.code).toBe('E_SSH_CONNECT')
    expect(refused.message).toContain(`@127.0.0.1:1`)
    const other = await startSshd() // authorizes only its own client key, not ours
    try {
      const denied = await caught(connectSsh({ ...target, port: other.port, identity: sshd.identity }))
      expect(denied.code).toBe('E_SSH_AUTH')
      expect(denied.suggestion).toContain(sshd.identity)
    } finally {
      await other.stop()
    }
  })

  it('reaches a host through a jump host', async () => {
    const inner = await startSshd()
    try {
      writeFileSync(path.join(inner.dir, 'authorized_keys'), readFileSync(`${sshd.identity}.pub`))
      const seen: string[] = []
      const ssh = await connectSsh(
        {
          host: '127.0.0.1',
          port: inner.port,
          user: inner.user,
          identity: sshd.identity,
          jump: { ...target, hostKey: sshd.hostKey },
        },
        { onFirstContact: (key, t) => seen.push(`${t.port} ${key}`) },
      )
      try {
        expect((await ssh.exec(['echo', 'through the jump host'])).stdout).toBe('through the jump host\n')
        expect(seen).toEqual([`${inner.port} ${ssh.hostKey}`])
        expect(sameHostKey(ssh.hostKey, inner.hostKey)).toBe(true)
      } finally {
        ssh.close()
      }
    } finally {
      await inner.stop()
    }
  })
})
