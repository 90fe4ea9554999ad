/**
 * What the oldest driver motor-ts supports (the floor of its `mongodb` peer range) declares,
 * so the generator can make types that compile on every driver in the range: the exported
 * names of its `mongodb.d.ts`, and per wrapped class, each public member with the parameter
 * lists of its overloads. Kept as a committed snapshot (`driver-floor.json`) so building stays
 * offline; `tsx scripts/driver-floor.ts` rewrites it from the floor driver, installed into the
 * tools cache (`pnpm test:compat` checks the result on that driver).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { driverTable } from '../src/table.js'
import { type DriverApi, type DriverMember, readDriverApi } from './driver-api.js'

export interface DriverFloor {
  version: string
  /** Every name `mongodb.d.ts` exports (types and values). */
  exports: string[]
  /** Per wrapped class: member key (as in `DriverClass.members`) → its overloads' parameters. */
  members: Record<string, Record<string, Parameter[][]>>
}

/** A parameter as overloads are compared: its type (comments and `| undefined` dropped) and whether it may be left out. */
export interface Parameter {
  type: string
  optional: boolean
}

const FILE = fileURLToPath(new URL('./driver-floor.json', import.meta.url))

/** The parameters of one overload (undefined for a property or accessor). */
export function parameters(node: ts.Node, source: ts.SourceFile): Parameter[] | undefined {
  if (!(ts.isMethodDeclaration(node) || ts.isMethodSignature(node))) return undefined
  return node.parameters.map((p) => {
    const text = (p.type?.getText(source) ?? 'any').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').trim()
    const type = text.replace(/ \| undefined$/, '')
    return { type: `${p.dotDotDotToken ? '...' : ''}${type}`, optional: Boolean(p.questionToken || p.initializer || p.dotDotDotToken || type !== text) }
  })
}

/** The overloads of a member, by their parameters. */
export function overloads(m: DriverMember, source: ts.SourceFile): Parameter[][] {
  return (m.nodes as ts.Node[]).flatMap((n) => {
    const params = parameters(n, source)
    return params ? [params] : []
  })
}

/**
 * Whether an older driver's overload `old` accepts every call `current` accepts: the same
 * parameter types position by position, where a parameter only one of them has is optional.
 */
export function covers(old: readonly Parameter[], current: readonly Parameter[]): boolean {
  for (let i = 0; i < Math.max(old.length, current.length); i++) {
    const [o, c] = [old[i], current[i]]
    if (o && c ? o.type !== c.type : !(o ?? c)!.optional) return false
  }
  return true
}

export function exportedNames(api: DriverApi): Set<string> {
  const names = new Set<string>()
  for (const stmt of api.source.statements) {
    const mods = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) : undefined
    if (mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if (ts.isVariableStatement(stmt)) stmt.declarationList.declarations.forEach((d) => names.add(d.name.getText(api.source)))
      else if ('name' in stmt && stmt.name) names.add((stmt.name as ts.Identifier).getText(api.source))
    }
    if (ts.isExportDeclaration(stmt) && stmt.exportClause && ts.isNamedExports(stmt.exportClause))
      stmt.exportClause.elements.forEach((e) => names.add(e.name.text))
  }
  return names
}

export function floorOf(api: DriverApi): DriverFloor {
  const members: DriverFloor['members'] = {}
  for (const cls of Object.keys(driverTable)) {
    const c = api.classes.get(cls)
    if (!c) continue
    members[cls] = Object.fromEntries([...c.members].map(([key, m]) => [key, overloads(m, api.source)]))
  }
  return { version: api.version, exports: [...exportedNames(api)].sort(), members }
}

export function readFloor(): DriverFloor {
  return JSON.parse(readFileSync(FILE, 'utf8')) as DriverFloor
}

/** The lowest version `^7.0.0`-style peer range of core's `mongodb` allows. */
export function floorVersion(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'))
  const range: string = pkg.peerDependencies.mongodb
  const match = /^[\^~>=]*\s*(\d+\.\d+\.\d+)$/.exec(range.trim())
  if (!match) throw new Error(`cannot read a floor version from the mongodb peer range "${range}"`)
  return match[1]!
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]
if (isMain) {
  const { npmInstall } = await import('@motor-ts/tools')
  const version = floorVersion()
  const dir = await npmInstall(`mongodb-${version}`, { mongodb: version })
  const api = readDriverApi(join(dir, 'node_modules', 'mongodb', 'mongodb.d.ts'), version)
  const floor = floorOf(api)
  // One line per class: small, and a new floor shows as a readable diff.
  const members = Object.entries(floor.members).map(([cls, m]) => `  ${JSON.stringify(cls)}: ${JSON.stringify(m)}`)
  const json = `{\n "version": ${JSON.stringify(floor.version)},\n "exports": ${JSON.stringify(floor.exports)},\n "members": {\n${members.join(',\n')}\n }\n}\n`
  writeFileSync(FILE, json)
  console.log(`wrote ${FILE} (mongodb ${version})`)
}
