import { defineHooks, type MachineEvent, type MachineSpec } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { applyHookPlugins, createLifecycleHooks } from './lifecycle.js'

const event: MachineEvent = { deployment: { id: 'id', name: 'shop' }, machine: 'db' }
const spec: MachineSpec = { platform: { type: 'qemu' }, system: { type: 'debian' } }

describe('lifecycle hooks', () => {
  it('runs taps in registration order and lets waterfall hooks change the value', async () => {
    const hooks = createLifecycleHooks()
    const calls: string[] = []
    applyHookPlugins(hooks, [
      defineHooks({
        name: 'first',
        apply: (h) => {
          h.resolveMachine.tapPromise('first', async (s) => {
            calls.push('first')
            return { ...s, tags: ['a'] }
          })
        },
      }),
      defineHooks({
        name: 'second',
        apply: (h) => {
          h.resolveMachine.tap('second', (s) => {
            calls.push('second')
            return { ...s, tags: [...(s.tags ?? []), 'b'] }
          })
        },
      }),
    ])
    const result = await hooks.resolveMachine.promise(spec, event)
    expect(calls).toEqual(['first', 'second'])
    expect(result.tags).toEqual(['a', 'b'])
  })

  it('names the tap and the machine when a tap fails, however it was tapped', async () => {
    const hooks = createLifecycleHooks()
    hooks.beforeProvision.tapPromise('chat-notify', async () => {
      throw new Error('chat server said 500')
    })
    await expect(hooks.beforeProvision.promise(event)).rejects.toMatchObject({
      code: 'E_HOOK_FAILED',
      message: 'chat-notify: beforeProvision of machine "db" failed: chat server said 500',
      where: { plugin: 'chat-notify', machine: 'db' },
    })
    const sync = createLifecycleHooks()
    sync.afterConnect.tap('audit', () => {
      throw new Error('no log dir')
    })
    await expect(sync.afterConnect.promise(event)).rejects.toThrow(
      'audit: afterConnect of machine "db" failed: no log dir',
    )
    const callback = createLifecycleHooks()
    callback.beforeConnect.tapAsync('legacy', (_e, done) => done(new Error('old style')))
    await expect(callback.beforeConnect.promise(event)).rejects.toThrow(
      'legacy: beforeConnect of machine "db" failed: old style',
    )
  })

  it('reports a plugin whose apply throws by name', () => {
    expect(() =>
      applyHookPlugins(createLifecycleHooks(), [
        defineHooks({
          name: 'broken',
          apply: () => {
            throw new Error('nope')
          },
        }),
      ]),
    ).toThrow('broken: tapping the lifecycle hooks failed: nope')
  })
})
