/**
 * Error kinds of the unified runner and helpers to look inside driver errors.
 *
 * A RunnerError is a problem with the test itself or the runner (unknown operation, bad
 * argument, undefined entity): it always fails the test, whatever `ignoreResultAndError` or
 * `expectError` say. An AssertionFailure is an expectation that did not hold. Driver errors
 * are inspected by duck typing and prototype names so that errors coming through a wrapped
 * ("synchro") driver are classified the same way as the raw driver's.
 */

export class RunnerError extends Error {
  override name = 'RunnerError'
}

export class AssertionFailure extends Error {
  override name = 'AssertionFailure'
}

export function fail(message: string): never {
  throw new AssertionFailure(message)
}

export function runnerError(message: string): never {
  throw new RunnerError(message)
}

export function isRunnerInternal(err: unknown): boolean {
  return err instanceof RunnerError || err instanceof AssertionFailure
}

/** Names of the classes in an error's prototype chain (e.g. MongoBulkWriteError, MongoServerError, MongoError). */
export function errorClassNames(err: unknown): string[] {
  const names: string[] = []
  if (err === null || typeof err !== 'object') return names
  let proto = Object.getPrototypeOf(err)
  while (proto && proto !== Object.prototype) {
    const n = proto.constructor?.name
    if (typeof n === 'string') names.push(n)
    proto = Object.getPrototypeOf(proto)
  }
  return names
}

/** True when the error carries a server response (as opposed to a client-side or network error). */
export function isServerError(err: unknown): boolean {
  const names = errorClassNames(err)
  if (names.includes('MongoServerError')) return true
  if (names.some((n) => /Network|Timeout|Driver|API|Runtime|Parse|Compatibility/.test(n))) return false
  const e = err as { errorResponse?: unknown; code?: unknown }
  return !!e && typeof e === 'object' && typeof e.errorResponse === 'object' && typeof e.code === 'number'
}

export function isTimeoutError(err: unknown): boolean {
  return errorClassNames(err).includes('MongoOperationTimeoutError')
}

export function errorLabels(err: any): string[] {
  if (!err || typeof err !== 'object') return []
  if (Array.isArray(err.errorLabels)) return err.errorLabels
  if (err.errorLabelSet instanceof Set) return [...err.errorLabelSet]
  return []
}

export function hasErrorLabel(err: any, label: string): boolean {
  if (err && typeof err.hasErrorLabel === 'function') return !!err.hasErrorLabel(label)
  return errorLabels(err).includes(label)
}

/** Every (message, code, codeName) triple an error carries: itself, its cause, bulk write and write concern errors. */
export function errorParts(err: any): Array<{ message?: string; code?: unknown; codeName?: unknown }> {
  const parts: Array<{ message?: string; code?: unknown; codeName?: unknown }> = []
  const seen = new Set<unknown>()
  const visit = (e: any) => {
    if (!e || typeof e !== 'object' || seen.has(e)) return
    seen.add(e)
    parts.push({ message: e.message ?? e.errmsg, code: e.code, codeName: e.codeName })
    if (e.errorResponse && typeof e.errorResponse === 'object') {
      parts.push({ message: e.errorResponse.errmsg, code: e.errorResponse.code, codeName: e.errorResponse.codeName })
    }
    const writeErrors = e.writeErrors
    if (writeErrors instanceof Map) for (const we of writeErrors.values()) visit(we)
    else if (Array.isArray(writeErrors)) for (const we of writeErrors) visit(we)
    if (Array.isArray(e.writeConcernErrors)) for (const wce of e.writeConcernErrors) visit(wce)
    if (e.writeConcernError) visit(e.writeConcernError)
    if (e.result && typeof e.result === 'object' && typeof e.result.getWriteErrors === 'function') {
      for (const we of e.result.getWriteErrors()) visit(we)
    }
    if (e.cause) visit(e.cause)
  }
  visit(err)
  return parts
}

/** Server error code names the test files use, for errors that expose only a numeric code. */
export const CODE_NAMES: Record<string, number> = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  MaxTimeMSExpired: 50,
  CommandNotFound: 59,
  WriteConcernFailed: 64,
  NotWritablePrimary: 10107,
  InterruptedAtShutdown: 11600,
  Interrupted: 11601,
  InterruptedDueToReplStateChange: 11602,
  DuplicateKey: 11000,
  NoSuchTransaction: 251,
  TransactionCommitted: 256,
  TransactionTooLarge: 257,
  OperationNotSupportedInTransaction: 263,
  UnknownReplWriteConcern: 79,
  UnsatisfiableWriteConcern: 100,
  ShutdownInProgress: 91,
  HostUnreachable: 6,
  HostNotFound: 7,
  UnknownError: 8,
  NetworkTimeout: 89,
  SocketException: 9001,
  NotPrimaryNoSecondaryOk: 13435,
  NotPrimaryOrSecondary: 13436,
  PrimarySteppedDown: 189,
  ExceededTimeLimit: 262,
  DocumentValidationFailure: 121,
  InvalidOptions: 72,
  Location17276: 17276,
}
