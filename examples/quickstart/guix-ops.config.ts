// The quick start: a database and a web server that needs the database's
// address, on two local VMs. `web` is a function of the other machines'
// results, so guix-ops infers that it depends on `db`, deploys `db` first and
// passes its address on the deployment's private network.
//
// The VMs reach no package mirror: `packageSource: 'push'` fetches the
// packages on this machine and copies them over SSH.
import { defineDeployment } from '@guix-ops/plugin-api'

const REDIS_PORT = 6379
/** The host port (on 127.0.0.1) that reaches web's HTTP server. */
const WEB_PORT = Number(process.env.QUICKSTART_WEB_PORT ?? 8080)

export default defineDeployment({
  name: 'quickstart',
  description: 'A key-value store and a web front end that reads from it, on two local VMs',
  machines: {
    db: {
      platform: { type: 'qemu', memory: 512, cpus: 1, diskSize: '4G' },
      system: {
        type: 'debian',
        hostname: 'db',
        packageSource: 'push',
        packages: ['redis-server'],
        files: {
          // Listen on the private network too (Debian's default is loopback only).
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
    web: ({ db }) => ({
      platform: { type: 'qemu', memory: 512, cpus: 1, diskSize: '4G', ports: { '80': WEB_PORT } },
      system: {
        type: 'debian',
        hostname: 'web',
        packageSource: 'push',
        packages: ['redis-tools'],
        files: {
          '/etc/quickstart/db.env': `DB_HOST=${db.address}\nDB_PORT=${REDIS_PORT}\n`,
          '/usr/local/bin/quickstart-hits': { source: './web/hits', mode: '0755' },
          '/etc/systemd/system/quickstart-web.socket': { source: './web/quickstart-web.socket' },
          '/etc/systemd/system/quickstart-web@.service': { source: './web/quickstart-web@.service' },
        },
        // systemd serves the page itself (like inetd): no web server package needed.
        services: { 'quickstart-web.socket': {} },
      },
      tags: ['frontend'],
    }),
  },
})
