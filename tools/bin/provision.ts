/**
 * `pnpm provision [secantusdb] [ferretdb]`: installs the bundled test servers into the cache
 * ahead of time (both when none are named), reusing installs that are already there, and prints
 * how long each took. Exits non-zero, saying why and how to fix it, if one cannot be installed.
 */
import { cacheDir, log } from '../src/cache.ts'
import { isProvisioned, ProvisionError, provision } from '../src/install.ts'

const all = ['secantusdb', 'ferretdb'] as const
type Bundled = (typeof all)[number]
const args = process.argv.slice(2)
const unknown = args.filter((a) => !(all as readonly string[]).includes(a))
if (unknown.length) {
  console.error(`usage: pnpm provision [${all.join('] [')}]  (unknown: ${unknown.join(', ')})`)
  process.exit(2)
}
const wanted: Bundled[] = args.length ? (args as Bundled[]) : [...all]

log(`cache: ${cacheDir()}`)
let failed = 0
for (const kind of wanted) {
  const started = Date.now()
  const already = await isProvisioned(kind)
  try {
    await provision(kind)
    log(`${kind}: ${already ? 'already installed' : `ready in ${((Date.now() - started) / 1000).toFixed(1)}s`}`)
  } catch (error) {
    failed++
    console.error(`${kind}: could not be provisioned: ${(error as Error).message}`)
    for (const hint of error instanceof ProvisionError ? error.hints : []) console.error(`  - ${hint}`)
  }
}
process.exit(failed ? 1 : 0)
