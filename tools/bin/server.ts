/**
 * `pnpm server [secantusdb|ferretdb|memory]`: starts a test server by hand (installing it first
 * if needed), prints its URI and capabilities, and keeps it running until Ctrl-C, then removes
 * its data. Without an argument it picks the server the tests would (MONGODB_URI, then
 * MOTOR_TEST_SERVER, then SecantusDB).
 */
import { CAPABILITY_NAMES, type Capability } from '../src/capabilities.ts'
import { ProvisionError, SERVER_KINDS, type ServerKind } from '../src/install.ts'
import { selectServerKind, startServer } from '../src/server.ts'

const arg = process.argv[2]
if (arg && !(SERVER_KINDS as readonly string[]).includes(arg)) {
  console.error(`usage: pnpm server [${SERVER_KINDS.join('|')}]`)
  process.exit(2)
}
try {
  const kind = (arg as ServerKind | undefined) ?? selectServerKind()
  const running = await startServer(kind)
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
