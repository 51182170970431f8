import { BaseCommand, table } from '@guix-ops/cli'
import type { CachedImage } from '../../images/cache.js'

const size = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`

export default class ImageList extends BaseCommand {
  static override summary = 'List the VM base images in the cache.'
  static override examples = ['<%= config.bin %> image list', '<%= config.bin %> image list --json']

  async run(): Promise<CachedImage[]> {
    await this.parse(ImageList)
    const { listImages } = await import('../../images/cache.js')
    const images = await listImages()
    this.log(
      images.length === 0
        ? 'no images in the cache'
        : table(
            ['NAME', 'SOURCE', 'SIZE', 'CREATED'],
            images.map((i) => [i.name, `${i.source} ${i.origin}`, size(i.bytes), i.createdAt]),
          ),
    )
    return images
  }
}
