import * as mongodb from 'mongodb'
import { runUnifiedDirectory, runUnifiedFile } from './src/unified/index.ts'
const uri = 'mongodb://127.0.0.1:27999/?directConnection=true'
const exclusions = [
  { file: 'crud/tests/unified/find.json', test: 'nope', reason: 'r1', category: 'api-difference' as const },
  { file: 'crud/tests/unified/nofile.json', reason: 'r2', category: 'server-gap' as const },
  { file: 'crud/tests/unified/find.json', test: 'Find with filter', reason: 'r3', category: 'server-gap' as const },
]
const filter = (d: string, f: string) => f.endsWith('/find.json')
const r = await runUnifiedDirectory('/work/shared/specs/crud/tests/unified', { driver: mongodb, uri, exclusions, filter })
console.log(r.filter(x => x.verdict !== 'passed').map(x => `${x.verdict} ${x.file} :: ${x.description} :: ${x.reason}`).join('\n'))
const r2 = await runUnifiedFile('/work/shared/specs/crud/tests/unified/find.json', { driver: mongodb, uri, exclusions })
console.log(r2.filter(x => x.verdict !== 'passed').length)
