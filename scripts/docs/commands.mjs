// Writes docs/commands.md from the commands themselves: the built CLI is
// loaded through oclif (`Config.load`, the same manifests `guix-ops --help`
// reads), so the reference lists exactly the commands a user gets, bundled
// plugins' commands included (`image` from plugins/qemu, `import-guix-deploy`
// from plugins/guix). Plugins installed in the user's data dir are left out.
//
//   node scripts/docs/commands.mjs           writes docs/commands.md (npm run docs:commands)
//   node scripts/docs/commands.mjs --check   exits 1 when the file differs from what the commands say
//   --out FILE                               another file than docs/commands.md
//
// Needs `npm run build` first. The text goes through biome's Markdown
// formatter, so `biome check` and this script agree on every byte.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { CommandHelp, Config } from '@oclif/core'
import { execa } from 'execa'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CLI_ROOT = `${ROOT}packages/cli`
const DEFAULT_OUT = 'docs/commands.md'
const REGENERATE = 'npm run docs:commands'

/** oclif's templates in examples and descriptions (`<%= config.bin %>`), filled as `--help` fills them. */
function fillTemplate(text, config, command) {
  return new CommandHelp(command, config, {}).render(text).trimEnd()
}

/** `image:build` as the user types it (oclif's topic separator). */
function displayId(config, id) {
  return id.replaceAll(':', config.topicSeparator ?? ':')
}

/** The usage line oclif's help shows: arguments in order, then `[flags]`. */
function usageLine(config, command) {
  const args = Object.entries(command.args ?? {})
    .filter(([, arg]) => !arg.hidden)
    .map(([name, arg]) => (arg.required ? name.toUpperCase() : `[${name.toUpperCase()}]`))
  const rest = command.strict === false && args.length > 0 ? '...' : ''
  const flags = Object.keys(command.flags ?? {}).length > 0 ? ' [flags]' : ''
  const words = [config.bin, displayId(config, command.id), ...args].join(' ')
  return `${words}${rest}${flags}`
}

/** `-d, --deployment NAME` */
function flagName(name, flag) {
  const value = flag.type === 'option' ? ` ${flag.helpValue ?? name.toUpperCase()}` : ''
  const negatable = flag.type === 'boolean' && flag.allowNo ? `/--no-${name}` : ''
  const short = flag.char ? `-${flag.char}, ` : ''
  return `${short}--${name}${negatable}${value}`
}

/** What a flag means, with its choices, default, variable and whether it repeats. */
function flagMeaning(flag) {
  const parts = [flag.summary ?? flag.description ?? '']
  if (flag.options?.length) parts.push(`one of: ${flag.options.map((o) => `\`${o}\``).join(', ')}`)
  if (flag.default !== undefined && typeof flag.default !== 'function' && flag.default !== false)
    parts.push(`default: \`${JSON.stringify(flag.default)}\``)
  if (flag.env) parts.push(`env: \`${flag.env}\``)
  if (flag.multiple && !parts[0].includes('repeatable')) parts.push('repeatable')
  if (flag.required) parts.push('required')
  return parts.filter(Boolean).join('; ')
}

/** A Markdown table cell: one line, pipes escaped. */
const cell = (text) => String(text).replaceAll('|', '\\|').replaceAll('\n', ' ')

function argumentsSection(command) {
  const args = Object.entries(command.args ?? {}).filter(([, arg]) => !arg.hidden)
  if (args.length === 0) return []
  const rows = args.map(([name, arg]) => {
    const extra = [arg.required ? 'required' : 'optional']
    if (arg.default !== undefined && typeof arg.default !== 'function') extra.push(`default: \`${arg.default}\``)
    if (arg.options?.length) extra.push(`one of: ${arg.options.join(', ')}`)
    return `| \`${name.toUpperCase()}\` | ${cell(arg.description ?? '')} (${extra.join('; ')}) |`
  })
  return ['Arguments:', '', '| argument | meaning |', '| --- | --- |', ...rows, '']
}

