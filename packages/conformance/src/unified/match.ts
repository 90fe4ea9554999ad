/**
 * The unified format's "Evaluating Matches" rules: expected values are matched against actual
 * values with flexible numeric comparison, extra keys allowed only in root-level documents,
 * array lengths compared exactly, and the `$$` special operators ($$exists, $$type,
 * $$unsetOrMatches, $$matchesEntity, $$matchesHexBytes, $$sessionLsid, $$lte,
 * $$matchAsDocument, $$matchAsRoot). A mismatch throws an AssertionFailure naming the path.
 */
import {
  type BsonModule,
  bsonTypeOf,
  bytesOf,
  isDocument,
  isNumeric,
  numericCompare,
  numericEquals,
  show,
  toHex,
} from './bson-utils.js'
import { AssertionFailure, RunnerError } from './errors.js'

export interface MatchEnv {
  bson: BsonModule
  /** The value stored for a BSON entity (for $$matchesEntity). */
  entityValue(name: string): unknown
  /** The logical session id of a session entity (for $$sessionLsid). */
  sessionLsid(name: string): unknown
}

/** Returns the single `$$operator` key of an expected document, if it is one. */
export function specialOperator(expected: unknown): string | undefined {
  if (!isDocument(expected)) return undefined
  const keys = Object.keys(expected)
  return keys.length === 1 && keys[0]!.startsWith('$$') ? keys[0] : undefined
}

/** An actual value seen as a document (Maps become objects), or undefined if it is not one. */
export function asDocument(actual: unknown): Record<string, unknown> | undefined {
  if (actual instanceof Map) return Object.fromEntries([...actual.entries()].map(([k, v]) => [String(k), v]))
  return isDocument(actual) ? actual : undefined
}

function present(doc: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(doc, key) && doc[key] !== undefined
}

export function matches(env: MatchEnv, expected: unknown, actual: unknown, root = true): boolean {
  try {
    assertMatches(env, expected, actual, root)
    return true
  } catch (e) {
    if (e instanceof AssertionFailure) return false
    throw e
  }
}

export function assertMatches(env: MatchEnv, expected: unknown, actual: unknown, root = true, path = ''): void {
  new Matcher(env).value(expected, actual, root, path || '$')
}

class Matcher {
  constructor(private readonly env: MatchEnv) {}

  private fail(path: string, msg: string): never {
    throw new AssertionFailure(`${path}: ${msg}`)
  }

  value(expected: unknown, actual: unknown, root: boolean, path: string): void {
    const op = specialOperator(expected)
    if (op) {
      this.operator(op, (expected as Record<string, unknown>)[op], actual, root, path)
      return
    }

    if (isDocument(expected)) {
      const doc = asDocument(actual)
      if (!doc) this.fail(path, `expected a document ${this.show(expected)}, got ${this.show(actual)}`)
      for (const [key, ev] of Object.entries(expected)) {
        const kpath = `${path}.${key}`
        const keyOp = specialOperator(ev)
        if (keyOp === '$$exists') {
          const want = (ev as Record<string, unknown>)[keyOp]
          if (typeof want !== 'boolean') throw new RunnerError(`${kpath}: $$exists takes a boolean`)
          if (present(doc, key) !== want) this.fail(kpath, want ? 'expected key to exist' : `expected key to be absent, got ${this.show(doc[key])}`)
          continue
        }
        if (keyOp === '$$unsetOrMatches') {
          if (!present(doc, key)) continue
          const inner = (ev as Record<string, unknown>)[keyOp]
          // `{$$unsetOrMatches: {$$exists: want}}`: the key is set, so it matches when want is true.
          if (specialOperator(inner) === '$$exists') {
            const want = (inner as Record<string, unknown>).$$exists
            if (typeof want !== 'boolean') throw new RunnerError(`${kpath}: $$exists takes a boolean`)
            if (!want) this.fail(kpath, `expected key to be unset or absent, got ${this.show(doc[key])}`)
            continue
          }
          this.value(inner, doc[key], false, kpath)
          continue
        }
        if (!present(doc, key)) this.fail(kpath, `expected key to exist (expected ${this.show(ev)})`)
        this.value(ev, doc[key], false, kpath)
      }
      if (!root) {
        for (const key of Object.keys(doc)) {
          if (doc[key] !== undefined && !Object.hasOwn(expected, key)) {
            this.fail(`${path}.${key}`, `unexpected extra key in nested document (value ${this.show(doc[key])})`)
          }
        }
      }
      return
    }

    if (Array.isArray(expected)) {
      if (!Array.isArray(actual)) this.fail(path, `expected an array, got ${this.show(actual)}`)
      if (actual.length !== expected.length) {
        this.fail(path, `expected ${expected.length} elements, got ${actual.length}: ${this.show(actual)}`)
      }
      for (const [i, e] of expected.entries()) this.value(e, actual[i], false, `${path}[${i}]`)
      return
    }

    this.scalar(expected, actual, path)
  }

