/** Options of `platform: { type: 'ec2', ... }`, checked when a deployment is created. */
import type { StandardSchemaV1 } from '@guix-ops/plugin-api'
import { z } from 'zod'
import { AWS_REGIONS } from './regions.js'

/** Debian's own account, which publishes the official Debian AMIs (https://wiki.debian.org/Cloud/AmazonEC2Image). */
const DEBIAN_ACCOUNT = '136693071363'

const cidr = z
  .string()
  .regex(/^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}\/([0-9]|[12][0-9]|3[0-2])$/, {
    message: 'expected an IPv4 CIDR block like "203.0.113.0/24"',
  })

const rootVolume = z.strictObject({
  /** GiB. */
  size: z.number().int().min(1).max(16384).default(8),
  type: z.enum(['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard']).default('gp3'),
  encrypted: z.boolean().default(true),
})

const schema = z
  .strictObject({
    /** When left out, the region of the standard AWS chain (AWS_REGION, the profile). */
    region: z
      .string()
      .refine((r) => AWS_REGIONS.includes(r), { message: 'is not an AWS region (e.g. "eu-west-1")' })
      .optional(),
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: 'expected an instance type like "t3.micro"' })
      .default('t3.micro'),
    /** An AMI id, or a name pattern (`*` wildcards) resolved to the newest image matching it. */
    ami: z.string().min(1).default('debian-12-amd64-*'),
    /** Accounts whose images a name pattern may pick. */
    amiOwners: z
      .array(
        z.string().regex(/^([0-9]{12}|self|amazon|aws-marketplace)$/, {
          message: 'expected an account id, "self" or "amazon"',
        }),
      )
      .min(1)
      .default([DEBIAN_ACCOUNT]),
    subnetId: z
      .string()
      .regex(/^subnet-[0-9a-f]{8,17}$/, { message: 'expected a subnet id like "subnet-0123abcd"' })
      .optional(),
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]{8,17}$/, { message: 'expected a VPC id like "vpc-0123abcd"' })
      .optional(),
    /** Existing groups to put the machine in; without them, one group per deployment is made. */
    securityGroups: z
      .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, { message: 'expected a security group id like "sg-0123abcd"' }))
      .min(1)
      .optional(),
    /** Who may reach SSH through the deployment's own group. */
    sshFrom: cidr.default('0.0.0.0/0'),
    /** An existing key pair's name (then `identity` is its private key); else the deployment's key is imported. */
    keyPair: z.string().min(1).max(255).optional(),
    identity: z.string().min(1).optional(),
    /** The login user of the image: `admin` on Debian's AMIs. */
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]*$/, { message: 'expected a user name' })
      .default('admin'),
    rootVolume: rootVolume.prefault({}),
    spot: z.boolean().default(false),
    elasticIp: z.boolean().default(false),
    tags: z
      .record(
        z
          .string()
          .min(1)
          .max(128)
          .refine((k) => !k.startsWith('aws:') && !k.startsWith('guix-ops:'), {
            message: 'tag keys starting with "aws:" or "guix-ops:" are reserved',
          }),
        z.string().max(256),
      )
      .default({}),
    /** Reach the machine by its public address, or by its private one (from inside the VPC, or a VPN). */
    address: z.enum(['public', 'private']).default('public'),
    /** Seconds a machine may take from launch to answering SSH. */
    bootTimeout: z.number().int().min(30).max(3600).default(600),
  })
  .refine((o) => o.keyPair === undefined || o.identity !== undefined, {
    message: 'a keyPair needs identity, the path of its private key',
    path: ['identity'],
  })
  .refine((o) => !(o.securityGroups && o.sshFrom !== '0.0.0.0/0'), {
    message: 'sshFrom applies to the group guix-ops makes; leave it out with securityGroups',
    path: ['sshFrom'],
  })

/** The options once validated, defaults filled in. */
export interface Ec2Options {
  region?: string | undefined
  instanceType: string
  ami: string
  amiOwners: string[]
  subnetId?: string | undefined
  vpcId?: string | undefined
  securityGroups?: string[] | undefined
  sshFrom: string
  keyPair?: string | undefined
  identity?: string | undefined
  user: string
  rootVolume: { size: number; type: 'gp3' | 'gp2' | 'io1' | 'io2' | 'st1' | 'sc1' | 'standard'; encrypted: boolean }
  spot: boolean
  elasticIp: boolean
  tags: Record<string, string>
  address: 'public' | 'private'
  bootTimeout: number
}

export const ec2Options: StandardSchemaV1<unknown, Ec2Options> = schema
