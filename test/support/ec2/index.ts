/**
 * The loopback EC2 endpoint and the environment that points the AWS SDK at
 * it. Nothing here may reach AWS: `ec2TestEnv` refuses any endpoint that is
 * not a loopback URL, and turns off the instance metadata service, so the
 * SDK's credential and region chains never leave this machine.
 */

export { ec2ModelUnavailable } from './model.js'
export { type Ec2Endpoint, IMAGES, startEc2Endpoint } from './server.js'
export type { World } from './world.js'

const LOOPBACK = /^http:\/\/(127\.[0-9]+\.[0-9]+\.[0-9]+|\[::1\]|localhost)(:[0-9]+)?\/?$/

/** The environment for guix-ops (or the SDK) to use the endpoint at `url`; throws unless it is loopback. */
export function ec2TestEnv(url: string | undefined): Record<string, string> {
  if (!url || !LOOPBACK.test(url))
    throw new Error(`refusing to run EC2 tests: the EC2 endpoint ${url ?? '(none)'} is not a loopback URL`)
  return {
    AWS_ENDPOINT_URL_EC2: url,
    AWS_ENDPOINT_URL: url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '5',
  }
}
