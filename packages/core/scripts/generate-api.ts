/**
 * Generates `src/generated/driver-api.generated.ts` from the installed driver's
 * `mongodb.d.ts` and core's declarative table (`src/table.ts`):
 * - one `Motor<Class><F, ...>` interface per wrapped class, mirroring the driver's
 *   hierarchy, with every overload, generic and JSDoc of the driver, where async results
 *   become `Future<F, T>`, driver objects become their wrapped types, and options accept
 *   wrapped sessions;
 * - runtime metadata the wrappers need and can only learn from the declarations: which
 *   argument of an operation accepts the driver's `signal` (its `Abortable` options), and
 *   which wrapped class a member returns.
 *
 * Types compile on every driver in core's peer range, not only the one installed here: the
 * generator knows what the floor driver declares (`driver-floor.json`, see `driver-floor.ts`).
 * A type the floor does not export is declared locally (re-emitted from the installed driver)
 * instead of imported; a member the floor lacks gets a conditional type that is the member on a
 * driver that has it and `DriverLacks<'Class.member'>` (not callable) on one that does not; an
 * overload the floor lacks says so in its doc comment.
 *
 * `tsx scripts/generate-api.ts` writes the file; `--check` exits 1 when the committed file
 * is stale (the build runs the check). A framework package whose methods take another shape
 * calls `generate` with its own `Flavour` (`@motor-ts/callback` adds callback overloads). It fails loudly when the table and the driver
 * disagree on a member's shape (e.g. an `op` that does not return a Promise).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { type MemberKind, memberKeyName } from '../src/members.js'
import { driverTable } from '../src/table.js'
import { type DriverApi, type DriverMember, readDriverApi } from './driver-api.js'
import { covers, type DriverFloor, parameters, readFloor } from './driver-floor.js'

const OUT = fileURLToPath(new URL('../src/generated/driver-api.generated.ts', import.meta.url))
const WRAPPED = new Set(Object.keys(driverTable))
const CALLBACKS: Record<string, string> = {
  WithSessionCallback: 'MotorSessionCallback',
  WithTransactionCallback: 'MotorSessionCallback',
}
/** Framework-specific extras each wrapped class gains beyond the driver's API (see `extras.ts`). */
const EXTRAS: Record<string, (driverType: string, params: string[]) => string[]> = {
  AbstractCursor: (_d, p) => [`Streamable<F, ${p[0]}>`],
  ChangeStream: (_d, p) => [`Streamable<F, ${p[1]}>`],
  GridFSBucketReadStream: () => ['Streamable<F, Buffer>'],
  GridFSBucketWriteStream: () => ['Uploadable<F>'],
}

/**
 * What differs between the generated files: core's (every framework's types, with the
 * runtime metadata) and a framework package's own, such as `@motor-ts/callback`'s, whose
 * async members gain Node-style callback overloads.
 */
export interface Flavour {
  /** The command that regenerates the file, named in its header. */
  readonly regenerate: string
  /** Import lines for the motor-ts types the output names (`MotorOptions`, `Future`, `DriverLacks` when used, ...). */
  readonly header: (uses: { readonly driverLacks: boolean }) => readonly string[]
  /** Framework-specific extras each wrapped class gains beyond the driver's API. */
  readonly extras: Readonly<Record<string, (driverType: string, params: string[]) => string[]>>
  /** Emit the runtime metadata core's wrappers need (hierarchy, `signal` and return classes). */
  readonly meta: boolean
  /** After each overload of an async member, overloads taking a trailing `NodeCallback<T>` and returning void. */
  readonly callbacks: boolean
}

export const coreFlavour: Flavour = {
  regenerate: 'pnpm --filter @motor-ts/core generate',
  header: ({ driverLacks }) => [
    `import type { ${driverLacks ? 'DriverLacks, ' : ''}MotorOptions, MotorSessionCallback, Streamable, Uploadable } from '../extras.js'`,
    "import type { FrameworkTypes, Future } from '../framework.js'",
  ],
  extras: EXTRAS,
  meta: true,
  callbacks: false,
}

