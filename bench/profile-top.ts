/**
 * `node --import tsx bench/profile-top.ts FILE.cpuprofile [N]`: where a CPU profile spends
 * its (non-idle) time: self time by package (the driver, bson, motor-ts, rxjs, effect, Node's
 * AbortSignal/EventTarget plumbing...) and the N functions with the most self time.
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const [file, n = '30'] = process.argv.slice(2)
if (!file) throw new Error('usage: bench/profile-top.ts FILE.cpuprofile [N]')
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const selfById = new Map<number, number>()
profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))

function packageOf(frame: ProfileNode['callFrame']): string {
  const url = frame.url
  const dep = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/)
  if (dep) return dep[1]!
  const own = url.match(/packages\/([^/]+)/)
  if (own) return `motor-ts/${own[1]}`
  if (url.startsWith('node:')) return url
  return url ? url.replace(/^.*\//, '') : frame.functionName
}

const byPackage = new Map<string, number>()
const byFunction = new Map<string, number>()
let busy = 0
for (const [id, us] of selfById) {
  const frame = byId.get(id)!.callFrame
  // `(idle)`, and `dispatch`: the inspector's own Profiler.start call.
  if (frame.functionName === '(idle)' || (frame.functionName === 'dispatch' && !frame.url)) continue
  busy += us
  const pkg = packageOf(frame)
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us)
  const name = `${frame.functionName || '(anonymous)'} ${pkg}:${frame.lineNumber + 1}`
  byFunction.set(name, (byFunction.get(name) ?? 0) + us)
}
const adapters = [...byPackage].filter(([k]) => /^motor-ts\/|^rxjs$|^effect$|abort_controller|event_target/.test(k))
const adapterUs = adapters.reduce((sum, [, us]) => sum + us, 0)
const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`
console.log(`${file}: ${(busy / 1000).toFixed(0)} ms busy, of which ${(adapterUs / 1000).toFixed(1)} ms in motor-ts, rxjs, effect and AbortSignal plumbing`)
for (const [k, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${pct(us)}  ${k}`)
console.log('--- functions by self time')
for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${pct(us)}  ${k}`)
