// A new lxc machine boots without the parts of a Debian boot that have
// nothing to do in a container (consoles' login prompts, checks of block
// devices it has none of), and with everything a server needs: the boot
// ends `running`, not `degraded`, with sshd, journald and networking up and
// the journal kept on disk.
import { createHash } from 'node:crypto'
import { testContext } from '@guix-ops/platform-test-kit'
import lxc, { type LxcResource } from '@guix-ops/plugin-lxc'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { lxcUnavailable } from '../support/lxc.js'
import { attach } from '../support/lxc-platform.js'

vi.setConfig({ testTimeout: 300_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the lxc idle units test: ${unavailable}`)

const CHECKOUT = createHash('sha256').update(process.cwd()).digest('hex').slice(0, 6)
const id = createHash('sha256').update(`${CHECKOUT}/idle-units`).digest('hex')
const ctx = { ...testContext('idle1'), deployment: { id, name: 'e2e-idle-units' } }

describe.skipIf(unavailable !== undefined)('lxc platform: what a new machine runs', () => {
  let resource: LxcResource | undefined
  afterAll(async () => {
    if (resource) await lxc.destroy?.(ctx, resource)
    ctx.cleanup()
  })

  it('runs what a server needs and no login prompts on its consoles', async () => {
    const options = (await lxc.options['~standard'].validate({})) as { value: never }
    resource = (await lxc.provision(ctx, { name: ctx.machine, options: options.value })).resource
    const run = (argv: string[]) => attach(resource!.container, argv)
    expect(run(['systemctl', 'is-system-running', '--wait']).stdout.trim()).toBe('running')
    const active = run(['systemctl', 'is-active', 'ssh.service', 'systemd-journald.service', 'networking.service'])
    expect(active.stdout.split('\n').filter(Boolean)).toEqual(['active', 'active', 'active'])
    expect(run(['journalctl', '--header']).stdout).toContain('/var/log/journal/')
    expect(run(['pgrep', '-x', 'agetty']).stdout).toBe('')
    expect(run(['systemctl', 'is-enabled', 'getty.target']).stdout.trim()).toBe('masked')
  })
})
