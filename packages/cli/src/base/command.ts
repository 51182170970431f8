/**
 * The base of every guix-ops command: the global flags, the engine context
 * (state store, plugins), and one way to render events and errors, as text
 * or, with --json, as JSON on stdout (errors too) and NDJSON warnings on stderr.
 */
import { type CliPlugin, type EngineContext, type EngineEvent, FileStateStore, resolveStateDir } from '@guix-ops/core'
import { Command, Flags, type Interfaces } from '@oclif/core'
import { renderError, toGuixOpsError } from '../render/errors.js'
import { ProgressView } from '../render/progress.js'
import { orderedPlugins } from './plugin-list.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>

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

  /** The engine's view of this run: state store, plugin dirs, event sink. */
  protected engine(stateDirFlag: string | undefined): EngineContext {
    const dir = resolveStateDir(stateDirFlag === undefined ? {} : { flag: stateDirFlag })
    return {
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

  override async catch(error: unknown): Promise<void> {
    const failure = toGuixOpsError(error)
    process.exitCode = failure.exit
    if (this.jsonEnabled()) this.logJson({ error: failure.toJSON() })
    else process.stderr.write(`${renderError(failure)}\n`)
  }
}
