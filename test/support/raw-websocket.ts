import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { waitFor } from './pusher-clients.js';

/** One frame the server sent (servers never mask). */
export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/**
 * A TCP socket that speaks raw bytes to a WebSocket server: the handshake as written, then
 * masked client frames; the server's answer is read as an HTTP head and then frames.
 */
export class RawSocket {
  private buffer = Buffer.alloc(0);
  private headDone = false;
  private readonly frames: ServerFrame[] = [];
  private readonly waiters = new Set<() => void>();
  head: string | undefined;
  ended = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawSocket> {
    return waitFor('a TCP connection', (resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawSocket(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** The HTTP status of the server's answer to the upgrade (101 on success). */
  async status(): Promise<number> {
    await this.until('an HTTP answer', () => this.head !== undefined || this.ended);
    if (this.head === undefined) throw new Error('the server closed the connection without an HTTP answer');
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(this.head)?.[1]);
  }

  /** The next frame from the server. */
  async nextFrame(): Promise<ServerFrame> {
    await this.until('a WebSocket frame', () => this.frames.length > 0 || this.ended);
    const frame = this.frames.shift();
    if (!frame) throw new Error('the connection ended before another frame arrived');
    return frame;
  }

  /** The next text frame, parsed as JSON. */
  async nextJson(): Promise<{ event: string; data?: unknown; channel?: string }> {
    const frame = await this.nextFrame();
    if (frame.opcode !== 1) throw new Error(`expected a text frame, got opcode ${frame.opcode}`);
    const parsed = JSON.parse(frame.payload.toString()) as { event: string; data?: unknown };
    return { ...parsed, data: typeof parsed.data === 'string' ? JSON.parse(parsed.data) : parsed.data };
  }

  /** Waits for the server's close frame (skipping others) and answers its code and reason bytes. */
  async closeFrame(): Promise<{ code: number; reason: Buffer }> {
    for (;;) {
      const frame = await this.nextFrame();
      if (frame.opcode === 8) return { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2) };
    }
  }

  /** Resolves once the server has closed the TCP connection. */
  async endsConnection(): Promise<void> {
    await this.until('the server to close the connection', () => this.ended);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private until(label: string, done: () => boolean): Promise<void> {
    return waitFor(label, (resolve) => {
      const check = () => {
        if (done()) resolve();
      };
      this.waiters.add(check);
      check();
      return () => this.waiters.delete(check);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private parse(): void {
    if (!this.headDone) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      this.head = this.buffer.subarray(0, end).toString('latin1');
      this.buffer = this.buffer.subarray(end + 4);
      this.headDone = true;
      if (!this.head.startsWith('HTTP/1.1 101')) return;
    }
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = (this.buffer[0] as number) & 0x0f;
      let length = (this.buffer[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      this.frames.push({ opcode, payload: this.buffer.subarray(offset, offset + length) });
      this.buffer = this.buffer.subarray(offset + length);
    }
  }
}

/** A handshake request as a browser would send it, with any header replaced or removed (`null`). */
export function upgradeRequest(target: string, headers: Record<string, string | null> = {}): Buffer {
  const all: Record<string, string | null> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => `${name}: ${value}`);
  // latin1 keeps every byte as written, so header values may carry raw UTF-8 bytes.
  return Buffer.from(`GET ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** A masked client frame; `declaredLength` lets a test announce more bytes than it sends. */
export function clientFrame(opcode: number, payload: Buffer, declaredLength = payload.length): Buffer {
  const mask = randomBytes(4);
  let header: Buffer;
  if (declaredLength < 126) {
    header = Buffer.from([0x80 | opcode, 0x80 | declaredLength]);
  } else if (declaredLength < 65_536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(declaredLength, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(declaredLength), 2);
  }
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([header, mask, masked]);
}

/** A text frame (opcode 1) of these exact bytes, valid UTF-8 or not. */
export const textFrame = (bytes: string | Buffer): Buffer => clientFrame(1, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
