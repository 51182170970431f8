import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { cacheDir, listImages, removeImage } from './cache.js'
import { type DebianRecipe, recipeName } from './debian.js'

const recipe: DebianRecipe = {
  builder: 'debian',
  codename: 'bookworm',
  architecture: 'amd64',
  packages: ['openssh-server'],
  rootFsSize: '2G',
  guestFiles: { 'guix-ops-init': 'a'.repeat(64) },
}

describe('image names and the image cache', () => {
  afterEach(() => vi.unstubAllEnvs())

  it('names a built image by its release and a hash of its recipe: same recipe, same name', () => {
    expect(recipeName(recipe)).toMatch(/^debian-bookworm-[0-9a-f]{12}$/)
    expect(recipeName({ ...recipe })).toBe(recipeName(recipe))
    expect(recipeName({ ...recipe, packages: ['openssh-server', 'curl'] })).not.toBe(recipeName(recipe))
    expect(recipeName({ ...recipe, guestFiles: { 'guix-ops-init': 'b'.repeat(64) } })).not.toBe(recipeName(recipe))
  })

  it('keeps images under GUIX_OPS_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', () => {
    expect(cacheDir({ GUIX_OPS_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c')
    expect(cacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/guix-ops')
    expect(cacheDir({})).toMatch(/\.cache\/guix-ops$/)
  })

  it('lists only complete images, and removes none by a name that is not one', async () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'guix-ops-image-cache-'))
    vi.stubEnv('GUIX_OPS_CACHE_DIR', cache)
    const image = path.join(cache, 'images', 'url-0123456789abcdef')
    mkdirSync(image, { recursive: true })
    writeFileSync(path.join(image, 'disk'), 'x'.repeat(10))
    const info = { name: 'url-0123456789abcdef', source: 'url', origin: 'https://example.test/d', createdAt: 'now' }
    writeFileSync(path.join(image, 'image.json'), JSON.stringify({ ...info, disk: 'disk', format: 'raw' }))
    mkdirSync(path.join(cache, 'images', 'url-half.work-123')) // being built: no image.json yet
    const listed = await listImages()
    expect(listed.map((i) => [i.name, i.disk])).toEqual([['url-0123456789abcdef', path.join(image, 'disk')]])
    expect(await removeImage('../images/url-0123456789abcdef')).toBe(false)
    expect(await removeImage('url-half.work-123')).toBe(false)
    expect(await removeImage('url-0123456789abcdef')).toBe(true)
    expect(await listImages()).toEqual([])
  })
})
