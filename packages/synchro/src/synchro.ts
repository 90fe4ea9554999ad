/**
 * Synchro: turns a motor-ts framework binding back into the official `mongodb` Promise
 * API, so code and test suites written for the driver run unchanged through any framework
 * (Motor's Synchro did the same for PyMongo's test suite). Built from core's table like
 * the framework wrappers themselves: every async member goes through the framework's
 * future and back (`yieldable`), every returned object is re-wrapped, and callbacks
 * (`withSession`, `withTransaction`) are lifted into the framework with `runOnExecutor`.
 *
 * The result has every export of `mongodb`; the wrapped classes are replaced by Synchro
 * classes of the same names, so `instanceof Collection` works on Synchro objects, and the
 * driver's error classes are the driver's own (frameworks reject with the original error).
 * GridFS upload and download streams are Node streams in the driver's API (`pipe`, `on`,
 * `write`): Synchro hands out the driver's own stream objects for them. Members that
 * exist only at the framework level (`toStream`, `delegate`) are not part of this API.
 */

import { EventEmitter } from 'node:events'
import {
  driverTable,
  type FrameworkTypes,
  type MemberKind,
  type MotorConstructors,
  replaceWrapped,
  unwrap,
  type WrappedClassName,
} from '@motor-ts/core'
import * as mongodb from 'mongodb'

export type MongodbModule = typeof mongodb

const inner = new WeakMap<object, object>()
const NODE_STREAMS = new Set(['GridFSBucketReadStream', 'GridFSBucketWriteStream'])
type Fn = (...args: any[]) => any

function innerOf(wrapper: object): any {
  const value = inner.get(wrapper)
  if (!value) throw new TypeError('synchro: method called on an object that is not a Synchro wrapper')
  return value
}

/**
 * The driver object behind a Synchro wrapper (through its framework object) or behind a
 * framework wrapper; any other value is returned as is. Only for test runners that must read
 * driver internals a spec asks about (`ClientSession.transaction.state`, `snapshotTime`):
 * the wrappers themselves stay on the public API.
 */
export function driverObjectOf<T = any>(value: unknown): T {
  const framework = typeof value === 'object' && value !== null ? (inner.get(value) ?? value) : value
  const driver = unwrap(framework)
  if (driver !== framework || typeof framework !== 'object' || framework === null) return driver as T
  // A binding loaded with `require` has its own copy of core (and of its wrapper registry):
  // its wrappers answer through their public `delegate` instead.
  return ((framework as { delegate?: unknown }).delegate ?? framework) as T
}

/** Synchro wrappers in call arguments back to the framework's objects (core's `replaceWrapped`). */
const unwrapArgs = (args: readonly unknown[]): unknown[] => replaceWrapped(args, (value) => inner.get(value))

