/**
 * The debian system driver's error codes, with what each means and what to
 * do about it: the one place they are declared. docs/errors.md is generated
 * from them.
 */
import { describeErrorCodes, type ErrorCodeDoc } from '@guix-ops/plugin-api'

export const DebianError = {
  Apply: 'E_DEBIAN_APPLY',
  Push: 'E_DEBIAN_PUSH',
  Source: 'E_DEBIAN_SOURCE',
  File: 'E_DEBIAN_FILE',
  NoSystemd: 'E_DEBIAN_NO_SYSTEMD',
  Rollback: 'E_DEBIAN_ROLLBACK',
  Generation: 'E_DEBIAN_GENERATION',
  Layout: 'E_DEBIAN_LAYOUT',
  Facts: 'E_DEBIAN_FACTS',
  HostManaged: 'E_DEBIAN_HOST_MANAGED',
} as const

/** Every code above with what it means and what to do about it: what docs/errors.md lists. */
export const errorReference: readonly ErrorCodeDoc[] = describeErrorCodes('E_DEBIAN_', DebianError, {
  Apply: {
    meaning: 'a step of applying the system on the host failed',
    hint: "the message names the step and the host's own error",
  },
  Push: {
    meaning: "`packageSource: 'push'` cannot fetch packages here for that host (release, architecture, apt lists)",
    hint: "run apt-get update here, or use packageSource: 'mirror'",
  },
  Source: {
    meaning: "a file's `source` cannot be read here",
    hint: 'check the path, relative to the config file',
  },
  File: {
    meaning: 'a directory is on the host where a file goes',
    hint: 'move the directory away, or choose another path',
  },
  NoSystemd: {
    meaning: 'PID 1 on the host is not systemd',
    hint: 'set autoRollback: false and drop services for that host',
  },
  Rollback: {
    meaning: 'the automatic rollback could not be armed on the host',
    hint: 'on a host without systemd, set autoRollback: false',
  },
  Generation: {
    meaning: 'a generation does not exist on the host, or its record does not read',
    hint: '`guix-ops list-generations` shows the ones that do',
  },
  Layout: {
    meaning: "a deployment id or machine name cannot name a record directory, or the host's records cannot be moved",
    hint: 'rename the machine; the message names the directory',
  },
  Facts: {
    meaning: 'the host did not answer what is at the managed paths, or answered out of order',
    hint: "the message has the host's own error",
  },
  HostManaged: {
    meaning: 'another deployment or machine manages that host',
    hint: 'check that the address is the host you mean; `deploy --take-over` to share it',
  },
})
