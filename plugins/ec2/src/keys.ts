/**
 * The deployment's SSH key: made once with ssh-keygen, 0600 in the
 * deployment's own directory, and imported into EC2 as the deployment's key
 * pair, so cloud-init authorizes it on every instance. The private key never
 * leaves this machine.
 */
import { access, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { awsCode } from './aws-errors.js'
import type { Aws } from './client.js'
import { Ec2Error, ec2Error } from './errors.js'
import { deploymentTags, type Owner, tagging } from './tags.js'

export const keyPairName = (owner: Owner): string => `guix-ops-${owner.deployment.id}`
const KEY_DIR = 'ec2-ssh'
export const privateKeyPath = (deploymentDir: string): string => path.join(deploymentDir, KEY_DIR, 'id_ed25519')

/**
 * Machines of a deployment are provisioned in parallel: the key is made in a
 * directory of its own and renamed into place, so exactly one key wins and
 * every machine uses that one.
 */
async function makeKey(deploymentDir: string, owner: Owner): Promise<void> {
  const scratch = await mkdtemp(path.join(deploymentDir, `${KEY_DIR}.`))
  const args = [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    `guix-ops@${owner.deployment.name}`,
    '-f',
    path.join(scratch, 'id_ed25519'),
  ]
  try {
    // Loaded here, not at the top: only the first provision of a deployment makes its key.
    const { execa } = await import('execa')
    await execa('ssh-keygen', args)
    await rename(scratch, path.join(deploymentDir, KEY_DIR)).catch(() => undefined) // another machine's key won
  } catch (error) {
    throw ec2Error(
      Ec2Error.Key,
      `ec2: machine "${owner.machine}": cannot make the deployment's SSH key: ${(error as Error).message}`,
      {
        machine: owner.machine,
        suggestion: 'install openssh-client (ssh-keygen)',
      },
    )
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

export async function deploymentKey(deploymentDir: string, owner: Owner): Promise<string> {
  const file = privateKeyPath(deploymentDir)
  await mkdir(deploymentDir, { recursive: true, mode: 0o700 })
  await access(file).catch(() => makeKey(deploymentDir, owner))
  return (await readFile(`${file}.pub`, 'utf8')).trim()
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
