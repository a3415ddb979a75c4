/**
 * `reddish slowlink`: `tc qdisc … netem` in user space. A TCP proxy on 127.0.0.1 that makes the
 * link between a client and its target behave like a slow network:
 *
 * - a one-way **delay** per direction (`up` = client → target, `down` = target → client): every
 *   byte is handed to the other side `delay` ms after the proxy read it;
 * - a **window** of bytes in flight per direction and connection, which is what really slows a
 *   bulk transfer over a long link: TCP keeps sending only while fewer than a window's worth of
 *   bytes are unacknowledged, and an acknowledgement comes back a round trip later. Here a byte
 *   occupies the window from the moment it is read until it has been written to the receiving
 *   socket and the "ack" has travelled back over the reverse direction's delay. So one
 *   connection moves at most window / (delay-up + delay-down) bytes per second: with a 1000 ms
 *   delay on one side, a 3 MB window gives ~3 MB/s, like `netem delay 1000ms` did in the course;
 * - an optional **rate** cap (bytes per second per direction, shared by all connections, like a
 *   link's bandwidth);
 * - **pause / resume** (the link freezes: nothing is read, delivered or acknowledged; in-flight
 *   data resumes where it was) and **cut / restore** (every connection is dropped, and new ones
 *   are refused until restore).
 *
 * Backpressure, never unbounded buffering: the source socket is paused while its direction holds
 * a window's worth of bytes, so the proxy holds at most window + one read (≤ 64 KB) per
 * direction and connection; a receiver that stops reading stops the acks, which stops the sender.
 */
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { formatBytes } from './units.js';

export type Direction = 'up' | 'down';
export type LinkState = 'running' | 'paused' | 'cut';

export interface SlowLinkOptions {
  /** Port to listen on (0: a free port chosen by the OS; read it back from `.port`). */
  listenPort: number;
  /** Address to listen on (default 127.0.0.1). */
  listenHost?: string;
  targetHost?: string;
  targetPort: number;
  /** One-way delay client → target, ms (default 0). */
  delayUpMs?: number;
  /** One-way delay target → client, ms (default 0). */
  delayDownMs?: number;
  /** Bytes in flight per direction and connection (default 4 MB). */
  windowBytes?: number;
  /** Bandwidth cap per direction, bytes/s (default: none). */
  rateBytesPerSec?: number;
}

export interface DirectionStats {
  /** Bytes read from the source side. */
  bytesIn: number;
  /** Bytes written to the destination side. */
  bytesOut: number;
  /** Bytes held by the proxy right now (read, not yet delivered). */
  queued: number;
  /** Bytes in the window right now (queued + delivered but not yet acknowledged). */
  inFlight: number;
  /** Highest `inFlight` seen on one connection. */
  maxInFlight: number;
  /** Highest `queued` seen on one connection. */
  maxQueued: number;
}

export interface SlowLinkStats {
  state: LinkState;
  listen: string;
  target: string;
  /** Open connections. */
  connections: number;
  /** Connections accepted since start. */
  accepted: number;
  /** Connections refused while cut, or failed to reach the target. */
  refused: number;
  up: DirectionStats;
  down: DirectionStats;
  delayUpMs: number;
  delayDownMs: number;
  windowBytes: number;
  rateBytesPerSec: number | null;
  /** Upper bound of one connection's throughput per direction: window / RTT (and the rate cap). */
  maxThroughput: number | null;
  uptimeMs: number;
}

export const DEFAULT_WINDOW_BYTES = 4 * 1024 * 1024;
const SLICE = 16 * 1024; // deliveries are at most this big when a rate cap is set

interface Delivery {
  buf: Buffer;
  at: number;
}
interface Ack {
  len: number;
  at: number;
}

function now(): number {
  return performance.now();
}

/** One direction of one connection: src → (delay, window, rate) → dst. */
class Pipe {
  readonly deliveries: Delivery[] = [];
  dHead = 0;
  readonly acks: Ack[] = [];
  aHead = 0;
  /** Read from the source, not yet in the link (the window was full): at most one read. */
  readonly backlog: Buffer[] = [];
  backlogBytes = 0;
  /** Read from the source, not yet written to the destination (backlog included). */
  queued = 0;
  /** In the link: admitted, not yet acknowledged (≤ the window). */
  inFlight = 0;
  srcEnded = false;
  dstEnded = false;
  srcPausedByUs = false;
  timer: NodeJS.Timeout | undefined;
  timerAt = Infinity;

