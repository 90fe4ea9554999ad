/**
 * Every ```ts run snippet of the READMEs and guides, as a user would paste it: type-checked with
 * `tsc --strict` against the workspace packages, then run with tsx against the test server
 * (MONGODB_URI). A snippet fails if it does not compile, exits non-zero, or does not exit by
 * itself (a client left open keeps the process alive).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../src/cache.ts'
import { documentedFiles, type Snippet, snippetsOf } from '../src/snippets.ts'
import { requires, server } from '../src/test-helpers.ts'

const root = repoRoot()
const dir = join(root, '.cache', 'doc-snippets')
const snippets: Snippet[] = documentedFiles(root).flatMap((file) => snippetsOf(file, root))
const fileOf = (snippet: Snippet) => join(dir, `${snippet.id.replace(/[^\w]+/g, '_')}.mts`)

describe('documentation snippets', () => {
  let typeErrors = ''

  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    for (const snippet of snippets) writeFileSync(fileOf(snippet), `${snippet.code}\n`)
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { strict: true, types: ['node'] }, include: ['*.mts'] }),
    )
    const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', dir], { encoding: 'utf8' })
    typeErrors = tsc.status === 0 ? '' : tsc.stdout + tsc.stderr
  }, 120_000)

  it('finds the snippets of the root README and each package README', () => {
    const files = new Set(snippets.map((snippet) => snippet.id.split('#')[0]))
    for (const pkg of ['core', 'framework-promise', 'framework-rxjs', 'framework-effect', 'synchro'])
      expect(files).toContain(join('packages', pkg, 'README.md'))
    expect(files).toContain('README.md')
  })

  for (const snippet of snippets) {
    it(`${snippet.id} (line ${snippet.line}) type-checks and runs to completion`, (ctx) => {
      requires(ctx, ...snippet.requires)
      const mine = typeErrors
        .split('\n')
        .filter((line) => line.includes(fileOf(snippet).slice(dir.length + 1)))
        .join('\n')
      expect(mine, 'tsc --strict').toBe('')
      const run = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [fileOf(snippet)], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 45_000,
        env: { ...process.env, MONGODB_URI: server().uri, DO_NOT_TRACK: '1' },
      })
      expect(run.signal, `did not exit by itself (a client left open?)\n${run.stdout}`).toBeNull()
      expect(run.status, run.stdout + run.stderr).toBe(0)
    }, 60_000)
  }
})
