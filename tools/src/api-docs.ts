/**
 * Per-framework declarations for the API reference. Core's generated API
 * (`packages/core/src/generated/driver-api.generated.ts`, the driver's members with the
 * driver's own JSDoc) is written once over the framework `F`; a reader of the RxJS page wants
 * `findOne(...): Observable<WithId<TSchema> | null>`, not `Future<F, ...>`. This applies each
 * framework's type lambda to that file's text — `Future<F, A>` and `Stream<F, A>` become the
 * framework's own types, the `F` parameter goes, `MotorCollection` is named `Collection` as the
 * framework packages export it — and keeps every doc comment as it is. The output is only read
 * by TypeDoc (and type-checked by it); nothing imports it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface FrameworkDoc {
  /** Package name, used as the module's name in the reference. */
  pkg: string
  /** Lines importing what `future`/`stream` name. */
  imports: string[]
  future: (a: string) => string
  stream: (a: string) => string
  /** One paragraph on what the framework's values are. */
  summary: string
}

export const FRAMEWORK_DOCS: Record<'promise' | 'rxjs' | 'effect', FrameworkDoc> = {
  promise: {
    pkg: '@motor-ts/promise',
    imports: [],
    future: (a) => `Promise<${a}>`,
    stream: (a) => `AsyncIterable<${a}>`,
    summary: 'Every async member returns a Promise (eager, as in the driver); cursors and change streams are async iterables.',
  },
  rxjs: {
    pkg: '@motor-ts/rxjs',
    imports: ["import type { Observable } from 'rxjs'"],
    future: (a) => `Observable<${a}>`,
    stream: (a) => `Observable<${a}>`,
    summary:
      'Every async member returns a cold Observable: nothing is sent before subscribe, each subscription runs again, unsubscribing cancels. Cursors and change streams stream as Observables of documents.',
  },
  effect: {
    pkg: '@motor-ts/effect',
    imports: ["import type { Effect, Stream } from 'effect'", "import type { MotorError } from '@motor-ts/effect'"],
    future: (a) => `Effect.Effect<${a}, MotorError>`,
    stream: (a) => `Stream.Stream<${a}, MotorError>`,
    summary:
      'Every async member returns a lazy Effect failing with a tagged MotorError; interruption cancels. Cursors and change streams are Streams.',
  },
}

/** Index of the `>` closing the `<` at `open`, skipping nested brackets and `=>` arrows. */
function closing(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    const c = text[i]
    if (c === '<') depth++
    else if (c === '>' && text[i - 1] !== '=') {
      depth--
      if (depth === 0) return i
    }
  }
  throw new Error(`unbalanced < at ${open}: ${text.slice(open, open + 80)}`)
}

/** Replaces every `name<F, A>` by `make(A)`, innermost arguments rewritten too. */
function applyLambda(text: string, name: string, make: (a: string) => string): string {
  const token = `${name}<F, `
  for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + 1)) {
    if (/[\w.]/.test(text[at - 1] ?? '')) continue
    const open = at + name.length
    const end = closing(text, open)
    const arg = applyLambda(text.slice(open + token.length - name.length, end), name, make)
    text = text.slice(0, at) + make(arg) + text.slice(end + 1)
  }
  return text
}

/** The declarations of core's generated API and extras, for one framework. */
export function frameworkDeclarations(root: string, fw: FrameworkDoc): string {
  const core = join(root, 'packages', 'core', 'src')
  const generated = readFileSync(join(core, 'generated', 'driver-api.generated.ts'), 'utf8')
  const extras = readFileSync(join(core, 'extras.ts'), 'utf8')
  const wrapped = [...generated.matchAll(/^export interface Motor(\w+)</gm)].map((m) => m[1]!)

  // The driver's own names that the wrappers take over come from `mongodb.` instead.
  const driverImports = /^import type \{ (.*) \} from 'mongodb'$/m.exec(generated)![1]!.split(', ')
  const kept = driverImports.filter((name) => !wrapped.includes(name))
  let body = [
    body_of(extras),
    body_of(generated).replace(/^export const [\s\S]*?^}\n/gm, '').replace(/^\/\*\* The driver version[^\n]*\n/m, ''),
  ].join('\n')
  body = body.replace(new RegExp(`(?<![\\w.])(${wrapped.join('|')})(?=[<\\s>,;)\\[|]|$)`, 'gm'), 'mongodb.$1')
  body = applyLambda(body, 'Future', fw.future)
  body = applyLambda(body, 'Stream', fw.stream)
  body = applyLambda(body, 'MotorSessionCallback', (a) => `(session: ClientSession) => ${fw.future(a.split(',')[0] ?? 'unknown')}`)
  body = body
    .replace(/<F extends FrameworkTypes, /g, '<')
    .replace(/<F extends FrameworkTypes>/g, '')
    .replace(/<F, /g, '<')
    .replace(/<F>/g, '')
    .replace(/\bMotor(\w+)/g, (whole, name: string) => (wrapped.includes(name) ? name : whole))
  return [
    '/**',
    ` * ${fw.pkg}: the driver's classes as this package's wrappers. ${fw.summary}`,
    ' * Generated for the API reference from core\'s declarations; member docs are the driver\'s own.',
    ' *',
    ` * @module ${fw.pkg}`,
    ' */',
    `import type { ${kept.join(', ')} } from 'mongodb'`,
    "import type * as mongodb from 'mongodb'",
    "import type { ClientSession as DriverClientSession } from 'mongodb'",
    "import type { Readable } from 'stream'",
    ...fw.imports,
    '',
    body.replace(/\bmongodb\.ClientSession\b/g, 'DriverClientSession'),
  ].join('\n')
}

/** A module's text without its leading comment and imports. */
function body_of(source: string): string {
  return source.replace(/^(\/\/[^\n]*\n|\/\*[\s\S]*?\*\/\n|import [^\n]*\n|\s*\n)*/, '')
}
