/**
 * @motor-ts/core: the framework interface and the agnostic MongoDB client. A framework
 * package implements `Framework` and calls `createMotor`; everything else (the table of
 * driver members, wrapping, sessions, transactions, error vocabulary) lives here.
 */
export * from './errors.js'
export type { DriverLacks, MotorOptions, MotorSessionCallback, SessionLike, Streamable, Uploadable, Wrapped } from './extras.js'
export type { Framework, FrameworkTypes, Future, Operation, PullSource, Stream } from './framework.js'
export * from './generated/driver-api.generated.js'
export { type ClassEntry, type MemberKind, memberKeyName } from './members.js'
export { createMotor, type MotorConstructors, NEVER_ABORTED } from './motor.js'
export { isWrapper, replaceWrapped, unwrap } from './registry.js'
export type { DocumentSchema, SchemaOutput, WithSchema } from './schema.js'
export { driverTable, type WrappedClassName } from './table.js'
export { operationAttributes, operationSpanName, type SpanAttributes } from './telemetry.js'
export { runTransaction, TRANSACTION_TIME_LIMIT_MS } from './transaction.js'
