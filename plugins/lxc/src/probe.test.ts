import { describe, expect, it } from 'vitest'
import { namespaceAddresses } from './probe.js'

/** /proc/<pid>/net/fib_trie of a container with eth0 on lxc-net's bridge and eth1 on a private network. */
const FIB_TRIE = `Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 10.0.3.0/24 2 0 2
        +-- 10.0.3.0/26 2 0 2
           |-- 10.0.3.0
              /24 link UNICAST
           |-- 10.0.3.42
              /32 host LOCAL
        |-- 10.0.3.255
           /32 link BROADCAST
     +-- 10.78.0.0/24 2 0 2
        |-- 10.78.0.0
           /24 link UNICAST
        |-- 10.78.0.7
           /24 link UNICAST
           /32 host LOCAL
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
Local:
  +-- 0.0.0.0/0 3 0 5
     |-- 10.0.3.42
        /32 host LOCAL
     |-- 10.78.0.7
        /32 host LOCAL
`

describe("a container's addresses, read from its /proc", () => {
  it('lists each address of its interfaces once, without loopback, networks or broadcasts', () => {
    expect(namespaceAddresses(FIB_TRIE)).toEqual(['10.0.3.42', '10.78.0.7'])
  })

  it('lists none before DHCP has given eth0 one and the namespace has only loopback', () => {
    const loopbackOnly = 'Main:\n  +-- 127.0.0.0/8 2 0 2\n     |-- 127.0.0.1\n        /32 host LOCAL\n'
    expect(namespaceAddresses(loopbackOnly)).toEqual([])
  })
})
