/**
 * The typed error channel of @motor-ts/effect, after Effect 4's convention for database errors
 * (`SqlError` of `effect/unstable/sql`): every failure is one `MotorError` (`_tag: 'MotorError'`)
 * whose `reason` says what went wrong, one tagged class per reason of core's `describeError`
 * (`DuplicateKey`, `ServerError`, `Network`, `Timeout`, `ServerSelection`, `Aborted`,
 * `InvalidArgument`, `Transaction`, `Driver`, `Validation`, `Unknown`), each telling whether
 * retrying may succeed (`isRetryable`). Recover from one reason with
 * `Effect.catchReason('MotorError', 'DuplicateKey', ...)`, several with `Effect.catchReasons`,
 * or lift the reasons into the channel with `Effect.unwrapReason('MotorError')` and use
 * `catchTag('DuplicateKey', ...)`. Every failure of the driver (server replies, network, server
 * selection, bad input thrown synchronously, schema checks) becomes one; none is a defect.
 *
 * As in `SqlError`, `MotorError.cause` is its reason, and the reason's `cause` is the original
 * driver error, untouched (and what `yieldable` / Synchro hand back), so driver classes survive
 * for `instanceof`. The reason classes end in `Failure` (`DuplicateKeyFailure`...) so they never
 * read like the driver's own classes (`MongoServerError`...), which this package re-exports.
 */
import { describeError, type ErrorReason } from '@motor-ts/core'
import { Data } from 'effect'

/** What every reason carries, whatever its tag. */
export interface MotorErrorFields {
  readonly message: string
  /** Server error code, when the server answered with one. */
  readonly code?: number | string
  readonly codeName?: string
  /** Error labels (`TransientTransactionError`, `RetryableWriteError`, ...). */
  readonly labels: readonly string[]
  /** The driver method that failed (`insertOne`...), when known. */
  readonly operation?: string
  /** The original error thrown by the driver (or by bad input), untouched. */
  readonly cause: unknown
}

const RETRYABLE_LABELS = ['RetryableWriteError', 'TransientTransactionError', 'ResumableChangeStreamError', 'RetryableError']

/** Base of every reason; `instanceof MotorFailure` tells them from anything else. */
export abstract class MotorFailure extends Data.Error<MotorErrorFields> {
  abstract readonly _tag: ErrorReason
  /** Same question as the driver's `MongoError.hasErrorLabel`. */
  hasErrorLabel(label: string): boolean {
    return this.labels.includes(label)
  }
  /**
   * Whether retrying the operation may succeed: connection, server-selection and time-limit
   * failures, and any failure the server or driver labelled retryable or transient.
   */
  get isRetryable(): boolean {
    return this.labels.some((label) => RETRYABLE_LABELS.includes(label))
  }
}

/** A unique index rejected a write (codes 11000, 11001, 12582). */
export class DuplicateKeyFailure extends MotorFailure {
  readonly _tag = 'DuplicateKey' as const
}
/** Any other error reply from the server (`code`, `codeName`, `labels` as sent). */
export class ServerFailure extends MotorFailure {
  readonly _tag = 'ServerError' as const
}
/** The connection failed or was closed. */
export class NetworkFailure extends MotorFailure {
  readonly _tag = 'Network' as const
  override get isRetryable(): boolean {
    return true
  }
}
/** A time limit was hit: `maxTimeMS` / `timeoutMS` on the server or a socket timeout. */
export class TimeoutFailure extends MotorFailure {
  readonly _tag = 'Timeout' as const
  override get isRetryable(): boolean {
    return true
  }
}
/** No suitable server was found within `serverSelectionTimeoutMS`. */
export class ServerSelectionFailure extends MotorFailure {
  readonly _tag = 'ServerSelection' as const
  override get isRetryable(): boolean {
    return true
  }
}
/** The operation was aborted through an AbortSignal. */
export class AbortedFailure extends MotorFailure {
  readonly _tag = 'Aborted' as const
}
/** Bad input: wrong argument types, an unparsable connection string, invalid options. */
export class InvalidArgumentFailure extends MotorFailure {
  readonly _tag = 'InvalidArgument' as const
}
/** A transaction was used wrongly on the client side (e.g. commit without start). */
export class TransactionFailure extends MotorFailure {
  readonly _tag = 'Transaction' as const
}
/** Any other error raised by the driver. */
export class DriverFailure extends MotorFailure {
  readonly _tag = 'Driver' as const
}
/** A document failed the collection's schema (`withSchema`); `cause` is core's `SchemaValidationError`. */
export class ValidationFailure extends MotorFailure {
  readonly _tag = 'Validation' as const
}
/** Something that is not a driver error at all; see `cause`. */
export class UnknownFailure extends MotorFailure {
  readonly _tag = 'Unknown' as const
}

