/**
 * `pnpm conformance [--server secantusdb|ferretdb|memory] [CLI options]`: starts (installing
 * if needed) the chosen test server, probes what it supports, and runs the published
 * conformance CLI (`@motor-ts/conformance`'s `motor-conformance`) against it with `--uri`,
 * `--label` and `--capabilities`; every other option is passed through. It starts one instance
 * per lane (`--jobs`, default one per target), so the targets run in parallel. Without `--server`
 * it picks the server the tests would (MONGODB_URI, then MOTOR_TEST_SERVER, then SecantusDB).
 * The CLI itself starts no server: provisioning stays in this repo.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { knownFrameworks } from '../../packages/synchro/src/binding.ts'
import { ProvisionError, SERVER_KINDS, type ServerKind } from '../src/install.ts'
import { selectServerKind, startServer } from '../src/server.ts'

const CLI = fileURLToPath(new URL('../../packages/conformance/dist/conformance-cli.js', import.meta.url))
const NEEDS = ['sessions', 'transactions', 'changeStreams', 'failCommand'] as const

const args = process.argv.slice(2)
const { values, tokens } = parseArgs({ args, options: { server: { type: 'string' } }, strict: false, tokens: true })
// Everything but --server goes to the CLI unchanged.
const own = new Set(tokens.flatMap((t) => (t.kind === 'option' && t.name === 'server' ? [t.index, t.index + (t.inlineValue ? 0 : 1)] : [])))
const rest = args.filter((_, i) => !own.has(i))
const kind = values.server as string | undefined
if (kind !== undefined && !(SERVER_KINDS as readonly string[]).includes(kind)) {
  console.error(`conformance: unknown --server ${kind} (known: ${SERVER_KINDS.join(', ')})`)
  process.exit(2)
}

/** Runs the CLI with `args`, resolving with its exit code. */
function cli(args: string[]): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'inherit' })
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)))
  })
}

if (rest.includes('--help') || rest.includes('-h')) {
  console.log(`pnpm conformance [--server ${SERVER_KINDS.join('|')}] [options]: starts that server, then runs the CLI on it:\n`)
  process.exit(await cli(rest))
}

// A server given with --uri is the CLI's own business: start nothing.
if (rest.some((a) => a === '--uri' || a.startsWith('--uri='))) {
  if (kind !== undefined) {
    console.error('conformance: give --server or --uri, not both')
    process.exit(2)
  }
  process.exit(await cli(rest))
}

/** Lanes: `--jobs N`, else one per target (the raw driver and each framework compared). */
function lanes(): number {
  const { values: v } = parseArgs({ args: rest, options: { jobs: { type: 'string' }, frameworks: { type: 'string' } }, strict: false })
  if (typeof v.jobs === 'string') return Math.max(1, Number.parseInt(v.jobs, 10) || 1)
  return 1 + (typeof v.frameworks === 'string' ? v.frameworks.split(',').filter(Boolean).length : Object.keys(knownFrameworks).length)
}

const servers: Awaited<ReturnType<typeof startServer>>[] = []
try {
  // One instance per lane, started one after the other so two never race for a port; a
  // server given by MONGODB_URI (kind uri) is one shared instance.
  do servers.push(await startServer((kind as ServerKind | undefined) ?? selectServerKind()))
  while (servers[0]!.kind !== 'uri' && servers.length < lanes())
  const { name, version, mongodbVersion, capabilities } = servers[0]!.info
  const code = await cli([
    ...servers.flatMap((s) => ['--uri', s.info.uri]),
    ...['--label', `${name} ${version} (MongoDB ${mongodbVersion} API) at ${servers[0]!.info.uri}`],
    ...['--capabilities', NEEDS.filter((need) => capabilities[need]).join(',')],
    ...rest,
  ])
  process.exitCode = code
} catch (error) {
  console.error(`conformance: ${(error as Error).message}`)
  for (const hint of error instanceof ProvisionError ? error.hints : []) console.error(`  - ${hint}`)
  process.exitCode = 1
} finally {
  await Promise.all(servers.map((s) => s.stop()))
}
