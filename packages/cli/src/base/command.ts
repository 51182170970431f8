/**
 * The base of every guix-ops command: the global flags, the engine context
 * (state store, plugins), and one way to render events and errors, as text
 * or, with --json, as JSON on stdout (errors too) and NDJSON warnings on stderr.
 */
import {
  type CliPlugin,
  configEvaluationTimedOut,
  type EngineContext,
  type EngineEvent,
  FileStateStore,
  resolveStateDir,
} from '@guix-ops/core'
import { Command, Flags, type Interfaces } from '@oclif/core'
import { renderError, toGuixOpsError } from '../render/errors.js'
import { ProgressView } from '../render/progress.js'
import { orderedPlugins } from './plugin-list.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>

// biome-ignore lint/suspicious/noExplicitAny: oclif's FlagOutput and ArgOutput, which it does not export
type ParserValues = Record<string, any>

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    'state-dir': Flags.string({
      description: 'where deployments are recorded [default: ~/.config/guix/ops]',
      env: 'GUIX_OPS_STATE_DIR',
      helpGroup: 'GLOBAL',
      helpValue: 'DIR',
    }),
  }

  /** From --config-timeout, on the commands that evaluate a config. */
  private configTimeoutMs: number | undefined

  protected override async parse<F extends ParserValues, B extends ParserValues, A extends ParserValues>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    const seconds = (parsed.flags as { 'config-timeout'?: number })['config-timeout']
    if (seconds !== undefined) this.configTimeoutMs = seconds * 1000
    return parsed
  }

  /** The engine's view of this run: state store, plugin dirs, event sink. */
  protected engine(stateDirFlag: string | undefined): EngineContext {
    const dir = resolveStateDir(stateDirFlag === undefined ? {} : { flag: stateDirFlag })
    return {
      ...(this.configTimeoutMs === undefined ? {} : { configTimeoutMs: this.configTimeoutMs }),
      renderFatal: (error) =>
        this.jsonEnabled()
          ? { stdout: `${JSON.stringify({ error: error.toJSON() }, null, 2)}\n` }
          : { stderr: `${renderError(error)}\n` },
      store: new FileStateStore(dir),
      cwd: process.cwd(),
      command: ['guix-ops', this.id ?? '', ...this.argv].join(' ').trim(),
      cliPlugins: this.cliPlugins(),
      emit: (event) => this.renderEvent(event),
    }
  }

  /** The engine, with machine steps and progress drawn as a progress view (as NDJSON with --json). */
  protected engineWithProgress(stateDirFlag: string | undefined): EngineContext {
    const view = this.jsonEnabled() ? undefined : new ProgressView(process.stderr)
    return {
      ...this.engine(stateDirFlag),
      emit: (event) => {
        if (view && (event.type === 'step' || event.type === 'progress' || event.type === 'log')) view.event(event)
        else this.renderEvent(event)
      },
    }
  }

  /**
   * The plugins oclif loaded, those that ship with the CLI (its `oclif.plugins`)
   * and those the user installed or linked alike: the ones declaring platforms,
   * systems or hooks are read by the same manifest route.
   */
  private cliPlugins(): CliPlugin[] {
    return orderedPlugins(this.config)
      .filter((p) => 'guix-ops' in (p.pjson as object))
      .map((p) => ({ dir: p.root, bundled: p.type === 'core' }))
  }

  protected renderEvent(event: EngineEvent): void {
    if (this.jsonEnabled()) {
      process.stderr.write(`${JSON.stringify(event)}\n`)
      return
    }
    if (event.type === 'warning') this.logToStderr(`warning: ${event.message}${event.file ? ` (${event.file})` : ''}`)
    else this.logToStderr(event.message)
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    await super.finally(error)
    // A config that never settled may still hold timers or sockets in this
    // process; the command is over, so they must not keep it running.
    if (configEvaluationTimedOut()) setTimeout(() => process.exit(), 500).unref()
  }

  override async catch(error: unknown): Promise<void> {
    const failure = toGuixOpsError(error)
    process.exitCode = failure.exit
    if (this.jsonEnabled()) this.logJson({ error: failure.toJSON() })
    else process.stderr.write(`${renderError(failure)}\n`)
  }
}
