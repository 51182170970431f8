/** The one atomic writer is plugin-api's, so that plugins write their state files the same way. */
export { syncDirectory, TEMP_MARKER, writeFileAtomic } from '@guix-ops/plugin-api'
