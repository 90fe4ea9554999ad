/**
 * The cells of the compatibility matrix (`pnpm test:compat`): which Node, driver, framework
 * and TypeScript versions motor-ts claims, each tested at its floor and its latest.
 *
 * Not the cross product: one `default` cell with the latest of everything on the current LTS
 * Node, then cells that each move one axis (or two that cannot interact, rxjs and effect) to
 * another version. An axis that only matters at run time (Node) runs the runtime checks; one
 * that only matters to the compiler (TypeScript) runs the type checks; the driver and the
 * frameworks matter to both. Versions are pinned so a run is reproducible and cacheable;
 * `pnpm api-diff --driver latest` and the `mongodb-next` cell (informational: a failure there is
 * an early warning, not a red build) watch what the registry publishes next.
 *
 * The README's support table is exactly this list: change both together.
 */

export interface Versions {
  node: string
  mongodb: string
  rxjs: string
  effect: string
  typescript: string
}

export type CheckKind = 'runtime' | 'types'

export interface Cell extends Versions {
  name: string
  /** What the cell varies, for the summary. */
  varies: string
  checks: readonly CheckKind[]
  /** Also run the unified CRUD spec files through every framework (slower; driver cells). */
  specs: boolean
  /** A failure is reported but does not fail the run (pre-release versions). */
  informational?: boolean
}

/** The latest of everything we claim (Node: the current LTS). */
export const LATEST: Versions = { node: '24.22.3', mongodb: '7.9.1', rxjs: '7.8.2', effect: '4.1.0', typescript: '7.0.2' }

/** The floor of every range we declare: `engines.node`, the `mongodb`, `rxjs` and `effect` peer ranges, and TypeScript. */
export const FLOOR: Versions = { node: '20.19.0', mongodb: '7.0.0', rxjs: '7.8.0', effect: '4.0.0', typescript: '5.9.2' }

const both: readonly CheckKind[] = ['runtime', 'types']

export const CELLS: readonly Cell[] = [
  { name: 'default', varies: 'latest of everything, Node LTS', ...LATEST, checks: both, specs: true },
  { name: 'node-20.19', varies: 'Node floor', ...LATEST, node: FLOOR.node, checks: ['runtime'], specs: false },
  { name: 'node-22', varies: 'Node 22 LTS', ...LATEST, node: '22.23.5', checks: ['runtime'], specs: false },
  { name: 'node-26', varies: 'Node current', ...LATEST, node: '26.12.1', checks: ['runtime'], specs: false },
  { name: 'mongodb-7.0', varies: 'driver floor', ...LATEST, mongodb: FLOOR.mongodb, checks: both, specs: true },
  {
    name: 'frameworks-floor',
    varies: 'rxjs and effect floors',
    ...LATEST,
    rxjs: FLOOR.rxjs,
    effect: FLOOR.effect,
    checks: both,
    specs: false,
  },
  { name: 'typescript-5.9', varies: 'TypeScript floor', ...LATEST, typescript: FLOOR.typescript, checks: ['types'], specs: false },
  // The driver's newest dev build, resolved when the run starts (`next` below).
  { name: 'mongodb-next', varies: 'driver dev build', ...LATEST, mongodb: 'next', checks: both, specs: false, informational: true },
]

/** The `@types/node` every type check uses: the line of the default cell's Node. */
export const TYPES_NODE = '24.19.4'

/** The `expect-type` the consumer typecheck and the copied type tests use (vitest's own). */
export const EXPECT_TYPE = '1.4.0'
