import path from 'node:path'
import { exportDeployment, writeExport } from '@guix-ops/core'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { deploymentFlag } from '../base/flags.js'

export default class Export extends BaseCommand {
  static override summary = "Write a deployment's state as JSON, or as an s-expression for Guile."
  static override description =
    'The JSON form can be read back with "guix-ops import". The sexp form is guile-json\'s representation (objects as association lists, arrays as vectors), for reading with (read) in Guile.'
  static override examples = [
    '<%= config.bin %> export -d shop > shop.json',
    '<%= config.bin %> export -d shop --format sexp -o shop.scm',
  ]
  static override flags = {
    deployment: deploymentFlag,
    format: Flags.string({ options: ['json', 'sexp'] as const, default: 'json', description: 'output format' }),
    output: Flags.string({ char: 'o', description: 'write to this file (0600) instead of stdout', helpValue: 'FILE' }),
  }

  async run(): Promise<{ id: string; name: string; format: string; output?: string; document?: string }> {
    const { flags } = await this.parse(Export)
    const format = flags.format === 'sexp' ? 'sexp' : 'json'
    const { state, text } = await exportDeployment(this.engine(flags['state-dir']), {
      deployment: flags.deployment,
      format,
    })
    if (flags.output !== undefined) {
      const output = path.resolve(flags.output)
      await writeExport(output, text)
      this.logToStderr(`Exported deployment "${state.name}" to ${output}`)
      return { id: state.id, name: state.name, format, output }
    }
    if (!this.jsonEnabled()) process.stdout.write(text)
    return { id: state.id, name: state.name, format, document: text }
  }
}
