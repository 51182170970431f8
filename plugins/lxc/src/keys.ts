/**
 * The deployment's SSH key pair, put in every container as root's authorized
 * key: made once per deployment, 0600 in the deployment's own state
 * directory, by plugin-api's shared maker (safe when machines are
 * provisioned at once).
 */
import { type DeploymentKeyPair, makeDeploymentKeyPair, sshKeygen } from '@guix-ops/plugin-api'
import { LxcError, lxcError } from './errors.js'

export const KEY_FILE = 'lxc-ssh-key'

export type KeyPair = DeploymentKeyPair

/** Makes an ed25519 key pair at `file` (and `file.pub`). */
export async function keygen(file: string, comment: string): Promise<void> {
  await sshKeygen(file, comment).catch((error: Error) => {
    throw lxcError(LxcError.Clone, `cannot make an SSH key: ${error.message}`, { cause: error })
  })
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