  private operator(op: string, arg: unknown, actual: unknown, root: boolean, path: string): void {
    switch (op) {
      case '$$exists':
        throw new RunnerError(`${path}: $$exists can only be used as the value of a document key`)
      case '$$unsetOrMatches':
        if (actual === undefined) return
        if (specialOperator(arg) === '$$exists') {
          // A value is present: `{$$exists: true}` holds, `{$$exists: false}` does not.
          if ((arg as Record<string, unknown>).$$exists !== true) this.fail(path, `expected no value, got ${this.show(actual)}`)
          return
        }
        this.value(arg, actual, root, path)
        return
      case '$$type': {
        const types = Array.isArray(arg) ? arg : [arg]
        if (actual === undefined) this.fail(path, `expected a value of type ${types.join('|')}, got nothing`)
        if (!types.some((t) => typeMatches(String(t), actual))) {
          this.fail(path, `expected type ${types.join('|')}, got ${describeType(actual)} ${this.show(actual)}`)
        }
        return
      }
      case '$$matchesEntity': {
        if (typeof arg !== 'string') throw new RunnerError(`${path}: $$matchesEntity takes an entity name`)
        this.value(this.env.entityValue(arg), actual, root, path)
        return
      }
      case '$$matchesHexBytes': {
        if (typeof arg !== 'string' || arg.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(arg)) {
          throw new RunnerError(`${path}: malformed $$matchesHexBytes ${JSON.stringify(arg)}`)
        }
        const bytes = typeof actual === 'string' ? new TextEncoder().encode(actual) : bytesOf(actual)
        if (!bytes) this.fail(path, `expected bytes, got ${this.show(actual)}`)
        const got = toHex(bytes)
        if (got !== arg.toLowerCase()) this.fail(path, `expected hex bytes ${arg.toLowerCase()}, got ${got}`)
        return
      }
      case '$$sessionLsid': {
        if (typeof arg !== 'string') throw new RunnerError(`${path}: $$sessionLsid takes a session entity name`)
        const lsid = this.env.sessionLsid(arg)
        if (!deepEquals(lsid, actual)) this.fail(path, `expected lsid of ${arg} ${this.show(lsid)}, got ${this.show(actual)}`)
        return
      }
      case '$$lte': {
        if (!isNumeric(arg)) throw new RunnerError(`${path}: $$lte takes a number`)
        if (!isNumeric(actual)) this.fail(path, `expected a number <= ${this.show(arg)}, got ${this.show(actual)}`)
        if (numericCompare(actual, arg) > 0) this.fail(path, `expected <= ${this.show(arg)}, got ${this.show(actual)}`)
        return
      }
      case '$$matchAsDocument': {
        if (typeof actual !== 'string') this.fail(path, `$$matchAsDocument needs an Extended JSON string, got ${this.show(actual)}`)
        let parsed: unknown
        try {
          parsed = this.env.bson.EJSON.parse(actual, { relaxed: true })
        } catch (e) {
          this.fail(path, `$$matchAsDocument could not parse ${JSON.stringify(actual)}: ${(e as Error).message}`)
        }
        if (!isDocument(parsed)) this.fail(path, `$$matchAsDocument expected a JSON object, got ${JSON.stringify(actual)}`)
        this.value(arg, parsed, false, path)
        return
      }
      case '$$matchAsRoot': {
        if (!asDocument(actual)) this.fail(path, `$$matchAsRoot expected a document, got ${this.show(actual)}`)
        this.value(arg, actual, true, path)
        return
      }
      default:
        throw new RunnerError(`${path}: unsupported special operator ${op}`)
    }
  }

  private scalar(expected: unknown, actual: unknown, path: string): void {
    if (!scalarEquals(expected, actual)) {
      this.fail(path, `expected ${this.show(expected)} (${describeType(expected)}), got ${this.show(actual)} (${describeType(actual)})`)
    }
  }

  private show(v: unknown): string {
    return show(v, this.env.bson)
  }
}

