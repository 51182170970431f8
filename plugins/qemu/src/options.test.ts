import type { StandardSchemaV1 } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { qemuOptions } from './options.js'

const validate = (value: unknown) => qemuOptions['~standard'].validate(value) as StandardSchemaV1.Result<unknown>
/** `path: message` of each issue, as a config error would name the field. */
const issues = (value: unknown) =>
  (validate(value).issues ?? []).map(
    (i) => `${(i.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.')}: ${i.message}`,
  )

describe('qemu options', () => {
  it('fills in the defaults a machine gets when it names nothing', () => {
    expect(validate({})).toEqual({
      value: { memory: 1024, cpus: 1, diskSize: '8G', image: 'debian', accel: 'auto', bootTimeout: 300 },
    })
  })

  it('refuses sizes and counts out of range, naming the field', () => {
    expect(issues({ memory: 128 })).toEqual(['memory: Too small: expected number to be >=256'])
    expect(issues({ memory: 10 ** 9 })[0]).toMatch(/^memory: is more than this host has \(\d+ MiB\)$/)
    expect(issues({ cpus: 0 })).toEqual(['cpus: Too small: expected number to be >=1'])
    expect(issues({ diskSize: '8 GB' })).toEqual(['diskSize: expected a size like "8G" or "512M"'])
    expect(issues({ bootTimeout: 5 })).toEqual(['bootTimeout: Too small: expected number to be >=10'])
  })

  it('wants an https image URL with its sha256, and never plain http', () => {
    expect(issues({ image: 'https://example.test/disk.qcow2' })).toEqual([
      'imageSha256: an image URL needs imageSha256',
    ])
    expect(issues({ image: 'https://example.test/disk.qcow2', imageSha256: 'ABC' })).toEqual([
      'imageSha256: expected 64 lower-case hex digits',
    ])
    expect(issues({ image: 'http://example.test/disk.qcow2' })).toEqual(['image: image URLs must use https'])
    expect(validate({ image: 'https://example.test/disk.qcow2', imageSha256: 'a'.repeat(64) }).issues).toBeUndefined()
  })

  it('refuses unknown options, aarch64 guests and port maps that are not numbers', () => {
    expect(issues({ memmory: 2048 })).toEqual([': Unrecognized key: "memmory"'])
    expect(issues({ arch: 'aarch64' })).toEqual(['arch: aarch64 guests are not supported in this release; use x86_64'])
    expect(issues({ ports: { http: 8080 } })).toEqual([expect.stringMatching(/^ports\.http: /)])
    expect(issues({ ports: { '80': 70000 } })).toEqual(['ports.80: Too big: expected number to be <=65535'])
  })
})
