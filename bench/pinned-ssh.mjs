/**
 * OpenSSH's arguments for `ssh HOST true`, the baseline the benches time
 * guix-ops against: batch mode and the host key checked against a
 * known_hosts file of the bench's own, as guix-ops checks its pinned key.
 */
export function pinnedSshArgs({ known, identity, port, login }) {
  return [
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${known}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-i',
    identity,
    '-p',
    String(port),
    login,
    'true',
  ]
}
