export { type NewPlatformOptions, type NewPlatformResult, scaffoldPlatform } from './platform.js'
