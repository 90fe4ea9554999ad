/**
 * `node --import @motor-ts/synchro/register app.mjs`: registers a Node resolution hook so
 * that, when `MOTOR_FRAMEWORK` is set, ESM imports of `mongodb` outside motor-ts and
 * node_modules load `@motor-ts/synchro/masquerade` instead. (Node's hooks apply to
 * `import`; CommonJS `require('mongodb')` keeps the driver.)
 */
import { register } from 'node:module'

register('./hooks.js', import.meta.url)