  constructor(
    readonly link: SlowLink,
    readonly conn: Conn,
    readonly dir: Direction,
    readonly src: net.Socket,
    readonly dst: net.Socket,
  ) {}

  onData(buf: Buffer): void {
    const st = this.link.dirStats[this.dir];
    st.bytesIn += buf.length;
    this.backlog.push(buf);
    this.backlogBytes += buf.length;
    this.queued += buf.length;
    if (this.queued > st.maxQueued) st.maxQueued = this.queued;
    this.admit();
    this.checkWindow();
    this.run();
  }

  /**
   * Moves bytes from the backlog (read from the source, not yet sent) into the link while the
   * window has room: a byte enters the link now and is due after the delay (and after the
   * bytes before it on a rate-capped link).
   */
  admit(): void {
    const link = this.link;
    if (link.state !== 'running') return;
    const t = now();
    const delay = this.dir === 'up' ? link.delayUpMs : link.delayDownMs;
    const rate = link.rateBytesPerSec;
    while (this.backlog.length > 0 && this.inFlight < link.windowBytes) {
      let buf = this.backlog[0];
      const room = link.windowBytes - this.inFlight;
      if (buf.length > room) {
        this.backlog[0] = buf.subarray(room);
        buf = buf.subarray(0, room);
      } else {
        this.backlog.shift();
      }
      this.backlogBytes -= buf.length;
      this.inFlight += buf.length;
      if (rate) {
        for (let o = 0; o < buf.length; o += SLICE) {
          const piece = buf.subarray(o, Math.min(buf.length, o + SLICE));
          const depart = Math.max(t, link.linkFreeAt[this.dir]);
          const done = depart + (piece.length * 1000) / rate;
          link.linkFreeAt[this.dir] = done;
          this.deliveries.push({ buf: piece, at: done + delay });
        }
      } else {
        this.deliveries.push({ buf, at: t + delay });
      }
    }
    const st = link.dirStats[this.dir];
    if (this.inFlight > st.maxInFlight) st.maxInFlight = this.inFlight;
  }

  onEnd(): void {
    this.srcEnded = true;
    this.run();
  }

  /** Pauses the source while the window is full (or the link is paused), resumes it otherwise. */
  checkWindow(): void {
    const hold = this.link.state !== 'running' || this.backlogBytes > 0 || this.inFlight >= this.link.windowBytes;
    if (hold && !this.srcPausedByUs) {
      this.srcPausedByUs = true;
      this.src.pause();
    } else if (!hold && this.srcPausedByUs) {
      this.srcPausedByUs = false;
      this.src.resume();
    }
  }

  /** Delivers what is due, acknowledges what is due, and sets the timer for the next event. */
  run(): void {
    if (this.link.state !== 'running' || this.conn.closed) return;
    const reverseDelay = this.dir === 'up' ? this.link.delayDownMs : this.link.delayUpMs;
    for (let again = true; again; ) {
      again = false;
      const t = now();
      while (this.dHead < this.deliveries.length && this.deliveries[this.dHead].at <= t) {
        const d = this.deliveries[this.dHead];
        this.deliveries[this.dHead++] = undefined as unknown as Delivery;
        const len = d.buf.length;
        this.queued -= len;
        this.link.dirStats[this.dir].bytesOut += len;
        this.dst.write(d.buf, (err) => {
          if (err || this.conn.closed) return;
          if (reverseDelay <= 0 && this.link.state === 'running') {
            this.inFlight -= len;
            if (this.backlogBytes > 0) this.admit();
            this.run();
          } else {
            // (an ack that completes while the link is paused leaves when it was paused)
            const from = this.link.state === 'paused' ? this.link.pausedAt : now();
            this.acks.push({ len, at: from + reverseDelay });
            this.run();
          }
        });
      }
      let freed = false;
      while (this.aHead < this.acks.length && this.acks[this.aHead].at <= t) {
        this.inFlight -= this.acks[this.aHead++].len;
        freed = true;
      }
      if (freed && this.backlogBytes > 0) {
        this.admit();
        again = this.dHead < this.deliveries.length && this.deliveries[this.dHead].at <= now();
      }
    }
    if (this.dHead > 1024 && this.dHead * 2 > this.deliveries.length) {
      this.deliveries.splice(0, this.dHead);
      this.dHead = 0;
    }
    if (this.aHead > 1024 && this.aHead * 2 > this.acks.length) {
      this.acks.splice(0, this.aHead);
      this.aHead = 0;
    }
    this.checkWindow();
    if (this.srcEnded && !this.dstEnded && this.dHead >= this.deliveries.length && this.backlogBytes === 0) {
      this.dstEnded = true;
      this.dst.end();
    }
    this.schedule();
  }

