/**
 * Synchro's classes behave like the driver's under subclassing and `instanceof`, over every
 * framework: a subclass of `MongoClient` or `GridFSBucket` constructs a working object (the
 * driver's own unified test runner subclasses `MongoClient`), and a client is a Node
 * `EventEmitter` whose listeners receive the driver's events.
 */
import { EventEmitter } from 'node:events'
import { server, uniqueName } from '@motor-ts/tools'
import type { CommandStartedEvent } from 'mongodb'
import * as driver from 'mongodb'
import { describe, expect, it } from 'vitest'
import { createSynchro, loadBinding } from '../src/index.js'

// The framework packages are the workspace root's (Synchro depends on none of them).
const bindings = { promise: await loadBinding('promise'), rxjs: await loadBinding('rxjs'), effect: await loadBinding('effect') }

describe.each(Object.entries(bindings))('Synchro over %s', (_name, binding) => {
  const { MongoClient, GridFSBucket, ClientEncryption, Db, MongoMissingDependencyError } = createSynchro(binding)

  class AppClient extends MongoClient {
    readonly app = 'mine'
    ping() {
      return this.db('admin').command({ ping: 1 })
    }
  }
  class AuditedClient extends AppClient {}

  it('subclasses construct working objects and keep instanceof', async () => {
    const client = new AuditedClient(server().uri)
    try {
      expect(client).toBeInstanceOf(AuditedClient)
      expect(client).toBeInstanceOf(AppClient)
      expect(client).toBeInstanceOf(MongoClient)
      expect(client.app).toBe('mine')
      await client.connect()
      expect(await client.ping()).toMatchObject({ ok: 1 })

      const db = client.db(uniqueName('synchro_subclass'))
      expect(db).toBeInstanceOf(Db)
      const bucket = new (class extends GridFSBucket {})(db)
      expect(bucket).toBeInstanceOf(GridFSBucket)
      expect(await bucket.find({}).toArray()).toEqual([])
      const options = { keyVaultNamespace: 'keys.vault', kmsProviders: { local: { key: Buffer.alloc(96) } } }
      expect(() => new (class extends ClientEncryption {})(client, options)).toThrow(MongoMissingDependencyError)
      await db.dropDatabase()
    } finally {
      await client.close()
    }
  })

  it("a subclass's static connect gives the subclass, as the driver's does", async () => {
    // Typed as the driver types it (Promise<MongoClient>); the object is an AppClient.
    const client = (await AppClient.connect(server().uri)) as AppClient
    try {
      expect(client).toBeInstanceOf(AppClient)
      expect(await client.ping()).toMatchObject({ ok: 1 })
    } finally {
      await client.close()
    }
    // A bad URI rejects, as the driver's static connect does (not a synchronous throw).
    await expect(MongoClient.connect('not-a-uri')).rejects.toMatchObject({ name: 'MongoParseError' })
    await expect(driver.MongoClient.connect('not-a-uri')).rejects.toMatchObject({ name: 'MongoParseError' })
  })

  it('a client is an EventEmitter that hears the driver', async () => {
    const client = new MongoClient(server().uri, { monitorCommands: true })
    expect(client).toBeInstanceOf(EventEmitter)
    expect(new driver.MongoClient(server().uri)).toBeInstanceOf(EventEmitter)
    const seen: string[] = []
    const listener = (e: CommandStartedEvent) => seen.push(e.commandName)
    expect(client.on('commandStarted', listener)).toBe(client)
    try {
      await client.db('admin').command({ ping: 1 })
      expect(seen).toContain('ping')
      expect(client.listenerCount('commandStarted')).toBe(1)
      client.off('commandStarted', listener)
      expect(client.listenerCount('commandStarted')).toBe(0)
    } finally {
      await client.close()
    }
  })
})
