import { BaseCommand, table } from '@guix-ops/cli'
import type { BaseInfo } from '../../../base.js'

export default class LxcImagesList extends BaseCommand {
  static override summary = 'List the base containers the lxc platform has built.'
  static override description =
    'One base per Debian release and architecture, built once with lxc-create -t debian; every machine is a copy-on-write clone of one.'
  static override examples = ['<%= config.bin %> lxc images list', '<%= config.bin %> lxc images list --json']

  async run(): Promise<BaseInfo[]> {
    await this.parse(LxcImagesList)
    const { listBases } = await import('../../../base.js')
    const bases = await listBases()
    this.log(
      bases.length === 0
        ? 'no base containers'
        : table(
            ['NAME', 'DISTRO', 'RELEASE', 'ARCH', 'CREATED'],
            bases.map((b) => [b.name, b.distro, b.release, b.arch, b.createdAt]),
          ),
    )
    return bases
  }
}
