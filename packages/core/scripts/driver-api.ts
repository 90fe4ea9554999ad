/**
 * Reads the public API of the installed `mongodb` driver from its rolled-up declaration
 * file (`mongodb.d.ts`), not from runtime prototypes (which also hold internals). For each
 * exported class it lists the public members, own and inherited through `extends` chains
 * declared in the same file (including the `TypedEventEmitter` interface merged with its
 * class), with every overload's declaration node so the generator can re-emit them.
 *
 * Not covered: members inherited from Node's own classes (`EventEmitter`, `Readable`,
 * `Writable`) — they are not part of the driver's declarations.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import ts from 'typescript'

export type MemberForm = 'method' | 'property' | 'accessor'

export interface DriverMember {
  /** Member name; symbol-keyed members are written `[Symbol.asyncDispose]`. */
  name: string
  form: MemberForm
  isStatic: boolean
  readonly: boolean
  /** Name of the class or interface that declares it. */
  declaredIn: string
  /** Every declaration: the overloads of a method, or getter + setter of an accessor. */
  nodes: ts.ClassElement[] | ts.TypeElement[]
}

export interface DriverClass {
  name: string
  typeParameters: readonly ts.TypeParameterDeclaration[]
  /** Own and inherited public members, by name (statics prefixed with `static `). */
  members: Map<string, DriverMember>
  node: ts.ClassDeclaration
}

export interface DriverApi {
  file: string
  version: string
  source: ts.SourceFile
  classes: Map<string, DriverClass>
}

const require = createRequire(import.meta.url)

/** Locate the installed driver's declaration file and version. */
export function locateDriver(): { file: string; version: string } {
  const pkgPath = require.resolve('mongodb/package.json')
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string; types: string }
  return { file: pkgPath.replace(/package\.json$/, pkg.types ?? 'mongodb.d.ts'), version: pkg.version }
}

export function memberName(name: ts.PropertyName | undefined, source: ts.SourceFile): string | undefined {
  if (!name) return undefined
  if (ts.isComputedPropertyName(name)) return `[${name.expression.getText(source)}]`
  if (ts.isPrivateIdentifier(name)) return undefined
  return name.getText(source)
}

function isHidden(node: ts.Node): boolean {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined
  return !!mods?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined
  return !!mods?.some((m) => m.kind === kind)
}

function formOf(node: ts.Node): MemberForm | undefined {
  if (ts.isMethodDeclaration(node) || ts.isMethodSignature(node)) return 'method'
  if (ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) return 'accessor'
  if (ts.isPropertyDeclaration(node) || ts.isPropertySignature(node)) return 'property'
  return undefined
}

/** Parse the driver's declarations into classes with their full public member lists. */
export function readDriverApi(file = locateDriver().file, version = locateDriver().version): DriverApi {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const classNodes = new Map<string, ts.ClassDeclaration>()
  const interfaceNodes = new Map<string, ts.InterfaceDeclaration>()
  for (const stmt of source.statements) {
    if (ts.isClassDeclaration(stmt) && stmt.name) classNodes.set(stmt.name.text, stmt)
    if (ts.isInterfaceDeclaration(stmt)) interfaceNodes.set(stmt.name.text, stmt)
  }

  const ownMembers = (owner: string): DriverMember[] => {
    const result = new Map<string, DriverMember>()
    const add = (el: ts.ClassElement | ts.TypeElement) => {
      const form = formOf(el)
      const name = memberName(el.name, source)
      if (!form || !name || isHidden(el)) return
      const isStatic = hasModifier(el, ts.SyntaxKind.StaticKeyword)
      const key = `${isStatic ? 'static ' : ''}${name}`
      const existing = result.get(key)
      if (existing) (existing.nodes as ts.Node[]).push(el)
      else
        result.set(key, {
          name,
          form,
          isStatic,
          readonly: hasModifier(el, ts.SyntaxKind.ReadonlyKeyword) || (form === 'accessor' && !hasSetter(owner, name)),
          declaredIn: owner,
          nodes: [el] as ts.ClassElement[],
        })
    }
    const hasSetter = (o: string, n: string) =>
      !!classNodes.get(o)?.members.some((m) => ts.isSetAccessorDeclaration(m) && memberName(m.name, source) === n)
    classNodes.get(owner)?.members.forEach(add)
    interfaceNodes.get(owner)?.members.forEach(add)
    return [...result.values()]
  }

  const parentsOf = (owner: string): string[] => {
    const clauses = [
      ...(classNodes.get(owner)?.heritageClauses ?? []),
      ...(interfaceNodes.get(owner)?.heritageClauses ?? []),
    ].filter((h) => h.token === ts.SyntaxKind.ExtendsKeyword)
    return clauses.flatMap((h) => h.types.map((t) => t.expression.getText(source)))
  }

  const classes = new Map<string, DriverClass>()
  for (const [name, node] of classNodes) {
    if (!hasModifier(node, ts.SyntaxKind.ExportKeyword)) continue
    const members = new Map<string, DriverMember>()
    const visit = (owner: string, seen: Set<string>) => {
      if (seen.has(owner)) return
      seen.add(owner)
      for (const m of ownMembers(owner)) {
        const key = `${m.isStatic ? 'static ' : ''}${m.name}`
        if (!members.has(key)) members.set(key, m)
      }
      for (const parent of parentsOf(owner)) visit(parent, seen)
    }
    visit(name, new Set())
    classes.set(name, { name, typeParameters: node.typeParameters ?? [], members, node })
  }
  return { file, version, source, classes }
}
