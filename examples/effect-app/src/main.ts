/**
 * `pnpm --filter @motor-ts/example-effect-app start`: runs the bank program with the client
 * layer built from the environment (MONGODB_URI, BANK_DB). With no MONGODB_URI it starts an
 * embedded test server for the run and points the config at it.
 */
import { selectServerKind, startServer } from '@motor-ts/tools'
import { ConfigProvider, Effect } from 'effect'
import { MongoLive } from './database.js'
import { program } from './program.js'

const embedded = process.env.MONGODB_URI ? undefined : await startServer(selectServerKind())
const env = { ...process.env, MONGODB_URI: process.env.MONGODB_URI ?? embedded!.info.uri }
try {
  await Effect.runPromise(
    program.pipe(Effect.provide(MongoLive), Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))),
  )
} finally {
  await embedded?.stop()
}
