/**
 * A setup file for every test project: records every unhandled promise rejection and
 * uncaught exception in the test process, and fails the file's run if any occurred. motor-ts
 * promises "no unhandled rejections, no crash" under bad input and cancellation; this makes
 * the whole suite the proof. (vitest also reports such errors; this names the rule.)
 */
import { afterAll, expect } from 'vitest'

const seen: string[] = []
const record = (kind: string) => (reason: unknown) => {
  seen.push(`${kind}: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`)
}
const onRejection = record('unhandled rejection')
const onException = record('uncaught exception')
process.on('unhandledRejection', onRejection)
process.on('uncaughtException', onException)

afterAll(async () => {
  // Let late rejections (e.g. from cancelled work finishing after its test) surface first.
  await new Promise((resolve) => setTimeout(resolve, 50))
  process.off('unhandledRejection', onRejection)
  process.off('uncaughtException', onException)
  expect(seen, 'no unhandled rejection or uncaught exception in this test file').toEqual([])
})
