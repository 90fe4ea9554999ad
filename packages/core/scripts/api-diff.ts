/**
 * `pnpm api-diff`: compares the installed driver's public API (read from `mongodb.d.ts`,
 * see `driver-api.ts`) with core's table. Prints every public member of a wrapped class
 * that the table does not declare and no exclusion explains, every table entry the driver
 * no longer has, every exclusion that matches nothing, and every exported driver class
 * with public async methods that is neither wrapped nor excluded. Last line:
 * `unwrapped public methods: N`. Exits non-zero when anything is out of line.
 *
 * `pnpm api-diff --driver <version|latest|next>` compares the table with another driver
 * instead: that `mongodb` is installed into a folder of the tools cache (never the workspace),
 * so the day a driver ships, one command lists what to wrap (`unwrapped: ...`) and what it
 * dropped (`stale table entry: ...`). `next` is the newest dev build on the registry; when it is
 * older than `latest`, it says so and compares `latest`. Exit code 2 when the registry cannot
 * be reached (CI treats that as informational).
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { npmInstall, npmView } from '@motor-ts/tools'
import ts from 'typescript'
import { memberKeyName } from '../src/members.js'
import { driverTable } from '../src/table.js'
import { type DriverApi, readDriverApi } from './driver-api.js'

/** Driver classes deliberately not wrapped: value objects, events and errors with no I/O. */
export const classExclusions: Readonly<Record<string, string>> = {
  Batch: 'internal batch of a bulk operation; exposed read-only through `batches`',
  BulkWriteResult: 'result value object; returned as is',
  HostAddress: 'value object without I/O',
  MongoCredentials: 'value object without I/O',
  MongoDBNamespace: 'value object without I/O',
  MongoDBCollectionNamespace: 'value object without I/O',
  ReadConcern: 'value object without I/O',
  ReadPreference: 'value object without I/O',
  WriteConcern: 'value object without I/O',
  ServerSession: 'session identity value object; reached through ClientSession.serverSession',
  ServerDescription: 'monitoring value object',
  TopologyDescription: 'monitoring value object',
  StreamDescription: 'connection metadata value object',
}

/** Members of wrapped classes deliberately not wrapped, with the reason. */
export const memberExclusions: Readonly<Record<string, string>> = {}

interface Finding {
  line: string
  counts: boolean
}

function isErrorOrEvent(name: string): boolean {
  return /Error$/.test(name) || /Event$/.test(name)
}

function hasAsyncMethod(api: DriverApi, cls: string): boolean {
  const c = api.classes.get(cls)!
  return [...c.members.values()].some(
    (m) =>
      m.form === 'method' &&
      (m.nodes as ts.Node[]).some(
        (n) => (ts.isMethodDeclaration(n) || ts.isMethodSignature(n)) && n.type?.getText(api.source).startsWith('Promise<'),
      ),
  )
}

export function apiDiff(api: DriverApi = readDriverApi()): { findings: Finding[]; unwrapped: number } {
  const findings: Finding[] = []
  const usedMemberExclusions = new Set<string>()
  const usedClassExclusions = new Set<string>()
  let unwrapped = 0

  for (const [cls, entry] of Object.entries(driverTable)) {
    const driverClass = api.classes.get(cls)
    if (!driverClass) {
      findings.push({ line: `table class ${cls}: not a class in mongodb ${api.version}`, counts: true })
      continue
    }
    const declared = new Set<string>([
      ...Reflect.ownKeys(entry.members).map(memberKeyName),
      ...Object.keys(('statics' in entry && entry.statics) || {}).map((k) => `static ${k}`),
    ])
    for (const [key, member] of driverClass.members) {
      if (member.declaredIn !== cls && !(cls === 'TypedEventEmitter' && member.declaredIn === cls)) continue
      if (declared.has(key)) continue
      const exclusion = `${cls}.${key}`
      if (memberExclusions[exclusion]) {
        usedMemberExclusions.add(exclusion)
        continue
      }
      unwrapped++
      findings.push({ line: `unwrapped: ${cls}.${key} (${member.form})`, counts: true })
    }
    for (const key of declared) {
      const member = driverClass.members.get(key)
      if (!member)
        findings.push({ line: `stale table entry: ${cls}.${key} is not in mongodb ${api.version}`, counts: true })
      else if (member.declaredIn !== cls)
        findings.push({
          line: `misplaced table entry: ${cls}.${key} is declared by ${member.declaredIn} in mongodb.d.ts`,
          counts: true,
        })
    }
  }

  for (const [cls] of api.classes) {
    if (cls in driverTable || isErrorOrEvent(cls)) continue
    if (classExclusions[cls]) {
      usedClassExclusions.add(cls)
      continue
    }
    if (hasAsyncMethod(api, cls)) {
      unwrapped++
      findings.push({ line: `unwrapped class with async methods: ${cls}`, counts: true })
    }
  }

  for (const key of Object.keys(memberExclusions))
    if (!usedMemberExclusions.has(key)) findings.push({ line: `exclusion matches nothing: ${key}`, counts: true })
  for (const key of Object.keys(classExclusions))
    if (!usedClassExclusions.has(key)) findings.push({ line: `class exclusion matches nothing: ${key}`, counts: true })

  return { findings, unwrapped }
}

