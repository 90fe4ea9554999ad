// Stands in for 'vitest' in the copied type tests: only the type-level API they use.
export { expectTypeOf } from 'expect-type'
export declare function describe(name: string, body: () => void): void
export declare function it(name: string, body: () => void): void
export declare const test: typeof it
