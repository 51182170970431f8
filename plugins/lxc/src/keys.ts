/**
 * The deployment's SSH key pair, put in every container as root's authorized
 * key: made once per deployment, 0600 in the deployment's own state
 * directory, by plugin-api's shared maker (safe when machines are
 * provisioned at once).
 */
import { chmod, writeFile } from 'node:fs/promises'
import { type DeploymentKeyPair, makeDeploymentKeyPair } from '@guix-ops/plugin-api'
import { LxcError, lxcError } from './errors.js'
import { ed25519KeyPair } from './openssh-key.js'

export const KEY_FILE = 'lxc-ssh-key'

export type KeyPair = DeploymentKeyPair

/** Makes an ed25519 key pair at `file` (0600) and `file.pub`, as `ssh-keygen` would, in this process. */
export async function keygen(file: string, comment: string): Promise<void> {
  const pair = ed25519KeyPair(comment)
  try {
    await writeFile(file, pair.privateKey, { mode: 0o600 })
    await chmod(file, 0o600)
    await writeFile(`${file}.pub`, pair.publicKey, { mode: 0o644 })
  } catch (error) {
    throw lxcError(LxcError.Clone, `cannot make an SSH key: ${(error as Error).message}`, { cause: error })
  }
}

export async function deploymentKey(deploymentDir: string, deploymentName: string): Promise<KeyPair> {
  try {
    return await makeDeploymentKeyPair(deploymentDir, KEY_FILE, `guix-ops@${deploymentName}`)
  } catch (error) {
    throw lxcError(LxcError.Clone, `cannot make the deployment's SSH key: ${(error as Error).message}`, {
      cause: error,
    })
  }
}
