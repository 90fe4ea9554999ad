/**
 * A callback that throws does not corrupt the driver: its error surfaces once as the
 * process's 'uncaughtException' (as a throw from an `fs` callback does), never as an
 * unhandled rejection or a second callback, and the pool and sessions are already released.
 * Run in a child process (`fixtures/throwing-callbacks.mjs`, on the built package), since
 * the test runner treats an uncaught exception in its own process as a failure.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { server, uniqueName } from '@motor-ts/tools'
import { describe, expect, it } from 'vitest'

const script = fileURLToPath(new URL('./fixtures/throwing-callbacks.mjs', import.meta.url))

describe('a throwing callback', () => {
  it('reaches uncaughtException once per call, and the client carries on', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, server().uri, uniqueName('throws')], { timeout: 30_000 })
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!)
    expect(report).toEqual({
      uncaught: ['insertOne callback threw', 'next callback threw', 'insertMany callback threw', 'withSession callback threw'],
      calls: { insertOne: 1, next: 1, insertMany: 1, withSession: 1 },
      count: 1,
      sessionEnded: true,
    })
  })
})
