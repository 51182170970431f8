/**
 * A deployment's SSH key pair, shared by the platforms: made once with
 * ssh-keygen (ed25519, no passphrase), 0600 in a directory of the
 * deployment's own. The private key never leaves that directory.
 *
 * Machines of a deployment are provisioned in parallel, each asking for the
 * key: each makes a candidate pair under a name of its own and links it into
 * place; the first link wins and the others use the winner's pair. Nothing
 * ever writes to the final names, so no one reads a half-written key.
 */
import { randomBytes } from 'node:crypto'
import { access, link, mkdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { waitUntil } from './wait.js'

export interface DeploymentKeyPair {
  /** The private key (0600); its public half is beside it, with `.pub` added. */
  privateKeyPath: string
  /** `ssh-ed25519 AAAA... comment`, as authorized_keys takes it. */
  publicKey: string
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

/** Makes an ed25519 key pair at `file` (and `file.pub`); rejects with what went wrong. */
export async function sshKeygen(file: string, comment: string): Promise<void> {
  // Loaded here, not at the top: only the first provision of a deployment makes its key.
  const { execa } = await import('execa')
  const args = ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]
  const made = await execa('ssh-keygen', args, { stdin: 'ignore', reject: false })
  if (made.exitCode === 0) return
  if ((made.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    throw new Error('ssh-keygen is not installed (apt-get install openssh-client)')
  throw new Error(`ssh-keygen failed: ${made.stderr.trim() || made.shortMessage}`)
}

async function makeOnce(privateKeyPath: string, comment: string): Promise<void> {
  const candidate = `${privateKeyPath}.${randomBytes(6).toString('hex')}`
  try {
    await sshKeygen(candidate, comment)
    // The public half first: whoever places it places the private half too,
    // so a private key in place always has its public half beside it.
    if (await linkNew(`${candidate}.pub`, `${privateKeyPath}.pub`)) await link(candidate, privateKeyPath)
  } finally {
    await rm(candidate, { force: true })
    await rm(`${candidate}.pub`, { force: true })
  }
  // A loser may get here between the winner's two links: the private half follows shortly.
  if (!(await waitUntil(() => exists(privateKeyPath), { timeout: 5000, interval: 50 })))
    throw new Error(`${privateKeyPath}.pub is there but not its private key (remove it to make a new pair)`)
}

/**
 * The key pair at `dir/fileName` (and `.pub`), made with `comment` if there
 * is none yet. Safe to call from many machines of one deployment at once:
 * all get the same pair. Rejects with a plain Error saying what went wrong;
 * callers raise it under their own error code.
 */
export async function makeDeploymentKeyPair(
  dir: string,
  fileName: string,
  comment: string,
): Promise<DeploymentKeyPair> {
  const privateKeyPath = path.join(dir, fileName)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  if (!(await exists(privateKeyPath))) await makeOnce(privateKeyPath, comment)
  const publicKey = (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim()
  return { privateKeyPath, publicKey }
}
