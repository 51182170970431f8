import { describe, expect, it } from 'vitest'
import { parseGenerations, withLinkTimes } from './generations.js'
import { failedServices } from './services.js'

// As the Guix manual shows `guix system list-generations`, channels and all.
const LIST_GENERATIONS = `Generation 1\tJun 10 2019 13:34:34
  file name: /var/guix/profiles/system-1-link
  canonical file name: /gnu/store/5ak7zcmfd7j1fjrm5v1mqi0bdzvsfmaa-system
  label: GNU with Linux-libre 5.1.2
  bootloader: grub
  root device: label: "my-root"
  kernel: /gnu/store/dpb1iyq6cx2jgdr2wz8bkfl7ngxzb3n0-linux-libre-5.1.2/bzImage
  channels:
    guix:
      repository URL: /srv/git/guix
      branch: master
      commit: 2df3ac8a4a0e0c4ba3a0fd39baebc3bbaf3a7c74
  configuration file: /gnu/store/h4s6iwl8lvk3v0gmsm3vvmsmr0b5n1m7-configuration.scm

Generation 2\tJun 11 2019 11:57:57\t(current)
  file name: /var/guix/profiles/system-2-link
  canonical file name: /gnu/store/7x0z1pflc0dkd1ibvzd7rxkdmxbqz4qj-system
  label: GNU with Linux-libre 5.1.5
  bootloader: grub
  root device: label: "my-root"
  kernel: /gnu/store/3sg8f1jq5ldmf4di9q0n9qj1fxbh7gvg-linux-libre-5.1.5/bzImage
`

describe('guix system list-generations', () => {
  it('reads numbers, the dates as printed (local time), the current mark, labels, links and store paths', () => {
    expect(parseGenerations(LIST_GENERATIONS)).toEqual([
      {
        number: 1,
        createdAt: 'Jun 10 2019 13:34:34',
        current: false,
        description: 'GNU with Linux-libre 5.1.2',
        data: {
          link: '/var/guix/profiles/system-1-link',
          storePath: '/gnu/store/5ak7zcmfd7j1fjrm5v1mqi0bdzvsfmaa-system',
        },
      },
      {
        number: 2,
        createdAt: 'Jun 11 2019 11:57:57',
        current: true,
        description: 'GNU with Linux-libre 5.1.5',
        data: {
          link: '/var/guix/profiles/system-2-link',
          storePath: '/gnu/store/7x0z1pflc0dkd1ibvzd7rxkdmxbqz4qj-system',
        },
      },
    ])
  })

  it('nothing listed, nothing read', () => {
    expect(parseGenerations('')).toEqual([])
  })

  it('takes exact times from the links, whatever time zone the host printed them in', () => {
    const generations = withLinkTimes(parseGenerations(LIST_GENERATIONS), '1560166474\n1560247077\n')
    expect(generations.map((g) => g.createdAt)).toEqual(['2019-06-10T11:34:34.000Z', '2019-06-11T09:57:57.000Z'])
  })

  it('keeps the printed dates when the times do not match the generations', () => {
    const generations = withLinkTimes(parseGenerations(LIST_GENERATIONS), '1560166474\n')
    expect(generations.map((g) => g.createdAt)).toEqual(['Jun 10 2019 13:34:34', 'Jun 11 2019 11:57:57'])
  })
})

describe('herd status', () => {
  it('names the services under "Failed to start:" (Shepherd 0.10 and later)', () => {
    const status =
      'Started:\n + guix-daemon\n + sshd\nStopped:\n - term-tty6\nFailed to start:\n ! nginx\n ! postgres\n'
    expect(failedServices(status)).toEqual(['nginx', 'postgres'])
  })

  it('reads the sections Shepherd 0.10 adds, and coloured headers', () => {
    const red = (text: string) => `\u001b[31;1m${text}\u001b[0m`
    const status = `Started:\n + sshd\nStarting:\n ^ web\nStopped:\n - term-tty6\nStopping:\n v cron\nOne-shot:\n * host-name\n${red('Failed to start:\n')} ! nginx\n`
    expect(failedServices(status)).toEqual(['nginx'])
  })

  it('names none from Shepherd 0.9, which records no startup failures, nor from the older one-line format', () => {
    expect(failedServices('Started:\n + sshd\nStopped:\n - nginx\nOne-shot:\n * host-name\n')).toEqual([])
    expect(failedServices('Started: (sshd guix-daemon)\nStopped: (nginx)\n')).toEqual([])
  })
})
