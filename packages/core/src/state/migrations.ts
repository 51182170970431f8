/**
 * State documents carry a `version`. Each migration turns version N into
 * N + 1; reading applies them in order, and the next write stores the
 * current version. Reading never writes.
 */
type Doc = Record<string, unknown>

/** Version 1 (the first release) kept machines in a list and the config path as `config`. */
function v1ToV2(doc: Doc): Doc {
  const { config, machines, ...rest } = doc
  const byName: Record<string, unknown> = {}
  if (Array.isArray(machines)) {
    for (const machine of machines) {
      if (typeof machine !== 'object' || machine === null) continue
      const { name, ...fields } = machine as Doc
      if (typeof name === 'string') byName[name] = fields
    }
  }
  return { ...rest, configPath: config, machines: Array.isArray(machines) ? byName : machines, version: 2 }
}

export const migrations: Readonly<Record<number, (doc: Doc) => Doc>> = { 1: v1ToV2 }

/** Applies every migration from the document's version up to `target`. */
export function migrate(doc: Doc, target: number): Doc {
  let current = doc
  while (typeof current.version === 'number' && current.version < target) {
    const step = migrations[current.version]
    if (!step) throw new Error(`no migration from state version ${current.version}`)
    current = step(current)
  }
  return current
}
