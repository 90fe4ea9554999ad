/**
 * The database as a Layer built from configuration: `MONGODB_URI` is read as a `Redacted`
 * string (it may carry a password; logs, `toString` and error messages show `<redacted>`),
 * `BANK_DB` names the database. `Mongo.layerConfig` connects when the layer is built and
 * closes the client when it is released; a missing setting fails it with a `ConfigError`.
 */
import { Mongo } from '@motor-ts/effect'
import { Config } from 'effect'

export const DatabaseConfig = Config.all({
  uri: Config.Redacted('MONGODB_URI'),
  database: Config.String('BANK_DB').pipe(Config.withDefault('bank')),
})

/** The connected client, from `MONGODB_URI`. */
export const MongoLive = Mongo.layerConfig({ url: Config.Redacted('MONGODB_URI') })
