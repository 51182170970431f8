/**
 * The deployment's SSH key: made once, 0600 in the deployment's own
 * directory, and imported into EC2 as the deployment's key pair, so
 * cloud-init authorizes it on every instance. The private key never leaves
 * this machine. plugin-api's shared maker makes it, safe when machines are
 * provisioned at once: exactly one key wins and every machine uses that one.
 */
import path from 'node:path'
import { makeDeploymentKeyPair } from '@guix-ops/plugin-api'
import { awsCode } from './aws-errors.js'
import type { Aws } from './client.js'
import { Ec2Error, ec2Error } from './errors.js'
import { deploymentTags, type Owner, tagging } from './tags.js'

export const keyPairName = (owner: Owner): string => `guix-ops-${owner.deployment.id}`
const KEY_DIR = 'ec2-ssh'
const KEY_FILE = 'id_ed25519'
export const privateKeyPath = (deploymentDir: string): string => path.join(deploymentDir, KEY_DIR, KEY_FILE)

export async function deploymentKey(deploymentDir: string, owner: Owner): Promise<string> {
  try {
    const comment = `guix-ops@${owner.deployment.name}`
    return (await makeDeploymentKeyPair(path.join(deploymentDir, KEY_DIR), KEY_FILE, comment)).publicKey
  } catch (error) {
    throw ec2Error(
      Ec2Error.Key,
      `ec2: machine "${owner.machine}": cannot make the deployment's SSH key: ${(error as Error).message}`,
      { machine: owner.machine, suggestion: 'install openssh-client (ssh-keygen)', cause: error },
    )
  }
}

/** Imports the deployment's key as its key pair, unless already there; returns the key pair's name. */
export async function importKeyPair(aws: Aws, owner: Owner, publicKey: string): Promise<string> {
  const name = keyPairName(owner)
  try {
    await aws.client.send(
      new aws.sdk.ImportKeyPairCommand({
        KeyName: name,
        PublicKeyMaterial: new TextEncoder().encode(publicKey),
        TagSpecifications: tagging('key-pair', deploymentTags(owner)),
      }),
    )
  } catch (error) {
    if (awsCode(error) !== 'InvalidKeyPair.Duplicate') await aws.call('ImportKeyPair', () => Promise.reject(error))
  }
  return name
}
