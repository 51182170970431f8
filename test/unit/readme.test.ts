// README.md is the front door: short enough to read at once, with the two
// commands a newcomer runs first and the headings they look for; the detail
// lives in docs/ and in each plugin's README.
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md')
const text = readFileSync(README, 'utf8')
const headings = text.split('\n').filter((line) => line.startsWith('## '))

describe('README.md', () => {
  it('stays under 12 KB', () => {
    expect(statSync(README).size).toBeLessThan(12 * 1024)
  })

  it('gives the main job and all the tests as one command each', () => {
    expect(text).toContain('./scripts/quickstart   # the main job')
    expect(text).toContain('./scripts/test         # every check')
  })

  it('has the headings a newcomer looks for', () => {
    for (const heading of [
      'What it is',
      'Quick start',
      'Concepts',
      'A short tour',
      'Platforms and systems',
      'Config reference',
      'Commands',
      'Writing a platform plugin',
      'State and security',
      'Limits',
      'More docs',
    ])
      expect(headings).toContain(`## ${heading}`)
  })
})
