/**
 * The deployment's SSH key pair, put in every VM as root's authorized key:
 * made once per deployment, 0600 in the deployment's own state directory,
 * by plugin-api's shared maker (safe when machines are provisioned at once).
 */
import { type DeploymentKeyPair, makeDeploymentKeyPair } from '@guix-ops/plugin-api'
import { QemuError, qemuError } from './errors.js'

export const KEY_FILE = 'qemu-ssh-key'

export type KeyPair = DeploymentKeyPair

export async function deploymentKey(deploymentDir: string, deploymentName: string): Promise<KeyPair> {
  try {
    return await makeDeploymentKeyPair(deploymentDir, KEY_FILE, `guix-ops@${deploymentName}`)
  } catch (error) {
    throw qemuError(QemuError.Launch, `cannot make the deployment's SSH key: ${(error as Error).message}`, {
      cause: error,
    })
  }
}
