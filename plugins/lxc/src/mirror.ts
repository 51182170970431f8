/**
 * The Debian mirrors this machine's own apt sources name, read at run time:
 * no mirror is ever written in code. `lxc-create -t debian` takes them as
 * MIRROR and SECURITY_MIRROR.
 */
import { aptSources } from '@guix-ops/plugin-api'
import { LxcError, lxcError } from './errors.js'

export interface Mirrors {
  mirror: string
  security?: string | undefined
}

/**
 * The mirror of the host's own release serves the other releases too (a
 * Debian mirror carries them all); the security mirror is the one named
 * for `<codename>-security`.
 */
export function debianMirrors(dir = '/etc/apt'): Mirrors {
  const all = aptSources(dir)
  const main = all.find((s) => /^[a-z]+$/.test(s.suite))
  if (!main)
    throw lxcError(LxcError.Mirror, `no Debian mirror in ${dir}/sources.list*`, {
      suggestion: 'add the Debian mirror this machine should use to its apt sources',
    })
  return { mirror: main.uri, security: all.find((s) => s.suite.endsWith('-security'))?.uri }
}
