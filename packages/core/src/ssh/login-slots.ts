/**
 * At most a few logins at once to any one sshd. OpenSSH counts the
 * connections that have not yet logged in, and past `MaxStartups` (default
 * 10:30:100) it drops new ones at random: 30 % of them once 10 are waiting.
 * A deploy of many machines behind one jump host, or of several machines on
 * one sshd, would otherwise open them all at once and lose some. A slot is
 * held from the TCP connect until the login succeeds or fails; what happens
 * on the connection after that is not limited.
 */

/** Below OpenSSH's default first threshold (10), with room for other clients' logins. */
export const LOGINS_PER_SSHD = 8

interface Slots {
  active: number
  waiting: Array<() => void>
}

const bySshd = new Map<string, Slots>()

function release(key: string): void {
  const slots = bySshd.get(key)
  if (!slots) return
  const next = slots.waiting.shift()
  if (next) {
    next()
    return
  }
  slots.active--
  if (slots.active === 0) bySshd.delete(key)
}

/**
 * Waits for one of the sshd's login slots; resolves with the function that
 * gives it back (once; later calls do nothing). Rejects, holding nothing, if
 * `signal` aborts while waiting.
 */
export function takeLoginSlot(key: string, signal?: AbortSignal): Promise<() => void> {
  let given = false
  const giveBack = () => {
    if (given) return
    given = true
    release(key)
  }
  const slots = bySshd.get(key) ?? { active: 0, waiting: [] }
  bySshd.set(key, slots)
  if (slots.active < LOGINS_PER_SSHD) {
    slots.active++
    return Promise.resolve(giveBack)
  }
  return new Promise((resolve, reject) => {
    const grant = () => {
      signal?.removeEventListener('abort', onAbort)
      resolve(giveBack)
    }
    const onAbort = () => {
      const at = slots.waiting.indexOf(grant)
      if (at >= 0) slots.waiting.splice(at, 1)
      reject(signal?.reason ?? new Error('aborted'))
    }
    if (signal?.aborted) {
      onAbort()
      return
    }
    slots.waiting.push(grant)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