interface Emitter {
  api: DriverApi
  flavour: Flavour
  imports: Map<string, string>
  exported: Set<string>
  externalImports: Map<string, string>
  floor: DriverFloor
  floorExports: Set<string>
  /** Driver types the floor does not export: declared in the generated file instead. */
  local: Set<string>
  usesDriverLacks: boolean
}

function driverExports(api: DriverApi): { exported: Set<string>; external: Map<string, string> } {
  const exported = new Set<string>()
  const external = new Map<string, string>()
  for (const stmt of api.source.statements) {
    const mods = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) : undefined
    const isExport = mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    if (
      isExport &&
      (ts.isClassDeclaration(stmt) ||
        ts.isInterfaceDeclaration(stmt) ||
        ts.isTypeAliasDeclaration(stmt) ||
        ts.isEnumDeclaration(stmt) ||
        ts.isVariableStatement(stmt) ||
        ts.isFunctionDeclaration(stmt))
    ) {
      if (ts.isVariableStatement(stmt)) stmt.declarationList.declarations.forEach((d) => exported.add(d.name.getText(api.source)))
      else if (stmt.name) exported.add(stmt.name.getText(api.source))
    }
    if (ts.isExportDeclaration(stmt) && stmt.exportClause && ts.isNamedExports(stmt.exportClause))
      stmt.exportClause.elements.forEach((e) => exported.add(e.name.text))
    if (ts.isImportDeclaration(stmt) && stmt.importClause) {
      const from = (stmt.moduleSpecifier as ts.StringLiteral).text
      const bindings = stmt.importClause.namedBindings
      if (bindings && ts.isNamedImports(bindings)) bindings.elements.forEach((e) => external.set(e.name.text, from))
    }
  }
  return { exported, external }
}

/** Re-emit a type node's text, rewriting references to wrapped driver classes. */
function emitType(em: Emitter, node: ts.Node): string {
  const src = em.api.source
  const text = src.text
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const name = node.typeName.text
    const args = node.typeArguments?.map((a) => emitType(em, a)) ?? []
    if (WRAPPED.has(name)) return `Motor${name}<${['F', ...args].join(', ')}>`
    if (CALLBACKS[name]) return `${CALLBACKS[name]}<${['F', ...args].join(', ')}>`
    note(em, name)
  }
  if (ts.isExpressionWithTypeArguments(node) && ts.isIdentifier(node.expression)) note(em, node.expression.text)
  if (ts.isTypeQueryNode(node) && ts.isIdentifier(node.exprName)) note(em, node.exprName.text)
  let out = ''
  let pos = node.getStart(src)
  node.forEachChild((child) => {
    if (ts.isJSDoc(child)) return
    const start = child.getStart(src)
    out += text.slice(pos, start) + emitType(em, child)
    pos = child.end
  })
  return out + text.slice(pos, node.end)
}

function note(em: Emitter, name: string) {
  if (em.exported.has(name) && !em.floorExports.has(name)) em.local.add(name)
  else if (em.exported.has(name)) em.imports.set(name, 'mongodb')
  else if (em.externalImports.has(name)) em.imports.set(name, em.externalImports.get(name)!)
}

function jsDoc(em: Emitter, node: ts.Node, indent: string): string {
  const ranges = ts.getLeadingCommentRanges(em.api.source.text, node.pos) ?? []
  const docs = ranges
    .map((r) => em.api.source.text.slice(r.pos, r.end))
    .filter((c) => c.startsWith('/**') && !c.includes('Excluded from this release type'))
  const last = docs[docs.length - 1]
  if (!last) return ''
  return `${last
    .split('\n')
    .map((l, i) => (i === 0 ? indent + l.trim() : `${indent} ${l.trim()}`))
    .join('\n')}\n`
}

function typeParams(em: Emitter, params: readonly ts.TypeParameterDeclaration[] | undefined): string {
  return params?.length ? `<${params.map((p) => emitType(em, p)).join(', ')}>` : ''
}

