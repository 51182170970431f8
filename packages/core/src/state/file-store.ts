/**
 * The default state store: a directory of JSON documents, one per
 * deployment, written atomically, 0600 files in 0700 directories.
 *
 *   STATE_DIR/deployments/<id>.json   the state document
 *   STATE_DIR/deployments/.<id>.deleting   one being deleted: never listed
 *   STATE_DIR/locks/<name>.lock       who is changing it now
 *   STATE_DIR/machines/<id>/          plugin files per machine
 *   STATE_DIR/secrets/<id>/           keys and tokens, never exported
 */
import { chmod, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { syncDirectory, TEMP_MARKER, writeFileAtomic } from './atomic-write.js'
import { parseStateDocument, serializeStateDocument } from './document.js'
import { acquireLock, readLockFile } from './lock.js'
import { DEPLOYMENT_NAME } from './shape.js'
import type { DeploymentState, HeldLock, LockInfo, StateProblem, StateStore } from './types.js'

const ID = /^[0-9a-f-]{36}$/
/** A deployment whose delete began: its document, renamed so that no listing shows it. */
const DELETING = /^\.([0-9a-f-]{36})\.deleting$/

/** The first `"name": "..."` of a state file's text, read without trusting the rest of it. */
function nameInText(text: string): string | undefined {
  const match = /"name"\s*:\s*("(?:[^"\\\n]|\\.)*")/.exec(text)
  if (!match) return undefined
  try {
    return JSON.parse(match[1]!) as string
  } catch {
    return undefined
  }
}

export class FileStateStore implements StateStore {
  constructor(readonly dir: string) {}

  private get deploymentsDir(): string {
    return path.join(this.dir, 'deployments')
  }

  private documentPath(id: string): string {
    return path.join(this.deploymentsDir, `${id}.json`)
  }

  /** Names come from the command line; one like "../x" must not reach outside locks/. */
  private lockPath(name: string): string {
    if (!DEPLOYMENT_NAME.test(name)) {
      throw new GuixOpsError(ErrorCode.InvalidName, `invalid deployment name "${name}"`, {
        where: { deployment: name },
        suggestion: 'use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 63)',
      })
    }
    return path.join(this.dir, 'locks', `${name}.lock`)
  }

  /** Creates `sub` (and the state dir) 0700; never loosens an existing dir. */
  private async ensureDir(sub: string): Promise<string> {
    for (const dir of [this.dir, path.join(this.dir, sub)]) {
      try {
        await mkdir(dir, { mode: 0o700 })
        await chmod(dir, 0o700) // the umask must not widen it
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') await mkdir(dir, { recursive: true, mode: 0o700 })
        else if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw this.ioError(dir, error)
      }
    }
    return path.join(this.dir, sub)
  }

  private ioError(file: string, error: unknown): GuixOpsError {
    return new GuixOpsError(ErrorCode.StateIo, `cannot use state ${file}: ${(error as Error).message}`, {
      where: { file },
      suggestion: 'check the state dir (--state-dir, GUIX_OPS_STATE_DIR) and its permissions',
      cause: error,
    })
  }

  private async readText(file: string): Promise<string | undefined> {
    try {
      return await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw this.ioError(file, error)
    }
  }

  private async readDocument(file: string): Promise<DeploymentState | undefined> {
    const text = await this.readText(file)
    return text === undefined ? undefined : parseStateDocument(text, file)
  }

