/**
 * `node --import tsx bench/chart.ts REPORT.json OUT.svg`: a chart of a `pnpm bench --json`
 * report. For every workload, one bar per motor-ts target (and per hand-written baseline):
 * its median client CPU per operation as a ratio to the raw driver, the whisker spanning the
 * rounds' min..max, a line at 1.00x (the driver). Plain SVG, no dependencies.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import type { BenchReport } from './bench.ts'

const [input, output] = process.argv.slice(2)
if (!input || !output) throw new Error('usage: bench/chart.ts REPORT.json OUT.svg')
const report = JSON.parse(readFileSync(input, 'utf8')) as BenchReport

const COLORS: Record<string, string> = {
  'driver-aa': '#000000',
  promise: '#2f6fdf',
  rxjs: '#c2185b',
  'rxjs-hand': '#f48fb1',
  effect: '#2e7d32',
  'effect-hand': '#a5d6a7',
}
const colorOf = (name: string) => COLORS[name] ?? (name.endsWith('@before') ? '#9e9e9e' : '#607d8b')

const targets = Object.keys(report.workloads[0]?.targets ?? {}).filter((t) => t !== 'driver')
const LABEL_W = 290
const PLOT_W = 520
const BAR_H = 9
const GROUP_GAP = 10
const TOP = 58
const MIN = 0.5
const MAX = Math.max(1.6, ...report.workloads.flatMap((w) => targets.map((t) => Math.min(w.targets[t]?.vsDriver.cpu.max ?? 0, 2.5))))
const x = (ratio: number) => LABEL_W + ((Math.min(Math.max(ratio, MIN), MAX) - MIN) / (MAX - MIN)) * PLOT_W
const groupH = targets.length * BAR_H + GROUP_GAP
const height = TOP + report.workloads.length * groupH + 40
const width = LABEL_W + PLOT_W + 40
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

const parts: string[] = []
parts.push(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
  `<rect width="100%" height="100%" fill="white"/>`,
  `<text x="10" y="18" font-size="14" font-weight="bold">motor-ts: client CPU per operation, ratio to the raw driver (median, whisker min..max)</text>`,
  `<text x="10" y="34" fill="#555">${esc(`${report.meta.server} · node ${report.meta.node} · mongodb ${report.meta.driver} · ${report.meta.cpu} · ${report.meta.mode}, ${report.meta.rounds} rounds · ${String(report.meta.date).slice(0, 10)}`)}</text>`,
)
let lx = 10
for (const t of targets) {
  parts.push(`<rect x="${lx}" y="42" width="10" height="8" fill="${colorOf(t)}"/><text x="${lx + 14}" y="50">${esc(t)}</text>`)
  lx += 24 + t.length * 6.5
}
for (let tick = Math.ceil(MIN * 10) / 10; tick <= MAX + 1e-9; tick += 0.1) {
  const major = Math.abs(tick * 2 - Math.round(tick * 2)) < 1e-9
  if (!major) continue
  parts.push(
    `<line x1="${x(tick)}" y1="${TOP - 4}" x2="${x(tick)}" y2="${height - 30}" stroke="${Math.abs(tick - 1) < 1e-9 ? '#000' : '#ddd'}"/>`,
    `<text x="${x(tick)}" y="${height - 16}" text-anchor="middle">${tick.toFixed(1)}x</text>`,
  )
}
report.workloads.forEach((w, i) => {
  const y0 = TOP + i * groupH
  parts.push(`<text x="${LABEL_W - 8}" y="${y0 + (targets.length * BAR_H) / 2 + 4}" text-anchor="end">${esc(`${w.name} (${w.mode})`)}</text>`)
  targets.forEach((t, k) => {
    const r = w.targets[t]
    if (!r) return
    const y = y0 + k * BAR_H
    const c = r.vsDriver.cpu
    parts.push(
      `<rect x="${x(MIN)}" y="${y + 1}" width="${x(c.median) - x(MIN)}" height="${BAR_H - 2}" fill="${colorOf(t)}"><title>${esc(`${t}: ${c.median.toFixed(2)}x [${c.min.toFixed(2)}..${c.max.toFixed(2)}]`)}</title></rect>`,
      `<line x1="${x(c.min)}" y1="${y + BAR_H / 2}" x2="${x(c.max)}" y2="${y + BAR_H / 2}" stroke="#333" stroke-width="1"/>`,
    )
  })
})
parts.push('</svg>')
writeFileSync(output, `${parts.join('\n')}\n`)
console.log(`wrote ${output}`)
