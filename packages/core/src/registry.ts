/**
 * The wrap/unwrap registry: the one place that knows which wrapper class stands for which
 * driver class, and which wrapper stands for which driver object.
 *
 * - `unwrap` / `unwrapArgs` turn wrapped objects passed back in (a wrapped session in
 *   `options.session`, a wrapped `Db` given to `new GridFSBucket`) into driver objects.
 *   This works across frameworks: the wrapper → driver map is global.
 * - `WrapRegistry.wrap` turns driver objects coming out of the driver into wrappers of one
 *   framework, keyed on the driver class. Classes the driver does not export at runtime
 *   (`RunCommandCursor`, `FindOperators`, ...) are learned from the class the declarations
 *   say a member returns. The same driver object always yields the same wrapper.
 */

const delegates = new WeakMap<object, object>()
const failures = new WeakSet<object>()

/** Record that `wrapper` stands for `delegate`. */
export function bindDelegate(wrapper: object, delegate: object): void {
  delegates.set(wrapper, delegate)
}

/** The driver object behind a wrapper. */
export function delegateOf<D = any>(wrapper: object): D {
  const d = delegates.get(wrapper)
  if (d === undefined) throw new TypeError('motor-ts: method called on an object that is not a motor-ts wrapper')
  return d as D
}

export function isWrapper(value: unknown): value is object {
  return typeof value === 'object' && value !== null && delegates.has(value)
}

/** The driver object behind `value` if it is a wrapper, else `value` itself. */
export function unwrap<T>(value: T): T {
  return (isWrapper(value) ? delegates.get(value) : value) as T
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Replace wrapped objects in call arguments, at the top level and as values of plain
 * option objects (`{ session }`), with what `lookup` returns for them. Objects `lookup`
 * does not know are kept; an options object is copied only when something changes, and
 * `args` itself is returned when nothing does. With `optionsAt`, only the argument at that
 * index is searched as an options object (the others are documents, filters or pipelines,
 * whose keys are not worth scanning on every call); without it, every plain object is.
 * Core unwraps motor wrappers with it; Synchro unwraps its own wrappers the same way.
 */
export function replaceWrapped(args: readonly unknown[], lookup: (value: object) => object | undefined, optionsAt?: number): unknown[] {
  let out: unknown[] | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (typeof arg !== 'object' || arg === null) continue
    const found = lookup(arg) ?? ((optionsAt === undefined || optionsAt === i) && isPlainObject(arg) ? replaceValues(arg, lookup) : undefined)
    if (found) {
      out ??= args.slice()
      out[i] = found
    }
  }
  return (out ?? args) as unknown[]
}

/** A copy of `options` with the wrapped values replaced, or undefined when there are none. */
function replaceValues(options: Record<string, unknown>, lookup: (value: object) => object | undefined): Record<string, unknown> | undefined {
  let copy: Record<string, unknown> | undefined
  for (const key in options) {
    const value = options[key]
    const found = typeof value === 'object' && value !== null ? lookup(value) : undefined
    if (found) {
      copy ??= { ...options }
      copy[key] = found
    }
  }
  return copy
}

const delegateLookup = (value: object) => delegates.get(value)

/** Unwrap motor wrappers in call arguments (see `replaceWrapped`). */
export function unwrapArgs(args: readonly unknown[], optionsAt?: number): unknown[] {
  return replaceWrapped(args, delegateLookup, optionsAt)
}

/**
 * A stand-in driver object for a call that failed synchronously (e.g. a cursor-returning
 * method given bad arguments): every method rejects with the original error, so the error
 * reaches the framework's error channel when the result is used.
 */
export function failedDelegate(error: unknown): object {
  const proxy = new Proxy({}, {
    get: (_t, key) =>
      key === 'then'
        ? undefined
        : () => {
            throw error
          },
  })
  failures.add(proxy)
  return proxy
}

export function isFailedDelegate(value: object): boolean {
  return failures.has(value)
}

export type WrapperClass = { readonly prototype: object; readonly driverName: string }

export class WrapRegistry {
  private readonly byDriverClass = new Map<Function, WrapperClass>()
  private readonly cache = new WeakMap<object, object>()
  private readonly hooks = new Map<WrapperClass, (delegate: object) => void>()

  constructor(private readonly byName: ReadonlyMap<string, WrapperClass>) {}

  /** Register the runtime driver class a wrapper class stands for. */
  register(driverClass: Function, wrapper: WrapperClass): void {
    this.byDriverClass.set(driverClass, wrapper)
  }

  /** Run `hook` on every driver object wrapped as `wrapper` (e.g. to attach an error listener). */
  onWrap(wrapper: WrapperClass, hook: (delegate: object) => void): void {
    this.hooks.set(wrapper, hook)
  }

  /** Remember the wrapper made for a driver object (constructors call it). */
  remember(delegate: object, wrapper: object): void {
    this.cache.set(delegate, wrapper)
    bindDelegate(wrapper, delegate)
  }

  /** Wrap `value` (or each element of an array) if it is a driver object we wrap. */
  wrap(value: unknown, declared?: string): any {
    if (typeof value !== 'object' || value === null) return value
    if (Array.isArray(value)) return declared ? value.map((v) => this.wrap(v, declared)) : value
    if (isPlainObject(value)) return value // a document or a result object: never a driver class
    if (isWrapper(value)) return value
    const cached = this.cache.get(value)
    if (cached) return cached
    const cls = this.classFor(value, declared)
    if (!cls) return value
    const wrapper = Object.create(cls.prototype) as object
    this.remember(value, wrapper)
    this.hooks.get(cls)?.(value)
    return wrapper
  }

  /** A wrapper of class `declared` whose every call fails with `error`. */
  wrapFailure(declared: string, error: unknown): any {
    const cls = this.byName.get(declared)
    if (!cls) throw error
    const wrapper = Object.create(cls.prototype) as object
    bindDelegate(wrapper, failedDelegate(error))
    return wrapper
  }

  private classFor(value: object, declared?: string): WrapperClass | undefined {
    const exact = this.byDriverClass.get(value.constructor)
    if (exact) return exact
    const named = declared ? this.byName.get(declared) : undefined
    if (named) {
      this.byDriverClass.set(value.constructor, named)
      return named
    }
    for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
      const cls = this.byDriverClass.get(proto.constructor)
      if (cls) return cls
    }
    return undefined
  }
}
