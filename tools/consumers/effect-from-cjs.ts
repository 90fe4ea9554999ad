// Effect 4 is ESM only: under `module: node16`, CommonJS code types it through a dynamic import.
async function main(): Promise<void> {
  const { MongoClient } = await import('@motor-ts/effect')
  const { Effect } = await import('effect')
  const client = new MongoClient(process.env.MONGODB_URI!)
  const db = client.db(process.env.CONSUMER_DB!)
  const program = Effect.gen(function* () {
    const items = db.collection<{ _id: number; name: string }>('items')
    yield* items.deleteMany({})
    yield* items.insertOne({ _id: 1, name: 'one' })
    const outcome = yield* items.insertOne({ _id: 1, name: 'again' }).pipe(
      Effect.as('inserted'),
      Effect.catchReason('MotorError', 'DuplicateKey', () => Effect.succeed('duplicate')),
    )
    if (outcome !== 'duplicate') return yield* Effect.die(`duplicate insert gave ${outcome}`)
    return yield* items.countDocuments({})
  }).pipe(Effect.ensuring(client.close().pipe(Effect.ignore)))
  console.log(`consumer ok: effect from CommonJS, total ${await Effect.runPromise(program)}`)
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
