/**
 * The deployment's SSH key pair: made once per deployment with ssh-keygen,
 * 0600 in the deployment's own state directory, and put in every container
 * as root's authorized key. The private key never leaves that directory.
 */
import { access, mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { LxcError, lxcError } from './codes.js'
import { run } from './process.js'

export const KEY_FILE = 'lxc-ssh-key'

export interface KeyPair {
  privateKeyPath: string
  publicKey: string
}

/** Makes an ed25519 key pair at `file` (and `file.pub`). */
export async function keygen(file: string, comment: string): Promise<void> {
  const made = await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]).catch(() => ({
    code: -1,
    stderr: 'ssh-keygen is not installed (apt-get install openssh-client)',
  }))
  if (made.code !== 0) throw lxcError(LxcError.Clone, `cannot make an SSH key: ${made.stderr.trim()}`)
}

export async function deploymentKey(deploymentDir: string, deploymentName: string): Promise<KeyPair> {
  const privateKeyPath = path.join(deploymentDir, KEY_FILE)
  await mkdir(deploymentDir, { recursive: true, mode: 0o700 })
  try {
    await access(privateKeyPath)
  } catch {
    await keygen(privateKeyPath, `guix-ops@${deploymentName}`)
  }
  const publicKey = (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim()
  return { privateKeyPath, publicKey }
}
