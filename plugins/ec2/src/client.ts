/**
 * The AWS SDK, loaded only when a machine of this platform is worked on (so
 * the CLI starts without it), and one client per region. Credentials and the
 * region come from the SDK's standard chain (environment, profile, SSO,
 * instance role), and the endpoint from its standard settings
 * (AWS_ENDPOINT_URL_EC2); nothing of them is kept in state.
 */
import type { EC2Client } from '@aws-sdk/client-ec2'
import { fromAws } from './aws-errors.js'
import { Ec2Error, ec2Error } from './errors.js'

export type Sdk = typeof import('@aws-sdk/client-ec2')

let loading: Promise<Sdk> | undefined

export const loadSdk = (): Promise<Sdk> => {
  loading ??= import('@aws-sdk/client-ec2')
  return loading
}

/** Throttled calls are retried with the SDK's backoff; five tries in all before giving up. */
const MAX_ATTEMPTS = 5

export interface Aws {
  sdk: Sdk
  client: EC2Client
  region: string
  machine: string
  /** Runs one SDK call, turning an AWS error into one that names the machine and AWS's code. */
  call<T>(what: string, run: (client: EC2Client, sdk: Sdk) => Promise<T>): Promise<T>
}

async function resolveRegion(sdk: Sdk, machine: string, region: string | undefined): Promise<string> {
  if (region) return region
  try {
    const probe = new sdk.EC2Client({})
    const found = await probe.config.region()
    probe.destroy()
    if (found) return found
  } catch {}
  throw ec2Error(Ec2Error.NoRegion, `ec2: machine "${machine}": no AWS region is set`, {
    machine,
    path: 'platform.region',
    suggestion: 'set platform.region, or AWS_REGION, or a region in the AWS profile',
  })
}

export async function connect(machine: string, region: string | undefined): Promise<Aws> {
  const sdk = await loadSdk()
  const resolved = await resolveRegion(sdk, machine, region)
  const c = new sdk.EC2Client({ region: resolved, maxAttempts: MAX_ATTEMPTS })
  return {
    sdk,
    client: c,
    region: resolved,
    machine,
    call: async (what, run) => {
      try {
        return await run(c, sdk)
      } catch (error) {
        throw fromAws(error, what, machine)
      }
    },
  }
}
