/**
 * What one scenario run reports, and how the runner prints it: one line per scenario and
 * framework, its figures first, ending in `ok` or `FAIL <why>`.
 */

export const FRAMEWORKS = ['promise', 'rxjs', 'effect'] as const
export type FrameworkName = (typeof FRAMEWORKS)[number]

/** Every scenario, in the order the runner runs them. */
export const SCENARIOS = ['web-load', 'cancel-storm', 'server-faults', 'fuzz', 'secrets'] as const
export type ScenarioName = (typeof SCENARIOS)[number]

/** What a scenario child hands back to the runner (one JSON line on stdout). */
export interface ScenarioResult {
  /** Figures in reading order: `errors 0`, `peak open 20/20`... */
  figures: string[]
  /** Why it failed; empty when it passed. */
  failures: string[]
  /** Set when the server cannot run the scenario at all: the named reason. */
  skipped?: string
  /** `process.getActiveResourcesInfo()` once the scenario had closed everything. */
  activeResources?: string[]
}

/** The prefix that marks the result line among whatever else a child prints. */
export const RESULT_MARK = '@@stress-result '

/** The settings a scenario child runs with (passed as JSON in its environment). */
export interface ChildSettings {
  scenario: ScenarioName
  framework: FrameworkName
  quick: boolean
  /** The server the runner started, for scenarios that share it. */
  uri: string
  serverKind: 'secantusdb' | 'ferretdb'
  serverName: string
  /** Capabilities the runner's probe found, with the reasons for those missing. */
  capabilities: Record<string, unknown>
  notes: Record<string, string>
  /** Seed of the random choices (the same for every framework of one run). */
  seed: number
  /** A password the secrets scenario must never see printed. */
  secret: string
}

/** `label value` pieces joined for a line. */
export function line(scenario: string, framework: string, figures: string[], verdict: string): string {
  return `${scenario.padEnd(14)} ${framework.padEnd(8)} ${figures.join(', ')}${figures.length ? '  ' : ''}${verdict}`
}

/** Collects figures and failed checks for one scenario run. */
export class Findings {
  readonly figures: string[] = []
  readonly failures: string[] = []

  figure(text: string): void {
    this.figures.push(text)
  }

  /** Records `why` as a failure unless `ok`. */
  check(ok: boolean, why: string): void {
    if (!ok) this.failures.push(why)
  }

  fail(why: string): void {
    this.failures.push(why)
  }

  result(): ScenarioResult {
    return { figures: this.figures, failures: this.failures }
  }
}
