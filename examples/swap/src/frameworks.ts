/**
 * How each framework is driven from plain async code, so one script can run the same query
 * module through all three and compare: a client, the framework's binding, and how to turn
 * its future and its stream into a Promise. This is the only framework-specific code here.
 */
import type { Framework, FrameworkTypes, Future, MotorConstructors, MotorMongoClient, Stream } from '@motor-ts/core'
import { motorEffect } from '@motor-ts/effect'
import { motorPromise } from '@motor-ts/promise'
import { motorRxjs } from '@motor-ts/rxjs'
import { Effect, Stream as EffectStream } from 'effect'
import { lastValueFrom, toArray } from 'rxjs'

export interface Runner<F extends FrameworkTypes> {
  name: 'promise' | 'rxjs' | 'effect'
  framework: Framework<F>
  client(uri: string): MotorMongoClient<F>
  run<A>(future: Future<F, A>): Promise<A>
  collect<A>(stream: Stream<F, A>): Promise<A[]>
}

const runner = <F extends FrameworkTypes>(
  name: Runner<F>['name'],
  binding: MotorConstructors<F>,
  run: Runner<F>['run'],
  collect: Runner<F>['collect'],
): Runner<F> => ({ name, framework: binding.framework, client: (uri) => new binding.MongoClient(uri), run, collect })

async function collectAsync<A>(iterable: AsyncIterable<A>): Promise<A[]> {
  const out: A[] = []
  for await (const item of iterable) out.push(item)
  return out
}

/** The three frameworks (typed loosely so one loop can take each in turn). */
export const runners: readonly Runner<any>[] = [
  runner('promise', motorPromise, (future) => future, collectAsync),
  runner('rxjs', motorRxjs, (future) => lastValueFrom(future), (stream) => lastValueFrom(stream.pipe(toArray()))),
  runner('effect', motorEffect, (future) => Effect.runPromise(future), (stream) => Effect.runPromise(EffectStream.runCollect(stream))),
]
