/** A plugin context for tests: a temp state dir, secrets in memory, logs collected. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { PluginContext } from '@guix-ops/plugin-api'

export interface TestContext extends PluginContext {
  /** Everything the plugin logged or reported, in order. */
  messages: string[]
  /** Removes the context's temp dirs; call it when the test is done (the kit's suite does). */
  cleanup(): void
}

export function testContext(machine = 'conformance', hostKey?: string): TestContext {
  const root = mkdtempSync(path.join(tmpdir(), 'guix-ops-kit-'))
  for (const dir of ['machine', 'deployment']) mkdirSync(path.join(root, dir), { mode: 0o700 })
  const messages: string[] = []
  const secrets = new Map<string, string>()
  const log = (level: string) => (message: string) => messages.push(`${level}: ${message}`)
  return {
    deployment: { id: '00000000-0000-4000-8000-00000000c0de', name: 'conformance' },
    machine,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    progress: { report: (message) => messages.push(`progress: ${message}`) },
    signal: new AbortController().signal,
    stateDir: path.join(root, 'machine'),
    deploymentDir: path.join(root, 'deployment'),
    secrets: {
      get: async (name) => secrets.get(name),
      set: async (name, value) => {
        secrets.set(name, value)
      },
      delete: async (name) => {
        secrets.delete(name)
      },
    },
    ...(hostKey ? { hostKey } : {}),
    messages,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  }
}
