/**
 * `pnpm test-server [secantusdb|ferretdb|memory] [--port N]`: starts a test server by hand
 * (installing it first if needed), prints its URI and capabilities, and keeps it running
 * until Ctrl-C, then removes its data. Without a name it picks the server the tests would
 * (MONGODB_URI, then MOTOR_TEST_SERVER, then SecantusDB). `--port 27017` binds that port on
 * 127.0.0.1 instead of a free one, for third-party suites that expect it.
 */
import { parseArgs } from 'node:util'
import { CAPABILITY_NAMES, type Capability } from '../src/capabilities.ts'
import { ProvisionError, SERVER_KINDS, type ServerKind } from '../src/install.ts'
import { selectServerKind, startServer } from '../src/server.ts'

const USAGE = `usage: pnpm test-server [${SERVER_KINDS.filter((k) => k !== 'uri').join('|')}] [--port N]`

function parse(): { kind?: ServerKind; port?: number } {
  try {
    const { values, positionals } = parseArgs({ options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true })
    if (values.help) {
      console.log(USAGE)
      process.exit(0)
    }
    const [kind, ...extra] = positionals
    if (extra.length || (kind && !(SERVER_KINDS as readonly string[]).includes(kind))) throw new Error(`unexpected ${extra[0] ?? kind}`)
    const port = values.port === undefined ? undefined : Number(values.port)
    if (port !== undefined && !/^\d+$/.test(values.port!)) throw new Error(`--port ${values.port} is not a port number`)
    return { kind: kind as ServerKind | undefined, port }
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    process.exit(2)
  }
}

const { kind, port } = parse()
try {
  const running = await startServer(kind ?? selectServerKind(), { port })
  const { info } = running
  console.log(`${info.name} ${info.version} (MongoDB ${info.mongodbVersion} API, ${info.capabilities.topology})`)
  console.log(`MONGODB_URI=${info.uri}`)
  for (const cap of Object.keys(CAPABILITY_NAMES) as Capability[]) {
    console.log(`  ${info.capabilities[cap] ? 'yes' : 'no '} ${CAPABILITY_NAMES[cap]}${info.notes[cap] ? `: ${info.notes[cap]}` : ''}`)
  }
  console.log('running; press Ctrl-C to stop')
  const stop = async () => {
    await running.stop()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
} catch (error) {
  console.error((error as Error).message)
  for (const hint of error instanceof ProvisionError ? error.hints : []) console.error(`  - ${hint}`)
  process.exit(1)
}
