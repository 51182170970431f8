import { defineConfig } from 'vitest/config'

// Tests by layer, each runnable alone (`vitest run --project unit`):
// unit: beside the code and in test/unit: no built CLI, no server started;
// cli: the built `guix-ops` binary, as a user runs it (needs `npm run build`);
// e2e: real targets (sshd, LXC containers, QEMU VMs), packaging, and fault injection (test/reliability).

/** Tests beside the code that start a real sshd: they take minutes, so they run with e2e. */
const AGAINST_SSHD = [
  'packages/core/src/deploy/run.test.ts',
  'packages/core/src/platforms/managed.test.ts',
  'packages/core/src/ssh/ssh.test.ts',
  'packages/core/src/ssh/jump.test.ts',
  'packages/core/src/ssh/latency.test.ts',
  'packages/core/src/ssh/max-startups.test.ts',
  'packages/core/src/ssh/dial.test.ts',
  'packages/core/src/keys/keys.test.ts',
]

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report feeds the one-line summary that scripts/test prints last.
    reporters: ['default', 'json'],
    outputFile: { json: '.tools/test-results.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'plugins/*/src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          exclude: AGAINST_SSHD,
        },
      },
      { extends: true, test: { name: 'cli', include: ['test/cli/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: [
            'test/e2e/**/*.test.ts',
            'test/conformance/**/*.test.ts',
            'test/reliability/**/*.test.ts',
            ...AGAINST_SSHD,
          ],
        },
      },
    ],
  },
})
