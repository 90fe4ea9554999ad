/**
 * The shared conformance suite for the RxJS framework: every scenario, run on the raw
 * driver and through Synchro over `@motor-ts/rxjs`, must reach the same verdict.
 */
import { suite } from '@motor-ts/conformance/vitest'
import { suiteServer } from '@motor-ts/tools'
import { motorRxjs } from '../src/index.js'

suite('rxjs', motorRxjs, { server: suiteServer })
