/**
 * Subclassing the constructible wrappers, as users and test runners do with the driver's
 * classes: a subclass constructs a working wrapper (methods reach the driver), keeps its own
 * members, and is `instanceof` both itself and the wrapper class, two levels deep too.
 */
import { server, uniqueName } from '@motor-ts/tools'
import { firstValueFrom } from 'rxjs'
import { expect, it } from 'vitest'
import { ClientEncryption, GridFSBucket, MongoClient, MongoMissingDependencyError, motorRxjs } from '../src/index.js'

class AppClient extends MongoClient {
  readonly app = 'mine'
  ping() {
    return this.db('admin').command({ ping: 1 })
  }
}
class AuditedClient extends AppClient {}
class Bucket extends GridFSBucket {}
class Encryption extends ClientEncryption {}

it('subclasses of MongoClient, GridFSBucket and ClientEncryption construct working wrappers', async () => {
  const client = new AuditedClient(server().uri)
  try {
    expect(client).toBeInstanceOf(AuditedClient)
    expect(client).toBeInstanceOf(AppClient)
    expect(client).toBeInstanceOf(MongoClient)
    expect(client.app).toBe('mine')
    expect(client.delegate.constructor.name).toBe('MongoClient')
    await firstValueFrom(client.connect())
    expect(await firstValueFrom(client.ping())).toMatchObject({ ok: 1 })

    const db = client.db(uniqueName('subclass'))
    expect(db).toBeInstanceOf(motorRxjs.classes.Db)
    const bucket = new Bucket(db)
    expect(bucket).toBeInstanceOf(Bucket)
    expect(bucket).toBeInstanceOf(GridFSBucket)
    expect(await firstValueFrom(bucket.find({}).toArray())).toEqual([])

    const options = { keyVaultNamespace: 'keys.vault', kmsProviders: { local: { key: Buffer.alloc(96) } } }
    // Reaching the driver's constructor is what raises the missing optional dependency.
    expect(() => new Encryption(client, options)).toThrow(MongoMissingDependencyError)
    await firstValueFrom(db.dropDatabase())
  } finally {
    await firstValueFrom(client.close(), { defaultValue: undefined })
  }
})
