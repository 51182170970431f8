/** The `ami` option: an AMI id as it is, or a name pattern resolved to the newest image matching it. */
import type { Image } from '@aws-sdk/client-ec2'
import type { Aws } from './client.js'
import { Ec2Error, ec2Error } from './errors.js'

const AMI_ID = /^ami-[0-9a-f]{8,17}$/

export interface ResolvedImage {
  imageId: string
  /** Where the root volume's size and type are set in the launch: the image's own root device. */
  rootDeviceName: string
}

export async function resolveImage(aws: Aws, ami: string, owners: string[]): Promise<ResolvedImage> {
  const byId = AMI_ID.test(ami)
  const found = await aws.call('DescribeImages', (c, sdk) =>
    c.send(
      new sdk.DescribeImagesCommand(
        byId
          ? { ImageIds: [ami] }
          : {
              Owners: owners,
              Filters: [
                { Name: 'name', Values: [ami] },
                { Name: 'state', Values: ['available'] },
              ],
            },
      ),
    ),
  )
  const newest = (found.Images ?? [])
    .filter((i): i is Image & { ImageId: string } => typeof i.ImageId === 'string')
    .sort((a, b) => (a.CreationDate ?? '').localeCompare(b.CreationDate ?? ''))
    .at(-1)
  if (!newest)
    throw ec2Error(
      Ec2Error.Image,
      `ec2: machine "${aws.machine}": no image ${byId ? ami : `named "${ami}" owned by ${owners.join(', ')}`} in ${aws.region}`,
      { machine: aws.machine, path: 'platform.ami', suggestion: 'check the ami option, amiOwners and the region' },
    )
  return { imageId: newest.ImageId, rootDeviceName: newest.RootDeviceName ?? '/dev/xvda' }
}
