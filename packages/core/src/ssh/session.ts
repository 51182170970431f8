/**
 * One SSH connection to a machine, reused for every step of a deploy:
 * commands (argument arrays, quoted here), and file transfer over SFTP,
 * written atomically on the target.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { type ExecOptions, type ExecResult, GuixOpsError, isGuixOpsError, type RemoteHost } from '@guix-ops/plugin-api'
import type { Client, SFTPWrapper } from 'ssh2'
import { ErrorCode } from '../codes.js'
import { describeTarget, transportError } from './errors.js'
import { commandLine } from './quote.js'
import type { SshOptions, SshTarget } from './target.js'
import { uploadFailure } from './upload-failure.js'

/**
 * Through sudo: the file written by the SSH user into a staging dir is put
 * in place by root, beside its target then renamed over it, and the staging
 * dir goes, all in one command. chown, not install -o: the owner may be
 * "user:group", which install does not take. A fixed script: paths, mode
 * and owner are its arguments.
 */
const PLACE_SCRIPT = `staging="$1"; file="$2"; temp="$3"
install -m "$4" -T -- "$staging/upload" "$temp" && { [ -z "$5" ] || chown -- "$5" "$temp"; } && mv -f -T -- "$temp" "$file"
status=$?; [ $status = 0 ] || rm -f -- "$temp"; rm -rf -- "$staging"; exit $status`

interface RawResult {
  stdout: Buffer
  stderr: Buffer
  code: number | null
}

export class SshSession implements RemoteHost {
  private sftpChannel: Promise<SFTPWrapper> | undefined

  /** The host key the server presented, as pinned. */
  readonly hostKey: string
  /** The key its jump host presented, when reached through one. */
  readonly jumpHostKey: string | undefined

  constructor(
    private readonly client: Client,
    readonly target: SshTarget,
    private readonly options: SshOptions,
    keys: { hostKey: string; jumpHostKey?: string },
    private readonly onClose: () => void = () => {},
  ) {
    this.hostKey = keys.hostKey
    this.jumpHostKey = keys.jumpHostKey
  }

  private get elevate(): boolean {
    return this.target.sudo === true && this.target.user !== 'root'
  }

