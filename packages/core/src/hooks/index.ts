export { applyHookPlugins, createLifecycleHooks, HOOK_FAILED } from './lifecycle.js'
