/**
 * `node --import @motor-ts/synchro/register app.js`: with `MOTOR_FRAMEWORK` set to `promise`,
 * `rxjs` or `effect`, every `import 'mongodb'` and `require('mongodb')` outside motor-ts
 * gets the masquerade (Synchro over that framework) instead of the driver. Installed
 * libraries (under `node_modules`) keep the driver unless named in
 * `MOTOR_MASQUERADE_LIBRARIES` (`name,other` or `*`).
 *
 * How: on Node 22.15+ one synchronous `module.registerHooks` resolve hook covers `import` and
 * `require`. Before that (Node 20.19 - 22.14), `module.register` installs an asynchronous
 * resolve hook for `import`, and `require` is redirected by wrapping the CommonJS resolver
 * (`Module._resolveFilename`), the same seam tools like tsx use.
 *
 * Never a silent pass: an unknown or missing `MOTOR_FRAMEWORK` fails at start-up, and a
 * program that ends without any `mongodb` import routed through the masquerade exits with an
 * error naming what was left on the driver. `MOTOR_FRAMEWORK=driver` turns the hook off.
 */
import Module, { register } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { checkFramework } from './binding.js'
import { masqueradeUrl } from './hooks.js'
import { masqueradeState } from './masquerade-module.js'
import { keepsDriver, librariesFromEnv } from './route.js'

const framework = process.env.MOTOR_FRAMEWORK
if (!framework) throw new TypeError('motor-ts: @motor-ts/synchro/register needs MOTOR_FRAMEWORK (promise, rxjs or effect; driver for the raw driver)')
checkFramework(framework)

const MASQUERADE = new URL('./masquerade.js', import.meta.url)
const MASQUERADE_REQUIRE = fileURLToPath(new URL('./masquerade-require.cjs', import.meta.url))
const libraries = librariesFromEnv()
const state = masqueradeState()

/** Where `mongodb` asked for by `importer` goes: undefined for the real driver (noted in `state.kept`). */
function redirect(importer: string | undefined, how: 'import' | 'require'): string | undefined {
  const kept = keepsDriver(importer, libraries)
  if (kept === undefined) {
    if (how === 'require') state.importer = importer
    return how === 'require' ? MASQUERADE_REQUIRE : masqueradeUrl(MASQUERADE, importer)
  }
  if (!kept.own && state.kept.length < 20) state.kept.push(`${how} from ${importer}: ${kept.why}`)
  return undefined
}

type ResolveHooks = {
  registerHooks?: (hooks: {
    resolve: (
      specifier: string,
      context: { parentURL?: string; conditions?: Iterable<string> },
      next: (specifier: string, context: unknown) => { url: string },
    ) => { url: string; shortCircuit?: boolean }
  }) => unknown
  _resolveFilename: (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string
}
const loader = Module as unknown as ResolveHooks

if (framework !== 'driver') {
  if (loader.registerHooks) {
    loader.registerHooks({
      resolve(specifier, context, next) {
        if (specifier !== 'mongodb') return next(specifier, context)
        // `conditions` is an array for import and a Set for require (Node 22).
        const how = [...(context.conditions ?? [])].includes('require') ? 'require' : 'import'
        const to = redirect(context.parentURL, how)
        if (to === undefined) return next(specifier, context)
        return { url: how === 'require' ? pathToFileURL(to).href : to, shortCircuit: true }
      },
    })
  } else {
    register('./hooks.js', import.meta.url)
    const original = loader._resolveFilename
    loader._resolveFilename = function (request, parent, ...rest) {
      if (request === 'mongodb') {
        const to = redirect(parent?.filename, 'require')
        if (to !== undefined) return to
      }
      return original.call(this, request, parent, ...rest)
    }
  }
  process.on('exit', (code) => {
    if (state.module) return
    const kept = state.kept.length ? `; left on the driver: ${state.kept.join('; ')}` : ''
    console.error(`motor-ts: MOTOR_FRAMEWORK=${framework}, but no import or require of 'mongodb' was routed through the masquerade${kept}`)
    if (code === 0) process.exitCode = 1
  })
}
