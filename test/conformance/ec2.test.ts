// The ec2 platform passes the platform conformance suite against the
// loopback EC2 endpoint (test/support/ec2), whose instances are real sshd
// hosts on 127.0.0.N: provision, SSH with the host key from the console,
// stop, start, reboot, re-provision as a no-op, destroy.
// With GUIX_OPS_ACC_EC2=1 (and AWS credentials in the environment) the same
// suite runs against a real AWS account instead, and costs money.

import { describePlatformConformance } from '@guix-ops/platform-test-kit'
import ec2 from '@guix-ops/plugin-ec2'
import { afterAll, beforeAll } from 'vitest'
import { type Ec2Endpoint, ec2ModelUnavailable, ec2TestEnv, startEc2Endpoint } from '../support/ec2/index.js'
import { sshdUnavailable } from '../support/sshd.js'

const acceptance = process.env.GUIX_OPS_ACC_EC2 === '1'
const unavailable = acceptance ? undefined : (ec2ModelUnavailable() ?? sshdUnavailable())
if (!acceptance)
  console.warn(
    'ec2 acceptance against a real AWS account skipped: set GUIX_OPS_ACC_EC2=1 and AWS credentials to run it',
  )
let endpoint: Ec2Endpoint | undefined

beforeAll(async () => {
  if (acceptance || unavailable) return
  endpoint = await startEc2Endpoint()
  Object.assign(process.env, ec2TestEnv(endpoint.url))
})
afterAll(async () => {
  await endpoint?.stop()
})

describePlatformConformance(ec2, {
  options: () =>
    acceptance
      ? { region: process.env.AWS_REGION ?? 'eu-west-1', sshFrom: process.env.GUIX_OPS_ACC_EC2_CIDR ?? '0.0.0.0/0' }
      : { region: 'us-east-1', user: 'root', bootTimeout: 60 },
  invalid: [
    { options: { region: 'mars-north-1' }, path: 'region' },
    { options: { instanceType: 3 }, path: 'instanceType' },
    { options: { rootVolume: { size: 0 } }, path: 'rootVolume.size' },
    { options: { rootVolume: { type: 'floppy' } }, path: 'rootVolume.type' },
    { options: { address: 'both' }, path: 'address' },
    { options: { sshFrom: '10.0.0.0/33' }, path: 'sshFrom' },
    { options: { securityGroups: ['default'] }, path: 'securityGroups.0' },
    { options: { keyPair: 'mine' }, path: 'identity' },
    { options: { tags: { 'aws:x': 'y' } }, path: 'tags.aws:x' },
    { options: { memory: 512 }, path: '' },
  ],
  timeoutMs: acceptance ? 600_000 : 30_000,
  ...(unavailable ? { skipLifecycle: unavailable } : {}),
})
