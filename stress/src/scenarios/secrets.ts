/**
 * Scenario 5, secrets: a server of its own with a user whose password is the runner's secret
 * (SecantusDB `--auth`, FerretDB `--test-enable-new-auth`), restarted with authentication on.
 * Every failure a user can meet with that password in the connection string — a malformed
 * URI, an unreachable port, a wrong user, a refused command, the server stopping under a
 * connected client — is produced through this framework, and each rendering of it is searched
 * for the password: message, `String()`, `util.inspect` (deep), JSON, Effect's `Cause.pretty`
 * and an `Effect.logError` line; also `util.inspect` of the connected client and what the
 * repo's tools say of such a URI. The runner also searches everything the process printed.
 */
import { inspect } from 'node:util'
import { probeServer, redact, startServer } from '@motor-ts/tools'
import { Cause, Effect, Exit, Logger } from 'effect'
import { lastValueFrom, type Observable, throwError } from 'rxjs'
import { closeQuietly, newClient } from '../frameworks.ts'
import type { ChildSettings, FrameworkName, ScenarioResult } from '../report.ts'
import { Findings } from '../report.ts'

/** Every text a user might print for a failure. */
async function renderings(framework: FrameworkName, future: unknown): Promise<string[]> {
  if (framework === 'effect') {
    const exit = await Effect.runPromiseExit(future as Effect.Effect<unknown, unknown>)
    if (Exit.isSuccess(exit)) return ['<no failure>']
    const logged: string[] = []
    await Effect.runPromise(Effect.logError('failed', exit.cause).pipe(Effect.provide(captureLogger(logged))))
    return [Cause.pretty(exit.cause), inspect(exit, { depth: 8 }), ...logged, ...renderError(Cause.squash(exit.cause))]
  }
  try {
    await (framework === 'promise' ? (future as Promise<unknown>) : lastValueFrom(future as Observable<unknown>))
    return ['<no failure>']
  } catch (error) {
    return renderError(error)
  }
}

function renderError(error: unknown): string[] {
  const out = [String(error), inspect(error, { depth: 8 }), (error as Error)?.stack ?? '']
  try {
    out.push(JSON.stringify(error))
  } catch {}
  return out
}

/** Effect's default logger, writing into `into` instead of the console. */
function captureLogger(into: string[]) {
  return Logger.layer([Logger.make((options) => void into.push(String(Logger.formatSimple.log(options))))])
}

export async function secrets(settings: ChildSettings): Promise<ScenarioResult> {
  const f = new Findings()
  const secret = settings.secret
  const server = await startServer(settings.serverKind)
  const texts: string[] = []
  let produced = 0
  const fw = settings.framework
  try {
    const admin = newClient(fw, server.info.uri, {})
    const created = await renderings(fw, (admin as any).db('admin').command({ createUser: 'stress', pwd: secret, roles: ['root'] }))
    await closeQuietly(fw, admin)
    if (created[0] !== '<no failure>') return { figures: [], failures: [], skipped: `${settings.serverName} could not create a user (${created[0]?.split('\n')[0]?.slice(0, 120)})` }
    await server.restart!({ auth: true })
    const host = server.info.uri.replace(/^mongodb:\/\//, '').split('/')[0]!
    const query = server.info.uri.includes('?') ? `&${server.info.uri.split('?')[1]}` : ''
    const authed = (h: string, user = 'stress') => `mongodb://${user}:${encodeURIComponent(secret)}@${h}/?authSource=admin${query}`
    const quick = { serverSelectionTimeoutMS: 1500, connectTimeoutMS: 1500 }
    const attempt = async (label: string, build: () => unknown) => {
      let out: string[]
      try {
        out = await renderings(fw, build())
      } catch (thrown) {
        out = renderError(thrown) // thrown synchronously, as `new MongoClient(badUrl)` does
      }
      produced++
      if (out[0] === '<no failure>') f.fail(`${label}: expected a failure`)
      texts.push(...out.map((t) => `${label}: ${t}`))
    }
    const Client = newClient(fw, server.info.uri, {}).constructor as any
    await attempt('malformed URI (connect)', () => Client.connect(`mongodb://stress:${encodeURIComponent(secret)}@${host.split(':')[0]}:notaport/`))
    await attempt('malformed URI (new)', () => new Client(`mongodb://stress:${encodeURIComponent(secret)}@${host.split(':')[0]}:notaport/`))
    await attempt('unreachable port', () => Client.connect(authed('127.0.0.1:9'), quick))
    await attempt('wrong user', () => Client.connect(authed(host, 'nobody'), quick))
    const client = newClient(fw, authed(host), quick) as any
    texts.push(`client: ${inspect(client, { depth: 8 })}`)
    await attempt('refused command', () => client.db('x').command({ noSuchCommand: 1 }))
    await attempt('duplicate key', () => client.db('x').collection('y').insertMany([{ _id: 1 }, { _id: 1 }]))
    await server.halt!()
    await attempt('server stopped', () => client.db('x').collection('y').findOne({}))
    await closeQuietly(fw, client)
    await probeServer(authed('127.0.0.1:9'), 'uri').then(
      () => f.fail('probeServer reached a closed port'),
      (error) => texts.push(...renderError(error).map((t) => `tools probeServer: ${t}`)),
    )
    texts.push(`tools redact: ${redact(authed(host))}`)
    produced += 2
    // Positive control: the same renderings and search do find a password that is there.
    const carrying = new Error(`control: cannot reach ${authed(host)}`)
    const control = await renderings(fw, fw === 'promise' ? Promise.reject(carrying) : fw === 'rxjs' ? throwError(() => carrying) : Effect.fail(carrying))
    const found = control.filter((t) => t.includes(secret)).length
    f.figure(`positive control: a failure carrying the password found in ${found}/${control.length} renderings`)
    // (`JSON.stringify` of an Error is `{}`: that rendering never carries it.)
    f.check(found >= control.length - 1, `positive control: the search found the password in only ${found} of ${control.length} renderings of a failure that carries it`)
  } finally {
    await server.stop()
  }
  const leaks = texts.filter((t) => t.includes(secret) || t.includes(encodeURIComponent(secret)))
  f.figure(`auth: ${settings.serverKind === 'secantusdb' ? '--auth (SCRAM-SHA-256)' : '--test-enable-new-auth'}`)
  f.figure(`${produced} failures, ${texts.length} renderings checked`)
  f.figure(`password found in ${leaks.length}`)
  f.check(leaks.length === 0, `the password appears in: ${leaks.map((l) => l.split(':')[0]).join(', ')}`)
  return f.result()
}