  schedule(): void {
    let next = Infinity;
    if (this.dHead < this.deliveries.length) next = this.deliveries[this.dHead].at;
    if (this.aHead < this.acks.length) next = Math.min(next, this.acks[this.aHead].at);
    if (next === Infinity) {
      this.clearTimer();
      return;
    }
    if (this.timer && this.timerAt <= next) return;
    this.clearTimer();
    this.timerAt = next;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.run();
      },
      Math.max(0, Math.ceil(next - now())),
    );
  }

  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Shifts every pending event by `ms` (the time the link was paused). */
  shift(ms: number): void {
    for (let i = this.dHead; i < this.deliveries.length; i++) this.deliveries[i].at += ms;
    for (let i = this.aHead; i < this.acks.length; i++) this.acks[i].at += ms;
  }
}

class Conn {
  closed = false;
  up!: Pipe;
  down!: Pipe;
  constructor(
    readonly id: number,
    readonly client: net.Socket,
    readonly upstream: net.Socket,
  ) {}
}

export interface SlowLinkEvents {
  connection: [{ id: number; remote: string }];
  close: [{ id: number; reason: string }];
  state: [LinkState];
}

/**
 * The proxy. `await new SlowLink(opts).start()`, then connect to `link.port`. Every knob can be
 * changed while it runs with `set()`.
 */
export class SlowLink extends EventEmitter {
  delayUpMs: number;
  delayDownMs: number;
  windowBytes: number;
  rateBytesPerSec: number | null;
  state: LinkState = 'running';
  readonly targetHost: string;
  readonly targetPort: number;
  readonly listenHost: string;
  /** The port listened on (known after start()). */
  port: number;
  /** @internal */
  readonly dirStats: Record<Direction, DirectionStats> = { up: newDirStats(), down: newDirStats() };
  /** @internal when each direction's shared link is next free (rate cap) */
  readonly linkFreeAt: Record<Direction, number> = { up: 0, down: 0 };
  private server: net.Server | undefined;
  private readonly conns = new Map<number, Conn>();
  private nextId = 1;
  private accepted = 0;
  private refused = 0;
  /** @internal when the link was last paused */
  pausedAt = 0;
  private startedAt = 0;

  constructor(opts: SlowLinkOptions) {
    super();
    this.listenHost = opts.listenHost ?? '127.0.0.1';
    this.port = opts.listenPort;
    this.targetHost = opts.targetHost ?? '127.0.0.1';
    this.targetPort = opts.targetPort;
    this.delayUpMs = opts.delayUpMs ?? 0;
    this.delayDownMs = opts.delayDownMs ?? 0;
    this.windowBytes = opts.windowBytes ?? DEFAULT_WINDOW_BYTES;
    this.rateBytesPerSec = opts.rateBytesPerSec ?? null;
    validate(this);
  }

