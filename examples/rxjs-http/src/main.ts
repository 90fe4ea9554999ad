/**
 * `pnpm --filter @motor-ts/example-rxjs-http start`: serves on http://127.0.0.1:3000 (PORT to
 * change it) with the server at MONGODB_URI, or, when it is unset, an embedded test server
 * started for the run. Seeds a few items. Ctrl-C closes the HTTP server, the client and the
 * embedded server.
 */
import { MongoClient } from '@motor-ts/rxjs'
import { type RunningServer, selectServerKind, startServer } from '@motor-ts/tools'
import { lastValueFrom } from 'rxjs'
import { createApp, type Item } from './app.js'

const embedded: RunningServer | undefined = process.env.MONGODB_URI ? undefined : await startServer(selectServerKind())
const client = new MongoClient(process.env.MONGODB_URI ?? embedded!.info.uri)
const db = client.db('rxjs_http_example')
await lastValueFrom(db.collection('items').deleteMany({}))
await lastValueFrom(db.collection<Item>('items').insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i + 1, name: `item ${i + 1}` }))))

const app = createApp(db)
const port = Number(process.env.PORT ?? 3000)
app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port}: try /items, /items/7, /events`)
})

async function stop() {
  app.close()
  app.closeAllConnections()
  await lastValueFrom(client.close())
  await embedded?.stop()
}
process.once('SIGINT', () => void stop())
process.once('SIGTERM', () => void stop())
