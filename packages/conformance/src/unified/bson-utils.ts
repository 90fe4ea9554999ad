/**
 * BSON helpers for the unified runner: loading test files as Extended JSON while keeping
 * the BSON types the file asks for (an explicit `$numberLong` stays a Long, an explicit
 * integral `$numberDouble` stays a Double, everything else becomes a plain JS number so the
 * driver's option validation sees ordinary numbers), and type predicates used by the matcher.
 */
import { BSON as InternalBSON } from 'mongodb'

/** The part of the `bson` module the runner uses; taken from the target driver when it exposes one. */
export type BsonModule = typeof InternalBSON

export function bsonOf(driver: { BSON?: BsonModule } | undefined): BsonModule {
  return driver?.BSON?.EJSON ? driver.BSON : InternalBSON
}

export function bsonTypeOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const t = (value as { _bsontype?: unknown })._bsontype
  return typeof t === 'string' ? t : undefined
}

/** A document in the matching sense: a plain key/value object, not a BSON value, array, date, buffer. */
export function isDocument(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  if (Array.isArray(value)) return false
  if (bsonTypeOf(value) !== undefined) return false
  if (value instanceof Date || value instanceof RegExp || value instanceof Uint8Array || value instanceof Map) return false
  if (ArrayBuffer.isView(value)) return false
  return true
}

/** Parses a unified test file. Canonical EJSON first, then Int32/non-integral Double are relaxed to numbers. */
export function parseTestFile(text: string, bson: BsonModule = InternalBSON): any {
  const canonical = bson.EJSON.parse(text, { relaxed: false })
  return relaxNumbers(canonical)
}

function relaxNumbers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relaxNumbers)
  const t = bsonTypeOf(value)
  if (t === 'Int32') return (value as { value: number }).value
  if (t === 'Double') {
    const n = (value as { value: number }).value
    // An integral double can only come from an explicit {$numberDouble: "2.0"}: keep its type.
    return Number.isInteger(n) ? value : n
  }
  if (t !== undefined) return value
  if (isDocument(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = relaxNumbers(v)
    return out
  }
  return value
}

export function isNumeric(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'bigint') return true
  const t = bsonTypeOf(value)
  return t === 'Int32' || t === 'Double' || t === 'Long'
}

/** Numeric value as bigint when integral (exact for Long), else as number. */
export function numericValue(value: unknown): number | bigint {
  if (typeof value === 'number' || typeof value === 'bigint') return value
  const t = bsonTypeOf(value)
  if (t === 'Long') return BigInt((value as { toString(): string }).toString())
  return (value as { valueOf(): number }).valueOf()
}

export function numericEquals(a: unknown, b: unknown): boolean {
  const x = numericValue(a)
  const y = numericValue(b)
  if (typeof x === 'bigint' || typeof y === 'bigint') {
    const xi = toBigIntIfIntegral(x)
    const yi = toBigIntIfIntegral(y)
    if (xi === undefined || yi === undefined) return Number(x) === Number(y)
    return xi === yi
  }
  return x === y
}

export function numericCompare(a: unknown, b: unknown): number {
  const x = numericValue(a)
  const y = numericValue(b)
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0
  const nx = Number(x)
  const ny = Number(y)
  return nx < ny ? -1 : nx > ny ? 1 : 0
}

function toBigIntIfIntegral(v: number | bigint): bigint | undefined {
  if (typeof v === 'bigint') return v
  return Number.isInteger(v) ? BigInt(v) : undefined
}

export function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value
  const t = bsonTypeOf(value)
  if (t === 'Binary') {
    const b = value as { buffer: Uint8Array; position?: number; value?: (asRaw?: boolean) => unknown }
    const buf = b.buffer
    const len = typeof b.position === 'number' ? b.position : buf.length
    return buf.subarray(0, len)
  }
  return undefined
}

export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (const byte of bytes) s += byte.toString(16).padStart(2, '0')
  return s
}

export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new Error(`malformed hex bytes string: ${JSON.stringify(hex)}`)
  }
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** Short, readable rendering of a value for failure messages. */
export function show(value: unknown, bson: BsonModule = InternalBSON): string {
  if (value === undefined) return 'undefined'
  try {
    const s = bson.EJSON.stringify(value as any, { relaxed: true })
    return s.length > 400 ? `${s.slice(0, 400)}…` : s
  } catch {
    return String(value)
  }
}
