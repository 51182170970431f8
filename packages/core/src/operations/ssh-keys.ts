/**
 * `ssh-keys reset`: forgets a machine's pinned host key (or, with `jump`, the
 * key of the jump host it is reached through), so the next contact pins the
 * new one. The other key stays pinned and keeps being verified.
 */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import type { EngineContext } from './context.js'
import { withDeployment } from './with-lock.js'

export async function resetHostKey(
  ctx: EngineContext,
  options: { deployment: string | undefined; machine: string; jump?: boolean },
): Promise<{ machine: string; previous?: string }> {
  return withDeployment(ctx, options.deployment, async (current) => {
    const machine = current.machines[options.machine]
    if (!machine) {
      throw new GuixOpsError(ErrorCode.Usage, `deployment "${current.name}" has no machine "${options.machine}"`, {
        suggestion: `machines: ${Object.keys(current.machines).join(', ')}`,
      })
    }
    const { hostKey, jumpHostKey, ...rest } = machine
    const kept = options.jump ? { ...(hostKey ? { hostKey } : {}) } : { ...(jumpHostKey ? { jumpHostKey } : {}) }
    const previous = options.jump ? jumpHostKey : hostKey
    await ctx.store.write({
      ...current,
      updatedAt: new Date().toISOString(),
      machines: { ...current.machines, [options.machine]: { ...rest, ...kept } },
    })
    return { machine: options.machine, ...(previous ? { previous } : {}) }
  })
}
