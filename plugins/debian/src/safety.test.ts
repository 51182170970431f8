import { describe, expect, it } from 'vitest'
import { backupPath } from './backups.js'
import { layoutOf } from './layout.js'
import { touchedFiles } from './safety.js'

const layout = layoutOf({ deployment: { id: '0f5c2a9e-1111-2222-3333-444455556666', name: 'shop' }, machine: 'web' })
const file = { content: 'x\n', mode: '0644', owner: 'root', group: 'root' }

describe('the snapshot taken before a change', () => {
  it('holds the files written, and for a file given back, its kept original and marks too', () => {
    const kept = backupPath(layout, '/etc/motd')
    expect(
      touchedFiles(
        [
          { kind: 'file-write', path: '/etc/shop.env', file },
          { kind: 'file-remove', path: '/etc/motd', restore: true },
          { kind: 'service-restart', unit: 'nginx' },
        ],
        layout,
      ),
    ).toEqual(['/etc/shop.env', '/etc/motd', kept, `${kept}.path`, `${kept}.absent`])
  })
})
