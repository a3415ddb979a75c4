/**
 * Runs a multi-connection script against one server and records, per connection, every frame
 * it received in arrival order (replies, RESP3 pushes, RESP2 Pub/Sub messages). Running the
 * same script on redis-server and on reddish and comparing the records checks invalidation
 * messages, their order relative to replies, and where they go.
 *
 * Each step is followed by a barrier: a PING on the step's connection and then on every other
 * connection, each awaited. A connection's frames arrive in order, so anything the step caused
 * on a connection (including broadcasts sent after the event loop turn) precedes that PONG.
 * The barrier PONGs are not recorded. Inside MULTI the step's connection is not pinged (the
 * PING would be queued); its +QUEUED is awaited instead.
 */
import net from 'node:net';
import { encodeCommand, parseReply, type Reply } from '../helpers/resp.js';

export interface ConnSpec {
  name: string;
  resp: 2 | 3;
}

/** A step: [connection, ...command]; '$X' in an argument is replaced by connection X's id. */
export type ScriptStep = string[] | { close: string } | { config: string[] } | { sleep: number };

class Conn {
  private buf: Buffer = Buffer.alloc(0);
  readonly frames: Reply[] = [];
  private waiters: (() => void)[] = [];
  inMulti = false;
  closed = false;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      let pos = 0;
      for (;;) {
        let r: Reply;
        const start = pos;
        try {
          [r, pos] = parseReply(this.buf, pos);
        } catch (e) {
          if ((e as Error).constructor.name === 'Incomplete') break;
          throw e;
        }
        // Invalidation messages are compared byte for byte (a null may be $-1, *-1 or _).
        if (isInvalidation(r)) raws.set(r, this.buf.latin1Slice(start, pos));
        this.frames.push(r);
      }
      this.buf = this.buf.subarray(pos);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }

  send(args: string[]): void {
    this.socket.write(encodeCommand(args));
  }

  /** Waits until a frame satisfying `pred` is at index >= from; returns its index. */
  async waitFor(from: number, pred: (r: Reply) => boolean): Promise<number> {
    for (;;) {
      for (let i = from; i < this.frames.length; i++) if (pred(this.frames[i])) return i;
      if (this.closed) throw new Error('connection closed while waiting');
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Sends a command and waits for exactly one more frame (a plain reply while in MULTI). */
  async one(args: string[]): Promise<Reply> {
    const from = this.frames.length;
    this.send(args);
    const i = await this.waitFor(from, () => true);
    return this.frames.splice(i, 1)[0];
  }

  /** PING barrier: waits for the PONG and removes it from the record. */
  async barrier(): Promise<void> {
    const from = this.frames.length;
    this.send(['PING']);
    const i = await this.waitFor(from, isPong);
    this.frames.splice(i, 1);
  }
}

const raws = new WeakMap<Reply, string>();

function isInvalidation(r: Reply): boolean {
  if (r.t === 'push') return r.v[0]?.t === 'bulk' && r.v[0].v === 'invalidate';
  return r.t === 'array' && r.v[1]?.t === 'bulk' && r.v[1].v === '__redis__:invalidate';
}

function isPong(r: Reply): boolean {
  if (r.t === 'simple') return r.v === 'PONG';
  return r.t === 'array' && r.v.length === 2 && r.v[0].t === 'bulk' && r.v[0].v === 'pong';
}

export interface Record {
  /** Frames per connection, ids replaced by '<id:X>' where Redis puts a client id. */
  frames: { [conn: string]: unknown[] };
}

export async function runScript(port: number, conns: ConnSpec[], steps: ScriptStep[]): Promise<Record> {
  const open = new Map<string, Conn>();
  const ids = new Map<string, string>();
  const admin = await Conn.open(port);
  try {
    for (const spec of conns) {
      const c = await Conn.open(port);
      if (spec.resp === 3) await c.one(['HELLO', '3']);
      const id = await c.one(['CLIENT', 'ID']);
      ids.set(spec.name, id.t === 'int' ? id.v : '?');
      open.set(spec.name, c);
    }
    for (const step of steps) {
      if (!Array.isArray(step)) {
        if ('close' in step) {
          const c = open.get(step.close)!;
          c.socket.destroy();
          // The server must have seen the disconnect before the next step.
          const id = ids.get(step.close)!;
          for (;;) {
            const r = await admin.one(['CLIENT', 'LIST', 'ID', id]);
            if ((r.t === 'bulk' || r.t === 'verbatim') && r.v === '') break;
            await new Promise((res) => setTimeout(res, 10));
          }
        } else if ('sleep' in step) {
          // Lets a TTL run out (nothing is asserted about time).
          await new Promise((res) => setTimeout(res, step.sleep));
        } else {
          await admin.one(['CONFIG', 'SET', ...step.config]);
        }
        continue;
      }
      const [name, ...cmd] = step;
      const c = open.get(name)!;
      const args = cmd.map((a) => (a.startsWith('$') && ids.has(a.slice(1)) ? ids.get(a.slice(1))! : a));
      const verb = args[0].toUpperCase();
      if (c.inMulti) {
        const from = c.frames.length;
        c.send(args);
        await c.waitFor(from, (r) => r.t !== 'push');
        if (verb === 'EXEC' || verb === 'DISCARD') {
          c.inMulti = false;
          await c.barrier();
        }
      } else {
        const from = c.frames.length;
        c.send(args);
        if (verb === 'MULTI') {
          c.inMulti = true;
          await c.waitFor(from, (r) => r.t === 'simple' && r.v === 'OK');
        } else {
          await c.barrier();
        }
        if (verb === 'CLIENT' && args[1]?.toUpperCase() === 'GETREDIR') {
          // The redirect id differs between servers: record whose id it is.
          const i = c.frames.findIndex((r, k) => k >= from && r.t === 'int');
          const v = (c.frames[i] as { v: string }).v;
          const who = [...ids].find(([, id]) => id === v)?.[0];
          if (who) c.frames[i] = { t: 'simple', v: `<id:${who}>` };
        }
      }
      for (const [other, oc] of open) if (other !== name && !oc.closed && !oc.inMulti) await oc.barrier();
    }
    const out: Record = { frames: {} };
    for (const [name, c] of open) out.frames[name] = c.frames.map((f) => normalize(f, ids));
    return out;
  } finally {
    for (const c of open.values()) c.socket.destroy();
    admin.socket.destroy();
  }
}

/** Plain view of a frame, with client ids (redirect targets) replaced by connection names. */
function normalize(r: Reply, ids: Map<string, string>): unknown {
  const byId = new Map([...ids].map(([n, id]) => [id, `<id:${n}>`]));
  const raw = raws.get(r);
  if (raw !== undefined) return { raw };
  const plainOf = (x: Reply): unknown => {
    switch (x.t) {
      case 'nil':
        return null;
      case 'array':
      case 'set':
      case 'push':
        return { [x.t]: x.v.map(plainOf) };
      case 'map':
        return {
          map: x.v.map(([k, v]) => [plainOf(k), k.t === 'bulk' && k.v === 'redirect' && v.t === 'int' ? byId.get(v.v) ?? v.v : plainOf(v)]),
        };
      default:
        return { [x.t]: x.v };
    }
  };
  // tracking-redir-broken carries the id of the vanished client.
  if (r.t === 'push' && r.v[0]?.t === 'bulk' && r.v[0].v === 'tracking-redir-broken' && r.v[1]?.t === 'int') {
    return { push: [plainOf(r.v[0]), byId.get(r.v[1].v) ?? r.v[1].v] };
  }
  // TRACKINGINFO in RESP2: a flat array with "redirect" followed by the id.
  if (r.t === 'array') {
    const v = r.v.map(plainOf);
    for (let i = 0; i + 1 < r.v.length; i++) {
      const k = r.v[i];
      const n = r.v[i + 1];
      if (k.t === 'bulk' && k.v === 'redirect' && n.t === 'int') v[i + 1] = byId.get(n.v) ?? n.v;
    }
    return { array: v };
  }
  return plainOf(r);
}
