/** Asking a container whether it is up: an address on lxc-net's bridge, and an sshd answering there. */
import { readFile } from 'node:fs/promises'
import { sshAnswers, waitUntil } from '@guix-ops/plugin-api'
import { containerAddresses, containerState, initPid } from './containers.js'
import { LxcError, lxcError } from './errors.js'

/** Addresses on the private networks are not where this host reaches the container. */
const PRIVATE_PREFIX = '10.78.0.'

export async function managementAddress(container: string): Promise<string | undefined> {
  return (await containerAddresses(container)).find((a) => !a.startsWith(PRIVATE_PREFIX))
}

/**
 * The IPv4 addresses a network namespace holds, from its `/proc/<pid>/net/fib_trie`:
 * each leaf followed by a `/32 host LOCAL` line is an address of one of its
 * interfaces (loopback's left out), what `lxc-info -i` lists.
 */
export function namespaceAddresses(fibTrie: string): string[] {
  const found = new Set<string>()
  let leaf: string | undefined
  for (const line of fibTrie.split('\n')) {
    const address = /\|-- (\d+\.\d+\.\d+\.\d+)\s*$/.exec(line)
    if (address) leaf = address[1]
    else if (line.includes('+--')) leaf = undefined
    else if (leaf && /\/32 host LOCAL/.test(line)) found.add(leaf)
  }
  return [...found].filter((a) => !a.startsWith('127.'))
}

/** The addresses of the container whose init is `pid`, or undefined once that process is gone. */
async function addressesOf(pid: number): Promise<string[] | undefined> {
  const text = await readFile(`/proc/${pid}/net/fib_trie`, 'utf8').catch(() => undefined)
  return text === undefined ? undefined : namespaceAddresses(text)
}

async function failIfStopped(container: string, machine: string): Promise<void> {
  if ((await containerState(container)) === 'STOPPED')
    throw lxcError(LxcError.Boot, `the container ${container} stopped while booting`, {
      machine,
      suggestion: `look at: lxc-start -n ${container} -F`,
    })
}

/**
 * Waits until the container has an address and its sshd answers there; returns the address.
 * Each poll reads the container's addresses from its init's /proc and knocks on sshd, running
 * no process: with many containers booting at once, two lxc-info runs per poll each took
 * more CPU than the boots themselves. LXC is asked again once sshd answers, and what
 * `lxc-info` says is what is returned.
 */
export async function waitForSsh(
  container: string,
  machine: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  let address: string | undefined
  let pid: number | undefined
  const answered = await waitUntil(
    async () => {
      pid ??= await initPid(container)
      const seen = pid === undefined ? undefined : await addressesOf(pid)
      if (seen === undefined) {
        pid = undefined
        await failIfStopped(container, machine)
        return undefined
      }
      address = seen.find((a) => !a.startsWith(PRIVATE_PREFIX))
      if (!address || !(await sshAnswers(address))) return undefined
      return (await managementAddress(container)) === address ? address : undefined
    },
    { timeout: timeoutMs, interval: 200, signal },
  )
  if (answered) return answered
  throw lxcError(
    LxcError.Boot,
    address
      ? `sshd did not answer on ${address}:22 within ${timeoutMs / 1000} s`
      : `the container got no address from lxc-net's DHCP within ${timeoutMs / 1000} s`,
    { machine, suggestion: `look inside with: lxc-attach -n ${container}` },
  )
}
