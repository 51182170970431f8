import path from 'node:path'
import { type NewPlatformResult, scaffoldPlatform } from '@guix-ops/core'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../base/command.js'
import { scaffoldNextSteps } from '../../render/scaffold-next.js'

export default class PlatformNew extends BaseCommand {
  static override summary = 'Write a new platform plugin package, ready to build, test and publish.'
  static override description =
    'TypeScript, a build script, a README, every contract method stubbed to fail clearly until written, and the conformance suite of @guix-ops/platform-test-kit (the lifecycle part with "npm run test:acc"). Refuses a directory that is not empty.'
  static override examples = [
    '<%= config.bin %> platform:new acme',
    '<%= config.bin %> platform:new acme --package @acme/guix-ops-platform --dir ./acme-platform',
  ]
  static override args = {
    name: Args.string({ description: 'the platform name users write as `type`', required: true }),
  }
  static override flags = {
    package: Flags.string({ description: 'npm package name [default: guix-ops-platform-NAME]', helpValue: 'NAME' }),
    dir: Flags.string({ description: 'where to write it [default: ./PACKAGE without its scope]', helpValue: 'DIR' }),
  }

  async run(): Promise<NewPlatformResult> {
    const { args, flags } = await this.parse(PlatformNew)
    const made = scaffoldPlatform({
      name: args.name,
      ...(flags.package === undefined ? {} : { packageName: flags.package }),
      ...(flags.dir === undefined ? {} : { dir: flags.dir }),
      cwd: process.cwd(),
      // The templates ship inside the CLI package (its "files").
      templateDir: path.join(this.config.root, 'templates', 'platform'),
    })
    this.log(`wrote ${made.package} (platform "${made.name}") to ${made.dir}:`)
    for (const file of made.files) this.log(`  ${file}`)
    const [first, ...rest] = scaffoldNextSteps(made.dir, process.cwd(), this.config.root)
    this.log(`next: ${first}`)
    for (const line of rest) this.log(line)
    return made
  }
}
