import { motorTsupConfig } from '../../tools/tsup.factory'

// shims: the CommonJS build gets import.meta.url (driver-lacks.ts reads the installed driver's version).
// shared-types: the types every framework package re-exports (`@motor-ts/core/shared-types`).
export default motorTsupConfig({ shims: true, entry: ['src/index.ts', 'src/shared-types.ts'] })