function emitParams(em: Emitter, params: readonly ts.ParameterDeclaration[], required = false): string {
  return params
    .map((p) => {
      const name = p.name.getText(em.api.source)
      const type = p.type ? emitType(em, p.type) : 'unknown'
      const wrapped = name === 'options' && p.type ? `MotorOptions<${type}>` : type
      return `${p.dotDotDotToken ? '...' : ''}${name}${p.questionToken && !required ? '?' : ''}: ${wrapped}`
    })
    .join(', ')
}

/**
 * The callback forms of one async overload: the callback follows the required parameters,
 * then each longer prefix of the optional ones (`insertOne(doc, cb)`, `insertOne(doc, options, cb)`),
 * as `mongodb-legacy` declares them. The driver's generics and parameter types are kept.
 */
function callbackOverloads(em: Emitter, name: string, node: ts.MethodDeclaration, type: ts.TypeNode): string[] {
  const params = node.parameters
  if (params.some((p) => p.dotDotDotToken)) return []
  const result = emitType(em, (type as ts.TypeReferenceNode).typeArguments![0]!)
  const firstOptional = params.findIndex((p) => p.questionToken || p.initializer)
  const out: string[] = []
  for (let n = firstOptional < 0 ? params.length : firstOptional; n <= params.length; n++) {
    const before = emitParams(em, params.slice(0, n), true)
    out.push(`  ${name}${typeParams(em, node.typeParameters)}(${before ? `${before}, ` : ''}callback: NodeCallback<${result}>): void`)
  }
  return out
}

function fail(cls: string, member: string, why: string): never {
  throw new Error(`driver table vs mongodb.d.ts: ${cls}.${member}: ${why}`)
}

function emitResult(em: Emitter, cls: string, m: DriverMember, kind: MemberKind, type: ts.TypeNode | undefined): string {
  if (!type) fail(cls, m.name, 'no declared type')
  if (kind.kind === 'op' || kind.kind === 'custom') {
    if (!ts.isTypeReferenceNode(type) || type.typeName.getText(em.api.source) !== 'Promise' || !type.typeArguments?.[0])
      fail(cls, m.name, `declared as ${kind.kind} but returns ${type.getText(em.api.source)}`)
    return `Future<F, ${emitType(em, type.typeArguments[0])}>`
  }
  if (ts.isTypeReferenceNode(type) && type.typeName.getText(em.api.source) === 'Promise')
    fail(cls, m.name, `declared as ${kind.kind} but returns a Promise: it is an async operation`)
  return emitType(em, type)
}

/** A doc comment with one more paragraph (or a new comment holding just that paragraph). */
function withNote(doc: string, note: string, indent: string): string {
  if (!doc) return `${indent}/** ${note} */\n`
  return doc.replace(/\n[^\n]*\*\/\n$/, `\n${indent} *\n${indent} * ${note}\n${indent} */\n`)
}

function emitMember(em: Emitter, cls: string, m: DriverMember, kind: MemberKind): string {
  const floorOverloads = em.floor.members[cls]?.[m.name]
  if (!floorOverloads) return emitNewerMember(em, cls, m, kind)
  const out: string[] = []
  const name = m.name
  if (m.form === 'method') {
    const forms: string[] = []
    for (const node of m.nodes as ts.MethodDeclaration[]) {
      if (!node.type && !ts.isMethodSignature(node)) continue
      let doc = jsDoc(em, node, '  ')
      const params = parameters(node, em.api.source)!
      if (!floorOverloads.some((old) => covers(old, params)))
        doc = withNote(doc, `mongodb ${em.floor.version}, the oldest driver motor-ts supports, does not declare this signature.`, '  ')
      out.push(`${doc}  ${name}${typeParams(em, node.typeParameters)}(${emitParams(em, node.parameters)}): ${emitResult(em, cls, m, kind, node.type)}`)
      if (em.flavour.callbacks && (kind.kind === 'op' || kind.kind === 'custom')) forms.push(...callbackOverloads(em, name, node, node.type!))
    }
    return [...new Set(forms), ...out].join('\n')
  }
  const { doc, head, type } = propParts(em, cls, m, kind)
  return `${doc}  ${head}: ${type}`
}

