/**
 * After a switch to a system built elsewhere, the Shepherd (PID 1) must
 * learn the new system's services, as `guix deploy` has it do:
 * gnu/machine/ssh.scm, `deploy-managed-host`, runs switch-to-system and then
 * `upgrade-shepherd-services` (guix/scripts/system/reconfigure.scm) under
 * `with-roll-back #t`. That procedure loads the target system's service
 * files, unloads the live services the system no longer has and starts the
 * new ones (running services are not restarted). `guix system
 * switch-generation` does none of it (guix/scripts/system.scm,
 * `switch-to-system-generation`: bootloader, profile, activation only), so
 * the driver runs the same procedure on the host through `guix repl`, with
 * the `local-eval` that `guix system reconfigure` uses (guix/scripts/system.scm).
 */
import { GuixOpsError, type SystemContext } from '@guix-ops/plugin-api'
import { GuixError } from './codes.js'
import { tail } from './remote.js'

/** Loaded as the safety check loads the config (safety-check.ts): as `guix system reconfigure` reads it. */
export const UPGRADE_SCRIPT = `;; Run by guix-ops through "guix repl" on the target after switching to a system built elsewhere.
(use-modules (guix) (guix ui) (gnu system) (guix scripts system reconfigure))

(define os
  (load* (cadr (command-line))
         (make-user-module '((gnu system) (gnu services) (gnu system shadow)))))

;; guix/scripts/system.scm, local-eval: lower EXP, build its inputs, evaluate it in this process.
(define (local-eval exp)
  (mlet* %store-monad ((lowered (lower-gexp exp))
                       (_ (built-derivations (lowered-gexp-inputs lowered))))
    (let ((path %load-path)
          (cpath %load-compiled-path))
      (dynamic-wind
        (const #t)
        (lambda ()
          (set! %load-path (lowered-gexp-load-path lowered))
          (set! %load-compiled-path (lowered-gexp-load-compiled-path lowered))
          (return (primitive-eval (lowered-gexp-sexp lowered))))
        (lambda ()
          (set! %load-path path)
          (set! %load-compiled-path cpath))))))

(with-store store
  (run-with-store store (upgrade-shepherd-services local-eval os)))
`

/** Runs the script with `repl` (guix repl, pinned or not, with the config's load path); fails the switch if it fails. */
export async function upgradeServices(ctx: SystemContext, script: string, repl: string[]): Promise<void> {
  ctx.progress.report("loading the new system's Shepherd services")
  await ctx.host.upload(script, UPGRADE_SCRIPT, { mode: 0o600 })
  const result = await ctx.host.exec(repl)
  if (result.code !== 0)
    throw new GuixOpsError(GuixError.Switch, `guix: upgrading the Shepherd's services failed: ${tail(result)}`, {
      where: { machine: ctx.machine },
    })
}
