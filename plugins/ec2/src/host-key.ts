/**
 * The instance's SSH host key, read from its console output where cloud-init
 * prints it between `-----BEGIN SSH HOST KEY KEYS-----` and `-----END ...`
 * (cloud-init's `write_ssh_key_fingerprints`/`ssh_authkey_fingerprints` modules),
 * so that the first SSH connection is verified rather than trusted. EC2 gives
 * the console base64-encoded, and only once the instance has booted a while.
 */
import type { Aws } from './client.js'

const BLOCK = /-----BEGIN SSH HOST KEY KEYS-----([\s\S]*?)-----END SSH HOST KEY KEYS-----/

/** The ed25519 host key printed in console text, `ssh-ed25519 AAAA...`, if any. */
export function hostKeyFromConsole(text: string): string | undefined {
  const block = BLOCK.exec(text)?.[1] ?? ''
  const line = block.split('\n').find((l) => l.trim().startsWith('ssh-ed25519 '))
  return line?.trim().split(/\s+/).slice(0, 2).join(' ')
}

export async function consoleHostKey(aws: Aws, instanceId: string): Promise<string | undefined> {
  const out = await aws.call('GetConsoleOutput', (c, sdk) =>
    c.send(new sdk.GetConsoleOutputCommand({ InstanceId: instanceId })),
  )
  return out.Output ? hostKeyFromConsole(Buffer.from(out.Output, 'base64').toString('utf8')) : undefined
}
