import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'plugins/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report feeds the one-line summary that scripts/test prints last.
    reporters: ['default', 'json'],
    outputFile: { json: '.tools/test-results.json' },
  },
})
