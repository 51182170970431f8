/** The steps a plan consists of; plain JSON, handed from `plan` to `apply`. */
import type { DesiredFile, DesiredUser } from './model.js'

export type Action =
  | { kind: 'hostname'; name: string }
  | { kind: 'group-add'; name: string }
  | { kind: 'user-add'; name: string; user: DesiredUser }
  | { kind: 'packages-install'; names: string[] }
  | { kind: 'directory'; path: string; mode: string; owner: string }
  /** Keep a file's original (or mark it absent) on the host before guix-ops first writes it. */
  | { kind: 'file-take'; path: string }
  | { kind: 'file-write'; path: string; file: DesiredFile }
  | { kind: 'service-enable'; unit: string }
  | { kind: 'service-disable'; unit: string }
  | { kind: 'service-restart'; unit: string }
  | { kind: 'command'; run: string[] }
  | { kind: 'file-remove'; path: string; restore: boolean }
  | { kind: 'directory-remove'; path: string }
  | { kind: 'packages-purge'; names: string[] }
  | { kind: 'user-remove'; name: string }
  | { kind: 'group-remove'; name: string }
