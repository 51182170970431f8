/**
 * The module specifiers a TypeScript file names: static and dynamic imports,
 * re-exports, `import('x')` types, `require('x')` and `require.resolve('x')`,
 * found by parsing (oxc, through rolldown), not by searching the text.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parseAst } from 'rolldown/parseAst'

type Node = { type?: string; [key: string]: unknown }

const stringValue = (node: unknown): string | undefined => {
  const n = node as Node | undefined
  if (n?.type === 'Literal' && typeof n.value === 'string') return n.value
  if (n?.type === 'TSLiteralType') return stringValue(n.literal)
  return undefined
}

function isRequire(callee: Node): boolean {
  if (callee.type === 'Identifier') return callee.name === 'require'
  if (callee.type !== 'MemberExpression') return false
  return (callee.property as Node).name === 'resolve'
}

/** The specifier a node names, if it is one of the import forms. */
function specifierOf(node: Node): string | undefined {
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportAllDeclaration':
    case 'ExportNamedDeclaration':
    case 'ImportExpression':
      return stringValue(node.source)
    case 'TSImportType':
      return stringValue(node.argument) ?? stringValue(node.source)
    case 'CallExpression':
      return isRequire(node.callee as Node) ? stringValue((node.arguments as unknown[])[0]) : undefined
    default:
      return undefined
  }
}

export function importSpecifiers(file: string): string[] {
  const found: string[] = []
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item)
      return
    }
    if (typeof value !== 'object' || value === null) return
    const node = value as Node
    const specifier = specifierOf(node)
    if (specifier !== undefined) found.push(specifier)
    for (const [key, child] of Object.entries(node)) if (key !== 'parent') visit(child)
  }
  visit(parseAst(readFileSync(file, 'utf8'), { lang: 'ts' }, file))
  return found
}

/** Every .ts file under `dir`. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
}

/** Workspace package name -> its directory, from the root package.json's workspaces. */
export function workspacePackages(root: string): Map<string, string> {
  const { workspaces } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { workspaces: string[] }
  const dirs = workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [path.join(root, pattern)]
    const parent = path.join(root, pattern.slice(0, -2))
    return readdirSync(parent, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(parent, e.name))
  })
  const packages = new Map<string, string>()
  for (const dir of dirs) {
    try {
      const { name } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string }
      packages.set(name, dir)
    } catch {
      // a directory without a package.json is no package
    }
  }
  return packages
}

/**
 * Where a specifier leads inside the workspace: the directory of the
 * workspace package it names, or the file path a relative one points at.
 * Undefined for Node's built-ins and packages from the registry.
 */
export function resolveInWorkspace(specifier: string, fromFile: string, packages: Map<string, string>) {
  if (specifier.startsWith('.')) return path.resolve(path.dirname(fromFile), specifier)
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
  return name === undefined ? undefined : packages.get(name)
}
