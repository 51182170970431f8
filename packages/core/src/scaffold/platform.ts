/** `platform:new`: a platform package written from the platform template. */
import path from 'node:path'
import { checkPackageName, checkPluginName, tarballBase } from './names.js'
import { writeTemplate } from './write.js'

export interface NewPlatformOptions {
  /** The platform name users write as `type`. */
  name: string
  /** npm package name; `guix-ops-platform-<name>` when not given. */
  packageName?: string
  /** Where to write it; `<cwd>/<package name without scope>` when not given. */
  dir?: string
  cwd: string
  /** The platform template directory (the CLI ships it in `templates/platform`). */
  templateDir: string
}

export interface NewPlatformResult {
  name: string
  package: string
  dir: string
  files: string[]
}

export function scaffoldPlatform(options: NewPlatformOptions): NewPlatformResult {
  checkPluginName('platform', options.name)
  const packageName = options.packageName ?? `guix-ops-platform-${options.name}`
  checkPackageName(packageName)
  const dir = path.resolve(options.cwd, options.dir ?? packageName.replace(/^@[^/]+\//, ''))
  const files = writeTemplate(options.templateDir, dir, {
    name: options.name,
    package: packageName,
    tarball: tarballBase(packageName),
    CODE: options.name.toUpperCase().replaceAll('-', '_'),
  })
  return { name: options.name, package: packageName, dir, files }
}
