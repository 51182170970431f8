export { type ConformanceOptions, describePlatformConformance } from './conformance.js'
export { type TestContext, testContext } from './context.js'
