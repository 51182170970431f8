/** Asking a container whether it is up: an address on lxc-net's bridge, and an sshd answering there. */
import { sshAnswers, waitUntil } from '@guix-ops/plugin-api'
import { containerAddresses, containerState } from './containers.js'
import { LxcError, lxcError } from './errors.js'

/** Addresses on the private networks are not where this host reaches the container. */
const PRIVATE_PREFIX = '10.78.0.'

export async function managementAddress(container: string): Promise<string | undefined> {
  return (await containerAddresses(container)).find((a) => !a.startsWith(PRIVATE_PREFIX))
}

/** Waits until the container has an address and its sshd answers there; returns the address. */
export async function waitForSsh(
  container: string,
  machine: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  let address: string | undefined
  const answered = await waitUntil(
    async () => {
      address = await managementAddress(container)
      if (address && (await sshAnswers(address))) return address
      if ((await containerState(container)) === 'STOPPED')
        throw lxcError(LxcError.Boot, `the container ${container} stopped while booting`, {
          machine,
          suggestion: `look at: lxc-start -n ${container} -F`,
        })
      return undefined
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
