/**
 * The guix system driver's error codes, with what each means and what to do
 * about it: the one place they are declared. docs/errors.md is generated
 * from them.
 */
import { describeErrorCodes, type ErrorCodeDoc } from '@guix-ops/plugin-api'

export const GuixError = {
  Syntax: 'E_GUIX_SYNTAX',
  Config: 'E_GUIX_CONFIG',
  Guile: 'E_GUIX_GUILE',
  NotGuixSystem: 'E_GUIX_NOT_GUIX_SYSTEM',
  Arch: 'E_GUIX_ARCH',
  Safety: 'E_GUIX_SAFETY',
  Apply: 'E_GUIX_APPLY',
  Reconfigure: 'E_GUIX_RECONFIGURE',
  Rollback: 'E_GUIX_ROLLBACK',
  Generation: 'E_GUIX_GENERATION',
  LocalGuix: 'E_GUIX_LOCAL_GUIX',
  Build: 'E_GUIX_BUILD',
  SigningKey: 'E_GUIX_SIGNING_KEY',
  Authorize: 'E_GUIX_AUTHORIZE',
  Switch: 'E_GUIX_SWITCH',
  Import: 'E_GUIX_IMPORT',
  ImportExists: 'E_GUIX_IMPORT_EXISTS',
} as const

/** Every code above with what it means and what to do about it: what docs/errors.md lists. */
export const errorReference: readonly ErrorCodeDoc[] = describeErrorCodes('E_GUIX_', GuixError, {
  Syntax: {
    meaning: 'a `.scm` file does not read (`file:line:col`)',
    hint: 'fix the syntax at the place named; it is read before any host is contacted',
  },
  Config: {
    meaning: 'a `.scm` config names a file or directory that does not exist',
    hint: 'fix the path at the place named',
  },
  Guile: {
    meaning: 'no `guile` here to read `.scm` files, or it failed',
    hint: 'install Guile 3.0 (the guile-3.0 package on Debian)',
  },
  NotGuixSystem: {
    meaning: 'the host is not Guix System',
    hint: 'install Guix System on it first, or use another system driver',
  },
  Arch: {
    meaning: "the host is not of the config's `system` type",
    hint: "set `system` to the host's architecture",
  },
  Safety: {
    meaning: 'a safety check of the config against the host failed (file systems, bootloader)',
    hint: 'fix the config; `safetyChecks: false` skips the check',
  },
  Apply: {
    meaning: 'a command run on the host failed',
    hint: "the message names the command and the host's own error",
  },
  Reconfigure: {
    meaning: '`guix system reconfigure` failed on the host',
    hint: "the message says whether the previous generation is back in force, and has Guix's own error",
  },
  Rollback: {
    meaning: 'a rollback failed on the host',
    hint: "the message has Guix's own error",
  },
  Generation: {
    meaning: 'a generation does not exist on the host',
    hint: '`guix-ops list-generations` shows the ones that exist',
  },
  LocalGuix: {
    meaning: '`buildLocally` without `guix` here',
    hint: 'install Guix here, or set buildLocally: false to build on the target',
  },
  Build: {
    meaning: 'a local build, or the copy of its closure to the host, failed',
    hint: "authorize this machine's signing key on the host (guix archive --authorize)",
  },
  SigningKey: {
    meaning: 'no signing key here for `authorize`',
    hint: 'run guix archive --generate-key here',
  },
  Authorize: {
    meaning: "the host refused this machine's signing key",
    hint: "the message has the host's own error",
  },
  Switch: {
    meaning: 'switching the host to the built system failed',
    hint: "the message has the host's own error",
  },
  Import: {
    meaning: '`import-guix-deploy` cannot import the file',
    hint: 'the message names the `file:line:col` at fault',
  },
  ImportExists: {
    meaning: '`import-guix-deploy` would overwrite a file',
    hint: 'pass --out with another file, or --force to replace it',
  },
})
