import { Args, BaseCommand } from '@guix-ops/cli'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { QemuError } from '../../codes.js'

export default class ImageRm extends BaseCommand {
  static override summary = 'Remove VM base images from the cache.'
  static override description =
    'Machines already created keep working only while their base image exists: remove an image after destroying the machines made from it.'
  static override examples = ['<%= config.bin %> image rm debian-bookworm-0a4ab9977c1d']
  static override strict = false
  static override args = {
    name: Args.string({ description: 'image names, as `image list` shows them', required: true }),
  }

  async run(): Promise<{ removed: string[] }> {
    const { argv } = await this.parse(ImageRm)
    const { listImages, removeImage } = await import('../../images/cache.js')
    const names = argv as string[]
    const known = new Set((await listImages()).map((i) => i.name))
    const unknown = names.filter((n) => !known.has(n))
    if (unknown.length > 0)
      throw new GuixOpsError(QemuError.ImageUnknown, `no image named ${unknown.join(', ')} in the cache`, {
        suggestion: 'see guix-ops image list',
      })
    for (const name of names) await removeImage(name)
    this.log(`removed ${names.join(', ')}`)
    return { removed: names }
  }
}
