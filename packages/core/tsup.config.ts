import { motorTsupConfig } from '../../tools/tsup.factory'

// shims: the CommonJS build gets import.meta.url (driver-lacks.ts reads the installed driver's version).
export default motorTsupConfig({ shims: true })