/** Compare two dotted versions numerically (prerelease suffixes ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split('-')[0]!.split('.').map(Number)
  const [pa, pb] = [parts(a), parts(b)]
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0)
  return 0
}

/**
 * The `mongodb` version a `--driver` argument names: `latest` (the dist-tag), `next` (the dev
 * build published last, or `latest` when that is newer), or a version or range (its highest match).
 */
export async function resolveDriverVersion(spec: string): Promise<{ version: string; note?: string }> {
  const latest = await npmView<string>('mongodb', 'dist-tags.latest')
  if (spec === 'latest') return { version: latest }
  if (spec === 'next') {
    const times = await npmView<Record<string, string>>('mongodb', 'time')
    const dev = Object.entries(times)
      .filter(([v]) => v.includes('-dev'))
      .sort((a, b) => Date.parse(a[1]) - Date.parse(b[1]))
      .at(-1)?.[0]
    if (dev && compareVersions(dev, latest) > 0) return { version: dev }
    return { version: latest, note: `the newest dev build (${dev ?? 'none'}) is not ahead of latest ${latest}: comparing latest` }
  }
  const found = await npmView<string | string[]>(`mongodb@${spec}`, 'version')
  const version = Array.isArray(found) ? found.at(-1) : found
  if (!version) throw new Error(`no mongodb version matches ${spec}`)
  return { version }
}

/** The API of `mongodb@version`, installed into the tools cache. */
export async function driverApiOf(version: string): Promise<DriverApi> {
  const dir = await npmInstall(`mongodb-${version}`, { mongodb: version })
  return readDriverApi(join(dir, 'node_modules', 'mongodb', 'mongodb.d.ts'), version)
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]
if (isMain) {
  const { values } = parseArgs({ options: { driver: { type: 'string' } } })
  let api: DriverApi
  if (values.driver) {
    try {
      const { version, note } = await resolveDriverVersion(values.driver)
      if (note) console.log(`api-diff: ${note}`)
      api = await driverApiOf(version)
    } catch (error) {
      const lines = (error as Error).message.split('\n')
      const why = lines.find((l) => /"summary"|npm error (code|request|network)/.test(l))?.trim() ?? lines[0]
      console.log(`api-diff: could not get mongodb ${values.driver} from the npm registry: ${why}`)
      process.exit(2)
    }
  } else api = readDriverApi()
  const { findings, unwrapped } = apiDiff(api)
  const wrappedMembers = Object.values(driverTable).reduce(
    (n, e) => n + Reflect.ownKeys(e.members).length + Object.keys(('statics' in e && e.statics) || {}).length,
    0,
  )
  console.log(`mongodb ${api.version}: ${Object.keys(driverTable).length} classes, ${wrappedMembers} members in the table`)
  for (const f of findings) console.log(f.line)
  console.log(`unwrapped public methods: ${unwrapped}`)
  process.exit(findings.some((f) => f.counts) ? 1 : 0)
}