  private raw(argv: readonly string[], options: ExecOptions = {}): Promise<RawResult> {
    const full = (options.sudo ?? true) && this.elevate ? ['sudo', '-n', '--', ...argv] : [...argv]
    const line = commandLine(full)
    return new Promise((resolve, reject) => {
      this.client.exec(line, (error, stream) => {
        if (error)
          return reject(transportError(ErrorCode.SshExec, this.target, this.options, `cannot run ${argv[0]}`, error))
        const out: Buffer[] = []
        const err: Buffer[] = []
        stream.on('data', (chunk: Buffer) => {
          out.push(chunk)
          options.onStdout?.(chunk.toString('utf8'))
        })
        stream.stderr.on('data', (chunk: Buffer) => {
          err.push(chunk)
          options.onStderr?.(chunk.toString('utf8'))
        })
        stream.on('close', (code: number | null | undefined, signal: string | undefined) => {
          if (typeof code !== 'number' && !signal) {
            // No exit status and no signal: the connection went away under the command.
            const lost = new Error('the connection was lost before the command finished')
            reject(transportError(ErrorCode.SshExec, this.target, this.options, `${argv[0]} interrupted`, lost))
            return
          }
          resolve({
            stdout: Buffer.concat(out),
            stderr: Buffer.concat(err),
            code: typeof code === 'number' ? code : null,
          })
        })
        if (options.stdin !== undefined) stream.end(options.stdin)
        else stream.end()
      })
    })
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const result = await this.raw(argv, options)
    return { stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8'), code: result.code }
  }

  /** Runs a command that must succeed; its stderr is in the error. */
  async run(argv: readonly string[], options: ExecOptions = {}): Promise<string> {
    const result = await this.exec(argv, options)
    if (result.code !== 0) {
      const reason = `exit ${result.code ?? 'by signal'}${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`
      throw transportError(ErrorCode.SshExec, this.target, this.options, `${argv.join(' ')} failed`, new Error(reason))
    }
    return result.stdout
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpChannel ??= new Promise((resolve, reject) => {
      this.client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)))
    })
    return this.sftpChannel
  }

  /**
   * Writes a file on the target atomically: a temp file beside it, then a
   * rename. Through sudo, the temp file is written as the SSH user and
   * moved into place by root.
   */
  async upload(
    file: string,
    content: string | Uint8Array,
    options: { mode?: number; owner?: string } = {},
  ): Promise<void> {
    const mode = options.mode ?? 0o644
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content)
    const suffix = `.guix-ops-${randomBytes(6).toString('hex')}`
    try {
      if (this.elevate) {
        const staging = (await this.run(['mktemp', '-d'], { sudo: false })).trim()
        await this.writeSftp(`${staging}/upload`, data, 0o600).catch(async (error: unknown) => {
          await this.exec(['rm', '-rf', staging], { sudo: false }).catch(() => undefined)
          throw error
        })
        const modeText = mode.toString(8).padStart(4, '0')
        await this.run([
          'sh',
          '-c',
          PLACE_SCRIPT,
          'sh',
          staging,
          file,
          `${file}${suffix}`,
          modeText,
          options.owner ?? '',
        ])
        return
      }
      const temp = path.posix.join(path.posix.dirname(file), `.${path.posix.basename(file)}${suffix}`)
      try {
        await this.writeSftp(temp, data, mode)
        if (options.owner) await this.chown(temp, options.owner)
        await this.renameSftp(temp, file)
      } catch (error) {
        await this.exec(['rm', '-f', '--', temp]).catch(() => undefined)
        throw error
      }
    } catch (error) {
      if (isGuixOpsError(error)) throw error
      const why = await uploadFailure((argv) => this.exec(argv), file, data.length, error)
      throw transportError(ErrorCode.SshTransfer, this.target, this.options, `cannot write ${file}`, why)
    }
  }

  /** An owner given as `uid:gid` is set over SFTP; names need the host's chown. */
  private async chown(file: string, owner: string): Promise<void> {
    const ids = /^(\d+):(\d+)$/.exec(owner)
    if (!ids) {
      await this.run(['chown', owner, file])
      return
    }
    const sftp = await this.sftp()
    await new Promise<void>((resolve, reject) => {
      sftp.chown(file, Number(ids[1]), Number(ids[2]), (error) => (error ? reject(error) : resolve()))
    })
  }

  private async writeSftp(file: string, data: Buffer, mode: number): Promise<void> {
    const sftp = await this.sftp()
    await new Promise<void>((resolve, reject) => {
      sftp.writeFile(file, data, { mode }, (error) => (error ? reject(error) : resolve()))
    })
    // The remote umask may have narrowed the mode given at creation.
    await new Promise<void>((resolve, reject) => sftp.chmod(file, mode, (error) => (error ? reject(error) : resolve())))
  }

  private async renameSftp(from: string, to: string): Promise<void> {
    const sftp = await this.sftp()
    await new Promise<void>((resolve, reject) => {
      // Plain SFTP rename refuses an existing target; OpenSSH's posix-rename replaces it atomically.
      sftp.ext_openssh_rename(from, to, (error) => (error ? reject(error) : resolve()))
    })
  }

  async download(file: string): Promise<Uint8Array> {
    try {
      if (this.elevate) {
        const result = await this.raw(['cat', '--', file])
        if (result.code !== 0) throw new Error(result.stderr.toString('utf8').trim() || `exit ${result.code}`)
        return result.stdout
      }
      const sftp = await this.sftp()
      return await new Promise<Buffer>((resolve, reject) => {
        sftp.readFile(file, (error: Error | undefined, data: Buffer) => (error ? reject(error) : resolve(data)))
      })
    } catch (error) {
      throw transportError(ErrorCode.SshTransfer, this.target, this.options, `cannot read ${file}`, error)
    }
  }

  /** With `sudo`, checks once that `sudo -n` works, so a missing or password-only sudo fails clearly up front. */
  async verifySudo(): Promise<void> {
    if (!this.elevate) return
    const result = await this.exec(['true'])
    if (result.code === 0) return
    const reason = result.stderr.trim().split('\n').at(-1) || `exit ${result.code}`
    throw new GuixOpsError(
      ErrorCode.SshSudo,
      `${describeTarget(this.target, this.options)}: sudo -n does not work for ${this.target.user}: ${reason}`,
      {
        where: { ...(this.options.label?.machine ? { machine: this.options.label.machine } : {}) },
        suggestion: `install sudo and let ${this.target.user} run commands without a password (NOPASSWD), or log in as root`,
      },
    )
  }

  close(): void {
    this.client.end()
    this.onClose()
  }
}
