/**
 * Shared by the Effect tests: a motor-ts client on the provisioned server with command
 * monitoring on, a log of every command started and succeeded (so tests can prove what went
 * over the wire), and small helpers to run Effects and to wait for a command to show up.
 */
import { server, uniqueName } from '@motor-ts/tools'
import { Cause, Effect, Exit, Redacted, Tracer } from 'effect'
import type { CommandStartedEvent, CommandSucceededEvent, Document, MongoClientOptions } from 'mongodb'
import { expect, vi } from 'vitest'
import { type Collection, type Db, Mongo, MongoClient, type MotorError } from '../src/index.js'

export interface Monitored {
  client: MongoClient
  db: Db
  started: CommandStartedEvent[]
  succeeded: CommandSucceededEvent[]
  /** Commands named `name` started against this test's database since the last `reset()`. */
  commands(name: string): CommandStartedEvent[]
  reset(): void
  close(): Promise<void>
}

export async function monitoredClient(prefix: string, options: MongoClientOptions = {}): Promise<Monitored> {
  const client = await Effect.runPromise(
    MongoClient.connect(server().uri, { monitorCommands: true, serverSelectionTimeoutMS: 10_000, ...options }),
  )
  const db = client.db(uniqueName(prefix))
  const started: CommandStartedEvent[] = []
  const succeeded: CommandSucceededEvent[] = []
  client.on('commandStarted', (e) => started.push(e))
  client.on('commandSucceeded', (e) => succeeded.push(e))
  return {
    client,
    db,
    started,
    succeeded,
    commands: (name) => started.filter((e) => e.commandName === name && e.databaseName === db.databaseName),
    reset: () => {
      started.length = 0
      succeeded.length = 0
    },
    close: async () => {
      await Effect.runPromise(Effect.ignore(db.dropDatabase()))
      await Effect.runPromise(client.close())
    },
  }
}

/** A fresh collection holding `n` documents `{ _id: i, i }`. */
export async function seeded(m: Monitored, n: number): Promise<Collection<{ _id: number; i: number }>> {
  const coll = m.db.collection<{ _id: number; i: number }>(uniqueName('c'))
  if (n > 0) await Effect.runPromise(coll.insertMany(Array.from({ length: n }, (_, i) => ({ _id: i, i }))))
  return coll
}

/** Waits until `predicate` holds (polling), failing the test after a few seconds. */
export const eventually = (predicate: () => boolean, message: string) =>
  vi.waitFor(
    () => {
      if (!predicate()) throw new Error(message)
    },
    { timeout: 5_000, interval: 5 },
  )

/** The cursor id a `find`/`aggregate` reply opened, by the request id of its command. */
export function cursorIdOf(m: Monitored, started: CommandStartedEvent): bigint | undefined {
  const reply = m.succeeded.find((e) => e.requestId === started.requestId)?.reply as Document | undefined
  const id = reply?.cursor?.id
  return id === undefined ? undefined : BigInt(id.toString())
}

/** The cursor ids a `killCursors` command named. */
export const killedIds = (m: Monitored): bigint[] =>
  m.commands('killCursors').flatMap((e) => (e.command.cursors as unknown[]).map((id) => BigInt(String(id))))

/** The failure an Exit failed with, asserting it is a typed failure (`Fail`) and not a defect. */
export function failureOf<A>(exit: Exit.Exit<A, MotorError>): MotorError {
  if (!Exit.isFailure(exit)) throw new Error(`expected a failure, got ${String(exit)}`)
  expect(Cause.hasDies(exit.cause)).toBe(false)
  expect(Cause.hasFails(exit.cause)).toBe(true)
  const error = Cause.findErrorOption(exit.cause)
  if (error._tag !== 'Some') throw new Error('no typed error in the cause')
  expect(error.value).toBeInstanceOf(Error)
  return error.value
}

/**
 * The client layer on the provisioned test server, the way an app's tests provide it:
 * `program.pipe(Effect.provide(testLayer()))`. The URL goes in as a `Redacted`, as in production.
 */
export const testLayer = (options: MongoClientOptions = {}) =>
  Mongo.layer({ url: Redacted.make(server().uri), serverSelectionTimeoutMS: 10_000, ...options })

/** A tracer that records every span it starts (Effect's native spans), for assertions. */
export function recordingTracer(): { tracer: Tracer.Tracer; spans: Tracer.NativeSpan[] } {
  const spans: Tracer.NativeSpan[] = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    },
  })
  return { tracer, spans }
}
