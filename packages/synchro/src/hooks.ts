/**
 * The asynchronous resolve hook `@motor-ts/synchro/register` installs with `module.register`
 * on Node versions without `module.registerHooks` (before 22.15): redirects `import 'mongodb'`
 * to the masquerade, passing the importing file along. `require` is redirected in the main
 * thread instead (see `register.ts`).
 */
import { keepsDriver, librariesFromEnv } from './route.js'

type Next = (specifier: string, context: { parentURL?: string }) => Promise<{ url: string }>

const MASQUERADE = new URL('./masquerade.js', import.meta.url)
const libraries = librariesFromEnv()

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next) {
  if (specifier !== 'mongodb' || keepsDriver(context.parentURL, libraries) !== undefined) return next(specifier, context)
  return { url: masqueradeUrl(MASQUERADE, context.parentURL), shortCircuit: true }
}

/** The masquerade's URL, carrying the importing file (`?from=`) to resolve the framework from. */
export function masqueradeUrl(masquerade: URL, parentURL: string | undefined): string {
  const url = new URL(masquerade)
  if (parentURL) url.searchParams.set('from', parentURL)
  return url.href
}
