/**
 * The lifecycle the conformance suite puts a platform through. Whatever
 * fails on the way, the machine is destroyed (when the platform can) and
 * the context's temp dirs are removed; the first failure is what is
 * reported, with what cleaning up met added to it.
 */
import { connectSsh, type SshTarget } from '@guix-ops/core'
import type { JsonObject, PlatformDefinition } from '@guix-ops/plugin-api'
import { expect } from 'vitest'
import { type TestContext, testContext } from './context.js'
import { waitForStatus } from './wait.js'

export interface LifecycleOptions {
  options: unknown
  timeoutMs: number
  skipReboot?: string
}

/** Connects afresh with the key pinned on first contact, and runs `echo`. */
function echoer(platform: PlatformDefinition, ctx: TestContext, resource: JsonObject): () => Promise<string> {
  let pinned: string | undefined
  return async () => {
    const endpoint = await platform.ssh(ctx, resource)
    pinned ??= endpoint.hostKey
    const target: SshTarget = {
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.user,
      ...(endpoint.privateKeyPath ? { identity: endpoint.privateKeyPath } : {}),
      ...(pinned ? { hostKey: pinned } : {}),
    }
    const ssh = await connectSsh(target, { onFirstContact: (key) => (pinned = key) })
    try {
      return (await ssh.exec(['echo', 'conformance'])).stdout
    } finally {
      ssh.close()
    }
  }
}

async function exercise(
  platform: PlatformDefinition,
  ctx: TestContext,
  resource: JsonObject,
  config: LifecycleOptions,
): Promise<void> {
  const wait = (wanted: 'up' | 'stopped', after: string) =>
    waitForStatus(platform, ctx, resource, wanted, config.timeoutMs, after)
  expect(JSON.parse(JSON.stringify(resource)), 'the resource must be plain JSON, as state stores it').toEqual(resource)
  await wait('up', 'provision')
  const echo = echoer(platform, ctx, resource)
  expect(await echo()).toBe('conformance\n')

  if (platform.capabilities.stop && platform.stop && platform.start) {
    await platform.stop(ctx, resource)
    await wait('stopped', 'stop')
    await platform.start(ctx, resource)
    await wait('up', 'start')
    expect(await echo()).toBe('conformance\n')
  }
  if (config.skipReboot) {
    process.stderr.write(`platform "${platform.name}" conformance: reboot skipped: ${config.skipReboot}\n`)
  } else if (platform.capabilities.reboot && platform.reboot) {
    await platform.reboot(ctx, resource)
    await wait('up', 'reboot')
    expect(await echo()).toBe('conformance\n') // same host key after a reboot
  }
  const again = await platform.provision(ctx, { name: 'conformance', options: config.options, existing: resource })
  expect(again.resource).toEqual(resource)
}

async function destroy(platform: PlatformDefinition, ctx: TestContext, resource: JsonObject): Promise<void> {
  if (!platform.capabilities.destroy || !platform.destroy) return
  await platform.destroy(ctx, resource)
  const status = await platform.status(ctx, resource)
  if (status !== 'not-created') {
    throw new Error(`platform "${platform.name}": after destroy, status is "${status}", expected "not-created"`)
  }
}

/** Provisions, exercises and destroys one machine; see the module comment for what failures do. */
export async function runLifecycle(platform: PlatformDefinition, config: LifecycleOptions): Promise<void> {
  const ctx = testContext()
  let resource: JsonObject | undefined
  let failure: unknown
  try {
    resource = (await platform.provision(ctx, { name: 'conformance', options: config.options })).resource
    await exercise(platform, ctx, resource, config)
  } catch (error) {
    failure = error
  }
  let cleanupFailure: unknown
  try {
    if (resource) await destroy(platform, ctx, resource)
  } catch (error) {
    cleanupFailure = error
  } finally {
    ctx.cleanup()
  }
  if (failure && cleanupFailure) {
    const said = (e: unknown) => (e instanceof Error ? e.message : String(e))
    throw new Error(`${said(failure)}\n(and then, cleaning up: ${said(cleanupFailure)})`, { cause: failure })
  }
  if (failure ?? cleanupFailure) throw failure ?? cleanupFailure
}
