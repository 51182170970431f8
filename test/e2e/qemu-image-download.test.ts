// Images from an https URL: downloaded once from a real HTTPS server on
// loopback (a certificate made for the test, trusted through
// NODE_EXTRA_CA_CERTS), kept only when the sha256 matches, then served from
// the cache without asking the server again.
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, tempDir } from '../support/cli.js'

const hasTools = ['openssl', 'qemu-img'].every((p) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', p]).status === 0)
if (!hasTools) process.stderr.write('image download tests skipped: openssl and qemu-img are needed\n')

describe.skipIf(!hasTools)('qemu image from an https URL (loopback server)', () => {
  const dir = tempDir('guix-ops-download-')
  const cache = path.join(dir, 'cache')
  const image = path.join(dir, 'served.qcow2')
  let server: Server
  let url: string
  let sha256: string
  let requests = 0

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    )
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', image, '64M'])
    sha256 = createHash('sha256').update(readFileSync(image)).digest('hex')
    server = createServer(
      { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) },
      (req, res) => {
        requests++
        if (req.url !== '/images/served.qcow2') return void res.writeHead(404).end()
        const body = readFileSync(image)
        res.writeHead(200, { 'content-length': body.length }).end(body)
      },
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `https://127.0.0.1:${(server.address() as { port: number }).port}/images/served.qcow2`
  })
  afterAll(() => server.close())

  /** Runs downloadedImage in a child, where NODE_EXTRA_CA_CERTS takes effect. */
  async function download(from: string, hash: string): Promise<{ ok: boolean; out: Record<string, string> }> {
    const script = `
      import { downloadedImage } from '${path.join(ROOT, 'plugins/qemu/dist/images/download.js')}'
      try {
        const info = await downloadedImage(process.argv[1], process.argv[2], { report() {} })
        console.log(JSON.stringify({ ok: true, out: info }))
      } catch (error) {
        console.log(JSON.stringify({ ok: false, out: { code: error.code, message: error.message } }))
      }`
    // Not spawnSync: the server answering it runs in this process.
    const result = await execa(process.execPath, ['--input-type=module', '-e', script, from, hash], {
      env: { ...process.env, GUIX_OPS_CACHE_DIR: cache, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') },
    })
    return JSON.parse(result.stdout)
  }

  it('a sha256 that does not match discards the download, naming both sums', async () => {
    const wrong = 'f'.repeat(64)
    const result = await download(url, wrong)
    expect(result).toMatchObject({ ok: false, out: { code: 'E_QEMU_IMAGE_DOWNLOAD' } })
    expect(result.out.message).toContain(`has sha256 ${sha256}, not the ${wrong}`)
    expect(existsSync(path.join(cache, 'images')) ? readdirSync(path.join(cache, 'images')) : []).toEqual([])
  })

  it('an HTTP error is named with its status', async () => {
    const result = await download(url.replace('served', 'missing'), sha256)
    expect(result).toMatchObject({ ok: false, out: { code: 'E_QEMU_IMAGE_DOWNLOAD' } })
    expect(result.out.message).toContain('HTTP 404')
  })

  it('downloads once into the cache, then uses the cache', async () => {
    const before = requests
    const first = await download(url, sha256)
    expect(first).toMatchObject({ ok: true, out: { source: 'url', origin: url, format: 'qcow2' } })
    expect(createHash('sha256').update(readFileSync(first.out.disk!)).digest('hex')).toBe(sha256)
    expect(requests).toBe(before + 1)
    const second = await download(url, sha256)
    expect(second.out.disk).toBe(first.out.disk)
    expect(requests).toBe(before + 1)
  })
})
