import type { StandardSchemaV1 } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { ec2Options } from './options.js'

const validate = (value: unknown) => ec2Options['~standard'].validate(value) as StandardSchemaV1.Result<unknown>
/** `path: message` of each issue, as a config error names the field. */
const issues = (value: unknown) =>
  (validate(value).issues ?? []).map(
    (i) => `${(i.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.')}: ${i.message}`,
  )

describe('ec2 options', () => {
  it('fills in the defaults a machine gets when it names nothing', () => {
    expect(validate({})).toEqual({
      value: {
        instanceType: 't3.micro',
        ami: 'debian-12-amd64-*',
        amiOwners: ['136693071363'],
        sshFrom: '0.0.0.0/0',
        user: 'admin',
        rootVolume: { size: 8, type: 'gp3', encrypted: true },
        spot: false,
        elasticIp: false,
        tags: {},
        address: 'public',
        bootTimeout: 600,
      },
    })
  })

  it('refuses each option of the wrong type or out of range, naming the field', () => {
    expect(issues({ region: 'mars-north-1' })).toEqual(['region: is not an AWS region (e.g. "eu-west-1")'])
    expect(issues({ region: 5 })[0]).toMatch(/^region: /)
    expect(issues({ instanceType: 't3 micro' })).toEqual(['instanceType: expected an instance type like "t3.micro"'])
    expect(issues({ ami: '' })[0]).toMatch(/^ami: /)
    expect(issues({ amiOwners: ['me'] })).toEqual(['amiOwners.0: expected an account id, "self" or "amazon"'])
    expect(issues({ subnetId: 'subnet-x' })).toEqual(['subnetId: expected a subnet id like "subnet-0123abcd"'])
    expect(issues({ vpcId: 'default' })).toEqual(['vpcId: expected a VPC id like "vpc-0123abcd"'])
    expect(issues({ securityGroups: [] })[0]).toMatch(/^securityGroups: /)
    expect(issues({ sshFrom: '10.0.0.0/33' })).toEqual(['sshFrom: expected an IPv4 CIDR block like "203.0.113.0/24"'])
    expect(issues({ keyPair: 'mine' })).toEqual(['identity: a keyPair needs identity, the path of its private key'])
    expect(issues({ user: 'Admin User' })).toEqual(['user: expected a user name'])
    expect(issues({ rootVolume: { size: 0 } })).toEqual(['rootVolume.size: Too small: expected number to be >=1'])
    expect(issues({ rootVolume: { size: 8.5 } })[0]).toMatch(/^rootVolume.size: /)
    expect(issues({ rootVolume: { type: 'floppy' } })[0]).toMatch(/^rootVolume.type: /)
    expect(issues({ rootVolume: { encrypted: 'yes' } })[0]).toMatch(/^rootVolume.encrypted: /)
    expect(issues({ spot: 'yes' })[0]).toMatch(/^spot: /)
    expect(issues({ elasticIp: 1 })[0]).toMatch(/^elasticIp: /)
    expect(issues({ tags: { 'aws:owner': 'me' } })[0]).toMatch(/^tags.aws:owner: /)
    expect(issues({ tags: { team: 5 } })[0]).toMatch(/^tags.team: /)
    expect(issues({ address: 'both' })[0]).toMatch(/^address: /)
    expect(issues({ bootTimeout: 5 })).toEqual(['bootTimeout: Too small: expected number to be >=30'])
    expect(issues({ memory: 512 })[0]).toMatch(/^: Unrecognized key: "memory"/)
  })
})
