/**
 * The shared conformance suite for the callback framework: every scenario, run on the raw
 * driver and through Synchro over `@motor-ts/callback` (its Promise form, through the same
 * members that take callbacks: `forEach`'s iterator and `withSession`'s executor must not be
 * taken for callbacks), must reach the same verdict.
 */
import { suite } from '@motor-ts/conformance/vitest'
import { suiteServer } from '@motor-ts/tools'
import { motorCallback } from '../src/index.js'

suite('callback', motorCallback, { server: suiteServer })
