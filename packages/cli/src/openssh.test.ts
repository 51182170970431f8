import { spawnSync } from 'node:child_process'
import type { MachineAccess } from '@guix-ops/core'
import { describe, expect, it } from 'vitest'
import { knownHosts, opensshArgs } from './openssh.js'

const identity = "/home/o'brien/keys 100%/id_ed25519"
const access: MachineAccess = {
  machine: 'db',
  endpoint: {
    host: '10.0.0.5',
    port: 2222,
    user: 'deploy',
    privateKeyPath: identity,
    jump: { host: 'bastion.example', port: 22, user: 'ops', privateKeyPath: identity },
  },
  hostKey: 'ssh-ed25519 AAAAmachine',
  jumpHostKey: 'ssh-ed25519 AAAAjump',
  target: { host: '10.0.0.5', port: 2222, user: 'deploy' },
}

/** The words the shell hands to the jump host's ssh, once OpenSSH has expanded %h, %p and %%. */
function proxyWords(proxy: string): string[] {
  const expanded = proxy.replace(/%([hp%])/g, (_, token: string) => ({ h: '10.0.0.5', p: '2222', '%': '%' })[token]!)
  const result = spawnSync('sh', ['-c', `printf '%s\\n' ${expanded}`], { encoding: 'utf8' })
  return result.stdout.split('\n').slice(0, -1)
}

describe('opensshArgs', () => {
  it('trusts only the pinned keys, each under its own alias', () => {
    expect(knownHosts(access)).toBe('guix-ops-machine ssh-ed25519 AAAAmachine\nguix-ops-jump ssh-ed25519 AAAAjump\n')
    const args = opensshArgs(access, '/tmp/k/known_hosts')
    expect(args).toContain('StrictHostKeyChecking=yes')
    expect(args).toContain('HostKeyAlias=guix-ops-machine')
    expect(args.slice(-2)).toEqual(['--', '10.0.0.5'])
    expect(args.join(' ')).not.toMatch(/StrictHostKeyChecking=(no|accept-new)/)
  })

  it('reaches a jump host machine with a ProxyCommand whose words reach ssh exactly as given', () => {
    const args = opensshArgs(access, '/tmp/k/known_hosts')
    const proxy = args.find((a) => a.startsWith('ProxyCommand='))!.slice('ProxyCommand='.length)
    expect(proxyWords(proxy)).toEqual([
      'ssh',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'UserKnownHostsFile=/tmp/k/known_hosts',
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'HostKeyAlias=guix-ops-jump',
      '-o',
      'CheckHostIP=no',
      '-p',
      '22',
      '-l',
      'ops',
      '-i',
      identity,
      '-o',
      'IdentitiesOnly=yes',
      '-W',
      '[10.0.0.5]:2222',
      '--',
      'bastion.example',
    ])
  })

  it('has no ProxyCommand for a machine reached directly', () => {
    const { jump: _, ...direct } = access.endpoint
    const args = opensshArgs({ ...access, endpoint: direct }, '/tmp/k/known_hosts')
    expect(args.some((a) => a.startsWith('ProxyCommand='))).toBe(false)
    expect(knownHosts({ ...access, endpoint: direct })).toBe('guix-ops-machine ssh-ed25519 AAAAmachine\n')
  })
})
