/**
 * `node --import tsx bench/markdown.ts REPORT.json`: the tables of `docs/benchmarks.md` from a
 * `pnpm bench --json` report, on stdout. Each cell: median client CPU ratio to the raw driver
 * with the rounds' min–max, then (for motor-ts targets) the ratio to the hand-written baseline.
 */
import { readFileSync } from 'node:fs'
import type { BenchReport } from './bench.ts'
import type { Spread } from './measure.ts'

const [input] = process.argv.slice(2)
if (!input) throw new Error('usage: bench/markdown.ts REPORT.json')
const report = JSON.parse(readFileSync(input, 'utf8')) as BenchReport
const r2 = (s: Spread) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`

const targets = Object.keys(report.workloads[0]?.targets ?? {}).filter((t) => t !== 'driver')
const out: string[] = []
out.push(`| workload | driver CPU µs/unit | ${targets.join(' | ')} |`, `| --- | ---: | ${targets.map(() => '---').join(' | ')} |`)
for (const w of report.workloads) {
  const d = w.targets.driver!
  const cells = targets.map((t) => {
    const r = w.targets[t]
    if (!r) return ''
    const hand = t.endsWith('-hand') || t.startsWith('driver') ? '' : ` · hand ${r.vsHand.cpu.median.toFixed(2)}`
    return `${r2(r.vsDriver.cpu)}${hand}`
  })
  out.push(`| ${w.name} (${w.mode}) | ${d.cpu.median.toFixed(1)} | ${cells.join(' | ')} |`)
}
out.push('', '| workload | driver wall µs/unit | ' + targets.join(' | ') + ' |', `| --- | ---: | ${targets.map(() => '---').join(' | ')} |`)
for (const w of report.workloads) {
  const d = w.targets.driver!
  out.push(`| ${w.name} (${w.mode}) | ${d.wall.median.toFixed(0)} | ${targets.map((t) => (w.targets[t] ? r2(w.targets[t]!.vsDriver.wall) : '')).join(' | ')} |`)
}
if (report.memory) {
  out.push('', '| slow consumer | docs | live heap growth MB | peak heapUsed growth MB | peak RSS MB | RSS growth MB |', '| --- | ---: | ---: | ---: | ---: | ---: |')
  for (const [t, figures] of Object.entries(report.memory.targets))
    for (const f of figures)
      out.push(`| ${t} | ${f.docs} | ${f.liveMB?.toFixed(1) ?? '–'} | ${f.heapMB.toFixed(1)} | ${f.rssMB.toFixed(0)} | ${f.rssGrowthMB.toFixed(1)} |`)
}
if (report.startup) {
  out.push('', '| package | import ms beyond libs, median (min–max) | libs' + "' import ms | min+gz kB | min kB |", '| --- | ---: | ---: | ---: | ---: |')
  for (const [p, f] of Object.entries(report.startup.packages))
    out.push(
      `| ${p} | ${f.importMs.median.toFixed(1)} (${f.importMs.min.toFixed(1)}–${f.importMs.max.toFixed(1)}) | ${f.libsMs.median.toFixed(0)} | ${(f.gzBytes / 1024).toFixed(1)} | ${(f.minBytes / 1024).toFixed(1)} |`,
    )
}
console.log(out.join('\n'))
