// Local programs as the qemu plugin runs them (qemu-img, ssh-keygen, guix,
// mmdebstrap): output, exit codes, a missing program and an abort.
import { describe, expect, it } from 'vitest'
import { run, waitForExit } from './process.js'

describe('run', () => {
  it('collects both streams and the exit code, keeping the output as printed', async () => {
    const result = await run(['sh', '-c', 'echo out; echo err >&2; exit 3'])
    expect(result).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' })
  })

  it('hands on the non-blank lines of both streams as they come', async () => {
    const lines: string[] = []
    await run(['sh', '-c', 'printf "one\\n\\ntw"; sleep 0.1; printf "o\\n"; echo three >&2'], {
      onLine: (line) => lines.push(line),
    })
    expect(lines.sort()).toEqual(['one', 'three', 'two'])
  })

  it('gives no exit code for a program killed by a signal', async () => {
    expect((await run(['sh', '-c', 'kill -9 $$'])).code).toBeNull()
  })

  it('rejects with ENOENT for a program that is not installed', async () => {
    await expect(run(['guix-ops-no-such-program'])).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('ends the program when aborted, and rejects', async () => {
    const controller = new AbortController()
    const started = Date.now()
    setTimeout(() => controller.abort(), 100)
    await expect(run(['sleep', '30'], { signal: controller.signal })).rejects.toThrow()
    expect(Date.now() - started).toBeLessThan(5000)
  })
})

describe('waitForExit', () => {
  it('is true once the process has gone, false when it outlives the wait', async () => {
    expect(await waitForExit(2 ** 22 + 1, 1000)).toBe(true)
    expect(await waitForExit(process.pid, 300)).toBe(false)
  })
})
