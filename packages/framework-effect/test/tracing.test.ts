/**
 * Every operation runs in a client span named and attributed after OpenTelemetry's database
 * conventions for MongoDB, seen by whatever tracer the app provides: here a recording tracer,
 * on the real server. Spans never carry document contents, and turning Effect's tracer off
 * (`References.TracerEnabled`) registers none.
 */
import { server } from '@motor-ts/tools'
import { Effect, References } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MotorError } from '../src/index.js'
import { failureOf, type Monitored, monitoredClient, recordingTracer, seeded } from './support.js'

let m: Monitored
beforeAll(async () => {
  m = await monitoredClient('effect_tracing')
})
afterAll(async () => {
  await m?.close()
})

const traced = <A>(effect: Effect.Effect<A, MotorError>) => {
  const { tracer, spans } = recordingTracer()
  return { spans, run: () => Effect.runPromiseExit(effect.pipe(Effect.withTracer(tracer))) }
}

describe('tracing', () => {
  it('runs each operation in a client span with the MongoDB attributes, never the documents', async () => {
    const coll = await seeded(m, 3)
    const { spans, run } = traced(
      Effect.gen(function* () {
        yield* coll.insertOne({ _id: 10, i: 10 })
        return yield* coll.find({ i: { $gte: 1 } }).toArray()
      }).pipe(Effect.withSpan('app')),
    )
    await run()
    const [app, insert, find] = spans
    expect(spans.map((s) => s.name)).toEqual(['app', `insertOne ${coll.collectionName}`, `toArray ${coll.collectionName}`])
    expect(insert!.kind).toBe('client')
    expect(insert!.parent._tag === 'Some' && insert!.parent.value).toBe(app)
    const { hosts } = m.client.options
    expect(Object.fromEntries(insert!.attributes)).toEqual({
      'db.system.name': 'mongodb',
      'db.namespace': m.db.databaseName,
      'db.collection.name': coll.collectionName,
      'db.operation.name': 'insertOne',
      'server.address': hosts[0]!.host,
      'server.port': hosts[0]!.port,
    })
    expect(find!.attributes.get('db.operation.name')).toBe('toArray')
    expect(find!.attributes.get('db.collection.name')).toBe(coll.collectionName)
    for (const span of spans) {
      expect(span.status._tag).toBe('Ended')
      expect(JSON.stringify([...span.attributes.values()])).not.toMatch(/gte|"i"/)
    }
  })

  it('marks a failed operation with its reason and server code', async () => {
    const coll = await seeded(m, 1)
    const { spans, run } = traced(coll.insertOne({ _id: 0, i: 0 }))
    const failure = failureOf(await run())
    expect(failure.reason._tag).toBe('DuplicateKey')
    const [span] = spans
    expect(span!.attributes.get('error.type')).toBe('DuplicateKey')
    expect(span!.attributes.get('db.response.status_code')).toBe('11000')
    expect(span!.status._tag === 'Ended' && span!.status.exit._tag).toBe('Failure')
  })

  it('registers no span when the app turns tracing off', async () => {
    const coll = await seeded(m, 1)
    const { spans, run } = traced(coll.countDocuments().pipe(Effect.provideService(References.TracerEnabled, false)))
    await run()
    expect(spans).toEqual([])
    expect(server().uri).toContain('127.0.0.1')
  })
})
