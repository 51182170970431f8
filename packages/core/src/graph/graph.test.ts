import type { MachineDefinition, MachineResult, MachineResults } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { buildGraph } from './graph.js'
import { inferDependencies } from './infer.js'
import { containsPlaceholder, isPlaceholder } from './placeholders.js'
import { resolveMachine } from './resolve.js'

const plain = (extra: object = {}) => ({ platform: { type: 'qemu' }, system: { type: 'debian' }, ...extra })
type Results = Record<string, MachineResult>

function graphOf(machines: Record<string, MachineDefinition>) {
  const inferred = inferDependencies(machines)
  return { inferred, graph: buildGraph(machines, inferred.dependencies, { file: '/c.ts' }) }
}

describe('inferDependencies', () => {
  it('takes plain machines’ needs as they are', () => {
    const { inferred } = graphOf({ a: plain(), b: plain({ needs: ['a', 'a'] }) })
    expect(inferred.dependencies).toEqual({ a: [], b: ['a'] })
  })

  it('records what a function reads, through destructuring and template strings', () => {
    const { inferred } = graphOf({
      db: plain(),
      cache: plain(),
      web: ({ db, cache }) => plain({ description: `${db!.address}:${cache!.ssh.port}` }),
    })
    expect(inferred.dependencies.web).toEqual(['cache', 'db'])
    expect(isPlaceholder(inferred.specs.web?.description)).toBe(true)
  })

  it('adds the needs of what a function returns', () => {
    const { inferred } = graphOf({
      a: plain(),
      b: plain(),
      c: ({ a }) => plain({ needs: ['b'], description: a!.address }),
    })
    expect(inferred.dependencies.c).toEqual(['a', 'b'])
  })

  it('does not throw on numeric use of a result (NaN), and finds placeholders deep in the spec', () => {
    const { inferred } = graphOf({
      db: plain(),
      web: ({ db }) => ({
        platform: { type: 'qemu', ports: { '80': db!.ssh.port * 2, '443': db!.ssh.port + 1 } },
        system: { type: 'debian', files: { '/x': [db!.address] } },
      }),
    })
    expect(inferred.errors).toEqual([])
    const ports = inferred.specs.web?.platform.ports as Record<string, unknown>
    expect(Number.isNaN(ports['80'])).toBe(true)
    expect(isPlaceholder(ports['80'])).toBe(true)
    expect(isPlaceholder(ports['443'])).toBe(true)
    expect(containsPlaceholder(inferred.specs.web?.system)).toBe(true)
    expect(containsPlaceholder({ a: [1, 'plain'] })).toBe(false)
  })

  it('keeps what a throwing function read and reports it by machine', () => {
    const { inferred } = graphOf({
      db: plain(),
      web: ({ db }) => {
        JSON.parse(db!.address)
        return plain()
      },
    })
    expect(inferred.dependencies.web).toEqual(['db'])
    expect(inferred.errors[0]).toMatchObject({ code: 'E_MACHINE_FUNCTION', where: { machine: 'web' } })
    expect(inferred.errors[0]?.message).toMatch(
      /^machine "web": its function threw while guix-ops inferred its dependencies/,
    )
  })

  it('treats enumerating the results as reading every machine', () => {
    const { inferred } = graphOf({
      a: plain(),
      b: plain(),
      all: (results) => plain({ tags: Object.keys(results).filter((k) => k !== 'all') }),
    })
    expect(inferred.dependencies.all).toEqual(['a', 'all', 'b'])
  })
})

describe('buildGraph', () => {
  it('orders 3 levels deep and groups what can run in parallel, ties in config order', () => {
    const { graph } = graphOf({
      proxy: ({ app }) => plain({ description: app!.address }),
      app: ({ db }) => plain({ description: db!.address }),
      db: plain(),
      cache: plain(),
      report: ({ db, proxy }) => plain({ description: `${db!.address} ${proxy!.address}` }),
    })
    expect(graph.errors).toEqual([])
    expect(graph.levels).toEqual([['db', 'cache'], ['app'], ['proxy'], ['report']])
    expect(graph.order).toEqual(['db', 'cache', 'app', 'proxy', 'report'])
    expect(graph.dependents.db).toEqual(['app', 'report'])
  })

  it('names a 2-cycle from its first machine in config order', () => {
    const { graph } = graphOf({
      db: ({ web }) => plain({ description: web!.address }),
      web: ({ db }) => plain({ description: db!.address }),
      other: plain(),
    })
    expect(graph.errors.map((e) => e.message)).toEqual(['dependency cycle: db -> web -> db'])
    expect(graph.errors[0]).toMatchObject({ code: 'E_DEPENDENCY_CYCLE', where: { file: '/c.ts', machine: 'db' } })
    expect(graph.order).toEqual(['other'])
  })

  it('names a 3-cycle and a self-cycle, each once', () => {
    const { graph } = graphOf({
      a: plain({ needs: ['c'] }),
      b: plain({ needs: ['a'] }),
      c: plain({ needs: ['b'] }),
      me: ({ me }) => plain({ description: me!.address }),
    })
    expect(graph.errors.map((e) => e.message)).toEqual([
      'dependency cycle: a -> c -> b -> a',
      'dependency cycle: me -> me',
    ])
  })

  it('reports a missing machine with a did-you-mean, together with other errors', () => {
    const { graph } = graphOf({
      db: plain(),
      web: ({ dbb }) => plain({ description: dbb!.address }),
      x: plain({ needs: ['y'] }),
      y: plain({ needs: ['x'] }),
    })
    const messages = graph.errors.map((e) => e.message)
    expect(messages).toContain('machine "web" depends on "dbb", which is not a machine of this deployment')
    expect(messages).toContain('dependency cycle: x -> y -> x')
    expect(graph.errors.find((e) => e.code === 'E_MISSING_DEPENDENCY')?.suggestion).toContain('did you mean "db"?')
  })
})

describe('resolveMachine', () => {
  const db: MachineResult = {
    name: 'db',
    address: '10.0.0.2',
    ssh: { host: '127.0.0.1', port: 2222, user: 'root' },
    outputs: { instanceId: 'i-1' },
  }

  it('calls the function with real results', async () => {
    const spec = await resolveMachine('web', ({ db }) => plain({ description: `DB_HOST=${db!.address}` }), { db })
    expect(spec.description).toBe('DB_HOST=10.0.0.2')
  })

  it('returns plain machines unchanged', async () => {
    const machine = plain()
    expect(await resolveMachine('a', machine, {})).toBe(machine)
  })

  it('fails by name when the function throws, returns no machine, or reads a machine without a result', async () => {
    await expect(
      resolveMachine(
        'web',
        () => {
          throw new Error('nope')
        },
        {},
      ),
    ).rejects.toThrow('machine "web": its function threw: nope')
    await expect(resolveMachine('web', (() => 7) as unknown as MachineDefinition, {})).rejects.toThrow(
      'machine "web": its function returned number, expected a machine ({ platform, system })',
    )
    await expect(
      resolveMachine('web', ({ cache }) => plain({ description: cache!.address }), { db } as MachineResults),
    ).rejects.toThrow('machine "web" read "cache", which has no result yet')
  })

  it('gives the function frozen results', async () => {
    const results: Results = { db }
    await expect(
      resolveMachine(
        'web',
        (r) => {
          ;(r as Results).db = db
          return plain()
        },
        results,
      ),
    ).rejects.toThrow()
  })
})
