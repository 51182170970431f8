/**
 * What the debian driver reasons about: the desired system (from options),
 * what it manages on the host (recorded with each generation), and facts
 * read from the host. Everything here is plain JSON, kept on the target in
 * /var/lib/guix-ops/<deployment-id>/<machine> so that any machine can deploy
 * it, not only the last one.
 */
import type { Taken } from './backups.js'
import type { Known } from './known.js'

export interface DesiredFile {
  content: string
  /** `base64`: `content` holds bytes that are not UTF-8 text (a `source` file); absent: text. */
  encoding?: 'base64'
  mode: string
  owner: string
  group: string
}

export interface DesiredUser {
  groups: string[]
  authorizedKeys: string[]
  shell?: string
  home: string
  system: boolean
}

export interface Desired {
  hostname?: string
  packages: string[]
  groups: string[]
  users: Record<string, DesiredUser>
  files: Record<string, DesiredFile>
  directories: Record<string, { mode: string; owner: string }>
  services: Record<string, { enable: boolean; restartOn: string[] }>
  commands: { run: string[]; on?: string[] }[]
}

/** What guix-ops created on the host, and so may remove; never anything else. */
export interface Managed {
  packages: string[]
  groups: string[]
  users: string[]
  /** Path -> whether a file was there before guix-ops wrote it (then it is restored, not deleted). */
  files: Record<string, { preexisting: boolean }>
  directories: string[]
  services: string[]
}

export interface GenerationRecord {
  number: number
  createdAt: string
  description?: string
  desired: Desired
  managed: Managed
  /** Where this deploy's packages came from (absent in records older than the option). */
  packageSource?: 'mirror' | 'push'
}

export interface FileFact {
  exists: boolean
  kind?: 'file' | 'directory' | 'other'
  mode?: string
  owner?: string
  group?: string
  /** The numeric ids behind owner and group. */
  uid?: string
  gid?: string
  sha256?: string
}

export interface Facts {
  installed: string[]
  files: Record<string, FileFact>
  directories: Record<string, FileFact>
  users: string[]
  groups: string[]
  /** Unit -> `systemctl is-enabled` answer. */
  services: Record<string, string>
  hostname?: string
  /** Whether PID 1 is systemd (it made /run/systemd/system); false on a container without it, or WSL. */
  systemd?: boolean
  /** Files the host's own marks say guix-ops took over, and how (see backups.ts). */
  taken?: Record<string, Taken>
  /** What the reads tell about where the wanted files go (known.ts). */
  known?: Known
}

export const EMPTY_MANAGED: Managed = { packages: [], groups: [], users: [], files: {}, directories: [], services: [] }

/** A config that wants nothing: the planner's reads then ask only about what a record manages. */
export const EMPTY_DESIRED: Desired = {
  packages: [],
  groups: [],
  users: {},
  files: {},
  directories: {},
  services: {},
  commands: [],
}
