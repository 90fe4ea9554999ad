/**
 * The kinds of member the driver table declares. Each entry of `driverTable` is one of
 * these: a value saying how a driver member behaves, from which the runtime wrapper (in
 * `wrapper.ts`) and the generated types (in `generated/`) are both derived.
 *
 * - `op`: an async operation (the driver returns a Promise); becomes a framework future.
 * - `cursor`: returns a cursor or change stream synchronously, without I/O; re-wrapped.
 * - `chain`: a synchronous builder that returns `this` (or a sibling cursor, like `map`);
 *   the wrapper keeps returning wrapped objects so chains stay in the framework.
 * - `wraps`: returns another driver object (`db()`, `collection()`, `startSession()`).
 * - `sync`: a plain synchronous pass-through (its result is re-wrapped if it is a driver
 *   object the registry knows).
 * - `prop`: a property or getter (`rw` when the driver also has a setter).
 * - `custom`: behaviour written once in core over the framework interface
 *   (`withSession`, `withTransaction`, and `endSession`, which first lets the closes of the
 *   session's cursors finish).
 */

export type MemberKind =
  | { readonly kind: 'op'; readonly wrapResultKeys?: readonly string[] }
  | { readonly kind: 'cursor' }
  | { readonly kind: 'chain' }
  | { readonly kind: 'wraps' }
  | { readonly kind: 'sync' }
  | { readonly kind: 'prop'; readonly writable: boolean }
  | { readonly kind: 'custom'; readonly name: CustomMember }

export type CustomMember = 'withSession' | 'withTransaction' | 'endSession'

/** An async operation. `wrapKeys` names result fields holding driver objects to re-wrap. */
export const op = (wrapKeys?: readonly string[]): MemberKind =>
  wrapKeys ? { kind: 'op', wrapResultKeys: wrapKeys } : OP
const OP: MemberKind = { kind: 'op' }
const CURSOR: MemberKind = { kind: 'cursor' }
const CHAIN: MemberKind = { kind: 'chain' }
const WRAPS: MemberKind = { kind: 'wraps' }
const SYNC: MemberKind = { kind: 'sync' }
const PROP: MemberKind = { kind: 'prop', writable: false }
const PROP_RW: MemberKind = { kind: 'prop', writable: true }

export const cursor = (): MemberKind => CURSOR
export const chain = (): MemberKind => CHAIN
export const wraps = (): MemberKind => WRAPS
export const sync = (): MemberKind => SYNC
export const prop = (mode?: 'rw'): MemberKind => (mode === 'rw' ? PROP_RW : PROP)
export const custom = (name: CustomMember): MemberKind => ({ kind: 'custom', name })

/** One driver class: its parent in the driver's hierarchy, instance and static members. */
export interface ClassEntry {
  readonly extends?: string
  /** Users construct it (`new MongoClient(...)`, `new GridFSBucket(db)`). */
  readonly constructible?: boolean
  /** Present only where an optional dependency is needed; absence is not an error. */
  readonly optional?: boolean
  readonly members: Readonly<Record<string | symbol, MemberKind>>
  readonly statics?: Readonly<Record<string, MemberKind>>
}

export const classEntry = (entry: ClassEntry): ClassEntry => entry

/** How a member key is spelled in `mongodb.d.ts` (`[Symbol.asyncDispose]` for well-known symbols). */
export function memberKeyName(key: string | symbol): string {
  if (typeof key === 'string') return key
  if (key === Symbol.asyncDispose) return '[Symbol.asyncDispose]'
  if (key === Symbol.asyncIterator) return '[Symbol.asyncIterator]'
  return `[${String(key.description)}]`
}
