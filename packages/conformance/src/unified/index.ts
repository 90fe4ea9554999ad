/**
 * Unified test format runner, driver-injectable: entities are created only through the
 * `driver` module passed in (the raw `mongodb` package or a synchro module with the same API),
 * while test plumbing uses an internal client of the real `mongodb` package.
 *
 *   const results = await runUnifiedDirectory(dir, { driver: mongodb, uri })
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { UnifiedRunner } from './runner.js'
import type { RunOptions, UnifiedTestResult } from './types.js'

export { defaultExclusions } from './exclusions.js'
export { compareVersions, SUPPORTED_SCHEMA_VERSION, UnifiedRunner } from './runner.js'
export type {
  DriverModule,
  ExclusionCategory,
  FileExclusion,
  OperationExclusion,
  RunOptions,
  ServerCapabilities,
  ServerInfo,
  Topology,
  UnifiedExclusion,
  UnifiedTestResult,
  Verdict,
} from './types.js'

/** Runs one test file. Exclusion entries for this file that match no test are reported as failures. */
export async function runUnifiedFile(path: string, options: RunOptions): Promise<UnifiedTestResult[]> {
  const runner = await UnifiedRunner.open(options)
  try {
    const results = await runner.runFile(path)
    return [...results, ...runner.unmatchedExclusions([path])]
  } finally {
    await runner.close()
  }
}

/** Lists the .json test files of a directory, sorted. */
export async function listUnifiedFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()
  return names.map((n) => join(dir, n))
}

/**
 * Runs every .json file of a directory with one internal client. Exclusion entries whose
 * folder is this directory but that match no test (or no file) are reported as failures.
 */
export async function runUnifiedDirectory(dir: string, options: RunOptions): Promise<UnifiedTestResult[]> {
  const files = await listUnifiedFiles(dir)
  const runner = await UnifiedRunner.open(options)
  try {
    const results: UnifiedTestResult[] = []
    for (const f of files) results.push(...(await runner.runFile(f)))
    return [...results, ...runner.unmatchedExclusions(files, dir)]
  } finally {
    await runner.close()
  }
}

/** Counts verdicts. */
export function summarize(results: readonly { verdict: UnifiedTestResult['verdict'] }[]): { passed: number; failed: number; skipped: number } {
  const s = { passed: 0, failed: 0, skipped: 0 }
  for (const r of results) s[r.verdict]++
  return s
}
