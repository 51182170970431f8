/**
 * Asks on the terminal before something that cannot be undone. Without a
 * terminal nobody can answer, so a script must say `--yes` itself.
 */
import { createInterface } from 'node:readline/promises'
import { ErrorCode } from '@guix-ops/core'
import { GuixOpsError } from '@guix-ops/plugin-api'

export async function confirmOnTerminal(
  question: string,
  options: { yes: boolean; command: string },
): Promise<boolean> {
  if (options.yes) return true
  if (!process.stdin.isTTY) {
    throw new GuixOpsError(
      ErrorCode.ConfirmationRequired,
      `${options.command} needs confirmation, and stdin is not a terminal`,
      {
        suggestion: 'pass --yes to confirm in a script',
      },
    )
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim())
  } finally {
    prompt.close()
  }
}
