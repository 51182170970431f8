/**
 * Failed Shepherd services from `herd status`, whose output lists them
 * under "Failed to start:" with a "!" mark (Shepherd 0.9 and later):
 *
 *   Started:
 *    + sshd
 *   Stopped:
 *    - term-tty6
 *   Failed to start:
 *    ! nginx
 */
export function failedServices(herdStatus: string): string[] {
  const failed: string[] = []
  let inFailed = false
  for (const line of herdStatus.split('\n')) {
    if (/^\S.*:\s*$/.test(line)) inFailed = /^Failed to start:/.test(line)
    const mark = /^\s*!\s+(\S+)/.exec(line)
    if (mark && inFailed) failed.push(mark[1] ?? '')
  }
  return failed
}
