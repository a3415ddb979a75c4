/**
 * A deliberately independent RESP2/RESP3 client for tests: it sends commands as multibulk (or
 * raw bytes) and parses replies into tagged values, so differential tests can compare exactly
 * what reddish and redis-server answer, including the reply type.
 */
import net from 'node:net';

export type Reply =
  | { t: 'simple'; v: string }
  | { t: 'error'; v: string }
  | { t: 'int'; v: string }
  | { t: 'bulk'; v: string }
  | { t: 'nil' }
  | { t: 'array'; v: Reply[] }
  | { t: 'map'; v: [Reply, Reply][] }
  | { t: 'set'; v: Reply[] }
  | { t: 'push'; v: Reply[] }
  | { t: 'double'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'verbatim'; v: string }
  | { t: 'bignum'; v: string };

class Incomplete extends Error {}

/** Parses one reply at `pos`; throws Incomplete when more bytes are needed. */
export function parseReply(buf: Buffer, pos: number): [Reply, number] {
  if (pos >= buf.length) throw new Incomplete();
  const type = String.fromCharCode(buf[pos]);
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) throw new Incomplete();
  const line = buf.latin1Slice(pos + 1, nl);
  let p = nl + 2;
  const agg = (n: number): [Reply[], number] => {
    const items: Reply[] = [];
    for (let i = 0; i < n; i++) {
      const [r, np] = parseReply(buf, p);
      items.push(r);
      p = np;
    }
    return [items, p];
  };
  switch (type) {
    case '+':
      return [{ t: 'simple', v: line }, p];
    case '-':
      return [{ t: 'error', v: line }, p];
    case ':':
      return [{ t: 'int', v: line }, p];
    case ',':
      return [{ t: 'double', v: line }, p];
    case '#':
      return [{ t: 'bool', v: line === 't' }, p];
    case '(':
      return [{ t: 'bignum', v: line }, p];
    case '_':
      return [{ t: 'nil' }, p];
    case '$':
    case '=': {
      const n = Number(line);
      if (n < 0) return [{ t: 'nil' }, p];
      if (buf.length < p + n + 2) throw new Incomplete();
      const s = buf.latin1Slice(p, p + n);
      return [type === '$' ? { t: 'bulk', v: s } : { t: 'verbatim', v: s }, p + n + 2];
    }
    case '*':
    case '~':
    case '>': {
      const n = Number(line);
      if (n < 0) return [{ t: 'nil' }, p];
      const [items, np] = agg(n);
      return [type === '*' ? { t: 'array', v: items } : type === '~' ? { t: 'set', v: items } : { t: 'push', v: items }, np];
    }
    case '%': {
      const n = Number(line);
      const [items, np] = agg(n * 2);
      const pairs: [Reply, Reply][] = [];
      for (let i = 0; i < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
      return [{ t: 'map', v: pairs }, np];
    }
    default:
      throw new Error(`bad reply type ${JSON.stringify(type)} at ${pos}: ${buf.latin1Slice(pos, pos + 40)}`);
  }
}

export function encodeCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RespClient {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private closed = false;
  readonly pushes: Reply[] = [];
  /** Replies not claimed by a pending call (e.g. MONITOR lines, pushes in RESP2). */
  readonly unclaimed: Reply[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => this.onData(d));
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error('connection closed'));
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  static connectPath(path: string): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ path }, () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    let pos = 0;
    for (;;) {
      let r: Reply;
      let np: number;
      try {
        [r, np] = parseReply(this.buf, pos);
      } catch (e) {
        if (e instanceof Incomplete) break;
        throw e;
      }
      pos = np;
      if (r.t === 'push') {
        this.pushes.push(r);
        continue;
      }
      const w = this.waiting.shift();
      if (w) w.resolve(r);
      else this.unclaimed.push(r);
    }
    this.buf = this.buf.subarray(pos);
  }

  /** Sends one command and resolves with its reply. */
  call(...args: (string | Buffer | number)[]): Promise<Reply> {
    return this.send(encodeCommand(args.map((a) => (typeof a === 'number' ? String(a) : a))));
  }

  /** Sends raw bytes and waits for one reply. */
  send(bytes: Buffer | string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error('connection closed'));
        return;
      }
      this.waiting.push({ resolve, reject });
      this.socket.write(bytes);
    });
  }

  /** Sends raw bytes expecting `n` replies (pipelines). */
  async sendMany(bytes: Buffer | string, n: number): Promise<Reply[]> {
    const ps: Promise<Reply>[] = [];
    for (let i = 0; i < n; i++) ps.push(new Promise((resolve, reject) => this.waiting.push({ resolve, reject })));
    this.socket.write(bytes);
    return Promise.all(ps);
  }

  /** Waits until the server closes the connection. */
  waitClose(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('server did not close the connection')), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Plain JS view of a reply, for readable assertions. */
export function plain(r: Reply): unknown {
  switch (r.t) {
    case 'nil':
      return null;
    case 'array':
    case 'set':
    case 'push':
      return r.v.map(plain);
    case 'map':
      return r.v.map(([k, v]) => [plain(k), plain(v)]);
    case 'int':
      return Number(r.v);
    case 'error':
      return { error: r.v };
    default:
      return r.v;
  }
}
