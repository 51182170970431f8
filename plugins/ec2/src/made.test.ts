import { describe, expect, it } from 'vitest'
import { madeWith, optionChanges } from './made.js'
import { type Ec2Options, ec2Options } from './options.js'

const options = (value: Record<string, unknown> = {}): Ec2Options => {
  const result = ec2Options['~standard'].validate(value) as { value?: Ec2Options }
  return result.value!
}

describe('ec2 option changes on an existing machine', () => {
  it('none when the options are those it was made with, or when no record was kept', () => {
    expect(optionChanges(madeWith(options()), options())).toEqual([])
    expect(optionChanges(null, options({ instanceType: 't3.large' }))).toEqual([])
  })

  it('a new type is changed by deploy, stopping the machine; a spot one cannot be stopped', () => {
    expect(optionChanges(madeWith(options()), options({ instanceType: 't3.small' }))).toEqual([
      {
        option: 'instanceType',
        from: 't3.micro',
        to: 't3.small',
        applies: 'deploy',
        detail: 'stops and starts the machine, erasing its instance-store volumes',
      },
    ])
    const spot = madeWith(options({ spot: true }))
    expect(optionChanges(spot, options({ spot: true, instanceType: 't3.small' }))).toMatchObject([
      { option: 'instanceType', applies: 'recreate', code: 'E_EC2_RECREATE' },
    ])
  })

  it('what only a launch takes needs re-creating, each option with its old and new value', () => {
    const made = madeWith(options())
    const changed = options({
      ami: 'ami-0123456789abcdef0',
      subnetId: 'subnet-0123abcd',
      vpcId: 'vpc-0123abcd',
      securityGroups: ['sg-0123abcd'],
      keyPair: 'mine',
      identity: '/home/me/.ssh/mine',
      rootVolume: { size: 20 },
      spot: true,
      elasticIp: true,
      bootTimeout: 120,
    })
    const changes = optionChanges(made, changed)
    expect(changes.map((c) => [c.option, c.from, c.to])).toEqual([
      ['ami', 'debian-12-amd64-*', 'ami-0123456789abcdef0'],
      ['subnetId', null, 'subnet-0123abcd'],
      ['vpcId', null, 'vpc-0123abcd'],
      ['securityGroups', null, ['sg-0123abcd']],
      ['keyPair', null, 'mine'],
      ['rootVolume', { size: 8, type: 'gp3', encrypted: true }, { size: 20, type: 'gp3', encrypted: true }],
      ['spot', false, true],
    ])
    expect(changes.every((c) => c.applies === 'recreate' && c.code === 'E_EC2_RECREATE')).toBe(true)
  })
})
