import { describe, expect, it } from 'vitest'
import { destroyOrder } from './destroy-order.js'

describe('destroyOrder', () => {
  it('reverses the deploy order, keeping only the machines asked for', () => {
    expect(destroyOrder(['db', 'cache', 'web', 'edge'], ['db', 'edge', 'web'])).toEqual(['edge', 'web', 'db'])
  })

  it('puts machines no longer in the config first: nothing in the config depends on them', () => {
    expect(destroyOrder(['db', 'web'], ['db', 'old', 'web'])).toEqual(['old', 'web', 'db'])
  })
})
