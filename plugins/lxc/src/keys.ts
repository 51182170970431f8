/**
 * The deployment's SSH key pair: made once per deployment with ssh-keygen,
 * 0600 in the deployment's own state directory, and put in every container
 * as root's authorized key. The private key never leaves that directory.
 *
 * Machines are provisioned in parallel, each asking for the key: each makes
 * a candidate pair under a name of its own and links it into place; the
 * first link wins and the others use the winner's pair.
 */
import { randomBytes } from 'node:crypto'
import { access, link, mkdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { waitUntil } from '@guix-ops/plugin-api'
import { LxcError, lxcError } from './errors.js'
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

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  )

/** Links `from` to `to`; false when `to` already exists. */
async function linkNew(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
}

async function makeOnce(privateKeyPath: string, deploymentName: string): Promise<void> {
  const candidate = `${privateKeyPath}.${randomBytes(6).toString('hex')}`
  try {
    await keygen(candidate, `guix-ops@${deploymentName}`)
    // The public half first: whoever places it places the private half too.
    if (await linkNew(`${candidate}.pub`, `${privateKeyPath}.pub`)) await link(candidate, privateKeyPath)
  } finally {
    await rm(candidate, { force: true })
    await rm(`${candidate}.pub`, { force: true })
  }
  // A loser may get here between the winner's two links: the private half follows shortly.
  await waitUntil(() => exists(privateKeyPath), { timeout: 5000, interval: 50 })
}

export async function deploymentKey(deploymentDir: string, deploymentName: string): Promise<KeyPair> {
  const privateKeyPath = path.join(deploymentDir, KEY_FILE)
  await mkdir(deploymentDir, { recursive: true, mode: 0o700 })
  if (!(await exists(privateKeyPath))) await makeOnce(privateKeyPath, deploymentName)
  const publicKey = (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim()
  return { privateKeyPath, publicKey }
}
