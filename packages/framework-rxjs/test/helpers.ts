/**
 * Shared test plumbing for @motor-ts/rxjs: a client on the provisioned server with command
 * monitoring on, a record of the commands it started and the replies it got, and small
 * waits. Every file uses its own database (`uniqueName`), since all test files share one
 * server with the other packages' tests.
 */
import { server, uniqueName } from '@motor-ts/tools'
import { firstValueFrom } from 'rxjs'
import { type CommandStartedEvent, type CommandSucceededEvent, type Db, Long, MongoClient, type MongoClientOptions } from '../src/index.js'

export interface Monitored {
  client: MongoClient
  db: Db
  started: CommandStartedEvent[]
  succeeded: CommandSucceededEvent[]
  /** Commands started on this test's database (name filter optional), since `mark`. */
  commands(name?: string, since?: number): CommandStartedEvent[]
  /** A position in `started`, to look only at what came after. */
  mark(): number
  close(): Promise<void>
}

export async function connect(prefix: string, options: MongoClientOptions = {}): Promise<Monitored> {
  const client = new MongoClient(server().uri, { monitorCommands: true, serverSelectionTimeoutMS: 10_000, ...options })
  const started: CommandStartedEvent[] = []
  const succeeded: CommandSucceededEvent[] = []
  client.on('commandStarted', (event) => started.push(event))
  client.on('commandSucceeded', (event) => succeeded.push(event))
  await firstValueFrom(client.connect())
  const db = client.db(uniqueName(prefix))
  return {
    client,
    db,
    started,
    succeeded,
    commands: (name, since = 0) =>
      started.slice(since).filter((e) => e.databaseName === db.databaseName && (name === undefined || e.commandName === name)),
    mark: () => started.length,
    close: async () => {
      await firstValueFrom(db.dropDatabase()).catch(() => undefined)
      await firstValueFrom(client.close())
    },
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Poll `check` until it returns true (or `timeoutMs` passes); returns its last answer. */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (check()) return true
    await sleep(10)
  }
  return check()
}

/**
 * The id of the server cursor a `find`/`aggregate` opened, read from its monitored reply, as
 * a Long (servers that send small ids as plain int64 values may come back as numbers).
 */
export function cursorIdOf(events: CommandSucceededEvent[], requestId: number): Long | undefined {
  const id = (events.find((e) => e.requestId === requestId)?.reply as { cursor?: { id?: Long | number | bigint } } | undefined)?.cursor?.id
  return id === undefined ? undefined : Long.fromValue(typeof id === 'bigint' ? id.toString() : id)
}
