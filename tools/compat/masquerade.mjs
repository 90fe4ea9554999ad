// Run as `node --import @motor-ts/synchro/register masquerade.mjs` with MOTOR_FRAMEWORK set: plain
// driver code whose `import 'mongodb'` the hook sends to Synchro over that framework.
import * as mongodb from 'mongodb'

const name = `esm masquerade ${process.env.MOTOR_FRAMEWORK}: driver code runs through the framework`
try {
  if (mongodb.motorFramework !== process.env.MOTOR_FRAMEWORK) throw new Error(`'mongodb' is not the masquerade (motorFramework=${mongodb.motorFramework})`)
  const client = await mongodb.MongoClient.connect(process.env.COMPAT_URI, { serverSelectionTimeoutMS: 5000 })
  const col = client.db(`compat_masq_${process.pid}`).collection('m')
  await col.insertMany([{ i: 1 }, { i: 2 }])
  const found = await col.find({}, { sort: { i: 1 }, projection: { _id: 0 } }).toArray()
  if (JSON.stringify(found) !== '[{"i":1},{"i":2}]') throw new Error(`read back ${JSON.stringify(found)}`)
  await col.drop()
  await client.close()
  console.log(`compat-check ${JSON.stringify({ verdict: 'passed', name })}`)
} catch (error) {
  console.log(`compat-check ${JSON.stringify({ verdict: 'failed', name, why: String(error?.stack ?? error).split('\n')[0] })}`)
}