function flagsSection(command) {
  const flags = Object.entries(command.flags ?? {}).filter(([, flag]) => !flag.hidden)
  if (flags.length === 0) return []
  const rows = flags.map(([name, flag]) => `| \`${cell(flagName(name, flag))}\` | ${cell(flagMeaning(flag))} |`)
  return ['Flags:', '', '| flag | meaning |', '| --- | --- |', ...rows, '']
}

function examplesSection(config, command) {
  const examples = (command.examples ?? []).map((example) =>
    fillTemplate(typeof example === 'string' ? example : example.command, config, command),
  )
  if (examples.length === 0) return []
  return ['Examples:', '', '```sh', ...examples, '```', '']
}

/** Which package a command comes from, as `guix-ops plugins` names it. */
function origin(command) {
  if (command.pluginName === '@guix-ops/cli') return 'the CLI'
  return `\`${command.pluginName}\` (bundled)`
}

function commandSection(config, command) {
  const summary = command.summary ?? command.description?.split('\n')[0] ?? ''
  const description =
    command.summary && command.description ? [fillTemplate(command.description, config, command), ''] : []
  const aliases = command.aliases?.length
    ? [`Also: ${command.aliases.map((a) => `\`${config.bin} ${displayId(config, a)}\``).join(', ')}.`, '']
    : []
  return [
    `## \`${config.bin} ${displayId(config, command.id)}\``,
    '',
    fillTemplate(summary, config, command),
    '',
    ...description,
    '```',
    usageLine(config, command),
    '```',
    '',
    `From ${origin(command)}.`,
    '',
    ...aliases,
    ...argumentsSection(command),
    ...flagsSection(command),
    ...examplesSection(config, command),
  ]
}

/** Every visible command once: aliases (`plugins add`) are named under the command they stand for. */
function visibleCommands(config) {
  const aliases = new Set(config.commands.flatMap((c) => c.aliases ?? []))
  return config.commands
    .filter((c) => !c.hidden && c.pluginType === 'core' && !aliases.has(c.id))
    .sort((a, b) => a.id.localeCompare(b.id))
}

/** The whole reference, before formatting. */
export async function renderCommands() {
  const config = await Config.load({ root: CLI_ROOT, userPlugins: false, devPlugins: false })
  const commands = visibleCommands(config)
  const index = commands.map((c) => `- [\`${displayId(config, c.id)}\`](#${anchor(config, c.id)})`)
  const intro = [
    '# Commands',
    '',
    `<!-- Generated by \`${REGENERATE}\` (scripts/docs/commands.mjs) from the commands themselves: do not edit. -->`,
    '',
    `Every command of \`${config.bin}\` ${config.version}, with the commands the bundled plugins carry.`,
    `Every command also takes \`--help\`. Exit status: 0 on success, 1 on an error, 2 on a usage error.`,
    '',
    ...index,
    '',
  ]
  return [...intro, ...commands.flatMap((c) => commandSection(config, c))].join('\n')
}

/** GitHub's heading anchor for `## \`guix-ops image build\``. */
function anchor(config, id) {
  return `${config.bin} ${displayId(config, id)}`
    .toLowerCase()
    .replaceAll(/[^a-z0-9 _-]/g, '')
    .replaceAll(' ', '-')
}

/** The text as biome formats it, so the file passes `biome check` unchanged. */
async function formatted(text, out) {
  const { stdout } = await execa('biome', ['format', `--stdin-file-path=${out}`], {
    cwd: ROOT,
    input: text,
    preferLocal: true,
    localDir: ROOT,
  })
  return `${stdout.trimEnd()}\n`
}

async function main() {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, out: { type: 'string' } } })
  const out = values.out ?? DEFAULT_OUT
  const file = fileURLToPath(new URL(out, `file://${ROOT}`))
  const text = await formatted(await renderCommands(), DEFAULT_OUT)
  if (!values.check) {
    writeFileSync(file, text)
    console.log(`wrote ${out}`)
    return
  }
  let current = ''
  try {
    current = readFileSync(file, 'utf8')
  } catch {}
  if (current === text) return
  console.error(`${out} is stale: it differs from what the commands say; run "${REGENERATE}" (after npm run build)`)
  process.exitCode = 1
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
