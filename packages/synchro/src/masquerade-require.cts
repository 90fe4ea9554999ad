/**
 * The CommonJS twin of `@motor-ts/synchro/masquerade`, built as `masquerade-require.cjs`:
 * what `require('mongodb')` gets under the Node hook. `module.exports` is the process's one
 * masquerade module (see `masquerade-module.ts`), framework resolved from the requiring file.
 */
import { masqueradeModule, masqueradeState } from './masquerade-module.js'

module.exports = masqueradeModule(masqueradeState().importer)
