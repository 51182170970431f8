import { describe, expect, it } from 'vitest'
import { lineSplitter } from './lines.js'

describe('lineSplitter', () => {
  it('hands on whole lines however the chunks split them, holding back the partial last one', () => {
    const lines: string[] = []
    const split = lineSplitter((line) => lines.push(line))
    for (const chunk of ['fir', 'st\nsec', 'ond\r', '\n\nthi', 'rd']) split.push(chunk)
    expect(lines).toEqual(['first', 'second', ''])
    split.end()
    expect(lines).toEqual(['first', 'second', '', 'third'])
  })

  it('has nothing left at the end when the output ended with a newline', () => {
    const lines: string[] = []
    const split = lineSplitter((line) => lines.push(line))
    split.push('done\n')
    split.end()
    expect(lines).toEqual(['done'])
  })
})
