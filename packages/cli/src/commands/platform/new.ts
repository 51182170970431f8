import path from 'node:path'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../base/command.js'
import { checkPackageName, checkPluginName, tarballBase } from '../../scaffold/names.js'
import { writeTemplate } from '../../scaffold/write.js'

export interface NewPlatformResult {
  name: string
  package: string
  dir: string
  files: string[]
}

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
    checkPluginName('platform', args.name)
    const packageName = flags.package ?? `guix-ops-platform-${args.name}`
    checkPackageName(packageName)
    const dir = path.resolve(flags.dir ?? packageName.replace(/^@[^/]+\//, ''))
    // templates/ sits beside packages/ in the source tree the CLI runs from.
    const templates = path.join(this.config.root, '..', '..', 'templates', 'platform')
    const files = writeTemplate(templates, dir, {
      name: args.name,
      package: packageName,
      tarball: tarballBase(packageName),
      CODE: args.name.toUpperCase().replaceAll('-', '_'),
    })
    this.log(`wrote ${packageName} (platform "${args.name}") to ${dir}:`)
    for (const file of files) this.log(`  ${file}`)
    this.log(`next: cd ${path.relative(process.cwd(), dir) || '.'} && npm install && npm test`)
    return { name: args.name, package: packageName, dir, files }
  }
}
