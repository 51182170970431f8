/**
 * The machines of a `guix deploy` file, found by walking its s-expressions
 * (read with Guile, never evaluated, so Guix need not be installed): every
 * `(machine ...)` form with a `managed-host-environment-type` environment
 * and a `(machine-ssh-configuration ...)`. Fields must be literals; a value
 * computed by Scheme code cannot be known without evaluating the file.
 */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { GuixError } from '../codes.js'
import { type Datum, describe, headOf, isList, isSymbol, lists, type SchemeList } from '../scheme/datum.js'

/** One machine of a deploy file, with guix deploy's defaults filled in. */
export interface DeployMachine {
  hostName: string
  system: string
  port: number
  user: string
  identity?: string
  hostKey?: string
  buildLocally: boolean
  authorize: boolean
  allowDowngrades: boolean
  safetyChecks: boolean
  /** Where the `(machine ...)` form is, `line:col`. */
  at: string
  /** Fields guix-ops cannot carry over as guix deploy means them. */
  notMapped: NotMapped[]
}

export interface NotMapped {
  field: string
  /** `line:col` of the field. */
  at: string
  why: string
}

const SSH_FIELDS = new Set([
  'host-name',
  'system',
  'port',
  'user',
  'identity',
  'host-key',
  'build-locally?',
  'allow-downgrades?',
  'safety-checks?',
  'authorize?',
  'session',
])

const where = (file: string, list: SchemeList) => `${file}:${list.line ?? 1}:${list.col ?? 1}`

function importError(file: string, list: SchemeList, message: string, suggestion?: string): GuixOpsError {
  return new GuixOpsError(GuixError.Import, `${where(file, list)}: ${message}`, {
    where: { file },
    ...(suggestion ? { suggestion } : {}),
  })
}

/** `(name value)` fields of a record form, by name. */
function fields(list: SchemeList): Map<string, { value: Datum | undefined; form: SchemeList }> {
  const found = new Map<string, { value: Datum | undefined; form: SchemeList }>()
  for (const item of list.list.slice(1)) {
    const name = headOf(item)
    if (name && isList(item)) found.set(name, { value: item.list[1], form: item })
  }
  return found
}

function sshConfiguration(file: string, machine: SchemeList): DeployMachine {
  const f = fields(machine)
  const environment = f.get('environment')
  if (!environment || !isSymbol(environment.value, 'managed-host-environment-type'))
    throw importError(
      file,
      environment?.form ?? machine,
      `the environment ${describe(environment?.value)} is not supported: guix-ops imports machines with environment managed-host-environment-type only`,
      'machines of other environments (such as digital-ocean-environment-type) are provisioned by a guix-ops platform plugin instead; import the managed hosts and add those by hand',
    )
  const configuration = f.get('configuration')?.value
  if (!isList(configuration) || headOf(configuration) !== 'machine-ssh-configuration')
    throw importError(
      file,
      isList(configuration) ? configuration : machine,
      `expected (configuration (machine-ssh-configuration ...)), got ${describe(configuration)}`,
    )
  const ssh = fields(configuration)
  for (const [name, { form }] of ssh)
    if (!SSH_FIELDS.has(name)) throw importError(file, form, `unknown machine-ssh-configuration field ${name}`)
  const literal = <T extends string | number | boolean>(name: string, kind: string, fallback?: T): T => {
    const field = ssh.get(name)
    if (!field) {
      if (fallback === undefined) throw importError(file, configuration, `machine-ssh-configuration has no ${name}`)
      return fallback
    }
    if (typeof field.value !== kind)
      throw importError(
        file,
        field.form,
        `${name} must be a literal ${kind === 'boolean' ? '#t or #f' : kind}, not ${describe(field.value)}`,
        'guix-ops reads the file without evaluating it; write the value itself in the field',
      )
    return field.value as T
  }
  const optional = (name: string) => (ssh.has(name) ? literal<string>(name, 'string') : undefined)
  const identity = optional('identity')
  const hostKey = optional('host-key')
  return {
    hostName: literal<string>('host-name', 'string'),
    system: literal<string>('system', 'string'),
    port: literal<number>('port', 'number', 22),
    user: literal<string>('user', 'string', 'root'),
    ...(identity === undefined ? {} : { identity }),
    ...(hostKey === undefined ? {} : { hostKey }),
    buildLocally: literal<boolean>('build-locally?', 'boolean', true),
    authorize: literal<boolean>('authorize?', 'boolean', true),
    allowDowngrades: literal<boolean>('allow-downgrades?', 'boolean', false),
    safetyChecks: literal<boolean>('safety-checks?', 'boolean', true),
    at: `${machine.line ?? 1}:${machine.col ?? 1}`,
    notMapped: notMapped(ssh),
  }
}

/**
 * What guix-ops cannot do as guix deploy would (gnu/machine/ssh.scm): a
 * `session` is a live Guile-SSH object, and `build-locally? #f` has the
 * host build what this machine evaluated, where guix-ops can only have the
 * host evaluate and build with its own Guix.
 */
function notMapped(ssh: ReturnType<typeof fields>): NotMapped[] {
  const at = (form: SchemeList) => `${form.line ?? 1}:${form.col ?? 1}`
  const found: NotMapped[] = []
  const session = ssh.get('session')
  if (session)
    found.push({
      field: 'session',
      at: at(session.form),
      why: 'a live Guile-SSH session cannot be carried over; guix-ops connects with host-name, port, user and identity',
    })
  const build = ssh.get('build-locally?')
  if (build?.value === false)
    found.push({
      field: 'build-locally?',
      at: at(build.form),
      why: 'buildLocally: false has the host evaluate and build the config with its own Guix; guix deploy evaluates here and only builds there',
    })
  return found
}

/** The machines of the file's data, in the order they are written. */
export function deployMachines(file: string, data: Datum[]): DeployMachine[] {
  const forms = data.flatMap((d) => [...lists(d)]).filter((l) => headOf(l) === 'machine')
  if (forms.length === 0)
    throw new GuixOpsError(GuixError.Import, `${file}: no (machine ...) forms: this is not a guix deploy file`, {
      where: { file },
      suggestion: 'a guix deploy file ends with a list of machine records: (list (machine (operating-system ...) ...))',
    })
  const machines = forms.map((form) => sshConfiguration(file, form))
  const seen = new Set<string>()
  for (const [i, m] of machines.entries()) {
    if (seen.has(m.hostName))
      throw importError(
        file,
        forms[i]!,
        `a second machine with host-name "${m.hostName}": guix-ops finds each machine by it`,
      )
    seen.add(m.hostName)
  }
  return machines
}
