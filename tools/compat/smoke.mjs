// ESM consumer: loads every package with `import` and runs the shared smoke body (smoke-lib.cjs).
import { createRequire } from 'node:module'
import * as effectPkg from '@motor-ts/effect'
import * as promisePkg from '@motor-ts/promise'
import * as rxjsPkg from '@motor-ts/rxjs'
import * as effect from 'effect'
import * as mongodb from 'mongodb'
import * as rxjs from 'rxjs'
import lib from './smoke-lib.cjs'

const version = createRequire(import.meta.url)('mongodb/package.json').version
await lib.smoke({
  format: 'esm',
  mongodb: { ...mongodb, version },
  packages: { promise: promisePkg, rxjs: rxjsPkg, effect: effectPkg },
  rxjs,
  effect,
  uri: process.env.COMPAT_URI,
})
