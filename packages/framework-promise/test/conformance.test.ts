/**
 * The shared conformance suite for the Promise framework: every scenario, run on the raw
 * driver and through Synchro over `@motor-ts/promise`, must reach the same verdict.
 */
import { suite } from '@motor-ts/conformance/vitest'
import { suiteServer } from '@motor-ts/tools'
import { motorPromise } from '../src/index.js'

suite('promise', motorPromise, { server: suiteServer })