/** A property or accessor member: its doc comment, `readonly name?` and its type. */
function propParts(em: Emitter, cls: string, m: DriverMember, kind: MemberKind): { doc: string; head: string; type: string } {
  if (kind.kind !== 'prop') fail(cls, m.name, `a ${m.form} must be declared prop()`)
  const first = m.nodes[0] as ts.PropertyDeclaration | ts.GetAccessorDeclaration
  const getter = (m.nodes as ts.Node[]).find((n) => ts.isGetAccessorDeclaration(n)) as ts.GetAccessorDeclaration | undefined
  const typeNode = getter ? getter.type : (first as ts.PropertyDeclaration).type
  const optional = (first as ts.PropertyDeclaration).questionToken ? '?' : ''
  const readonly = kind.writable ? '' : 'readonly '
  return { doc: jsDoc(em, first, '  '), head: `${readonly}${m.name}${optional}`, type: typeNode ? emitType(em, typeNode) : 'unknown' }
}

/**
 * A member the floor driver lacks, as a property whose type is the member when the installed
 * driver declares it, and `DriverLacks` (neither callable nor usable as the value) when not.
 */
function emitNewerMember(em: Emitter, cls: string, m: DriverMember, kind: MemberKind): string {
  em.usesDriverLacks = true
  const anyArgs = em.api.classes.get(cls)!.typeParameters.map(() => 'any')
  const driverType = `${cls}${anyArgs.length ? `<${anyArgs.join(', ')}>` : ''}`
  note(em, cls)
  const present = `${JSON.stringify(m.name)} extends keyof ${driverType}`
  const lacks = `DriverLacks<'${cls}.${m.name}'>`
  const note_ = `Not in mongodb ${em.floor.version}, the oldest driver motor-ts supports: with a driver that lacks it, its type is \`DriverLacks\` and calling it fails with an error naming the installed version.`
  if (m.form === 'method') {
    const signatures = (m.nodes as ts.MethodDeclaration[])
      .filter((node) => node.type || ts.isMethodSignature(node))
      .map((node) => `${typeParams(em, node.typeParameters)}(${emitParams(em, node.parameters)}): ${emitResult(em, cls, m, kind, node.type)}`)
    const doc = withNote(jsDoc(em, m.nodes[0]!, '  '), note_, '  ')
    const type = signatures.length === 1 ? `(${signatures[0]!.replace(/\): /, ') => ')})` : `{ ${signatures.join('; ')} }`
    return `${doc}  readonly ${m.name}: ${present} ? ${type} : ${lacks}`
  }
  const { doc, head, type } = propParts(em, cls, m, kind)
  return `${withNote(doc, note_, '  ')}  ${head}: ${present} ? ${type} : ${lacks}`
}

