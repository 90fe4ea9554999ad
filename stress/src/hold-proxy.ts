/**
 * A loopback TCP proxy in front of a test server that can hold the server's replies: once
 * `hold()` is called, what the server sends is kept back (buffered, never delivered), so the
 * commands sent meanwhile stay in flight on the wire. It stands in for the `failCommand` fail
 * point on a server without one. When the server side of a connection closes (the server is
 * killed), the client side is destroyed with it, as a crashed server's socket would be.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'

export class HoldProxy {
  private held = false
  private readonly sockets = new Set<Socket>()

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1 (a free port) and forwards each connection to `target`. */
  static async start(target: { host: string; port: number }): Promise<HoldProxy> {
    let proxy: HoldProxy | undefined
    const server = createServer((client) => proxy?.pipe(client, target))
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()))
    proxy = new HoldProxy(server, (server.address() as { port: number }).port)
    return proxy
  }

  /** From now on the server's replies are kept back. */
  hold(): void {
    this.held = true
  }

  private pipe(client: Socket, target: { host: string; port: number }): void {
    const upstream = tcpConnect(target.port, target.host)
    for (const s of [client, upstream]) {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    }
    client.on('data', (chunk) => upstream.write(chunk))
    upstream.on('data', (chunk) => this.held || client.write(chunk))
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
