/** Whether a machine's SSH port answers: how "running" in EC2 becomes "up" for guix-ops. */
import { Socket } from 'node:net'
import type { Instance } from '@aws-sdk/client-ec2'

export function sshAnswers(host: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (open: boolean) => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true)).once('error', () => done(false))
    socket.connect(22, host)
  })
}

/** The address guix-ops reaches the instance at, as the `address` option says. */
export function sshHost(instance: Instance, address: 'public' | 'private'): string | undefined {
  return address === 'public' ? instance.PublicIpAddress : instance.PrivateIpAddress
}
