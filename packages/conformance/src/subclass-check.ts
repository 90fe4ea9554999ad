/**
 * Subclassing a framework's constructible wrappers, as users and test runners do with the
 * driver's classes: a subclass constructs a working wrapper (its methods reach the driver),
 * keeps its own members, and is `instanceof` itself and the wrapper class, two levels deep.
 * Framework-agnostic: futures are awaited through the binding's own `yieldable`. Throws on
 * the first broken expectation; `suite()` runs it for every framework.
 */
import type { FrameworkTypes, MotorConstructors } from '@motor-ts/core'
import { MongoMissingDependencyError } from 'mongodb'

type Ctor = new (...args: any[]) => any

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`subclassing: ${what}`)
}

export async function checkSubclassing<F extends FrameworkTypes>(binding: MotorConstructors<F>, uri: string, dbName: string): Promise<void> {
  const run = <A>(future: unknown) => binding.framework.yieldable<A>(future as never)
  const Client = binding.MongoClient as unknown as Ctor
  class AppClient extends Client {
    readonly app = 'mine'
    ping() {
      return this.db('admin').command({ ping: 1 })
    }
  }
  class AuditedClient extends AppClient {}
  class Bucket extends (binding.GridFSBucket as unknown as Ctor) {}
  class Encryption extends (binding.ClientEncryption as unknown as Ctor) {}

  const client = new AuditedClient(uri)
  try {
    check(client instanceof AuditedClient && client instanceof AppClient && client instanceof Client, 'instanceof along the chain')
    check(client.app === 'mine', 'own fields kept')
    check(client.delegate?.constructor?.name === 'MongoClient', 'a driver MongoClient behind the subclass')
    await run(client.connect())
    check((await run<{ ok: number }>(client.ping())).ok === 1, 'own methods reach the server')
    const db = client.db(dbName)
    check(db instanceof binding.classes.Db, 'objects it returns are the framework wrappers')
    const bucket = new Bucket(db)
    check(bucket instanceof Bucket && bucket instanceof binding.GridFSBucket, 'GridFSBucket subclass instanceof')
    check((await run<unknown[]>(bucket.find({}).toArray())).length === 0, 'GridFSBucket subclass works')
    const options = { keyVaultNamespace: 'keys.vault', kmsProviders: { local: { key: Buffer.alloc(96) } } }
    // Reaching the driver's constructor is what raises the missing optional dependency.
    let thrown: unknown
    try {
      new Encryption(client, options)
    } catch (error) {
      thrown = error
    }
    check(thrown instanceof MongoMissingDependencyError, 'ClientEncryption subclass reaches the driver constructor')
    await run(db.dropDatabase())
  } finally {
    await run(client.close())
  }
}