/** Equality of non-document, non-array values (documents inside BSON values compare exactly). */
export function scalarEquals(expected: unknown, actual: unknown): boolean {
  if (expected === null) return actual === null || actual === undefined
  if (isNumeric(expected)) {
    if (!isNumeric(actual)) return false
    return numericEquals(expected, actual)
  }
  const et = bsonTypeOf(expected)
  const at = bsonTypeOf(actual)
  switch (et) {
    case 'Decimal128':
      return at === 'Decimal128' && String(expected) === String(actual)
    case 'ObjectId':
      return at === 'ObjectId' && (expected as any).toHexString() === (actual as any).toHexString()
    case 'Binary': {
      const eb = bytesOf(expected)!
      const ab = bytesOf(actual)
      if (!ab || toHex(eb) !== toHex(ab)) return false
      if (at === 'Binary') return (expected as any).sub_type === (actual as any).sub_type
      return (expected as any).sub_type === 0
    }
    case 'Timestamp':
      return at === 'Timestamp' && (expected as any).t === (actual as any).t && (expected as any).i === (actual as any).i
    case 'BSONRegExp':
      return (
        (at === 'BSONRegExp' && (expected as any).pattern === (actual as any).pattern && sortFlags((expected as any).options) === sortFlags((actual as any).options)) ||
        (actual instanceof RegExp && (expected as any).pattern === actual.source && sortFlags((expected as any).options) === sortFlags(actual.flags))
      )
    case 'MinKey':
    case 'MaxKey':
    case 'BSONSymbol':
    case 'DBRef':
    case 'Code':
      return deepEquals(expected, actual)
  }
  if (expected instanceof Date) return actual instanceof Date && actual.getTime() === expected.getTime()
  if (expected instanceof RegExp) {
    if (actual instanceof RegExp) return actual.source === expected.source && sortFlags(actual.flags) === sortFlags(expected.flags)
    return at === 'BSONRegExp' && (actual as any).pattern === expected.source && sortFlags((actual as any).options) === sortFlags(expected.flags)
  }
  if (expected instanceof Uint8Array) {
    const ab = bytesOf(actual)
    return !!ab && toHex(ab) === toHex(expected)
  }
  if (expected === undefined) return actual === undefined
  return typeof expected === typeof actual && expected === actual
}

function sortFlags(flags: unknown): string {
  return String(flags ?? '').split('').sort().join('')
}

/** Exact structural equality (used inside BSON values and for lsids); key order is ignored. */
export function deepEquals(a: unknown, b: unknown): boolean {
  const da = asDocument(a)
  const db = asDocument(b)
  if (da || db) {
    if (!da || !db) return false
    const ka = Object.keys(da).filter((k) => da[k] !== undefined)
    const kb = Object.keys(db).filter((k) => db[k] !== undefined)
    if (ka.length !== kb.length) return false
    return ka.every((k) => Object.hasOwn(db, k) && deepEquals(da[k], db[k]))
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((x, i) => deepEquals(x, b[i]))
  }
  const ta = bsonTypeOf(a)
  if (ta === 'Code') {
    const ca = a as any
    const cb = b as any
    return bsonTypeOf(b) === 'Code' && ca.code === cb.code && deepEquals(ca.scope ?? null, cb.scope ?? null)
  }
  if (ta === 'DBRef') {
    const ra = a as any
    const rb = b as any
    return bsonTypeOf(b) === 'DBRef' && ra.collection === rb.collection && ra.db === rb.db && deepEquals(ra.oid, rb.oid)
  }
  if (ta === 'MinKey' || ta === 'MaxKey') return bsonTypeOf(b) === ta
  if (ta === 'BSONSymbol') return bsonTypeOf(b) === ta && String(a) === String(b)
  return scalarEquals(a, b)
}

const INT32_MIN = -2147483648
const INT32_MAX = 2147483647

/** `$type` aliases (plus "number"). Promoted JS numbers can stand for int, long or double. */
export function typeMatches(type: string, actual: unknown): boolean {
  const t = bsonTypeOf(actual)
  switch (type) {
    case 'double':
      return typeof actual === 'number' || t === 'Double'
    case 'int':
      return t === 'Int32' || (typeof actual === 'number' && Number.isInteger(actual) && actual >= INT32_MIN && actual <= INT32_MAX)
    case 'long':
      return t === 'Long' || typeof actual === 'bigint' || (typeof actual === 'number' && Number.isInteger(actual))
    case 'decimal':
      return t === 'Decimal128'
    case 'number':
      return isNumeric(actual) || t === 'Decimal128'
    case 'string':
      return typeof actual === 'string'
    case 'object':
      return asDocument(actual) !== undefined
    case 'array':
      return Array.isArray(actual)
    case 'binData':
      return t === 'Binary' || t === 'UUID' || actual instanceof Uint8Array
    case 'undefined':
      return actual === undefined
    case 'objectId':
      return t === 'ObjectId'
    case 'bool':
      return typeof actual === 'boolean'
    case 'date':
      return actual instanceof Date
    case 'null':
      return actual === null
    case 'regex':
      return actual instanceof RegExp || t === 'BSONRegExp'
    case 'dbPointer':
      return t === 'DBRef' || t === 'DBPointer'
    case 'javascript':
      return t === 'Code' && (actual as any).scope == null
    case 'symbol':
      return t === 'BSONSymbol' || typeof actual === 'symbol'
    case 'javascriptWithScope':
      return t === 'Code' && (actual as any).scope != null
    case 'timestamp':
      return t === 'Timestamp'
    case 'minKey':
      return t === 'MinKey'
    case 'maxKey':
      return t === 'MaxKey'
    default:
      throw new RunnerError(`unknown $$type alias ${JSON.stringify(type)}`)
  }
}

function describeType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  const t = bsonTypeOf(v)
  if (t) return t
  if (v instanceof Date) return 'date'
  if (isDocument(v)) return 'document'
  return typeof v
}
