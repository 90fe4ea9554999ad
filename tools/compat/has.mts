// Included when the installed mongodb has ChangeStream.bufferedCount: it keeps its type.
import { expectTypeOf } from 'expect-type'
import type { ChangeStream } from '@motor-ts/promise'

declare const stream: ChangeStream
expectTypeOf(stream.bufferedCount()).toEqualTypeOf<number>()