/** Local declarations of the driver types the floor does not export, re-emitted from the installed driver. */
function emitLocalTypes(em: Emitter): string[] {
  const out: string[] = []
  const done = new Set<string>()
  for (let pending = [...em.local]; pending.length; pending = [...em.local].filter((n) => !done.has(n))) {
    for (const name of pending.sort()) {
      done.add(name)
      const stmt = em.api.source.statements.find(
        (s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === name,
      )
      if (!stmt) throw new Error(`mongodb ${em.floor.version} does not export ${name}, and mongodb.d.ts declares it as neither interface nor type alias`)
      const body = emitType(em, stmt).replace(/^export\s+declare\s+/, '')
      const doc = withNote(jsDoc(em, stmt, ''), `Declared here because mongodb ${em.floor.version} does not export it (copied from mongodb ${em.api.version}).`, '')
      out.push(`${doc}${body}\n`)
    }
  }
  return out
}

/** Which wrapped class a member's declared type names (for runtime re-wrapping). */
function returnedClass(em: Emitter, m: DriverMember): string | undefined {
  const nodes = m.nodes as ts.Node[]
  for (const node of nodes) {
    let type: ts.TypeNode | undefined
    if (ts.isMethodDeclaration(node) || ts.isMethodSignature(node) || ts.isGetAccessorDeclaration(node)) type = node.type
    else if (ts.isPropertyDeclaration(node) || ts.isPropertySignature(node)) type = node.type
    if (type && ts.isTypeReferenceNode(type) && type.typeName.getText(em.api.source) === 'Promise') type = type.typeArguments?.[0]
    if (type && ts.isArrayTypeNode(type)) type = type.elementType
    if (type && ts.isTypeReferenceNode(type) && WRAPPED.has(type.typeName.getText(em.api.source)))
      return type.typeName.getText(em.api.source)
  }
  return undefined
}

function abortableIndex(em: Emitter, m: DriverMember): number | undefined {
  for (const node of m.nodes as ts.Node[]) {
    if (!(ts.isMethodDeclaration(node) || ts.isMethodSignature(node))) continue
    const idx = node.parameters.findIndex((p) => p.type && /\bAbortable\b/.test(p.type.getText(em.api.source)))
    if (idx >= 0) return idx
  }
  return undefined
}

/** Is a parameter's declared type a function (inline, or a driver alias of one such as `WithSessionCallback`)? */
function isFunctionType(em: Emitter, type: ts.TypeNode | undefined): boolean {
  if (!type) return false
  if (ts.isFunctionTypeNode(type)) return true
  if (!ts.isTypeReferenceNode(type)) return false
  const name = type.typeName.getText(em.api.source)
  return em.api.source.statements.some((s) => ts.isTypeAliasDeclaration(s) && s.name.text === name && ts.isFunctionTypeNode(s.type))
}

/** How many function arguments an async member takes itself (`forEach`'s iterator, `withSession`'s executor). */
function functionParamCount(em: Emitter, m: DriverMember): number {
  let most = 0
  for (const node of m.nodes as ts.Node[]) {
    if (!(ts.isMethodDeclaration(node) || ts.isMethodSignature(node))) continue
    most = Math.max(most, node.parameters.filter((p) => isFunctionType(em, p.type)).length)
  }
  return most
}

export function generate(api: DriverApi = readDriverApi(), flavour: Flavour = coreFlavour, floor: DriverFloor = readFloor()): string {
  const { exported, external } = driverExports(api)
  const em: Emitter = {
    api,
    flavour,
    imports: new Map(),
    exported,
    externalImports: external,
    floor,
    floorExports: new Set(floor.exports),
    local: new Set(),
    usesDriverLacks: false,
  }
  const functionParams: Record<string, Record<string, number>> = {}
  const interfaces: string[] = []
  const meta: Record<string, Record<string, { abortable?: number; returns?: string }>> = {}
  const hierarchy: Record<string, string | undefined> = {}

  for (const [cls, entry] of Object.entries(driverTable)) {
    const driverClass = api.classes.get(cls)
    if (!driverClass) throw new Error(`driver table names ${cls}, which mongodb.d.ts does not export as a class`)
    const params = driverClass.typeParameters.map((p) => p.name.text)
    const clsMeta: Record<string, { abortable?: number; returns?: string }> = {}
    const members: string[] = []
    const declared = { ...entry.members, ...Object.fromEntries(Object.entries(entry.statics ?? {}).map(([k, v]) => [`static ${k}`, v])) }
    for (const key of Reflect.ownKeys(declared)) {
      const kind = declared[key as keyof typeof declared] as MemberKind
      const name = memberKeyName(key)
      const m = driverClass.members.get(name)
      if (!m) fail(cls, name, 'not in mongodb.d.ts (see pnpm api-diff)')
      const abortable = kind.kind === 'op' ? abortableIndex(em, m) : undefined
      const returns = returnedClass(em, m)
      if (abortable !== undefined || returns) clsMeta[name] = { ...(abortable !== undefined && { abortable }), ...(returns && { returns }) }
      const fnParams = kind.kind === 'op' || kind.kind === 'custom' ? functionParamCount(em, m) : 0
      if (fnParams) functionParams[cls] = { ...functionParams[cls], [name]: fnParams }
      if (m.isStatic) continue
      members.push(emitMember(em, cls, m, kind))
    }
    meta[cls] = clsMeta

    const heritage = (driverClass.node.heritageClauses ?? [])
      .filter((h) => h.token === ts.SyntaxKind.ExtendsKeyword)
      .flatMap((h) => h.types)
      .filter((t) => WRAPPED.has(t.expression.getText(api.source)))
    const parent = heritage[0]?.expression.getText(api.source)
    if (parent !== entry.extends) fail(cls, '(class)', `table says extends ${entry.extends}, mongodb.d.ts says ${parent}`)
    hierarchy[cls] = parent
    const driverType = `${cls}${params.length ? `<${params.join(', ')}>` : ''}`
    note(em, cls)
    members.unshift(`  /** The driver object this wraps. Use it only for what motor-ts does not cover. */\n  readonly delegate: ${driverType}`)
    const bases = [
      ...heritage.map((h) => `Motor${h.expression.getText(api.source)}<${['F', ...(h.typeArguments ?? []).map((a) => emitType(em, a))].join(', ')}>`),
      ...(flavour.extras[cls]?.(driverType, params) ?? []),
    ]
    const tp = ['F extends FrameworkTypes', ...driverClass.typeParameters.map((p) => emitType(em, p))].join(', ')
    interfaces.push(
      `${jsDoc(em, driverClass.node, '')}export interface Motor${cls}<${tp}>${bases.length ? ` extends ${bases.join(', ')}` : ''} {\n${members.join('\n')}\n}`,
    )
  }

  const locals = emitLocalTypes(em)
  const byModule = new Map<string, string[]>()
  for (const [name, from] of em.imports) byModule.set(from, [...(byModule.get(from) ?? []), name])
  const importLines = [...byModule]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([from, names]) => `import type { ${names.sort().join(', ')} } from '${from}'`)

  const runtimeMeta = flavour.meta
    ? [
        '/** Per class: the parent class in the driver hierarchy. */',
        `export const driverHierarchy: Readonly<Record<string, string | undefined>> = ${JSON.stringify(hierarchy, null, 2)}`,
        '',
        '/** Per class and member: the index of the argument accepting `signal` (Abortable), and the wrapped class it returns. */',
        `export const driverMeta: Readonly<Record<string, Readonly<Record<string, { readonly abortable?: number; readonly returns?: string }>>>> = ${JSON.stringify(meta, null, 2)}`,
      ]
    : [
        '/** Per class: the async members that take function arguments of their own, and how many (a trailing callback comes after them). */',
        `export const functionParams: Readonly<Record<string, Readonly<Record<string, number>>>> = ${JSON.stringify(functionParams, null, 2)}`,
      ]
  return [
    '// GENERATED by packages/core/scripts/generate-api.ts from mongodb.d.ts and src/table.ts.',
    `// Driver: mongodb ${api.version}. Do not edit: run \`${flavour.regenerate}\`.`,
    '/* eslint-disable */',
    ...importLines,
    ...flavour.header({ driverLacks: em.usesDriverLacks }),
    '',
    `/** The driver version these declarations were generated from. */`,
    `export const driverVersion = ${JSON.stringify(api.version)}`,
    '',
    ...runtimeMeta,
    '',
    ...interfaces.map((i) => `${i}\n`),
    ...locals,
  ].join('\n')
}

/** Write `output` to `file`, or with `--check` on the command line exit 1 when `file` differs (is stale). */
export function writeOrCheck(file: string, output: string, regenerate: string): void {
  if (process.argv.includes('--check')) {
    let current = ''
    try {
      current = readFileSync(file, 'utf8')
    } catch {}
    if (current !== output) {
      console.error(`${file} is stale: run \`${regenerate}\` and commit the result.`)
      process.exit(1)
    }
    console.log(`${file}: up to date`)
  } else {
    writeFileSync(file, output)
    console.log(`wrote ${file}`)
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]
if (isMain) writeOrCheck(OUT, generate(), coreFlavour.regenerate)
