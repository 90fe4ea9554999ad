/**
 * The typed error channel of @motor-ts/effect: one tagged error class per reason of core's
 * `describeError`, so `Effect.catchTag('DuplicateKey', ...)` recovers from a duplicate key
 * whatever driver class raised it. Every failure of the driver (server replies, network,
 * server selection, bad input thrown synchronously) becomes one of these; none is a defect.
 *
 * Naming: the `_tag` is the reason itself ('DuplicateKey', 'ServerError', 'Network', ...),
 * and the classes end in `Failure` (`DuplicateKeyFailure`, `ServerFailure`, ...) so they never
 * read like the driver's own classes (`MongoServerError`, `MongoNetworkError`...), which this
 * package re-exports unchanged. The union is `MotorError`, not `MongoError`: `MongoError` stays
 * the driver's base class, so `instanceof MongoError` keeps meaning what it means in the driver.
 * Each failure keeps the original driver error as `cause` (and `yieldable` / Synchro hand that
 * original back), so driver classes survive for `instanceof` checks.
 */
import { describeError, type ErrorReason } from '@motor-ts/core'
import { Data } from 'effect'

/** What every motor-ts failure carries, whatever its tag. */
export interface MotorErrorFields {
  readonly message: string
  /** Server error code, when the server answered with one. */
  readonly code?: number | string
  readonly codeName?: string
  /** Error labels (`TransientTransactionError`, `RetryableWriteError`, ...). */
  readonly labels: readonly string[]
  /** The original error thrown by the driver (or by bad input), untouched. */
  readonly cause: unknown
}

/** Base of every motor-ts failure; `instanceof MotorFailure` tells them from anything else. */
export abstract class MotorFailure extends Data.Error<MotorErrorFields> {
  abstract readonly _tag: ErrorReason
  /** Same question as the driver's `MongoError.hasErrorLabel`. */
  hasErrorLabel(label: string): boolean {
    return this.labels.includes(label)
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
}
/** A time limit was hit: `maxTimeMS` / `timeoutMS` on the server or a socket timeout. */
export class TimeoutFailure extends MotorFailure {
  readonly _tag = 'Timeout' as const
}
/** No suitable server was found within `serverSelectionTimeoutMS`. */
export class ServerSelectionFailure extends MotorFailure {
  readonly _tag = 'ServerSelection' as const
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
/** Something that is not a driver error at all; see `cause`. */
export class UnknownFailure extends MotorFailure {
  readonly _tag = 'Unknown' as const
}

/** The error channel of every motor-ts Effect and Stream. */
export type MotorError =
  | DuplicateKeyFailure
  | ServerFailure
  | NetworkFailure
  | TimeoutFailure
  | ServerSelectionFailure
  | AbortedFailure
  | InvalidArgumentFailure
  | TransactionFailure
  | DriverFailure
  | UnknownFailure

const byReason: { readonly [R in ErrorReason]: new (fields: MotorErrorFields) => Extract<MotorError, { _tag: R }> } = {
  DuplicateKey: DuplicateKeyFailure,
  ServerError: ServerFailure,
  Network: NetworkFailure,
  Timeout: TimeoutFailure,
  ServerSelection: ServerSelectionFailure,
  Aborted: AbortedFailure,
  InvalidArgument: InvalidArgumentFailure,
  Transaction: TransactionFailure,
  Driver: DriverFailure,
  Unknown: UnknownFailure,
}

for (const cls of Object.values(byReason)) Object.defineProperty(cls.prototype, 'name', { value: cls.name, configurable: true })

export const isMotorError = (u: unknown): u is MotorError => u instanceof MotorFailure

// A driver error maps to one failure, always the same instance: when core re-throws an
// error it received from `chainFuture` (the transaction loop does), it lands in the channel
// as the very failure it left, never wrapped twice.
const failureOf = new WeakMap<object, MotorError>()
// Values a user's Effect put in the error channel that are not motor-ts failures: they go
// through core unchanged instead of being wrapped as `Unknown`.
const foreign = new WeakSet<object>()

/** Map anything thrown or rejected by the driver (or core) into the typed error channel. */
export function toMotorError(error: unknown): MotorError {
  if (isMotorError(error)) return error
  const isObject = typeof error === 'object' && error !== null
  if (isObject) {
    const known = failureOf.get(error)
    if (known) return known
    if (foreign.has(error)) return error as MotorError
  }
  const d = describeError(error)
  const failure = new byReason[d.reason]({
    message: d.message,
    ...(d.code !== undefined && { code: d.code }),
    ...(d.codeName !== undefined && { codeName: d.codeName }),
    labels: d.labels,
    cause: error,
  })
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
    const cause = error.cause
    // A failure built by hand, without an object cause, is its own original.
    if (typeof cause !== 'object' || cause === null) return error
    if (!failureOf.has(cause)) failureOf.set(cause, error)
    return cause
  }
  if (typeof error === 'object' && error !== null) foreign.add(error)
  return error
}
