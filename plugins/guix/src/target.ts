/**
 * Is the target a Guix System of the right architecture? Asked before
 * anything is uploaded: `/etc/os-release` must say `ID=guix` and
 * `/run/current-system` exist (Guix on another distribution has neither),
 * `guix describe` must work, and `uname -m` must match the `system` option.
 */
import { GuixOpsError, type SystemContext } from '@guix-ops/plugin-api'
import { GuixError } from './codes.js'
import { CURRENT_SYSTEM } from './layout.js'
import { tail } from './remote.js'

/** The architecture part of a Guix system type, as `uname -m` prints it. */
const UNAME_OF: Record<string, string> = {
  'x86_64-linux': 'x86_64',
  'i686-linux': 'i686',
  'aarch64-linux': 'aarch64',
  'armhf-linux': 'armv7l',
  'powerpc64le-linux': 'ppc64le',
  'riscv64-linux': 'riscv64',
}

export interface TargetFacts {
  arch: string
  /** What `guix describe` prints: the Guix the target runs. */
  guix: string
}

function osId(osRelease: string): string {
  return /^ID="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? 'unknown'
}

export async function checkTarget(ctx: SystemContext, system: string | undefined): Promise<TargetFacts> {
  const where = { machine: ctx.machine }
  const release = await ctx.host.exec(['cat', '/etc/os-release'])
  const id = release.code === 0 ? osId(release.stdout) : 'unknown'
  const current = await ctx.host.exec(['test', '-e', CURRENT_SYSTEM])
  if (id !== 'guix' || current.code !== 0)
    throw new GuixOpsError(
      GuixError.NotGuixSystem,
      `guix: the host is not a Guix System (/etc/os-release says ID=${id}${current.code === 0 ? '' : `, no ${CURRENT_SYSTEM}`})`,
      { where, suggestion: 'install Guix System on it first, or use another system driver' },
    )
  const describe = await ctx.host.exec(['guix', 'describe'])
  if (describe.code !== 0)
    throw new GuixOpsError(GuixError.NotGuixSystem, `guix: "guix describe" fails on the host: ${tail(describe)}`, {
      where,
    })
  const arch = (await ctx.host.exec(['uname', '-m'])).stdout.trim()
  if (system !== undefined) {
    const expected = UNAME_OF[system]
    if (expected === undefined)
      throw new GuixOpsError(GuixError.Arch, `guix: unknown system type "${system}"`, {
        where: { ...where, path: 'system.system' },
        suggestion: `one of ${Object.keys(UNAME_OF).join(', ')}`,
      })
    if (arch !== expected)
      throw new GuixOpsError(
        GuixError.Arch,
        `guix: the config is for ${system} but the host's architecture is ${arch} (uname -m)`,
        { where: { ...where, path: 'system.system' } },
      )
  }
  return { arch, guix: describe.stdout.trim() }
}
