// The quick start: a database and a web server that needs the database's
// address. `web` is a function of the other machines' results, so guix-ops
// infers that it depends on `db`, deploys `db` first and passes its address.
import { defineDeployment } from '@guix-ops/plugin-api'

export default defineDeployment({
  name: 'quickstart',
  description: 'A key-value store and a web front end that reads from it, on two local VMs',
  machines: {
    db: {
      platform: { type: 'qemu', memory: 768, cpus: 1, diskSize: '4G' },
      system: {
        type: 'debian',
        hostname: 'db',
        packages: ['redis-server'],
        files: { '/etc/redis/guix-ops.conf': 'bind 0.0.0.0\nprotected-mode no\n' },
        services: { 'redis-server': { restartOn: ['/etc/redis/guix-ops.conf'] } },
      },
      tags: ['data'],
    },
    web: ({ db }) => ({
      platform: { type: 'qemu', memory: 512, ports: { '80': 8080 } },
      system: {
        type: 'debian',
        hostname: 'web',
        packages: ['nginx'],
        files: { '/etc/quickstart.env': `DB_HOST=${db.address}\nDB_PORT=6379\n` },
        services: { nginx: { restartOn: ['/etc/quickstart.env'] } },
      },
      tags: ['frontend'],
    }),
  },
})
