import type { StandardSchemaV1 } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { hostArch } from './host-facts.js'
import { lxcOptions } from './options.js'

const validate = (value: unknown) => lxcOptions['~standard'].validate(value) as StandardSchemaV1.Result<unknown>
/** `path: message` of each issue, as a config error would name the field. */
const issues = (value: unknown) =>
  (validate(value).issues ?? []).map(
    (i) => `${(i.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.')}: ${i.message}`,
  )

describe('lxc options', () => {
  it('fills in the defaults a machine gets when it names nothing', () => {
    expect(validate({})).toEqual({
      value: { release: expect.any(String), arch: hostArch, unprivileged: false, autostart: false },
    })
  })

  it('names the field of each wrong type', () => {
    expect(issues({ release: 12 })[0]).toMatch(/^release: unknown Debian release/)
    expect(issues({ arch: 64 })[0]).toMatch(/^arch: /)
    expect(issues({ unprivileged: 'yes' })[0]).toMatch(/^unprivileged: /)
    expect(issues({ memory: '1G' })[0]).toMatch(/^memory: /)
    expect(issues({ cpus: 1.5 })[0]).toMatch(/^cpus: /)
    expect(issues({ mounts: '/srv' })[0]).toMatch(/^mounts: /)
    expect(issues({ ports: [80] })[0]).toMatch(/^ports: /)
    expect(issues({ autostart: 1 })[0]).toMatch(/^autostart: /)
  })

  it('refuses values out of range, naming the field', () => {
    expect(issues({ release: 'potato' })).toEqual([
      'release: unknown Debian release; expected one of bullseye, bookworm, trixie',
    ])
    expect(issues({ arch: 's390x' })[0]).toMatch(/^arch: this host \(\w+\) runs .* containers only$/)
    expect(issues({ memory: 16 })).toEqual(['memory: Too small: expected number to be >=64'])
    expect(issues({ memory: 10 ** 9 })[0]).toMatch(/^memory: is more than this host has \(\d+ MiB\)$/)
    expect(issues({ cpus: 0 })).toEqual(['cpus: Too small: expected number to be >=1'])
    expect(issues({ cpus: 4096 })[0]).toMatch(/^cpus: is more than this host has \(\d+\)$/)
    expect(issues({ ports: { http: 8080 } })).toEqual([expect.stringMatching(/^ports\.http: /)])
    expect(issues({ ports: { '80': 70000 } })).toEqual(['ports.80: Too big: expected number to be <=65535'])
    expect(issues({ ports: { '99999': 8080 } })).toEqual([expect.stringMatching(/^ports\.99999: /)])
    expect(issues({ ports: { '80': 8080, '81': 8080 } })).toEqual([
      'ports: two container ports map to the same host port',
    ])
  })

  it('wants mounts as absolute paths an LXC mount entry can carry', () => {
    expect(issues({ mounts: [{ source: 'srv', target: '/srv' }] })[0]).toMatch(
      /^mounts\.0\.source: expected an absolute/,
    )
    expect(issues({ mounts: [{ source: '/srv/a b', target: '/srv' }] })[0]).toMatch(/^mounts\.0\.source: /)
    expect(issues({ mounts: [{ source: '/srv', target: '/srv/../etc' }] })).toEqual([
      'mounts.0.target: the container path must not contain ".."',
    ])
    expect(issues({ mounts: [{ source: '/srv', target: '/' }] })).toEqual([
      'mounts.0.target: cannot mount over the root directory',
    ])
    expect(issues({ mounts: [{ source: '/srv', target: '/srv', rw: true }] })[0]).toMatch(
      /^mounts\.0: Unrecognized key/,
    )
    expect(validate({ mounts: [{ source: '/srv', target: '/data' }] })).toMatchObject({
      value: { mounts: [{ source: '/srv', target: '/data', readOnly: false }] },
    })
  })

  it('refuses unknown options', () => {
    expect(issues({ memmory: 512 })).toEqual([': Unrecognized key: "memmory"'])
  })
})
