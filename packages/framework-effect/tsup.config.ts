import { motorTsupConfig } from '../../tools/tsup.factory'

export default motorTsupConfig()
