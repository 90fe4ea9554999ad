/**
 * GridFS through Observables: an upload written chunk by chunk with `write` / `end` (futures
 * completed by stream callbacks, i.e. `getFuture`), then read back as an Observable of
 * Buffers with `toStream()`; the bucket's own operations (`find`, `delete`) are Observables.
 */
import { concatMap, from, lastValueFrom, reduce, toArray } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GridFSBucket } from '../src/index.js'
import { connect, type Monitored } from './helpers.js'

let m: Monitored

beforeAll(async () => {
  m = await connect('rx_gridfs')
})

afterAll(async () => {
  await m?.close()
})

describe('GridFS', () => {
  it('uploads with write/end and downloads as an Observable of chunks', async () => {
    const bucket = new GridFSBucket(m.db, { chunkSizeBytes: 1024 })
    const upload = bucket.openUploadStream('hello.txt')
    const parts = Array.from({ length: 5 }, (_, i) => `part ${i} `.repeat(100))
    const file = await lastValueFrom(
      from(parts).pipe(
        concatMap((part) => upload.write(part)),
        toArray(),
        concatMap(() => upload.end()),
      ),
    )
    const expected = parts.join('')
    expect(file.length).toBe(Buffer.byteLength(expected))

    const download = bucket.openDownloadStreamByName('hello.txt').toStream()
    const text = await lastValueFrom(download.pipe(reduce((acc, chunk: Buffer) => acc + chunk.toString('utf8'), '')))
    expect(text).toBe(expected)

    const files = await lastValueFrom(bucket.find({ filename: 'hello.txt' }).toArray())
    expect(files).toHaveLength(1)
    await lastValueFrom(bucket.delete(files[0]!._id))
    expect(await lastValueFrom(bucket.find({}).toArray())).toEqual([])
  })
})
