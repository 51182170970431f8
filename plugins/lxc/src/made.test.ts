import { describe, expect, it } from 'vitest'
import { madeWith, optionChanges, reconfigured } from './made.js'
import type { LxcOptions } from './options.js'

const options = (value: Partial<LxcOptions> = {}): LxcOptions => ({
  release: 'bookworm',
  arch: 'amd64',
  unprivileged: false,
  autostart: false,
  ...value,
})

describe('lxc option changes on an existing machine', () => {
  it('none when the options are those it was made with, or only its ports changed, or no record was kept', () => {
    expect(optionChanges(madeWith(options({ memory: 512 })), options({ memory: 512, ports: { '22': 2222 } }))).toEqual(
      [],
    )
    expect(optionChanges(null, options({ release: 'trixie' }))).toEqual([])
  })

  it('its base (release, arch, id mapping) needs re-creating; limits, mounts and autostart a deploy', () => {
    const made = madeWith(options({ memory: 512 }))
    const mounts = [{ source: '/srv', target: '/srv', readOnly: true }]
    const changes = optionChanges(
      made,
      options({ release: 'trixie', arch: 'i386', unprivileged: true, cpus: 2, mounts, autostart: true }),
    )
    expect(changes.map((c) => [c.option, c.from, c.to, c.applies, c.code])).toEqual([
      ['release', 'bookworm', 'trixie', 'recreate', 'E_LXC_RECREATE'],
      ['arch', 'amd64', 'i386', 'recreate', 'E_LXC_RECREATE'],
      ['unprivileged', false, true, 'recreate', 'E_LXC_RECREATE'],
      ['memory', 512, null, 'deploy', undefined],
      ['cpus', null, 2, 'deploy', undefined],
      ['mounts', null, mounts, 'deploy', undefined],
      ['autostart', false, true, 'deploy', undefined],
    ])
    expect(changes.find((c) => c.option === 'mounts')?.detail).toBe('restarts the container')
  })

  it('once a deploy applied them, only what needs re-creating is still told', () => {
    const made = madeWith(options())
    const now = options({ release: 'trixie', memory: 256, autostart: true })
    expect(optionChanges(reconfigured(made, now), now).map((c) => c.option)).toEqual(['release'])
  })
})
