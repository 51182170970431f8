/**
 * The deployment's SSH key pair: made once per deployment with ssh-keygen,
 * 0600 in the deployment's own state directory, and put in every VM as
 * root's authorized key. The private key never leaves that directory.
 */
import { access, mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { QemuError, qemuError } from './errors.js'
import { run } from './process.js'

export interface KeyPair {
  privateKeyPath: string
  publicKey: string
}

export async function deploymentKey(deploymentDir: string, deploymentName: string): Promise<KeyPair> {
  const privateKeyPath = path.join(deploymentDir, 'qemu-ssh-key')
  await mkdir(deploymentDir, { recursive: true, mode: 0o700 })
  try {
    await access(privateKeyPath)
  } catch {
    const made = await run([
      'ssh-keygen',
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      `guix-ops@${deploymentName}`,
      '-f',
      privateKeyPath,
    ]).catch(() => ({ code: -1, stderr: 'ssh-keygen is not installed (apt-get install openssh-client)', stdout: '' }))
    if (made.code !== 0)
      throw qemuError(QemuError.Launch, `cannot make the deployment's SSH key: ${made.stderr.trim()}`)
  }
  const publicKey = (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim()
  return { privateKeyPath, publicKey }
}
