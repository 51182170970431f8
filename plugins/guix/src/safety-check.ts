/**
 * Safety checks like `guix deploy`'s: before reconfiguring, the target
 * evaluates the config with its own Guix (through `guix repl`) and lists
 * the devices its file systems and bootloader need; guix-ops refuses the
 * deploy when any of them does not exist on the host, since such a system
 * would not boot.
 */
import { GuixOpsError, type SystemContext } from '@guix-ops/plugin-api'
import { GuixError } from './codes.js'
import { tail } from './remote.js'

/**
 * Prints `device PATH`, `uuid UUID`, `label LABEL` and `bootloader TARGET` lines for the config given as argument.
 * The config is loaded as `guix system reconfigure` loads it (guix/scripts/system.scm, `read-operating-system`):
 * `load*` into a user module that already uses (gnu system), (gnu services) and (gnu system shadow), so a config
 * that reconfigure accepts without its own `use-modules` is accepted here too. The file systems are those
 * `check-file-system-availability` looks at: mounted, not pseudo, not NFS, not bind mounts.
 */
export const SAFETY_SCRIPT = `;; Run by guix-ops through "guix repl" on the target before reconfiguring.
(use-modules (guix ui) (gnu system) (gnu system file-systems) (gnu system uuid) (gnu bootloader))

(define os
  (load* (cadr (command-line))
         (make-user-module '((gnu system) (gnu services) (gnu system shadow)))))

(define (relevant? fs)
  (and (file-system-mount? fs)
       (not (member (file-system-type fs) %pseudo-file-system-types))
       (not (string-prefix? "nfs" (file-system-type fs)))
       (not (memq 'bind-mount (file-system-flags fs)))))

(define (show-device fs)
  (let ((device (file-system-device fs)))
    (cond ((uuid? device)
           (format #t "uuid ~a~%" (uuid->string (uuid-bytevector device) (uuid-type device))))
          ((file-system-label? device)
           (format #t "label ~a~%" (file-system-label->string device)))
          ((and (string? device) (string-prefix? "/dev/" device))
           (format #t "device ~a~%" device)))))

(for-each show-device (filter relevant? (operating-system-file-systems os)))
(for-each (lambda (target) (format #t "bootloader ~a~%" target))
          (bootloader-configuration-targets (operating-system-bootloader os)))
`

/** The path on the host a line of the script's output stands for. */
function hostPath(line: string): { what: string; path: string } | undefined {
  const match = /^(device|uuid|label|bootloader) (.+)$/.exec(line.trim())
  if (!match) return undefined
  const [, kind, value] = match as unknown as [string, string, string]
  // uuid->string prints UUIDs the way udev names them: lower case for ext4, upper case for FAT.
  if (kind === 'uuid') return { what: `file system UUID ${value}`, path: `/dev/disk/by-uuid/${value}` }
  if (kind === 'label') return { what: `file system label "${value}"`, path: `/dev/disk/by-label/${value}` }
  if (kind === 'bootloader') return { what: `bootloader target ${value}`, path: value }
  return { what: `file system device ${value}`, path: value }
}

/** Runs the script (through `guix`, pinned or not, as `prefix` says) and refuses what the host lacks. */
export async function checkDevices(ctx: SystemContext, repl: string[]): Promise<void> {
  const result = await ctx.host.exec(repl)
  if (result.code !== 0)
    throw new GuixOpsError(GuixError.Safety, `guix: evaluating the config on the host failed: ${tail(result)}`, {
      where: { machine: ctx.machine },
      suggestion:
        'the config must evaluate to an operating-system with the host\'s Guix; "safetyChecks: false" skips this',
    })
  const needed = result.stdout.split('\n').flatMap((line) => hostPath(line) ?? [])
  if (needed.length === 0) return
  const probe = 'for f; do [ -e "$f" ] || printf "%s\\n" "$f"; done'
  const missing = new Set(
    (await ctx.host.exec(['sh', '-c', probe, 'sh', ...needed.map((n) => n.path)])).stdout.split('\n').filter(Boolean),
  )
  const absent = needed.filter((n) => missing.has(n.path))
  if (absent.length > 0)
    throw new GuixOpsError(
      GuixError.Safety,
      `guix: refusing to reconfigure: the host has no ${absent.map((a) => `${a.what} (${a.path})`).join(', ')}`,
      {
        where: { machine: ctx.machine },
        suggestion: 'fix file-systems or the bootloader targets in the config; "safetyChecks: false" skips this check',
      },
    )
}
