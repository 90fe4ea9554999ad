/**
 * `node --expose-gc --import tsx bench/profile.ts TARGETS WORKLOAD_REGEX [DIR] [COMPARE_DIR]`: CPU profiles
 * (the `--cpu-prof` format, for Chrome DevTools or `bench/profile-top.ts`) of the timed part of
 * matching workloads only, one file per workload and target, with the same sizes as `--quick`
 * but 4x the operations. TARGETS is a comma list (driver,promise,rxjs,rxjs-hand,effect,effect-hand).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { MongoClient } from 'mongodb'
import { selectServerKind, startServer } from '../tools/src/index.ts'
import { allTargets, loadBuild } from './targets.ts'
import { type Clock, QUICK, seed, workloads } from './workloads.ts'

const [names = 'driver', pattern = '.', dir = 'bench/results/profiles', compare] = process.argv.slice(2)
const sizes = { ...QUICK, single: { seq: 600, x32: 1024, x128: 1024 }, docs: 20_000, transactions: 60, events: 60 }
const server = await startServer(selectServerKind())
const writer = await new MongoClient(server.info.uri).connect()
const session = new Session()
session.connect()
await session.post('Profiler.enable')
await session.post('Profiler.setSamplingInterval', { interval: 100 })
mkdirSync(dir, { recursive: true })
const all = await allTargets(server.info.uri, 'profile', compare ? await loadBuild(compare) : undefined)
try {
  await seed(writer, 'profile', sizes)
  for (const w of workloads(sizes, () => writer, 'profile').filter((x) => new RegExp(pattern, 'i').test(`${x.name} (${x.mode})`))) {
    for (const t of all.filter((x) => names.split(',').includes(x.name))) {
      await w.run(t, w.prepare?.(), { start() {}, stop() {} }) // warm-up
      let running = false
      const clock: Clock = {
        start: () => {
          if (!running) void session.post('Profiler.start')
          running = true
        },
        stop: () => undefined,
      }
      const cpu0 = process.cpuUsage()
      clock.start()
      await w.run(t, w.prepare?.(), clock)
      const { profile } = await session.post('Profiler.stop')
      const cpu = process.cpuUsage(cpu0)
      const file = `${dir}/${`${w.name}-${w.mode}-${t.name}`.replace(/[^\w-]+/g, '_')}.cpuprofile`
      writeFileSync(file, JSON.stringify(profile))
      console.log(`${file}: ${((cpu.user + cpu.system) / w.units).toFixed(1)} µs CPU/${w.unit}`)
    }
  }
} finally {
  for (const t of all) await t.close()
  await writer.db('profile').dropDatabase()
  await writer.close()
  await server.stop()
}
