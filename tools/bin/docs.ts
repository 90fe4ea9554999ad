/**
 * `pnpm build:docs` (`pnpm docs` is a pnpm built-in): builds the API reference into docs/api and checks every link.
 *  1. Writes, for each framework package, its view of core's generated API (see
 *     tools/src/api-docs.ts): the driver's members with the driver's JSDoc and the framework's
 *     own return types (`findOne(): Observable<...>` on the RxJS page).
 *  2. Type-checks that view against the real package: each documented class is mutually
 *     assignable with the type the package exports, so the reference cannot drift from the code.
 *  3. Runs TypeDoc (pinned) over those views plus core, synchro, callback and conformance, with
 *     link validation as errors.
 *  4. Runs linkinator over the generated HTML and over every markdown file users read (READMEs,
 *     docs/, examples/): every relative link and anchor must resolve. External links are not
 *     fetched (no network here); they are listed by TypeDoc's validation only.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FRAMEWORK_DOCS, frameworkDeclarations } from '../src/api-docs.ts'
import { CommandError, repoRoot, run } from '../src/cache.ts'

const root = repoRoot()
const work = join(root, '.cache', 'api-docs')
const out = join(root, 'docs', 'api')
const bin = (name: string) => join(root, 'node_modules', '.bin', name)
const started = performance.now()
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`

function writeSources(): string[] {
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  const entries: string[] = []
  for (const [name, fw] of Object.entries(FRAMEWORK_DOCS)) {
    writeFileSync(join(work, `${name}.ts`), frameworkDeclarations(root, fw))
    writeFileSync(join(work, `${name}.check.ts`), driftCheck(name, fw.pkg))
    entries.push(join(work, `${name}.ts`))
  }
  for (const [name, dir, pkg, what] of [
    ['core', 'core', '@motor-ts/core', 'the framework interface, the table of the driver, and the generic types every binding instantiates'],
    ['synchro', 'synchro', '@motor-ts/synchro', 'any binding behind the official Promise API, and the masquerade'],
    ['callback', 'framework-callback', '@motor-ts/callback', 'the driver with Node-style callbacks, a drop-in for mongodb-legacy'],
    ['conformance', 'conformance', '@motor-ts/conformance', 'scenarios and a unified-format spec runner that check a binding against the driver'],
  ] as const) {
    writeFileSync(join(work, `${name}.ts`), `/**\n * ${pkg}: ${what}.\n *\n * @module ${pkg}\n */\nexport * from '../../packages/${dir}/src/index.ts'\n`)
    entries.push(join(work, `${name}.ts`))
  }
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { types: ['node'] }, include: ['*.ts'] }))
  return entries
}

/** Each documented wrapper must be the very type the package exports (mutually assignable). */
function driftCheck(name: string, pkg: string): string {
  const generic = ['Collection', 'FindCursor', 'AggregationCursor', 'ChangeStream']
  const plain = ['MongoClient', 'Db', 'Admin', 'ClientSession', 'GridFSBucket']
  const rows = [...generic.map((t) => `${t}<Doc>`), ...plain].map((t) => `  Same<D.${t}, R.${t}>,`)
  return [
    `import type * as D from './${name}.ts'`,
    `import type * as R from '${pkg}'`,
    'type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false',
    'type Doc = { _id: number; name: string }',
    `export const same: [\n${rows.join('\n')}\n] = [${rows.map(() => 'true').join(', ')}]`,
    '',
  ].join('\n')
}

async function step(what: string, command: string, args: string[]): Promise<void> {
  try {
    await run(command, args, { cwd: root, env: { ...process.env, NO_COLOR: '1' } })
    console.log(`ok   ${what} (${elapsed()})`)
  } catch (error) {
    console.error(`FAIL ${what}\n${error instanceof CommandError ? error.message : String(error)}`)
    process.exit(1)
  }
}

const entries = writeSources()
await step('documented types are the packages\' types (tsc)', bin('tsc'), ['-p', work])
rmSync(out, { recursive: true, force: true })
await step('typedoc into docs/api', bin('typedoc'), ['--options', join(root, 'typedoc.json'), '--tsconfig', join(work, 'tsconfig.json'), '--out', out, ...entries])
await step('links in docs/api (linkinator)', bin('linkinator'), [out, '--recurse', '--skip', '^https?://(?!127\\.0\\.0\\.1|localhost)'])
await step('links in the markdown docs (linkinator)', bin('linkinator'), [
  'README.md',
  'RELEASING.md',
  'packages/*/README.md',
  'docs/*.md',
  'docs/guides/*.md',
  'examples/*/README.md',
  '--markdown',
  '--skip',
  '^https?://(?!127\\.0\\.0\\.1|localhost)',
])
console.log(`docs: API reference in docs/api (open docs/api/index.html), links checked (${elapsed()})`)
