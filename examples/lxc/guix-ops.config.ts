// The quick start on containers: the same db + web pair, plus a small fleet
// (ten web nodes) behind one proxy whose config lists every node from their
// results. All are LXC containers on this host (the `lxc` platform): clones
// of one Debian base, on the deployment's own private network.
//
// Packages are fetched on this machine and copied over SSH
// (`packageSource: 'push'`), as in the quick start.
import { defineDeployment, type MachineResult } from '@guix-ops/plugin-api'

const REDIS_PORT = 6379
/** How many web nodes sit behind the proxy (fewer make a quicker try). */
const NODE_COUNT = Number(process.env.LXC_EXAMPLE_NODES ?? 10)
const NODES = Array.from({ length: NODE_COUNT }, (_, i) => `node${i + 1}`)
/** The host ports (on 127.0.0.1) that reach web, as in the quick start, and the proxy. */
const WEB_PORT = Number(process.env.LXC_EXAMPLE_WEB_PORT ?? 8080)
const PROXY_PORT = Number(process.env.LXC_EXAMPLE_PORT ?? 8081)

const web =
  (hostname: string, ports: Record<string, number> = {}) =>
  ({ db }: { db: MachineResult }) => ({
    platform: { type: 'lxc', memory: 256, ports },
    system: {
      type: 'debian',
      hostname,
      packageSource: 'push',
      packages: ['redis-tools'],
      files: {
        '/etc/quickstart/db.env': `DB_HOST=${db.address}\nDB_PORT=${REDIS_PORT}\n`,
        '/usr/local/bin/quickstart-hits': { source: '../quickstart/web/hits', mode: '0755' },
        '/etc/systemd/system/quickstart-web.socket': { source: '../quickstart/web/quickstart-web.socket' },
        '/etc/systemd/system/quickstart-web@.service': { source: '../quickstart/web/quickstart-web@.service' },
      },
      services: { 'quickstart-web.socket': {} },
    },
    tags: ['frontend'],
  })

/**
 * nginx balancing over every node, by the addresses their results give. The
 * zone shares the round robin between nginx's workers; X-Upstream says which
 * node answered.
 */
function proxyConfig(nodes: MachineResult[]): string {
  const servers = nodes.map((n) => `    server ${n.address}:80;`).join('\n')
  return [
    `upstream nodes {\n    zone nodes 64k;\n${servers}\n}`,
    'server {',
    '    listen 80 default_server;',
    '    add_header X-Upstream $upstream_addr always;',
    '    location / { proxy_pass http://nodes; }',
    '}',
    '',
  ].join('\n')
}

export default defineDeployment({
  name: 'lxc-fleet',
  description: 'Redis, a web front end, and ten web nodes behind an nginx proxy, on LXC containers',
  machines: {
    db: {
      platform: { type: 'lxc', memory: 512 },
      system: {
        type: 'debian',
        hostname: 'db',
        packageSource: 'push',
        packages: ['redis-server'],
        files: {
          '/etc/systemd/system/redis-server.service.d/listen.conf': [
            '[Service]',
            'ExecStart=',
            `ExecStart=/usr/bin/redis-server /etc/redis/redis.conf --bind 0.0.0.0 --port ${REDIS_PORT} --protected-mode no --supervised systemd --daemonize no`,
            '',
          ].join('\n'),
        },
        services: { 'redis-server': { restartOn: ['/etc/systemd/system/redis-server.service.d/listen.conf'] } },
      },
      tags: ['data'],
    },
    web: web('web', { '80': WEB_PORT }),
    ...Object.fromEntries(NODES.map((name) => [name, web(name)])),
    proxy: (results: Record<string, MachineResult>) => ({
      platform: { type: 'lxc', ports: { '80': PROXY_PORT } },
      system: {
        type: 'debian',
        hostname: 'proxy',
        packageSource: 'push',
        packages: ['nginx-light'],
        files: {
          '/etc/nginx/sites-enabled/default': proxyConfig(NODES.map((n) => results[n]!)),
        },
        services: { nginx: { restartOn: ['/etc/nginx/sites-enabled/default'] } },
      },
    }),
  },
})
