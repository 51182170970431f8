/**
 * A stand-in for the npm registry on 127.0.0.1, so that a test can
 * `npm install -g` packed tarballs without reaching the network. It answers
 * the two requests npm makes (https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md):
 * a package's document (`GET /<name>`, the scope's slash escaped as %2f) and
 * a tarball. Packages of the workspace are served from tarballs packed by the
 * test; every other package from the versions package-lock.json pins, with
 * their integrity: npm then takes their tarballs from its own cache, filled
 * by `npm ci`, and never asks for them (a request for one gets a 404).
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

interface LockEntry {
  version?: string
  integrity?: string
  link?: boolean
  [field: string]: unknown
}

/** The fields of a lockfile entry that a registry's version document also has. */
const VERSION_FIELDS = [
  'dependencies',
  'bundleDependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'engines',
  'os',
  'cpu',
  'license',
]

type Versions = Map<string, Record<string, unknown>>

const newer = (a: string, b: string): number => {
  const [x, y] = [a, b].map((v) => v.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0))
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return x![i]! - y![i]!
  return 0
}

function lockedVersions(lockfile: string): Map<string, Versions> {
  const { packages } = JSON.parse(readFileSync(lockfile, 'utf8')) as { packages: Record<string, LockEntry> }
  const byName = new Map<string, Versions>()
  for (const [where, entry] of Object.entries(packages)) {
    const at = where.lastIndexOf('node_modules/')
    if (at < 0 || entry.link || !entry.version || !entry.integrity) continue
    const name = where.slice(at + 'node_modules/'.length)
    const doc: Record<string, unknown> = { name, version: entry.version }
    for (const field of VERSION_FIELDS) if (entry[field] !== undefined) doc[field] = entry[field]
    doc.dist = { integrity: entry.integrity, tarball: `/-/locked/${name}-${entry.version}.tgz` }
    const versions = byName.get(name) ?? new Map()
    versions.set(entry.version, doc)
    byName.set(name, versions)
  }
  return byName
}

export interface LocalRegistry {
  url: string
  close(): Promise<void>
}

export interface PackedPackage {
  /** The tarball `npm pack` wrote. */
  file: string
  /** Its package.json. */
  manifest: { name: string; version: string; [field: string]: unknown }
}

/** Serves `packed` (workspace packages) and what `lockfile` pins. */
export async function startLocalRegistry(lockfile: string, packed: PackedPackage[]): Promise<LocalRegistry> {
  const packages = lockedVersions(lockfile)
  const files = new Map<string, string>()
  for (const { file, manifest } of packed) {
    const integrity = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`
    const route = `/-/packed/${path.basename(file)}`
    files.set(route, file)
    packages.set(manifest.name, new Map([[manifest.version, { ...manifest, dist: { integrity, tarball: route } }]]))
  }
  let base = ''
  const server: Server = createServer((request, response) => {
    const url = decodeURIComponent((request.url ?? '/').split('?')[0]!)
    const tarball = files.get(url)
    if (tarball) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(tarball))
      return
    }
    const versions = packages.get(url.slice(1))
    if (!versions) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}')
      return
    }
    const latest = [...versions.keys()].sort(newer).at(-1)!
    const docs = Object.fromEntries(
      [...versions].map(([v, doc]) => [
        v,
        { ...doc, dist: { ...(doc.dist as object), tarball: `${base}${(doc.dist as { tarball: string }).tarball}` } },
      ]),
    )
    const body = JSON.stringify({ name: url.slice(1), 'dist-tags': { latest }, versions: docs })
    response.writeHead(200, { 'content-type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url: `${base}/`, close: () => new Promise((resolve) => server.close(() => resolve())) }
}
