/**
 * The table never falls behind the driver: the live driver has no unwrapped member, a
 * driver that gains a method is caught, and the committed generated types match what the
 * generator makes from the installed driver today.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { apiDiff } from '../scripts/api-diff.js'
import { locateDriver, readDriverApi } from '../scripts/driver-api.js'
import { generate } from '../scripts/generate-api.js'

function driverWith(edit: (dts: string) => string) {
  const { file, version } = locateDriver()
  const dir = mkdtempSync(join(tmpdir(), 'motor-api-diff-'))
  const copy = join(dir, 'mongodb.d.ts')
  writeFileSync(copy, edit(readFileSync(file, 'utf8')))
  return readDriverApi(copy, version)
}

describe('api-diff', () => {
  it('finds no unwrapped public member in the installed driver', () => {
    const { findings, unwrapped } = apiDiff()
    expect(findings.map((f) => f.line)).toEqual([])
    expect(unwrapped).toBe(0)
  })

  it('reports a method the driver adds to a wrapped class', () => {
    const api = driverWith((dts) =>
      dts.replace(
        /(export declare class Collection<[^\n]*\n)/,
        '$1    findRandom(filter: Filter<TSchema>): Promise<WithId<TSchema> | null>;\n',
      ),
    )
    const { findings, unwrapped } = apiDiff(api)
    expect(unwrapped).toBe(1)
    expect(findings.map((f) => f.line)).toContain('unwrapped: Collection.findRandom (method)')
  })

  it('reports a new driver class with async methods', () => {
    const api = driverWith(
      (dts) => `${dts}\nexport declare class SearchIndexManager {\n    list(): Promise<Document[]>;\n}\n`,
    )
    expect(apiDiff(api).findings.map((f) => f.line)).toContain('unwrapped class with async methods: SearchIndexManager')
  })

  it('reports a table entry the driver no longer has', () => {
    const api = driverWith((dts) => dts.replace(/ {4}estimatedDocumentCount\(options\?[^\n]*\n/, ''))
    expect(apiDiff(api).findings.map((f) => f.line)).toContain(
      `stale table entry: Collection.estimatedDocumentCount is not in mongodb ${api.version}`,
    )
  })

  it('keeps the committed generated declarations in step with the installed driver', () => {
    const committed = readFileSync(new URL('../src/generated/driver-api.generated.ts', import.meta.url), 'utf8')
    expect(generate() === committed, 'run `pnpm --filter @motor-ts/core generate` and commit').toBe(true)
  })
})
