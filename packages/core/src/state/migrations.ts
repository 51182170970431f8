/**
 * State documents carry a `version`. Each migration turns version N into
 * N + 1; reading applies them in order, and the next write stores the
 * current version. Reading never writes.
 */
type Doc = Record<string, unknown>

/**
 * A document that cannot be migrated without losing something. Thrown
 * rather than dropped: a machine missing from state is a machine whose
 * resources guix-ops would never clean up.
 */
export class MigrationProblem extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message)
  }
}

/** Version 1 (the first release) kept machines in a list and the config path as `config`. */
function v1ToV2(doc: Doc): Doc {
  const { config, machines, ...rest } = doc
  if (!Array.isArray(machines)) return { ...rest, configPath: config, machines, version: 2 }
  const byName = new Map<string, unknown>() // not an object: a machine may be called "__proto__"
  for (const [i, machine] of machines.entries()) {
    if (typeof machine !== 'object' || machine === null || Array.isArray(machine)) {
      throw new MigrationProblem(`machines[${i}]`, 'expected an object')
    }
    const { name, ...fields } = machine as Doc
    if (typeof name !== 'string') throw new MigrationProblem(`machines[${i}].name`, 'expected a string')
    if (byName.has(name)) {
      throw new MigrationProblem(`machines[${i}].name`, `machine "${name}" is listed twice`)
    }
    byName.set(name, fields)
  }
  return { ...rest, configPath: config, machines: Object.fromEntries(byName), version: 2 }
}

export const migrations: Readonly<Record<number, (doc: Doc) => Doc>> = { 1: v1ToV2 }

/** Applies every migration from the document's version up to `target`. */
export function migrate(doc: Doc, target: number): Doc {
  let current = doc
  while (typeof current.version === 'number' && current.version < target) {
    const step = migrations[current.version]
    if (!step) throw new MigrationProblem('version', `no migration from state version ${current.version}`)
    current = step(current)
  }
  return current
}