  start(): Promise<this> {
    if (this.server) return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      const srv = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => this.accept(c));
      srv.once('error', reject);
      srv.listen(this.port, this.listenHost, () => {
        srv.off('error', reject);
        srv.on('error', (e) => this.emit('error', e));
        this.server = srv;
        this.port = (srv.address() as net.AddressInfo).port;
        this.startedAt = now();
        resolve(this);
      });
    });
  }

  /** Freezes the link: nothing is read, delivered or acknowledged until resume(). */
  pause(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    this.pausedAt = now();
    for (const c of this.conns.values()) {
      for (const p of [c.up, c.down]) {
        p.clearTimer();
        p.checkWindow();
      }
    }
    this.emit('state', this.state);
  }

  /** Unfreezes the link; data in flight continues where it was. */
  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    const ms = now() - this.pausedAt;
    for (const d of ['up', 'down'] as const) if (this.linkFreeAt[d] > this.pausedAt) this.linkFreeAt[d] += ms;
    for (const c of this.conns.values()) {
      for (const p of [c.up, c.down]) {
        p.shift(ms);
        p.admit();
        p.checkWindow();
        p.run();
      }
    }
    this.emit('state', this.state);
  }

  /** Drops every connection (both sides are reset) and refuses new ones until restore(). */
  cut(): void {
    if (this.state === 'cut') return;
    this.state = 'cut';
    for (const c of [...this.conns.values()]) this.closeConn(c, 'link cut', true);
    this.emit('state', this.state);
  }

  /** Accepts connections again after cut() (and unfreezes a paused link). */
  restore(): void {
    if (this.state === 'paused') return this.resume();
    if (this.state !== 'cut') return;
    this.state = 'running';
    this.linkFreeAt.up = this.linkFreeAt.down = 0;
    this.emit('state', this.state);
  }

  /** Changes delays, window or rate while running (applies to data read from now on). */
  set(opts: Partial<Pick<SlowLinkOptions, 'delayUpMs' | 'delayDownMs' | 'windowBytes' | 'rateBytesPerSec'>>): void {
    const before = { d: this.delayUpMs, u: this.delayDownMs, w: this.windowBytes, r: this.rateBytesPerSec };
    if (opts.delayUpMs !== undefined) this.delayUpMs = opts.delayUpMs;
    if (opts.delayDownMs !== undefined) this.delayDownMs = opts.delayDownMs;
    if (opts.windowBytes !== undefined) this.windowBytes = opts.windowBytes;
    if (opts.rateBytesPerSec !== undefined) this.rateBytesPerSec = opts.rateBytesPerSec || null;
    try {
      validate(this);
    } catch (e) {
      this.delayUpMs = before.d;
      this.delayDownMs = before.u;
      this.windowBytes = before.w;
      this.rateBytesPerSec = before.r;
      throw e;
    }
    for (const c of this.conns.values()) {
      for (const p of [c.up, c.down]) {
        p.admit();
        p.checkWindow();
        p.run();
      }
    }
  }

  stats(): SlowLinkStats {
    const up = { ...this.dirStats.up, queued: 0, inFlight: 0 };
    const down = { ...this.dirStats.down, queued: 0, inFlight: 0 };
    for (const c of this.conns.values()) {
      up.queued += c.up.queued;
      up.inFlight += c.up.inFlight;
      down.queued += c.down.queued;
      down.inFlight += c.down.inFlight;
    }
    const rtt = (this.delayUpMs + this.delayDownMs) / 1000;
    let max: number | null = rtt > 0 ? this.windowBytes / rtt : null;
    if (this.rateBytesPerSec) max = max === null ? this.rateBytesPerSec : Math.min(max, this.rateBytesPerSec);
    return {
      state: this.state,
      listen: `${this.listenHost}:${this.port}`,
      target: `${this.targetHost}:${this.targetPort}`,
      connections: this.conns.size,
      accepted: this.accepted,
      refused: this.refused,
      up,
      down,
      delayUpMs: this.delayUpMs,
      delayDownMs: this.delayDownMs,
      windowBytes: this.windowBytes,
      rateBytesPerSec: this.rateBytesPerSec,
      maxThroughput: max,
      uptimeMs: this.startedAt ? now() - this.startedAt : 0,
    };
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    for (const c of [...this.conns.values()]) this.closeConn(c, 'link closed', false);
    const srv = this.server;
    this.server = undefined;
    if (!srv) return Promise.resolve();
    return new Promise((resolve) => srv.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.state === 'cut') {
      this.refused++;
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    this.accepted++;
    const id = this.nextId++;
    const upstream = net.connect({ host: this.targetHost, port: this.targetPort, allowHalfOpen: true });
    upstream.pause();
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const conn = new Conn(id, client, upstream);
    conn.up = new Pipe(this, conn, 'up', client, upstream);
    conn.down = new Pipe(this, conn, 'down', upstream, client);
    this.conns.set(id, conn);
    this.emit('connection', { id, remote: `${client.remoteAddress}:${client.remotePort}` });

    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      if (conn.closed) return;
      conn.up.checkWindow();
      conn.down.checkWindow();
      if (!conn.up.srcPausedByUs) client.resume();
      if (!conn.down.srcPausedByUs) upstream.resume();
    });
    // Sockets start paused; Pipe.checkWindow() resumes them once the upstream is connected.
    conn.up.srcPausedByUs = true;
    conn.down.srcPausedByUs = true;
    client.on('data', (d: Buffer) => conn.up.onData(d));
    upstream.on('data', (d: Buffer) => conn.down.onData(d));
    client.on('end', () => conn.up.onEnd());
    upstream.on('end', () => conn.down.onEnd());
    client.on('error', (e) => this.closeConn(conn, `client error: ${e.message}`, true));
    upstream.on('error', (e) => {
      if (!connected) this.refused++;
      this.closeConn(conn, connected ? `target error: ${e.message}` : `cannot reach target ${this.targetHost}:${this.targetPort}: ${e.message}`, true);
    });
    // When one side is gone, what is still queued for the other is delivered, then the other
    // side is ended; the connection is closed once that end has been flushed.
    const sideClosed = (gone: net.Socket) => {
      if (conn.closed) return;
      const other = gone === client ? upstream : client;
      const toOther = gone === client ? conn.up : conn.down;
      if (other.destroyed || other.writableFinished) return this.closeConn(conn, 'closed', false);
      toOther.srcEnded = true;
      toOther.run();
    };
    client.on('close', () => sideClosed(client));
    upstream.on('close', () => sideClosed(upstream));
    client.on('finish', () => upstream.destroyed && this.closeConn(conn, 'closed', false));
    upstream.on('finish', () => client.destroyed && this.closeConn(conn, 'closed', false));
  }

  private closeConn(conn: Conn, reason: string, reset: boolean): void {
    if (conn.closed) return;
    conn.closed = true;
    conn.up.clearTimer();
    conn.down.clearTimer();
    for (const s of [conn.client, conn.upstream]) {
      s.on('error', () => undefined);
      if (!s.destroyed) {
        if (reset && !s.connecting) s.resetAndDestroy();
        else s.destroy();
      }
    }
    this.conns.delete(conn.id);
    this.emit('close', { id: conn.id, reason });
  }
}

