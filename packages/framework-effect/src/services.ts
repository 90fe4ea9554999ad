/**
 * Effect-native wiring of the client: `MongoClientService` is the connected motor-ts client
 * as an Effect 4 service (`Context.Service`), and `MongoClientService.layer(url, options)`
 * connects when the layer is built and closes the client when the layer's scope closes.
 * `MongoClientService.session(options)` is a session as a scoped resource, always ended when
 * its scope closes. Everything else is the client's own API, from core.
 */

import type { MotorOptions } from '@motor-ts/core'
import { Context, Effect, Layer, type Scope } from 'effect'
import type { ClientSessionOptions, MongoClientOptions } from 'mongodb'
import { type ClientSession, MongoClient } from './client.js'
import { type MotorError, toMotorError } from './errors.js'

export class MongoClientService extends Context.Service<MongoClientService, MongoClient>()('@motor-ts/effect/MongoClient') {
  /** A connected client from `url`, closed when the layer is released. */
  static readonly layer = (url: string, options?: MongoClientOptions): Layer.Layer<MongoClientService, MotorError> =>
    Layer.effect(
      MongoClientService,
      Effect.acquireRelease(MongoClient.connect(url, options), (client) =>
        client.close().pipe(Effect.ignore({ log: 'Warn', message: 'motor-ts: closing the MongoClient failed' })),
      ),
    )

  /** A session of the service's client, ended when the enclosing scope closes. */
  static readonly session = (
    options?: MotorOptions<ClientSessionOptions>,
  ): Effect.Effect<ClientSession, MotorError, MongoClientService | Scope.Scope> =>
    MongoClientService.use((client) =>
      Effect.acquireRelease(Effect.try({ try: () => client.startSession(options), catch: toMotorError }), (session) =>
        session.endSession().pipe(Effect.ignore({ log: 'Warn', message: 'motor-ts: ending a session failed' })),
      ),
    )
}
