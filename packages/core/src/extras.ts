/**
 * The few types motor-ts adds to the driver's API, shared by every framework:
 * - `Wrapped<D>`: every wrapped object exposes its driver object as `delegate`.
 * - `Streamable<F, T>`: cursors, change streams and GridFS downloads can be consumed as
 *   the framework's stream (`toStream()`), closing the server cursor on early stop.
 * - `Uploadable<F>`: a GridFS upload written through futures (`write`, `end`).
 * - `MotorOptions<O>`: driver options that accept a wrapped session in `session`.
 * - `MotorSessionCallback<F, T>`: the work given to `withSession` / `withTransaction`.
 */
import type { ClientSession, GridFSFile } from 'mongodb'
import type { FrameworkTypes, Future, Stream } from './framework.js'
import type { MotorClientSession } from './generated/driver-api.generated.js'

/**
 * The type of a member the installed `mongodb` lacks (core's table is from a newer driver):
 * neither callable nor usable as the driver's value. At run time it fails with a
 * `MongoAPIError` naming the member and the installed driver version.
 */
export interface DriverLacks<Member extends string> {
  readonly 'motor-ts: the installed mongodb driver lacks this member': Member
}

export interface Wrapped<D> {
  /** The driver object this wraps. Use it only for what motor-ts does not cover. */
  readonly delegate: D
}

export interface Streamable<F extends FrameworkTypes, T> {
  /**
   * Consume as the framework's stream: an AsyncIterable (Promise), a cold Observable
   * (RxJS) or a Stream (Effect). Stopping early closes the cursor on the server. A second
   * consumption of a cursor runs the query again on a clone.
   */
  toStream(): Stream<F, T>
}

export interface Uploadable<F extends FrameworkTypes> {
  /** Write a chunk; completes when the chunk is accepted (backpressure respected). */
  write(chunk: Uint8Array | string): Future<F, void>
  /** Finish the upload (optionally with a last chunk); yields the stored file document. */
  end(chunk?: Uint8Array | string): Future<F, GridFSFile>
}

/** Any wrapped session, whatever its framework, or a driver session. */
export type SessionLike = ClientSession | Wrapped<ClientSession>

/** Driver options where `session` may be a wrapped session. */
export type MotorOptions<O> = O extends { session?: ClientSession }
  ? Omit<O, 'session'> & { session?: SessionLike }
  : O

/** Work run in a session (`withSession`) or a transaction (`withTransaction`). */
export type MotorSessionCallback<F extends FrameworkTypes, T = unknown> = (
  session: MotorClientSession<F>,
) => Future<F, T>
