/**
 * Effect-native wiring of the client, named as Effect 4's SQL clients name theirs
 * (`PgClient.PgClient`, `PgClient.layer`, `PgClient.layerConfig`): import the `Mongo` module
 * and use `Mongo.MongoClient` (the service: the connected motor-ts client), `Mongo.layer(config)`
 * (connects when built, closes when released), `Mongo.layerConfig(config)` (the same from
 * `Config`, the URL a `Redacted` that never reaches a log or an error message) and
 * `Mongo.session(options)` (a session as a scoped resource, ended when its scope closes).
 * Everything else is the client's own API, from core.
 */
import type { MotorOptions } from '@motor-ts/core'
import { Config, Context, Effect, Layer, Redacted, type Scope } from 'effect'
import type { ClientSessionOptions, MongoClientOptions } from 'mongodb'
import { MongoClient as Client, type ClientSession } from './client.js'
import { type MotorError, toMotorError } from './errors.js'

/** What `layer` connects with: the connection string (best as a `Redacted`) and any driver option. */
export interface MongoClientConfig extends MongoClientOptions {
  readonly url: Redacted.Redacted<string> | string
}

/** The connected motor-ts client, as an Effect service. */
export class MongoClient extends Context.Service<MongoClient, Client>()('@motor-ts/effect/MongoClient') {
  /** @deprecated Use `Mongo.layer({ url, ...options })`. */
  static readonly layer = (url: string, options?: MongoClientOptions): Layer.Layer<MongoClient, MotorError> =>
    layer({ ...options, url })
  /** @deprecated Use `Mongo.session(options)`. */
  static readonly session = (options?: MotorOptions<ClientSessionOptions>) => session(options)
}

/** A client connected from `config`, closed when the enclosing scope closes. */
export const make = ({ url, ...options }: MongoClientConfig): Effect.Effect<Client, MotorError, Scope.Scope> =>
  Effect.acquireRelease(Client.connect(Redacted.isRedacted(url) ? Redacted.value(url) : url, options), (client) =>
    client.close().pipe(Effect.ignore({ log: 'Warn', message: 'motor-ts: closing the MongoClient failed' })),
  )

/** The `MongoClient` service, connected when the layer is built and closed when it is released. */
export const layer = (config: MongoClientConfig): Layer.Layer<MongoClient, MotorError> => Layer.effect(MongoClient, make(config))

/**
 * `layer` read from `Config`: `Mongo.layerConfig({ url: Config.Redacted('MONGODB_URI'), appName: Config.String('APP') })`.
 * A missing or invalid setting fails the layer with a `ConfigError`.
 */
export const layerConfig = (config: Config.Wrap<MongoClientConfig>): Layer.Layer<MongoClient, MotorError | Config.ConfigError> =>
  Layer.effect(MongoClient, Effect.flatMap(Config.unwrap(config), make))

/** A session of the service's client, ended when the enclosing scope closes. */
export const session = (
  options?: MotorOptions<ClientSessionOptions>,
): Effect.Effect<ClientSession, MotorError, MongoClient | Scope.Scope> =>
  MongoClient.use((client) =>
    Effect.acquireRelease(Effect.try({ try: () => client.startSession(options), catch: toMotorError }), (s) =>
      s.endSession().pipe(Effect.ignore({ log: 'Warn', message: 'motor-ts: ending a session failed' })),
    ),
  )
