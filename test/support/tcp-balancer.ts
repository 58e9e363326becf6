import { connect, createServer, type Server, type Socket } from 'node:net';

/** Where one client connection was forwarded: the backend's port, or undefined when none took it. */
export interface Forwarded {
  backend: number | undefined;
}

/**
 * A small TCP load balancer for tests: each new client connection goes to the first backend in
 * the list that accepts a connection ("first live", sticky while it lives); a backend that refuses
 * is skipped. Bytes are piped both ways, and when either side closes the other is closed too, so a
 * backend killed with SIGKILL drops its clients like a real balancer does.
 *
 * `hold()` parks new client connections (accepted, not forwarded) until `release()`: a test can
 * make sure a client stays disconnected for a while without racing its reconnect.
 */
export class TcpBalancer {
  /** Every client connection in arrival order, with the backend it went to. */
  readonly forwarded: Forwarded[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private held: Socket[] | undefined;

  private constructor(
    private readonly backends: number[],
    readonly port: number,
    server: Server,
  ) {
    this.server = server;
  }

  /** Listens on a free port of 127.0.0.1 in front of `backends` (ports on 127.0.0.1, in order of preference). */
  static async start(backends: number[]): Promise<TcpBalancer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('balancer has no port');
    const balancer = new TcpBalancer(backends, address.port, server);
    server.on('connection', (client) => balancer.accept(client));
    return balancer;
  }

  /** Parks new connections until `release()`. */
  hold(): void {
    this.held ??= [];
  }

  /** Forwards the parked connections, and new ones again. */
  release(): void {
    const parked = this.held ?? [];
    this.held = undefined;
    for (const client of parked) if (!client.destroyed) void this.forward(client);
  }

  async close(): Promise<void> {
    this.release();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.track(client);
    client.on('error', () => client.destroy());
    if (this.held) this.held.push(client);
    else void this.forward(client);
  }

  private async forward(client: Socket): Promise<void> {
    for (const port of this.backends) {
      const backend = await this.open(port);
      if (!backend) continue;
      if (client.destroyed) {
        backend.destroy();
        return this.record(undefined);
      }
      this.track(backend);
      backend.on('error', () => backend.destroy());
      backend.on('close', () => client.destroy());
      client.on('close', () => backend.destroy());
      client.pipe(backend);
      backend.pipe(client);
      return this.record(port);
    }
    client.destroy();
    this.record(undefined);
  }

  /** A connection to the backend, or undefined when it refuses. */
  private open(port: number): Promise<Socket | undefined> {
    return new Promise((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      const failed = () => {
        socket.destroy();
        resolve(undefined);
      };
      socket.once('error', failed);
      socket.once('connect', () => {
        socket.off('error', failed);
        resolve(socket);
      });
    });
  }

  private record(backend: number | undefined): void {
    this.forwarded.push({ backend });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