function newDirStats(): DirectionStats {
  return { bytesIn: 0, bytesOut: 0, queued: 0, inFlight: 0, maxInFlight: 0, maxQueued: 0 };
}

function validate(l: { delayUpMs: number; delayDownMs: number; windowBytes: number; rateBytesPerSec: number | null }): void {
  for (const [k, v] of [
    ['delay-up', l.delayUpMs],
    ['delay-down', l.delayDownMs],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`invalid ${k} '${v}' (expected milliseconds ≥ 0)`);
  }
  if (!Number.isFinite(l.windowBytes) || l.windowBytes < 1) throw new RangeError(`invalid window '${l.windowBytes}' (expected bytes ≥ 1)`);
  if (l.rateBytesPerSec !== null && (!Number.isFinite(l.rateBytesPerSec) || l.rateBytesPerSec <= 0)) throw new RangeError(`invalid rate '${l.rateBytesPerSec}' (expected bytes/s > 0)`);
}

/** One line of stats; `prev` (an earlier sample) gives the throughput over the interval. */
export function formatStats(s: SlowLinkStats, prev?: { at: number; stats: SlowLinkStats }, at = now()): string {
  const dt = prev ? (at - prev.at) / 1000 : 0;
  const thr = (d: Direction) => (prev && dt > 0 ? `${formatBytes((s[d].bytesOut - prev.stats[d].bytesOut) / dt)}/s` : '-');
  return (
    `[slowlink] ${s.state} conns=${s.connections} (accepted ${s.accepted}, refused ${s.refused}) | ` +
    `up ${formatBytes(s.up.bytesOut)} ${thr('up')} queued ${formatBytes(s.up.queued)} in-flight ${formatBytes(s.up.inFlight)} | ` +
    `down ${formatBytes(s.down.bytesOut)} ${thr('down')} queued ${formatBytes(s.down.queued)} in-flight ${formatBytes(s.down.inFlight)}`
  );
}

/** The link's settings in one line. */
export function describeLink(s: SlowLinkStats): string {
  const cap = s.maxThroughput === null ? 'unlimited' : `${formatBytes(s.maxThroughput)}/s per connection`;
  return (
    `[slowlink] ${s.listen} -> ${s.target}: delay up ${s.delayUpMs} ms, down ${s.delayDownMs} ms; ` +
    `window ${formatBytes(s.windowBytes)}; rate ${s.rateBytesPerSec ? `${formatBytes(s.rateBytesPerSec)}/s` : 'unlimited'}; max throughput ${cap}`
  );
}
