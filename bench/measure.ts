/**
 * Timing workloads on targets: client CPU (user + system of this process, from
 * `process.cpuUsage()`; the server is another process) and wall time per unit, over
 * interleaved rounds (each round runs every target once, in a rotated order), after one
 * warm-up run per target. Ratios are taken per round against the driver (and against the
 * hand-written baseline) measured in that same round, so load that drifts over the run
 * cancels out; each figure is reported as min / median / max over the rounds.
 */
import type { Target } from './targets.ts'
import type { Clock, Workload } from './workloads.ts'

export interface Spread {
  min: number
  median: number
  max: number
}

export interface TargetResult {
  /** Client CPU µs per unit. */
  cpu: Spread
  /** Wall µs per unit. */
  wall: Spread
  vsDriver: { cpu: Spread; wall: Spread }
  /** Against the hand-written baseline for this framework (the driver for promise). */
  vsHand: { cpu: Spread; wall: Spread; baseline: string }
}

export interface WorkloadResult {
  name: string
  mode: string
  unit: string
  units: number
  rounds: number
  targets: Record<string, TargetResult>
}

interface Sample {
  cpu: number
  wall: number
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined)

export function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
  return { min: s[0]!, median, max: s[s.length - 1]! }
}

async function timeOnce(w: Workload, t: Target): Promise<Sample> {
  const input = w.prepare?.()
  gc()
  let cpu0 = process.cpuUsage()
  let wall0 = performance.now()
  let stopped: Sample | undefined
  const clock: Clock = {
    start() {
      cpu0 = process.cpuUsage()
      wall0 = performance.now()
    },
    stop() {
      stopped = sample()
    },
  }
  const sample = (): Sample => {
    const cpu = process.cpuUsage(cpu0)
    return { cpu: (cpu.user + cpu.system) / w.units, wall: ((performance.now() - wall0) * 1000) / w.units }
  }
  await w.run(t, input, clock)
  return stopped ?? sample()
}

export async function measure(w: Workload, targets: readonly Target[], rounds: number): Promise<WorkloadResult> {
  for (const t of targets) await timeOnce(w, t) // warm-up, not recorded
  const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]))
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(k + round) % targets.length]!
      samples.get(t.name)!.push(await timeOnce(w, t))
    }
  }
  const ratios = (of: Sample[], to: Sample[]) => ({
    cpu: spread(of.map((s, r) => s.cpu / to[r]!.cpu)),
    wall: spread(of.map((s, r) => s.wall / to[r]!.wall)),
  })
  const driver = samples.get('driver')!
  const result: WorkloadResult = { name: w.name, mode: w.mode, unit: w.unit, units: w.units, rounds, targets: {} }
  for (const t of targets) {
    const own = samples.get(t.name)!
    result.targets[t.name] = {
      cpu: spread(own.map((s) => s.cpu)),
      wall: spread(own.map((s) => s.wall)),
      vsDriver: ratios(own, driver),
      vsHand: { ...ratios(own, samples.get(t.hand) ?? driver), baseline: t.hand },
    }
  }
  return result
}

const f = (x: number, digits = 1) => x.toFixed(digits)
const range = (s: Spread, digits = 2) => `[${f(s.min, digits)}..${f(s.max, digits)}]`

/** One line per figure, ending `ratio=<x>` (the median ratio to the raw driver). */
export function figureLines(r: WorkloadResult): string[] {
  const lines: string[] = []
  const label = `${r.name} (${r.mode})`
  for (const [name, t] of Object.entries(r.targets)) {
    for (const kind of ['cpu', 'wall'] as const) {
      const hand = name.startsWith('driver') || name.endsWith('-hand') ? '' : ` vs ${t.vsHand.baseline} ${f(t.vsHand[kind].median, 2)}x ${range(t.vsHand[kind])},`
      lines.push(
        `${kind.padEnd(4)} ${label.padEnd(36)} ${name.padEnd(11)} ${f(t[kind].median).padStart(9)} µs/${r.unit} ${range(t[kind], 1).padEnd(20)}${hand} vs driver ${range(t.vsDriver[kind])} ratio=${f(t.vsDriver[kind].median, 2)}`,
      )
    }
  }
  return lines
}

/** The summary table: client CPU per unit, its ratio to the driver and to the hand-written baseline. */
export function table(results: WorkloadResult[], targets: readonly string[]): string {
  const head = ['workload'.padEnd(38), 'driver µs'.padStart(10), ...targets.filter((t) => t !== 'driver').map((t) => t.padStart(24))]
  const rows = [head.join(' ')]
  for (const r of results) {
    const d = r.targets.driver!
    const cells = targets
      .filter((t) => t !== 'driver')
      .map((name) => {
        const t = r.targets[name]
        if (!t) return ''.padStart(24)
        const hand = name.endsWith('-hand') || name.startsWith('driver') ? '' : ` h${f(t.vsHand.cpu.median, 2)}`
        return `${f(t.vsDriver.cpu.median, 2)}x ±${f(((t.vsDriver.cpu.max - t.vsDriver.cpu.min) / 2) * 100, 0)}%${hand}`.padStart(24)
      })
    rows.push([`${r.name} (${r.mode})`.padEnd(38), f(d.cpu.median).padStart(10), ...cells].join(' '))
  }
  return rows.join('\n')
}
