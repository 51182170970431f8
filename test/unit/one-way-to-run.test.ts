// One way to run a process and one way to wait: child processes go through
// execa, waits through waitUntil (plugin-api, on node:timers/promises).
// Source files are parsed, not searched, so a comment naming a module or a
// string holding code does not count, and any spelling of the calls does.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAst } from 'rolldown/parseAst'
import { describe, expect, it } from 'vitest'
import { importSpecifiers, sourceFiles } from '../support/imports.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const LAYERS = ['packages', 'plugins']

type Node = { type?: string; [key: string]: unknown }

/** Every non-test source file of every workspace package, relative to the root. */
function sources(): string[] {
  return LAYERS.flatMap((layer) =>
    sourceFiles(path.join(ROOT, layer)).filter((file) => {
      const relative = path.relative(path.join(ROOT, layer), file).split(path.sep)
      return relative[1] === 'src' && !file.endsWith('.test.ts')
    }),
  )
}

function walk(value: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit)
    return
  }
  if (typeof value !== 'object' || value === null) return
  visit(value as Node)
  for (const [key, child] of Object.entries(value)) if (key !== 'parent') walk(child, visit)
}

const isFunction = (node: Node | undefined): boolean =>
  node?.type === 'ArrowFunctionExpression' || node?.type === 'FunctionExpression'

/** True when `fn` is `resolve` itself, or a function that calls it: the timer's end settles the promise. */
function settlesWith(fn: Node | undefined, resolve: string): boolean {
  if (fn?.type === 'Identifier') return fn.name === resolve
  let calls = false
  if (isFunction(fn))
    walk(fn, (inner) => {
      if (inner.type === 'CallExpression' && (inner.callee as Node).name === resolve) calls = true
    })
  return calls
}

/**
 * `new Promise((r) => setTimeout(r, ms))` and its kin: a promise resolved by
 * a timer. A timer that rejects (a deadline raced against work) is no sleep.
 */
function isHandWrittenSleep(node: Node): boolean {
  if (node.type !== 'NewExpression' || (node.callee as Node).name !== 'Promise') return false
  const executor = (node.arguments as Node[])[0]
  const resolve = isFunction(executor) ? ((executor!.params as Node[])[0]?.name as string | undefined) : undefined
  if (!resolve) return false
  let sleeps = false
  walk(executor, (inner) => {
    const timer = inner.type === 'CallExpression' && (inner.callee as Node).name === 'setTimeout'
    if (timer && settlesWith((inner.arguments as Node[])[0], resolve)) sleeps = true
  })
  return sleeps
}

/** `promisify(execFile)`, `promisify(exec)`, `util.promisify(cp.execFile)`... */
function isPromisifiedChild(node: Node): boolean {
  if (node.type !== 'CallExpression') return false
  const callee = node.callee as Node
  const name = callee.type === 'MemberExpression' ? (callee.property as Node).name : callee.name
  if (name !== 'promisify') return false
  const [argument] = node.arguments as Node[]
  const promised = argument?.type === 'MemberExpression' ? (argument.property as Node).name : argument?.name
  return typeof promised === 'string' && /^(exec|execFile|spawn|fork)$/.test(promised)
}

function offences(file: string): string[] {
  const where = path.relative(ROOT, file)
  const found = importSpecifiers(file)
    .filter((specifier) => specifier === 'child_process' || specifier === 'node:child_process')
    .map((specifier) => `${where} imports ${specifier}`)
  walk(parseAst(readFileSync(file, 'utf8'), { lang: 'ts' }, file), (node) => {
    if (isPromisifiedChild(node)) found.push(`${where} promisifies a child process function`)
    if (isHandWrittenSleep(node)) found.push(`${where} sleeps with a Promise around setTimeout`)
  })
  return found
}

describe('one way to run a process and to wait', () => {
  const files = sources()

  it('finds the sources of core, the CLI and the plugins', () => {
    for (const dir of ['packages/core/src', 'packages/cli/src', 'plugins/qemu/src', 'plugins/debian/src'])
      expect(files.some((f) => path.relative(ROOT, f).startsWith(dir))).toBe(true)
  })

  it('no source imports child_process, promisifies execFile or hand-writes a sleep', () => {
    expect(files.flatMap(offences)).toEqual([])
  })
})
