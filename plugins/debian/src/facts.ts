/**
 * Reads from the host what a plan compares against. Every command is a
 * fixed script with the paths and names passed as its arguments, so no
 * config value is ever parsed by the remote shell.
 */
import type { RemoteHost } from '@guix-ops/plugin-api'
import type { Desired, Facts, FileFact, Managed } from './model.js'

const STAT_SCRIPT = [
  'for f; do',
  '  if [ -e "$f" ]; then',
  '    printf "%s\\t%s\\t" "$f" "$(stat -c "%a %U %G" -- "$f")"',
  '    if [ -f "$f" ]; then sha256sum -- "$f" | cut -d" " -f1; else echo -; fi',
  '  else printf "%s\\t-\\n" "$f"; fi',
  'done',
].join('\n')

async function stat(host: RemoteHost, paths: string[]): Promise<Record<string, FileFact>> {
  const facts: Record<string, FileFact> = {}
  if (paths.length === 0) return facts
  const result = await host.exec(['sh', '-c', STAT_SCRIPT, 'sh', ...paths])
  for (const line of result.stdout.split('\n')) {
    const [file, attributes, sha] = line.split('\t')
    if (!file) continue
    if (attributes === '-' || attributes === undefined) {
      facts[file] = { exists: false }
      continue
    }
    const [mode, owner, group] = attributes.split(' ')
    facts[file] = {
      exists: true,
      mode: mode!,
      owner: owner!,
      group: group!,
      ...(sha && sha !== '-' ? { sha256: sha } : {}),
    }
  }
  return facts
}

async function names(host: RemoteHost, database: 'passwd' | 'group', wanted: string[]): Promise<string[]> {
  if (wanted.length === 0) return []
  const result = await host.exec(['getent', database, ...wanted])
  return result.stdout
    .split('\n')
    .map((line) => line.split(':')[0] ?? '')
    .filter(Boolean)
}

export async function readFacts(host: RemoteHost, desired: Desired, managed: Managed): Promise<Facts> {
  const packages = [...new Set([...desired.packages, ...managed.packages])]
  let installed: string[] = []
  if (packages.length > 0) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template string.
    const format = '-f=${Package}\\t${db:Status-Abbrev}\\n'
    const result = await host.exec(['dpkg-query', '-W', format, '--', ...packages])
    installed = result.stdout
      .split('\n')
      .filter((line) => line.split('\t')[1]?.startsWith('ii'))
      .map((line) => line.split('\t')[0]!)
  }
  const units = [...new Set([...Object.keys(desired.services), ...managed.services])]
  const services: Record<string, string> = {}
  if (units.length > 0) {
    const result = await host.exec(['systemctl', 'is-enabled', '--', ...units])
    const answers = result.stdout.split('\n')
    units.forEach((unit, i) => {
      services[unit] = answers[i]?.trim() || 'unknown'
    })
  }
  const hostname = (await host.exec(['hostname'])).stdout.trim()
  return {
    installed,
    files: await stat(host, [...new Set([...Object.keys(desired.files), ...Object.keys(managed.files)])]),
    directories: await stat(host, [...new Set([...Object.keys(desired.directories), ...managed.directories])]),
    users: await names(host, 'passwd', [...new Set([...Object.keys(desired.users), ...managed.users])]),
    groups: await names(host, 'group', [...new Set([...desired.groups, ...managed.groups])]),
    services,
    ...(hostname ? { hostname } : {}),
  }
}