/** Build the `mongodb`-shaped module for a framework binding (`motorPromise`, `motorRxjs`, `motorEffect`, ...). */
export function createSynchro<F extends FrameworkTypes>(binding: MotorConstructors<F>): MongodbModule {
  const fw = binding.framework
  const classes = new Map<string, Function>()
  const cache = new WeakMap<object, object>()
  const byMotorClass = new Map<Function, Function>()

  const wrap = (value: unknown): any => {
    if (typeof value !== 'object' || value === null) return value
    if (Array.isArray(value)) return value.length && synchroClassOf(value[0]) ? value.map(wrap) : value
    const cls = synchroClassOf(value)
    if (!cls) return value
    const cached = cache.get(value)
    if (cached) return cached
    // GridFS streams are Node streams in the driver's API: hand out the driver's own stream.
    if (NODE_STREAMS.has(cls.name)) return (value as { delegate: object }).delegate
    const wrapper = Object.create(cls.prototype) as object
    inner.set(wrapper, value)
    cache.set(value, wrapper)
    return wrapper
  }

  /** The Synchro class for a framework (motor) object, or undefined for plain values. */
  const synchroClassOf = (value: unknown): Function | undefined => {
    if (typeof value !== 'object' || value === null) return undefined
    for (let p = Object.getPrototypeOf(value); p; p = Object.getPrototypeOf(p)) {
      const cls = byMotorClass.get(p.constructor)
      if (cls) return cls
    }
    return undefined
  }

  const lift = (fn: Fn) => (motorSession: unknown) => fw.runOnExecutor(async () => fn(wrap(motorSession)))

  const describe = (key: string | symbol, kind: MemberKind): PropertyDescriptor => {
    const method = (fn: Fn): PropertyDescriptor => ({ configurable: true, writable: true, value: fn })
    // `endSession` is custom in core (it waits for cursor closes) but an async op here.
    const asOp = kind.kind === 'custom' && kind.name === 'endSession'
    switch (asOp ? 'op' : kind.kind) {
      case 'op':
        return method(async function (this: object, ...args: unknown[]) {
          return wrap(await fw.yieldable(innerOf(this)[key](...unwrapArgs(args))))
        })
      case 'custom':
        if (kind.kind === 'custom' && kind.name === 'withSession')
          return method(async function (this: object, ...args: unknown[]) {
            const last = args.length - 1
            const callArgs = unwrapArgs(args).map((a, i) => (i === last && typeof a === 'function' ? lift(a as Fn) : a))
            return fw.yieldable(innerOf(this).withSession(...callArgs))
          })
        return method(async function (this: object, work: unknown, options?: unknown) {
          const lifted = typeof work === 'function' ? lift(work as Fn) : work
          return fw.yieldable(innerOf(this).withTransaction(lifted, options))
        })
      case 'chain':
        return method(function (this: object, ...args: unknown[]) {
          const self = innerOf(this)
          const result = self[key](...unwrapArgs(args))
          return result === self ? this : wrap(result)
        })
      case 'cursor':
      case 'wraps':
      case 'sync':
        return method(function (this: object, ...args: unknown[]) {
          return wrap(innerOf(this)[key](...unwrapArgs(args)))
        })
      case 'prop':
        return {
          configurable: true,
          get(this: object) {
            return wrap(innerOf(this)[key])
          },
          ...(kind.kind === 'prop' && kind.writable && {
            set(this: object, value: unknown) {
              innerOf(this)[key] = unwrapArgs([value])[0]
            },
          }),
        }
    }
  }

  const constructedClass = (target: Function): Function | undefined => {
    for (let c: Function | null = target; c && c !== Function.prototype; c = Object.getPrototypeOf(c))
      if (classes.get(c.name) === c) return c
    return undefined
  }

  const define = (name: WrappedClassName): Function => {
    const existing = classes.get(name)
    if (existing) return existing
    const entry = driverTable[name]
    // The driver's event emitters are Node EventEmitters; so are Synchro's (every
    // EventEmitter method is in the table and forwards to the driver's emitter).
    const parent = entry.extends ? define(entry.extends as WrappedClassName) : name === 'TypedEventEmitter' ? EventEmitter : Object
    const motorClass = binding.classes[name]
    const driverClass = (mongodb as unknown as Record<string, Function | undefined>)[name]
    const constructible = 'constructible' in entry && entry.constructible
    const Parent = parent as new () => object
    const cls = class extends Parent {
      constructor(...args: unknown[]) {
        super()
        // Only the Synchro class `new` was aimed at (or the nearest one a user's subclass
        // extends) builds the framework object; the classes above it do nothing.
        if (constructedClass(new.target) !== cls) return
        if (!constructible) throw new TypeError(`${name} is not constructed directly`)
        const made = Reflect.construct(motorClass, unwrapArgs(args)) as object
        inner.set(this, made)
        cache.set(made, this)
      }
      static override [Symbol.hasInstance](value: unknown): boolean {
        if (typeof value !== 'object' || value === null) return false
        if (Object.prototype.isPrototypeOf.call(cls.prototype, value)) return true
        return driverClass ? value instanceof driverClass : false
      }
    }
    Object.defineProperty(cls, 'name', { value: name })
    classes.set(name, cls)
    byMotorClass.set(motorClass, cls)
    for (const key of Reflect.ownKeys(entry.members)) {
      const kind = (entry.members as Record<string | symbol, MemberKind>)[key]!
      Object.defineProperty(cls.prototype, key, describe(key, kind))
    }
    for (const [key, kind] of Object.entries(('statics' in entry && entry.statics) || {})) {
      const motorStatic = motorClass as unknown as Record<string, Fn>
      // `MongoClient.connect` is `new this(...)` then `connect()` in the driver, so a
      // subclass's `connect` gives an instance of the subclass: the same here.
      if (key === 'connect' && constructible) {
        Object.defineProperty(cls, key, {
          configurable: true,
          writable: true,
          value: async function (this: new (...args: unknown[]) => { connect(): Promise<unknown> }, ...args: unknown[]) {
            const client = new this(...args)
            await client.connect()
            return client
          },
        })
        continue
      }
      Object.defineProperty(
        cls,
        key,
        kind.kind === 'op'
          ? {
              configurable: true,
              value: async (...args: unknown[]) => wrap(await fw.yieldable(motorStatic[key]!(...unwrapArgs(args)))),
            }
          : { configurable: true, enumerable: true, get: () => motorStatic[key] },
      )
    }
    return cls
  }

  for (const name of Object.keys(driverTable) as WrappedClassName[]) define(name)
  return { ...mongodb, ...Object.fromEntries(classes) } as unknown as MongodbModule
}
