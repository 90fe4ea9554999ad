/**
 * `pnpm test-server <name> --port N` (tools/bin/server.ts), run as the README shows it: the
 * server it starts listens on exactly that 127.0.0.1 port and answers the driver there, and
 * a second one asked for the same port refuses with a clear error instead of picking another.
 * It starts the same kind of server the tests run on (skipped, with a note, for a server
 * given by MONGODB_URI, which this repo does not start).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MongoClient } from 'mongodb'
import { afterAll, expect, it } from 'vitest'
import { freePort, server } from '../src/index.ts'

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..')
const started: ChildProcess[] = []
// Ctrl-C, as a user stops it: SIGINT to the whole process group (pnpm, tsx, node).
afterAll(async () => {
  for (const child of started) {
    if (child.exitCode !== null || !child.pid) continue
    const exited = new Promise((done) => child.once('exit', done))
    process.kill(-child.pid, 'SIGINT')
    await exited
  }
})

function testServer(args: string[]) {
  return spawn('pnpm', ['test-server', ...args], { cwd: repo, env: { ...process.env, MONGODB_URI: '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
}

/** Resolves with the URI the server prints, or rejects with its output if it exits first. */
function uriOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const onData = (chunk: Buffer) => {
      out += chunk
      const uri = /^MONGODB_URI=(\S+)$/m.exec(out)?.[1]
      if (uri) resolve(uri)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
  })
}

it('binds the port given with --port, and refuses a port in use', async (ctx) => {
  const info = server()
  if (info.kind !== 'secantusdb' && info.kind !== 'ferretdb') ctx.skip(`${info.name} came from ${info.kind}, not a server this repo starts`)
  const port = await freePort()
  const first = testServer([info.kind, '--port', String(port)])
  started.push(first)
  const uri = await uriOf(first)
  expect(uri).toContain(`127.0.0.1:${port}/`)
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, { serverSelectionTimeoutMS: 5000 })
  try {
    expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 })
  } finally {
    await client.close()
  }

  const second = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile('pnpm', ['test-server', info.kind, '--port', String(port)], { cwd: repo, env: { ...process.env, MONGODB_URI: '' } }, (error, _out, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    ),
  )
  expect(second.stderr).toContain(`port ${port} on 127.0.0.1 is in use`)
  expect(second.code).not.toBe(0)
})
