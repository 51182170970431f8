import { describe, expect, it } from 'vitest'
import { checkCompatible, codenameOf, packageOfDeb } from './push.js'

describe('packageSource push: what may be pushed where', () => {
  it('reads the release from os-release, quoted or not', () => {
    expect(codenameOf('ID=debian\nVERSION_CODENAME=bookworm\n')).toBe('bookworm')
    expect(codenameOf('VERSION_CODENAME="trixie"\n')).toBe('trixie')
    expect(codenameOf('ID=alpine\n')).toBeUndefined()
  })

  it('refuses another release, naming both', () => {
    expect(() =>
      checkCompatible({ codename: 'bookworm', arch: 'amd64' }, { codename: 'trixie', arch: 'amd64' }),
    ).toThrow("packages of this machine's Debian bookworm cannot be pushed to a host running trixie")
  })

  it('refuses another architecture, and a deploying machine that is not Debian', () => {
    expect(() =>
      checkCompatible({ codename: 'bookworm', arch: 'amd64' }, { codename: 'bookworm', arch: 'arm64' }),
    ).toThrow("this machine's packages are amd64; the host is arm64")
    expect(() => checkCompatible({ arch: 'amd64' }, { codename: 'bookworm', arch: 'amd64' })).toThrow(
      /needs a Debian deploying machine/,
    )
  })

  it('accepts the same release and architecture', () => {
    expect(() =>
      checkCompatible({ codename: 'bookworm', arch: 'amd64' }, { codename: 'bookworm', arch: 'amd64' }),
    ).not.toThrow()
  })

  it('names the package of a .deb file, epoch and all', () => {
    expect(packageOfDeb('redis-tools_5%3a7.0.15-1~deb12u7_amd64.deb')).toBe('redis-tools')
    expect(packageOfDeb('libc6_2.36-9+deb12u13_amd64.deb')).toBe('libc6')
  })
})
