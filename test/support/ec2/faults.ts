/**
 * An EC2 error as the endpoint answers it: a code from AWS's list of error
 * codes (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html)
 * and the HTTP status EC2 uses for it (400 for a client error, 503 when
 * throttled or unavailable).
 */
export class Ec2Fault extends Error {
  readonly code: string
  readonly status: number

  constructor(code: string, message: string, status = 400) {
    super(message)
    this.code = code
    this.status = status
  }
}

/** The error document EC2 sends (the Query API's shape, not the namespaced success one). */
export function errorXml(fault: Ec2Fault, requestId: string): string {
  const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlText(fault.code)}</Code><Message>${xmlText(fault.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
}
