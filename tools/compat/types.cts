// CommonJS consumer typecheck (skipLibCheck: false): the packages' .d.cts declarations, reached
// through `require` conditions, compile and keep their types.
import { expectTypeOf } from 'expect-type'
import type { WithId } from 'mongodb'
import { MongoClient as PromiseClient } from '@motor-ts/promise'
import { MongoClient as RxClient } from '@motor-ts/rxjs'
import { MongoClient as EffectClient } from '@motor-ts/effect'
import type { Effect } from 'effect'
import { createSynchro } from '@motor-ts/synchro'
import { motorRxjs } from '@motor-ts/rxjs'
import type { Observable } from 'rxjs'

interface Pet {
  name: string
  age: number
}

const pets = new PromiseClient('mongodb://127.0.0.1:1').db('x').collection<Pet>('pets')
expectTypeOf(pets.findOne({ name: 'rex' })).toEqualTypeOf<Promise<WithId<Pet> | null>>()
const rxPets = new RxClient('mongodb://127.0.0.1:1').db('x').collection<Pet>('pets')
expectTypeOf(rxPets.insertOne({ name: 'a', age: 1 }).pipe()).toExtend<Observable<unknown>>()
expectTypeOf(createSynchro(motorRxjs).MongoClient).toBeConstructibleWith('mongodb://127.0.0.1:1')
// effect ships ESM only: a CommonJS consumer reaches it through require(esm) (Node 20.19+, TS 5.8+).
const fxPets = new EffectClient('mongodb://127.0.0.1:1').db('x').collection<Pet>('pets')
expectTypeOf(fxPets.findOne()).toExtend<Effect.Effect<WithId<Pet> | null, unknown>>()
