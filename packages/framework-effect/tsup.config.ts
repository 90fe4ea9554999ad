import { motorTsupConfig } from '../../tools/tsup.factory'

// ESM only, like Effect 4 itself: a CommonJS build would promise types its consumers cannot resolve.
export default motorTsupConfig({ format: ['esm'] })
