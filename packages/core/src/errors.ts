/**
 * One error vocabulary for every framework. Frameworks never invent their own error
 * classes for driver failures: the Promise and RxJS packages surface the driver's own
 * (typed) errors, and the Effect package turns `describeError` into its tagged errors.
 * `describeError` classifies any failure coming out of the driver (or out of bad input)
 * into a `reason`, keeping code, codeName and labels, with the original as `cause`.
 */
import {
  MongoAPIError,
  MongoError,
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoOperationTimeoutError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTransactionError,
} from 'mongodb'

export const errorReasons = [
  'DuplicateKey',
  'ServerError',
  'Network',
  'Timeout',
  'ServerSelection',
  'Aborted',
  'InvalidArgument',
  'Transaction',
  'Driver',
  'Validation',
  'Unknown',
] as const

export type ErrorReason = (typeof errorReasons)[number]

export interface ErrorDescription {
  readonly reason: ErrorReason
  readonly message: string
  /** Server error code, when the server answered with one. */
  readonly code?: number | string
  readonly codeName?: string
  /** Error labels (`TransientTransactionError`, `RetryableWriteError`, ...). */
  readonly labels: readonly string[]
  /** The original error, untouched. */
  readonly cause: unknown
}

const DUPLICATE_KEY_CODES = new Set([11000, 11001, 12582])
const TIMEOUT_CODES = new Set([50, 262]) // MaxTimeMSExpired, ExceededTimeLimit

/** True for an abort of an operation through an AbortSignal (driver or platform error). */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as { name?: string }).name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR')
  )
}

/**
 * `mongodb-connection-string-url` (which the driver uses to parse URLs) throws its own
 * `MongoParseError`, not the driver's class: `new MongoClient('notmongo://x')` fails with it.
 */
function isConnectionStringParseError(error: unknown): boolean {
  return error instanceof Error && !(error instanceof MongoError) && error.name === 'MongoParseError'
}

/** Classify a failure into the shared vocabulary. */
export function describeError(error: unknown): ErrorDescription {
  const message = error instanceof Error ? error.message : String(error)
  const labels = error instanceof MongoError ? [...error.errorLabels] : []
  const base = { message, labels, cause: error }
  if (isAbortError(error)) return { ...base, reason: 'Aborted' }
  if (error instanceof SchemaValidationError) return { ...base, reason: 'Validation' }
  if (error instanceof MongoServerError) {
    const code = error.code
    const codeName = error.codeName
    const details = { ...base, ...(code !== undefined && { code }), ...(codeName !== undefined && { codeName }) }
    if (typeof code === 'number' && DUPLICATE_KEY_CODES.has(code)) return { ...details, reason: 'DuplicateKey' }
    if (typeof code === 'number' && TIMEOUT_CODES.has(code)) return { ...details, reason: 'Timeout' }
    return { ...details, reason: 'ServerError' }
  }
  if (error instanceof MongoServerSelectionError) return { ...base, reason: 'ServerSelection' }
  if (error instanceof MongoNetworkTimeoutError || error instanceof MongoOperationTimeoutError)
    return { ...base, reason: 'Timeout' }
  if (error instanceof MongoNetworkError) return { ...base, reason: 'Network' }
  if (
    error instanceof MongoInvalidArgumentError ||
    error instanceof MongoParseError ||
    error instanceof TypeError ||
    isConnectionStringParseError(error)
  )
    return { ...base, reason: 'InvalidArgument' }
  if (error instanceof MongoTransactionError) return { ...base, reason: 'Transaction' }
  if (error instanceof MongoAPIError || error instanceof MongoError) return { ...base, reason: 'Driver' }
  return { ...base, reason: 'Unknown' }
}

/** A clear error for bad input to a motor-ts API, in the driver's own error class. */
export function invalidArgument(what: string, expected: string, got: unknown): MongoInvalidArgumentError {
  const shown = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got
  return new MongoInvalidArgumentError(`${what} must be ${expected}, got ${shown}`)
}

/** Where a schema check happened: a document read from the server, or one about to be written. */
export type ValidationDirection = 'read' | 'write'

/** One problem a Standard Schema reported, with its path as a dotted string (`''` for the root). */
export interface ValidationIssue {
  readonly message: string
  readonly path: string
}

/**
 * A document failed the Standard Schema of a schema-checked collection (`withSchema`): raised
 * before a write leaves, or when a read document arrives. Names the document's `_id` (when it
 * has one) and the path of the first failing field; `issues` lists them all.
 */
export class SchemaValidationError extends Error {
  override readonly name = 'SchemaValidationError'
  constructor(
    readonly direction: ValidationDirection,
    readonly namespace: string,
    /** The document's `_id`, or undefined when it has none (a write the driver has not given one yet). */
    readonly documentId: unknown,
    readonly issues: readonly ValidationIssue[],
  ) {
    const first = issues[0]
    const id = documentId === undefined ? 'without _id' : `with _id ${String(documentId)}`
    const at = first?.path ? ` at '${first.path}'` : ''
    super(`document ${id} ${direction === 'read' ? 'read from' : 'written to'} ${namespace} failed its schema${at}: ${first?.message ?? 'invalid'}`)
  }

  /** The path of the first failing field (`''` for the document itself). */
  get path(): string {
    return this.issues[0]?.path ?? ''
  }
}
