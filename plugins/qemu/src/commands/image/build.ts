import { Args, BaseCommand, ProgressView } from '@guix-ops/cli'

export default class ImageBuild extends BaseCommand {
  static override summary = 'Build a VM base image ahead of time (the qemu platform builds it on first use otherwise).'
  static override description =
    'The `debian` builder makes a small bootable Debian from the Debian mirror this machine uses (mmdebstrap), and caches it under a hash of its recipe: building again is instant until the recipe changes.'
  static override examples = ['<%= config.bin %> image build debian']
  static override args = {
    builder: Args.string({ description: 'the image builder', options: ['debian'], default: 'debian' }),
  }

  async run(): Promise<{ name: string; disk: string; createdAt: string }> {
    await this.parse(ImageBuild)
    const { debianImage } = await import('../../images/debian.js')
    const view = new ProgressView(process.stderr)
    const json = this.jsonEnabled()
    const image = await debianImage({
      report: (message, amount) => {
        const event = { type: 'progress' as const, machine: 'image', message, ...(amount ?? {}) }
        if (json) process.stderr.write(`${JSON.stringify(event)}\n`)
        else view.event(event)
      },
    })
    this.log(`image ${image.name}: ${image.disk}`)
    return { name: image.name, disk: image.disk, createdAt: image.createdAt }
  }
}
