// ESM consumer typecheck (skipLibCheck: false): every package's declarations compile against the
// installed mongodb, rxjs, effect and TypeScript, and the API keeps its types.
import { expectTypeOf } from 'expect-type'
import type { Document, WithId } from 'mongodb'
import { MongoClient as PromiseClient } from '@motor-ts/promise'
import { MongoClient as RxClient } from '@motor-ts/rxjs'
import { MongoClient as EffectClient } from '@motor-ts/effect'
import { createSynchro } from '@motor-ts/synchro'
import { motorPromise } from '@motor-ts/promise'
import type { Observable } from 'rxjs'
import type { Effect } from 'effect'

interface Pet {
  name: string
  age: number
}

const pets = new PromiseClient('mongodb://127.0.0.1:1').db('x').collection<Pet>('pets')
expectTypeOf(pets.findOne({ name: 'rex' })).toEqualTypeOf<Promise<WithId<Pet> | null>>()
expectTypeOf(pets.find().toStream()).toEqualTypeOf<AsyncIterable<WithId<Pet>>>()
expectTypeOf(pets.createIndex({ age: 1 })).toEqualTypeOf<Promise<string>>()

const rxPets = new RxClient('mongodb://127.0.0.1:1').db('x').collection<Pet>('pets')
expectTypeOf(rxPets.countDocuments()).toEqualTypeOf<Observable<number>>()
expectTypeOf(rxPets.find().toStream()).toEqualTypeOf<Observable<WithId<Pet>>>()

const fxPets = new EffectClient('mongodb://127.0.0.1:1').db('x').collection<Pet>('pets')
expectTypeOf(fxPets.findOne()).toExtend<Effect.Effect<WithId<Pet> | null, unknown>>()

const synchro = createSynchro(motorPromise)
expectTypeOf(new synchro.MongoClient('mongodb://127.0.0.1:1').db('x').collection<Document>('c').findOne()).toEqualTypeOf<
  Promise<WithId<Document> | null>
>()
