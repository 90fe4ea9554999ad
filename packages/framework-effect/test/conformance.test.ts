/**
 * The shared conformance suite for the Effect framework: every scenario, run on the raw
 * driver and through Synchro over `@motor-ts/effect`, must reach the same verdict.
 */
import { suite } from '@motor-ts/conformance/vitest'
import { suiteServer } from '@motor-ts/tools'
import { motorEffect } from '../src/index.js'

suite('effect', motorEffect, { server: suiteServer })
