import { Args, BaseCommand } from '@guix-ops/cli'

export default class LxcImagesRm extends BaseCommand {
  static override summary = 'Remove base containers of the lxc platform.'
  static override description =
    'LXC refuses to remove a base while machines cloned from it exist: destroy those deployments first. The next machine that needs the base builds it again.'
  static override examples = ['<%= config.bin %> lxc images rm guix-ops-lxc-debian-bookworm-amd64-v1']
  static override strict = false
  static override args = {
    name: Args.string({ description: 'base names, as `lxc images list` shows them', required: true }),
  }

  async run(): Promise<{ removed: string[] }> {
    const { argv } = await this.parse(LxcImagesRm)
    const { listBases, removeBase } = await import('../../../base.js')
    const names = argv as string[]
    const known = new Set((await listBases()).map((b) => b.name))
    const unknown = names.filter((n) => !known.has(n))
    if (unknown.length > 0) {
      const { LxcError, lxcError } = await import('../../../errors.js')
      throw lxcError(LxcError.BaseUnknown, `no base container named ${unknown.join(', ')}`, {
        suggestion: 'see guix-ops lxc images list',
      })
    }
    for (const name of names) await removeBase(name)
    this.log(`removed ${names.join(', ')}`)
    return { removed: names }
  }
}
