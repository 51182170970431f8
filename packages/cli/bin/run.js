#!/usr/bin/env node
// Cache compiled code between runs: start-up is most of a short command's time.
import { enableCompileCache } from 'node:module'

enableCompileCache?.()
const { execute } = await import('@oclif/core')
await execute({ dir: import.meta.url })
