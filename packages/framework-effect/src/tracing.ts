/**
 * Every driver method call runs in a span, as Effect 4's SQL clients run each statement in
 * one: a `client` span named `{operation} {collection}` with OpenTelemetry's database
 * attributes for MongoDB (core's `operationAttributes`: system, namespace, collection,
 * operation, server address; never document contents), plus `error.type` (the failure's
 * reason) and `db.response.status_code` (the server's code) when it fails. An app without a
 * tracer pays for Effect's native spans only; `References.TracerEnabled` set to `false` turns
 * span registration off, as for every Effect span.
 */
import { type Operation, operationAttributes, operationSpanName } from '@motor-ts/core'
import { Effect, type Tracer } from 'effect'
import type { MotorError } from './errors.js'

const SPAN_OPTIONS = { kind: 'client' } as const

const annotateFailure = (span: Tracer.Span) => (error: MotorError) =>
  Effect.sync(() => {
    span.attribute('error.type', error.reason._tag)
    if (error.reason.code !== undefined) span.attribute('db.response.status_code', String(error.reason.code))
  })

/** `effect` in a span describing `operation`. */
export const traced = <A>(effect: Effect.Effect<A, MotorError>, operation: Operation): Effect.Effect<A, MotorError> =>
  Effect.useSpan(operationSpanName(operation), SPAN_OPTIONS, (span) => {
    const attributes = operationAttributes(operation)
    for (const key in attributes) span.attribute(key, attributes[key])
    return Effect.tapError(effect, annotateFailure(span))
  })
