// CommonJS consumer: loads every package with `require` and runs the shared smoke body. Effect 4
// ships ESM only, so @motor-ts/effect is required only where Node can require ESM (20.19+
// loads it with require(esm)); a failure there is reported, not hidden.
const { smoke, report } = require('./smoke-lib.cjs')

async function main() {
  const packages = { promise: require('@motor-ts/promise'), rxjs: require('@motor-ts/rxjs') }
  let effect
  try {
    effect = require('effect')
    packages.effect = require('@motor-ts/effect')
    report('passed', 'cjs effect: require() loads @motor-ts/effect and effect')
  } catch (error) {
    report('failed', 'cjs effect: require() loads @motor-ts/effect and effect', error)
  }
  const mongodb = { ...require('mongodb'), version: require('mongodb/package.json').version }
  // Synchro, the CommonJS way to put a framework behind the plain driver API.
  const name = 'cjs synchro: createSynchro(rxjs) serves the driver API from require()'
  try {
    const { createSynchro } = require('@motor-ts/synchro')
    const synchro = createSynchro(packages.rxjs.motorRxjs)
    const client = new synchro.MongoClient(process.env.COMPAT_URI, { serverSelectionTimeoutMS: 5000 })
    const db = client.db(`compat_cjs_synchro_${process.pid}`)
    await db.collection('s').insertOne({ _id: 1 })
    if ((await db.collection('s').countDocuments()) !== 1) throw new Error('countDocuments did not see the insert')
    await db.dropDatabase()
    await client.close()
    report('passed', name)
  } catch (error) {
    report('failed', name, error)
  }
  await smoke({ format: 'cjs', mongodb, packages, rxjs: require('rxjs'), effect, uri: process.env.COMPAT_URI })
}

main().catch((error) => {
  report('failed', 'cjs: smoke crashed', error?.stack ?? error)
  process.exitCode = 1
})
