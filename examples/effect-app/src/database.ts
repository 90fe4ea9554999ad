/**
 * The database as a Layer built from configuration: `MONGODB_URI` is read as a `Redacted`
 * string (it may carry a password; logs and `toString` show `<redacted>`), `BANK_DB` names
 * the database. The client connects when the layer is built and closes when it is released.
 */
import { MongoClientService } from '@motor-ts/effect'
import { Config, Effect, Layer, Redacted } from 'effect'

export const DatabaseConfig = Config.all({
  uri: Config.Redacted('MONGODB_URI'),
  database: Config.String('BANK_DB').pipe(Config.withDefault('bank')),
})

/** The connected client, from `MONGODB_URI`; fails with a `ConfigError` when it is missing. */
export const MongoLive = Layer.unwrap(
  Effect.gen(function* () {
    const { uri } = yield* DatabaseConfig
    return MongoClientService.layer(Redacted.value(uri))
  }),
)
