// Two existing Guix System hosts: a PostgreSQL database and a web server
// whose nginx proxies to an app that needs the database's address. `web` is
// a function of the other machines' results: guix-ops deploys `db` first and
// hands its address to web.scm through the generated module
// (guix-ops parameters), which web.scm reads with `(parameter "db-address")`.
import { defineDeployment } from '@guix-ops/plugin-api'

const host = (address: string) => ({ type: 'managed', host: address, identity: '~/.ssh/id_ed25519' })

export default defineDeployment({
  name: 'guix-shop',
  description: 'PostgreSQL and a web front end on two Guix System hosts',
  machines: {
    db: {
      platform: host('192.0.2.20'),
      system: { type: 'guix', config: './db.scm', channels: './channels.scm', system: 'x86_64-linux' },
    },
    web: ({ db }) => ({
      platform: host('192.0.2.21'),
      system: {
        type: 'guix',
        config: './web.scm',
        channels: './channels.scm',
        system: 'x86_64-linux',
        parameters: { 'db-address': db.address, 'db-port': 5432 },
      },
    }),
  },
})
