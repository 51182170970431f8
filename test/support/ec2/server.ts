/**
 * The loopback EC2 endpoint: an HTTP server on 127.0.0.1 that speaks the EC2
 * Query API (POST of form-encoded parameters, XML answers in EC2's namespace;
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html).
 * Every request is read, and every answer written, through AWS's own model
 * (model.ts): what EC2 would refuse is refused, and the endpoint cannot
 * answer with a member EC2 does not have.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { addressActions } from './addresses.js'
import { Ec2Fault, errorXml } from './faults.js'
import { type Context, instanceActions } from './instances.js'
import { sshdMachines } from './machines.js'
import { loadEc2Model } from './model.js'
import { modifyActions } from './modify.js'
import { readRequest } from './query.js'
import { resourceActions } from './resources.js'
import { type Image, World } from './world.js'
import { writeResponse } from './xml.js'

const actions = { ...instanceActions, ...modifyActions, ...resourceActions, ...addressActions }

/** Images every endpoint offers: two Debian releases, so "newest by name" has a choice. */
export const IMAGES: Image[] = [
  {
    id: 'ami-0d1e2b3a4c5f60011',
    name: 'debian-12-amd64-20240101-1',
    ownerId: '136693071363',
    creationDate: '2024-01-01T10:00:00.000Z',
    architecture: 'x86_64',
  },
  {
    id: 'ami-0d1e2b3a4c5f60022',
    name: 'debian-12-amd64-20240601-2',
    ownerId: '136693071363',
    creationDate: '2024-06-01T10:00:00.000Z',
    architecture: 'x86_64',
  },
  {
    id: 'ami-0d1e2b3a4c5f60033',
    name: 'debian-11-amd64-20240601-3',
    ownerId: '136693071363',
    creationDate: '2024-06-02T10:00:00.000Z',
    architecture: 'x86_64',
  },
]

export interface Ec2Endpoint {
  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL_EC2. */
  url: string
  world: World
  stop(): Promise<void>
}

async function body(req: IncomingMessage): Promise<string> {
  let text = ''
  for await (const chunk of req) text += chunk
  return text
}

/** Signed by SigV4 with some access key, as every SDK request is; the signature itself is not checked. */
function authorized(req: IncomingMessage): void {
  if (!/^AWS4-HMAC-SHA256 Credential=[A-Z0-9]+\//.test(req.headers.authorization ?? ''))
    throw new Ec2Fault('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)
}

async function answer(ctx: Context, req: IncomingMessage): Promise<{ status: number; xml: string }> {
  const model = loadEc2Model()
  const requestId = randomUUID()
  let action = ''
  try {
    if (req.method !== 'POST') throw new Ec2Fault('InvalidAction', 'The EC2 Query API takes POST requests here')
    authorized(req)
    const params = new Map(new URLSearchParams(await body(req)))
    action = params.get('Action') ?? ''
    ctx.world.calls.push(action)
    const input = readRequest(model, action, params)
    const handler = actions[action]
    if (!handler) throw new Ec2Fault('InvalidAction', `The endpoint does not implement ${action}`)
    ctx.world.injected(action)
    if (input.DryRun === true)
      throw new Ec2Fault('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412)
    return { status: 200, xml: writeResponse(model, action, await handler(ctx, input), requestId) }
  } catch (error) {
    if (error instanceof Ec2Fault) {
      ctx.world.faults.push(`${action}: ${error.code}`)
      return { status: error.status, xml: errorXml(error, requestId) }
    }
    // A response the model does not allow, or a bug here: the test must see it, not the plugin's error mapping.
    return { status: 500, xml: errorXml(new Ec2Fault('InternalError', String(error), 500), requestId) }
  }
}

export async function startEc2Endpoint(options: { transitionMs?: number } = {}): Promise<Ec2Endpoint> {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-ec2-'))
  const world = new World()
  world.images = [...IMAGES]
  const machines = sshdMachines(dir, world)
  const ctx: Context = { world, machines, transitionMs: options.transitionMs ?? 300 }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    answer(ctx, req).then(({ status, xml }) => {
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' }).end(xml)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    world,
    async stop() {
      await new Promise((resolve) => server.close(resolve))
      await machines.stopAll()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
