/**
 * `describePlatformConformance(platform, options)`: the behaviour every
 * platform must show, as a vitest suite. Run it in your platform's tests:
 *
 *   describePlatformConformance(myPlatform, {
 *     options: { region: 'test' },
 *     invalid: [{ options: { region: 5 }, path: 'region' }],
 *   })
 *
 * It provisions a real machine, reaches it over SSH (the host key pinned on
 * first contact), powers it off and on and reboots it when the platform says
 * it can, checks that provisioning again changes nothing, and destroys it.
 */

import { connectSsh, type SshTarget } from '@guix-ops/core'
import type { JsonObject, PlatformDefinition, PlatformStatus } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { testContext } from './context.js'

export interface ConformanceOptions {
  /**
   * Valid platform options (without `type`) for the machine the suite
   * creates; a function when they are known only once the test has set up
   * its target (in a beforeAll).
   */
  options: Record<string, unknown> | (() => Record<string, unknown>)
  /** Options the schema must refuse, with the path of the field it must name. */
  invalid?: { options: Record<string, unknown>; path: string }[]
  /** How long a machine may take to come up or go down (default 120 s). */
  timeoutMs?: number
  /** Skip the lifecycle (for a unit run without the real target); the schema checks still run. */
  skipLifecycle?: boolean | string
  /**
   * Skip rebooting, with the reason: a target that is the machine running
   * the tests (an existing host reached over loopback) must never be rebooted.
   */
  skipReboot?: string
}

async function waitFor(
  platform: PlatformDefinition,
  ctx: ReturnType<typeof testContext>,
  resource: JsonObject,
  wanted: PlatformStatus,
  timeoutMs: number,
): Promise<PlatformStatus> {
  const deadline = Date.now() + timeoutMs
  let status = await platform.status(ctx, resource)
  while (status !== wanted && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500))
    status = await platform.status(ctx, resource)
  }
  return status
}

export function describePlatformConformance(platform: PlatformDefinition, config: ConformanceOptions): void {
  const timeout = config.timeoutMs ?? 120_000
  const validOptions = () => (typeof config.options === 'function' ? config.options() : config.options)

  describe(`platform "${platform.name}" conformance: options`, () => {
    it('accepts the valid options', async () => {
      const result = await platform.options['~standard'].validate(validOptions())
      expect(result.issues ?? []).toEqual([])
    })
    for (const bad of config.invalid ?? []) {
      it(`refuses ${JSON.stringify(bad.options)}, naming ${bad.path}`, async () => {
        const result = await platform.options['~standard'].validate(bad.options)
        const paths = (result.issues ?? []).map((i) =>
          (i.path ?? []).map((p) => String(typeof p === 'object' && p !== null ? p.key : p)).join('.'),
        )
        expect(paths).toContain(bad.path)
      })
    }
  })

  const skip = config.skipLifecycle
  if (skip) {
    const why = typeof skip === 'string' ? `: ${skip}` : ''
    process.stderr.write(`platform "${platform.name}" conformance: lifecycle skipped${why}\n`)
  }
  describe.skipIf(Boolean(skip))(`platform "${platform.name}" conformance: lifecycle`, () => {
    it(
      'provisions, answers over SSH, stops, starts and reboots when capable, re-provisions as a no-op, is destroyed when capable',
      async () => {
        const parsed = await platform.options['~standard'].validate(validOptions())
        if (parsed.issues) throw new Error(`invalid options: ${parsed.issues.map((i) => i.message).join('; ')}`)
        const ctx = testContext()
        const { resource } = await platform.provision(ctx, { name: 'conformance', options: parsed.value })
        expect(JSON.parse(JSON.stringify(resource))).toEqual(resource) // plain JSON, as state stores it
        try {
          expect(await waitFor(platform, ctx, resource, 'up', timeout)).toBe('up')
          const endpoint = await platform.ssh(ctx, resource)
          let pinned = endpoint.hostKey
          const target = (): SshTarget => ({
            host: endpoint.host,
            port: endpoint.port,
            user: endpoint.user,
            ...(endpoint.privateKeyPath ? { identity: endpoint.privateKeyPath } : {}),
            ...(pinned ? { hostKey: pinned } : {}),
          })
          const echo = async () => {
            const ssh = await connectSsh(target(), { onFirstContact: (key) => (pinned = key) })
            try {
              return (await ssh.exec(['echo', 'conformance'])).stdout
            } finally {
              ssh.close()
            }
          }
          expect(await echo()).toBe('conformance\n')

          if (platform.capabilities.stop && platform.stop && platform.start) {
            await platform.stop(ctx, resource)
            expect(await waitFor(platform, ctx, resource, 'stopped', timeout)).toBe('stopped')
            await platform.start(ctx, resource)
            expect(await waitFor(platform, ctx, resource, 'up', timeout)).toBe('up')
            expect(await echo()).toBe('conformance\n')
          }
          if (config.skipReboot)
            process.stderr.write(`platform "${platform.name}" conformance: reboot skipped: ${config.skipReboot}\n`)
          else if (platform.capabilities.reboot && platform.reboot) {
            await platform.reboot(ctx, resource)
            expect(await waitFor(platform, ctx, resource, 'up', timeout)).toBe('up')
            expect(await echo()).toBe('conformance\n') // same host key after a reboot
          }

          const again = await platform.provision(ctx, {
            name: 'conformance',
            options: parsed.value,
            existing: resource,
          })
          expect(again.resource).toEqual(resource)
        } finally {
          if (platform.capabilities.destroy && platform.destroy) {
            await platform.destroy(ctx, resource)
            expect(await platform.status(ctx, resource)).toBe('not-created')
          }
        }
      },
      timeout * 4,
    )
  })
}
