'use strict'
/**
 * The body of the compat smoke check, shared by `smoke.mjs` (ESM: `import`) and `smoke.cjs`
 * (CommonJS: `require`), which load the packages their own way and pass them in. Against the
 * real server at COMPAT_URI, for each framework package: the client classes are motor-ts
 * wrappers, a write and a read round-trip in the framework's channel (Promise, Observable,
 * Effect), a cursor streams, a duplicate key fails in that channel with the driver's code, and
 * a member the installed driver lacks (the table follows a newer driver) fails naming the
 * member and the installed version, or works when the driver has it. One line per check:
 * `compat-check {"verdict":"passed|failed|skipped","name":...,"why":...}`.
 */
const assert = require('node:assert/strict')

function report(verdict, name, why) {
  const line = { verdict, name, ...(why && { why: String(why).split('\n')[0] }) }
  process.stdout.write(`compat-check ${JSON.stringify(line)}\n`)
}

/** How each framework's futures and streams are run and collected from plain async code. */
function channels({ rxjs, effect }) {
  const rejection = (p) => p.then(() => assert.fail('expected a failure'), (e) => e)
  return {
    promise: { run: (f) => f, failure: rejection, collect: async (s) => { const out = []; for await (const x of s) out.push(x); return out } },
    rxjs: {
      run: (o) => rxjs.lastValueFrom(o, { defaultValue: undefined }),
      failure: (o) => rejection(rxjs.lastValueFrom(o)),
      collect: (s) => rxjs.lastValueFrom(s.pipe(rxjs.toArray())),
    },
    effect: {
      run: (e) => effect.Effect.runPromise(e),
      failure: (e) => effect.Effect.runPromise(effect.Effect.flip(e)),
      collect: async (s) => [...(await effect.Effect.runPromise(effect.Stream.runCollect(s)))],
    },
  }
}

async function smoke({ format, mongodb, packages, rxjs, effect, uri }) {
  const installed = mongodb.version
  const ways = channels({ rxjs, effect })
  for (const [name, pkg] of Object.entries(packages)) {
    const { run, failure, collect } = ways[name]
    const check = async (what, fn) => {
      try {
        const skip = await fn()
        report(skip ? 'skipped' : 'passed', `${format} ${name}: ${what}`, skip)
      } catch (error) {
        report('failed', `${format} ${name}: ${what}`, error?.stack ?? error)
      }
    }
    const client = new pkg.MongoClient(uri, { serverSelectionTimeoutMS: 5000 })
    const col = client.db(`compat_${format}_${name}_${process.pid}`).collection('smoke')
    await check('exports the motor-ts client and every mongodb export', () => {
      assert.equal(typeof pkg.MongoClient.connect, 'function')
      assert.notEqual(pkg.MongoClient, mongodb.MongoClient)
      assert.equal(pkg.ObjectId, mongodb.ObjectId)
    })
    await check('insertOne and findOne round-trip', async () => {
      await run(col.insertOne({ _id: 1, a: 'x' }))
      assert.deepEqual(await run(col.findOne({ _id: 1 })), { _id: 1, a: 'x' })
    })
    await check('a cursor streams in the framework', async () => {
      await run(col.insertMany([{ _id: 2 }, { _id: 3 }]))
      const ids = (await collect(col.find({}, { sort: { _id: 1 } }).toStream())).map((d) => d._id)
      assert.deepEqual(ids, [1, 2, 3])
    })
    await check('a duplicate key fails in the framework channel', async () => {
      const error = await failure(col.insertOne({ _id: 1 }))
      // Effect fails with a MotorError whose reason (here DuplicateKey) carries the driver's error.
      const driverError = error instanceof mongodb.MongoError ? error : error.reason?.cause
      if (!(error instanceof mongodb.MongoError)) assert.equal(error.reason?._tag, 'DuplicateKey', `got ${error}`)
      assert.ok(driverError instanceof mongodb.MongoServerError, `got ${error}`)
      assert.equal(driverError.code, 11000)
    })
    const has = typeof mongodb.ChangeStream.prototype.bufferedCount === 'function'
    const what = has
      ? 'ChangeStream.bufferedCount works (the installed driver has it)'
      : `ChangeStream.bufferedCount, which mongodb ${installed} lacks, throws a MongoAPIError naming it and the version`
    await check(what, async () => {
      const stream = col.watch()
      try {
        if (has) {
          assert.equal(stream.bufferedCount(), 0)
          return undefined
        }
        assert.throws(() => stream.bufferedCount(), (e) => {
          assert.ok(e instanceof mongodb.MongoAPIError, `got ${e}`)
          assert.match(e.message, new RegExp(`ChangeStream\\.bufferedCount .*mongodb ${installed.replace(/\./g, '\\.')}\\b`))
          return true
        })
      } finally {
        await run(stream.close())
      }
    })
    await run(col.drop()).catch(() => undefined)
    await run(client.close())
  }
}

module.exports = { smoke, report }
