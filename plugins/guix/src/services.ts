/**
 * Failed Shepherd services from `herd status`, as the Shepherd's herd.scm
 * `display-status-summary` prints them. Shepherd 0.10 and later list
 * stopped services with startup failures under "Failed to start:" with a
 * "!" mark, beside Started, Starting, Stopped, Stopping and One-shot:
 *
 *   Started:
 *    + sshd
 *   Stopped:
 *    - term-tty6
 *   Failed to start:
 *    ! nginx
 *
 * Shepherd 0.9 (Guix 1.4.0's) records no startup failures: its summary has
 * Started, Stopped and One-shot only, and a service that failed to start is
 * merely stopped; before 0.9 it printed `Started: (a b)` on one line. From
 * those, no service can be said to have failed. Headers may be coloured
 * when herd writes to a terminal, so escape sequences are dropped first.
 */
const ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')

export function failedServices(herdStatus: string): string[] {
  const failed: string[] = []
  let inFailed = false
  for (const raw of herdStatus.split('\n')) {
    const line = raw.replace(ESCAPE, '')
    if (/^\S.*:/.test(line)) inFailed = /^Failed to start:\s*$/.test(line)
    const mark = /^\s+!\s+(\S+)/.exec(line)
    if (mark && inFailed) failed.push(mark[1] ?? '')
  }
  return failed
}