/** Why a `MotorError` happened: one tagged class per reason. */
export type MotorErrorReason =
  | DuplicateKeyFailure
  | ServerFailure
  | NetworkFailure
  | TimeoutFailure
  | ServerSelectionFailure
  | AbortedFailure
  | InvalidArgumentFailure
  | TransactionFailure
  | DriverFailure
  | ValidationFailure
  | UnknownFailure

/** The error channel of every motor-ts Effect and Stream: one tagged error with a `reason`. */
export class MotorError extends Data.TaggedError('MotorError')<{ readonly reason: MotorErrorReason }> {
  /** The reason, as `SqlError` does; the driver's original error is `reason.cause`. */
  override readonly cause: MotorErrorReason = this.reason
  override get message(): string {
    return this.reason.message
  }
  /** Whether retrying may succeed (see `MotorFailure.isRetryable`). */
  get isRetryable(): boolean {
    return this.reason.isRetryable
  }
  /** Same question as the driver's `MongoError.hasErrorLabel`. */
  hasErrorLabel(label: string): boolean {
    return this.reason.hasErrorLabel(label)
  }
}

const byReason: { readonly [R in ErrorReason]: new (fields: MotorErrorFields) => Extract<MotorErrorReason, { _tag: R }> } = {
  DuplicateKey: DuplicateKeyFailure,
  ServerError: ServerFailure,
  Network: NetworkFailure,
  Timeout: TimeoutFailure,
  ServerSelection: ServerSelectionFailure,
  Aborted: AbortedFailure,
  InvalidArgument: InvalidArgumentFailure,
  Transaction: TransactionFailure,
  Driver: DriverFailure,
  Validation: ValidationFailure,
  Unknown: UnknownFailure,
}

for (const cls of Object.values(byReason)) Object.defineProperty(cls.prototype, 'name', { value: cls.name, configurable: true })

export const isMotorError = (u: unknown): u is MotorError => u instanceof MotorError

// A driver error maps to one failure, always the same instance: when core re-throws an
// error it received from `chainFuture` (the transaction loop does), it lands in the channel
// as the very failure it left, never wrapped twice.
const failureOf = new WeakMap<object, MotorError>()
// Values a user's Effect put in the error channel that are not motor-ts failures: they go
// through core unchanged instead of being wrapped as `Unknown`.
const foreign = new WeakSet<object>()

/** Map anything thrown or rejected by the driver (or core) into the typed error channel. */
export function toMotorError(error: unknown, operation?: string): MotorError {
  if (isMotorError(error)) return error
  if (error instanceof MotorFailure) return new MotorError({ reason: error as MotorErrorReason })
  const isObject = typeof error === 'object' && error !== null
  if (isObject) {
    const known = failureOf.get(error)
    if (known) return known
    if (foreign.has(error)) return error as MotorError
  }
  const d = describeError(error)
  const reason = new byReason[d.reason]({
    message: d.message,
    ...(d.code !== undefined && { code: d.code }),
    ...(d.codeName !== undefined && { codeName: d.codeName }),
    labels: d.labels,
    ...(operation !== undefined && { operation }),
    cause: error,
  })
  const failure = new MotorError({ reason })
  if (isObject) failureOf.set(error, failure)
  return failure
}

/**
 * What core (and Synchro) should see of a failure in the channel: the original driver error
 * for a motor-ts failure, so `error instanceof MongoError && error.hasErrorLabel(...)` works;
 * anything else unchanged (and remembered, so it comes back unchanged).
 */
export function originalError(error: unknown): unknown {
  if (isMotorError(error)) {
    const cause = error.reason.cause
    // A failure built by hand, without an object cause, is its own original.
    if (typeof cause !== 'object' || cause === null) return error
    if (!failureOf.has(cause)) failureOf.set(cause, error)
    return cause
  }
  if (typeof error === 'object' && error !== null) foreign.add(error)
  return error
}
