/**
 * The order machines are destroyed in: the reverse of the deploy order, so
 * a machine goes before the machines it depends on. Machines no longer in
 * the config come first: nothing in the config can depend on them.
 */
export function destroyOrder(deployOrder: readonly string[], machines: readonly string[]): string[] {
  const wanted = new Set(machines)
  const inConfig = new Set(deployOrder)
  const gone = machines.filter((m) => !inConfig.has(m))
  return [...gone, ...[...deployOrder].reverse().filter((m) => wanted.has(m))]
}