  async list(): Promise<{ deployments: DeploymentState[]; problems: StateProblem[] }> {
    let names: string[]
    try {
      names = await readdir(this.deploymentsDir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { deployments: [], problems: [] }
      throw this.ioError(this.deploymentsDir, error)
    }
    const deployments: DeploymentState[] = []
    const problems: StateProblem[] = []
    for (const name of names.sort()) {
      if (name.startsWith('.') || name.includes(TEMP_MARKER) || !name.endsWith('.json')) continue
      const file = path.join(this.deploymentsDir, name)
      const text = await this.readText(file)
      if (text === undefined) continue
      try {
        deployments.push(parseStateDocument(text, file))
      } catch (error) {
        if (!(error instanceof GuixOpsError)) throw error
        const shown = nameInText(text)
        problems.push({ file, error, ...(shown === undefined ? {} : { name: shown }) })
      }
    }
    deployments.sort((a, b) => a.name.localeCompare(b.name))
    return { deployments, problems }
  }

  async find(nameOrId: string): Promise<DeploymentState | undefined> {
    if (ID.test(nameOrId)) {
      const byId = await this.readDocument(this.documentPath(nameOrId))
      if (byId) return byId
    }
    const { deployments } = await this.list()
    return deployments.find((d) => d.name === nameOrId)
  }

  async write(state: DeploymentState): Promise<void> {
    const text = serializeStateDocument(state)
    const dir = await this.ensureDir('deployments')
    const file = path.join(dir, `${state.id}.json`)
    // A corrupt or foreign file in our place is reported, never overwritten.
    await this.readDocument(file)
    try {
      await writeFileAtomic(file, text)
    } catch (error) {
      throw this.ioError(file, error)
    }
  }

  /**
   * First the document goes out of sight in one rename, then the files of
   * the deployment, then the document: cut off anywhere, the deployment is
   * no longer listed, and `finishRemovals` completes the rest.
   */
  async remove(state: DeploymentState): Promise<void> {
    const file = this.documentPath(state.id)
    await this.readDocument(file) // same rule: never delete what we cannot read as ours
    const deleting = path.join(this.deploymentsDir, `.${state.id}.deleting`)
    try {
      await rename(file, deleting)
      await syncDirectory(this.deploymentsDir)
    } catch (error) {
      throw this.ioError(file, error)
    }
    await this.removeFiles(state.id, deleting)
  }

  /** Every file of a deployment (its plugin files, secrets), and last its renamed document. */
  private async removeFiles(id: string, deleting: string): Promise<void> {
    for (const sub of ['machines', 'shared', 'secrets']) {
      const dir = path.join(this.dir, sub, id)
      await rm(dir, { recursive: true, force: true }).catch((error: unknown) => {
        throw this.ioError(dir, error)
      })
    }
    await rm(deleting, { force: true }).catch((error: unknown) => {
      throw this.ioError(deleting, error)
    })
  }

  async finishRemovals(): Promise<DeploymentState[]> {
    let names: string[]
    try {
      names = await readdir(this.deploymentsDir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw this.ioError(this.deploymentsDir, error)
    }
    const finished: DeploymentState[] = []
    for (const name of names) {
      const id = DELETING.exec(name)?.[1]
      if (!id) continue
      const deleting = path.join(this.deploymentsDir, name)
      const text = await this.readText(deleting)
      if (text === undefined) continue
      const state = parseStateDocument(text, deleting)
      await this.removeFiles(id, deleting)
      finished.push(state)
    }
    return finished
  }

  async lock(name: string, command: string, onTakeover?: (stale: LockInfo) => void): Promise<HeldLock> {
    const file = this.lockPath(name)
    await this.ensureDir('locks')
    return this.lockIo(file, () => acquireLock(file, name, command, onTakeover))
  }

  async readLock(name: string): Promise<LockInfo | undefined> {
    const file = this.lockPath(name)
    return (await this.lockIo(file, () => readLockFile(file)))?.info
  }

  async unlock(name: string): Promise<LockInfo | undefined> {
    const file = this.lockPath(name)
    const held = await this.lockIo(file, () => readLockFile(file))
    if (!held) return undefined
    await this.lockIo(file, () => rm(file, { force: true }))
    return held.info ?? { pid: 0, host: 'unknown (unreadable lock file)', command: 'unknown', startedAt: 'unknown' }
  }

  /** Lock errors of our own pass through; a failing file system becomes E_STATE_IO. */
  private async lockIo<T>(file: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw error instanceof GuixOpsError ? error : this.ioError(file, error)
    }
  }
}
