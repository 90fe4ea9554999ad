// Included when the installed mongodb lacks ChangeStream.bufferedCount (mongodb 7.0): the types
// say so, and calling it does not compile.
import type { ChangeStream } from '@motor-ts/promise'

declare const stream: ChangeStream
// @ts-expect-error the installed driver lacks ChangeStream.bufferedCount
stream.bufferedCount()
