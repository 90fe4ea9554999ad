/**
 * The runnable code snippets of the docs: fenced blocks opened with ```ts run in the root
 * README, each package's README and docs/guides/*.md. A snippet is a whole ESM module (it
 * imports what it uses, reads the server from MONGODB_URI and closes its client), so a test
 * can type-check it and run it as a user would paste it. Blocks without `run` are fragments and
 * are left alone. `requires=transactions,changeStreams` after `run` names the server
 * capabilities the snippet needs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Capability } from './capabilities.ts'

export interface Snippet {
  /** `README.md#2`, `docs/guides/rxjs.md#1`: the file and the snippet's rank in it. */
  id: string
  file: string
  /** 1-based line of the opening fence. */
  line: number
  code: string
  requires: Capability[]
}

const FENCE = /^```ts run\b(.*)$/

/** The runnable snippets of one markdown file. */
export function snippetsOf(file: string, root: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  const out: Snippet[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!)
    if (!open) continue
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'))
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code fence`)
    const requires = (/requires=([\w,]+)/.exec(open[1]!)?.[1]?.split(',') ?? []) as Capability[]
    out.push({ id: `${relative(root, file)}#${out.length + 1}`, file, line: i + 1, code: lines.slice(i + 1, end).join('\n'), requires })
    i = end
  }
  return out
}

/** The markdown files whose snippets are run: README.md, packages/*\/README.md, docs/guides/*.md. */
export function documentedFiles(root: string): string[] {
  const under = (dir: string, pick: (name: string) => string | undefined) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .sort()
          .map(pick)
          .filter((path): path is string => path !== undefined && existsSync(join(root, path)))
      : []
  return [
    'README.md',
    ...under('packages', (name) => join('packages', name, 'README.md')),
    ...under(join('docs', 'guides'), (name) => (name.endsWith('.md') ? join('docs', 'guides', name) : undefined)),
  ].map((path) => join(root, path))
}
