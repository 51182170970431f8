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
 * it can, checks that provisioning again changes nothing, and destroys it,
 * also when a step fails. A wait fails at once on a status that cannot lead
 * where it waits (`stopped` while waiting for `up`), saying which it saw;
 * `start` must leave the machine `starting` or `up`.
 */

import type { PlatformDefinition } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { runLifecycle } from './lifecycle.js'

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
        await runLifecycle(platform, {
          options: parsed.value,
          timeoutMs: timeout,
          ...(config.skipReboot ? { skipReboot: config.skipReboot } : {}),
        })
      },
      // Four waits, SSH and a destroy; each wait fails on its own first.
      timeout * 6,
    )
  })
}
