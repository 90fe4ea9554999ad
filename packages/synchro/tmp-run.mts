import * as mongodb from 'mongodb'
import { runUnifiedDirectory, summarize } from './src/unified/index.ts'
const dir = process.argv[2]!
const uri = process.argv[3] ?? 'mongodb://127.0.0.1:27999/?directConnection=true'
const t0 = Date.now()
const res = await runUnifiedDirectory(dir, { driver: mongodb, uri })
for (const r of res) if (r.verdict !== 'passed' || process.env.ALL) console.log(`${r.verdict.padEnd(7)} ${r.file.split('/').pop()} :: ${r.description} :: ${r.reason ?? ''}`)
console.log(summarize(res), `${Date.now()-t0}ms`)
