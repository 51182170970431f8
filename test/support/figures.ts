/**
 * Figures a test file reports for the closing summary of scripts/test
 * (faults injected and survived, bad inputs tried and refused cleanly):
 * one JSON file per test file under .tools/figures/, which
 * scripts/test-summary.mjs adds up.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT } from './cli.js'

export const FIGURES_DIR: string = path.join(ROOT, '.tools/figures')

export type Figures =
  | { kind: 'faults'; injected: number; survived: number; outcomes: { fault: string; survived: boolean }[] }
  | { kind: 'bad-inputs'; tried: number; refused: number }

export function writeFigures(testFile: string, figures: Figures): void {
  mkdirSync(FIGURES_DIR, { recursive: true })
  writeFileSync(path.join(FIGURES_DIR, `${testFile}.json`), `${JSON.stringify(figures, null, 2)}\n`)
}
