/**
 * GridFS through Effect: an upload written with `write` / `end` (futures completed by the
 * driver's callbacks, i.e. `getFuture`) and read back as a `Stream` of chunks, which stops
 * early and destroys the download when the consumer takes less than everything.
 */
import { Effect, Stream } from 'effect'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { GridFSBucket } from '../src/index.js'
import { type Monitored, monitoredClient } from './support.js'

let m: Monitored

beforeAll(async () => {
  m = await monitoredClient('effect_gridfs')
})
afterAll(async () => {
  await m?.close()
})

it('uploads with write/end and downloads as a Stream', async () => {
  const bucket = new GridFSBucket(m.db, { chunkSizeBytes: 4 })
  const upload = bucket.openUploadStream('hello.txt')
  const file = await Effect.runPromise(Effect.andThen(upload.write('hello '), upload.end('effect world')))
  expect(file.length).toBe(18)
  expect(file.filename).toBe('hello.txt')

  const chunks = await Effect.runPromise(Stream.runCollect(bucket.openDownloadStream(file._id).toStream()))
  expect(Buffer.concat(chunks).toString()).toBe('hello effect world')

  const first = await Effect.runPromise(Stream.runCollect(bucket.openDownloadStream(file._id).toStream().pipe(Stream.take(1))))
  expect(first).toHaveLength(1)
  expect(first[0]?.length).toBeGreaterThan(0)
})
