// What bundle.mjs makes bundle/zod.js from: zod's own exports, every one.
export * from 'zod'
export { default } from 'zod'
