export { buildGraph, type MachineGraph } from './graph.js'
export { type Inference, inferDependencies } from './infer.js'
export { containsPlaceholder, isPlaceholder, placeholderText } from './placeholders.js'
export { type MachineResolver, resolveMachine } from './resolve.js'
