/**
 * `reddish datagen`: a drop-in for the `redis-random-data-generator` tool the course uses to load
 * a master (`node generator.js hash 2000000 session`), with the same data shape:
 *
 * - keys `prefix:<uuid v4>` (a bare uuid without a prefix);
 * - 1 to 10 lorem-ipsum words per record (N = ceil(random * 10));
 * - `string` → SET key "w1 w2 ... wN"; `list` → LPUSH key w1..wN; `set` → SADD key w1..wN;
 *   `sorted` → ZADD key s1 w1 .. sN wN (scores random in [0, 10)); `hash` → HMSET key field_0 w1
 *   .. field_N-1 wN. The command names are accepted as type names too (lpush, sadd, zadd, hmset).
 *
 * What it adds: any quantity (no 1,000,000 cap), a target from options or a redis:// URL,
 * pipelined writes over one connection with a bounded window of commands in flight, a rate
 * limit, and a seeded PRNG (xoshiro128**) for the uuids and the words, so `--seed` reproduces a
 * dataset exactly. Commands are encoded straight into RESP bytes (pre-encoded words and field
 * names, uuids written as hex digits into the output buffer), which is what makes it several
 * times faster than the original.
 */
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { UsageError } from './units.js';

export type DatagenCommand = 'SET' | 'LPUSH' | 'SADD' | 'ZADD' | 'HMSET';

/** Type names accepted on the command line, as the original tool accepts them (case-sensitive). */
export const DATAGEN_TYPES: Readonly<Record<string, DatagenCommand>> = Object.freeze({
  string: 'SET',
  list: 'LPUSH',
  set: 'SADD',
  sorted: 'ZADD',
  hash: 'HMSET',
  lpush: 'LPUSH',
  sadd: 'SADD',
  zadd: 'ZADD',
  hmset: 'HMSET',
});

/** The original tool's message for an unknown type. */
export const VALID_TYPES_TEXT = 'valid redis types are; string [SET], list [LPUSH], set [SADD], sorted[ZADD] and hash [HMSET]';

// The words of the classic lorem-ipsum passage, lower-cased and de-duplicated.
const LOREM_TEXT =
  'lorem ipsum dolor sit amet consectetur adipisicing elit sed do eiusmod tempor incididunt ut ' +
  'labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris ' +
  'nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse ' +
  'cillum eu fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui ' +
  'officia deserunt mollit anim id est laborum';
export const LOREM_WORDS: readonly string[] = Object.freeze([...new Set(LOREM_TEXT.split(' '))]);

// ---------------------------------------------------------------------------------------------
// Seeded PRNG

/** xoshiro128**: fast, 128-bit state, good statistical quality; `next()` returns a uint32. */
export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed?: string | number | Uint8Array) {
    const bytes =
      seed === undefined
        ? randomBytes(16)
        : seed instanceof Uint8Array
          ? createHash('sha256').update(seed).digest()
          : createHash('sha256').update(`reddish-datagen:${String(seed)}`).digest();
    const v = new DataView(bytes.buffer, bytes.byteOffset, 16);
    this.a = v.getUint32(0) | 0;
    this.b = v.getUint32(4) | 0;
    this.c = v.getUint32(8) | 0;
    this.d = v.getUint32(12) | 0;
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  next(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9);
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// ---------------------------------------------------------------------------------------------
// RESP encoding of records

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const CRLF0 = 13;
const CRLF1 = 10;

function bulk(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1')]);
}

/**
 * Encodes records of one type straight into RESP bytes. Every record consumes the PRNG in the
 * same order (4 draws for the uuid, 1 for the word count, then per word: [1 for the score,] 1 for
 * the word), so a seed gives the same dataset whatever the batching.
 */
export class RecordEncoder {
  readonly command: DatagenCommand;
  /** Upper bound of one encoded record, in bytes. */
  readonly maxRecordBytes: number;
  private readonly rng: Xoshiro128;
  private readonly keyHead: Buffer; // "$<len>\r\n<prefix>"
  private readonly heads: Buffer[]; // per word count 1..10: "*<argc>\r\n$<n>\r\n<CMD>\r\n"
  private readonly words: Buffer[]; // "$<len>\r\n<word>\r\n"
  private readonly rawWords: Buffer[];
  private readonly fields: Buffer[]; // "$7\r\nfield_<i>\r\n"
  private readonly picks = new Int32Array(10);

  constructor(command: DatagenCommand, prefix: string, seed?: string | number) {
    this.command = command;
    this.rng = new Xoshiro128(seed);
    const pfx = Buffer.from(prefix ? `${prefix}:` : '', 'utf8');
    this.keyHead = Buffer.concat([Buffer.from(`$${pfx.length + 36}\r\n`, 'latin1'), pfx]);
    this.heads = [];
    for (let n = 0; n <= 10; n++) {
      const argc = command === 'SET' ? 3 : command === 'LPUSH' || command === 'SADD' ? 2 + n : 2 + 2 * n;
      this.heads.push(Buffer.from(`*${argc}\r\n$${command.length}\r\n${command}\r\n`, 'latin1'));
    }
    this.words = LOREM_WORDS.map(bulk);
    this.rawWords = LOREM_WORDS.map((w) => Buffer.from(w, 'utf8'));
    this.fields = Array.from({ length: 10 }, (_, i) => bulk(`field_${i}`));
    const maxWord = Math.max(...this.words.map((w) => w.length));
    // head + key + 10 × (field or score (≤ 30 bytes) + word)
    this.maxRecordBytes = 32 + this.keyHead.length + 38 + 10 * (40 + maxWord);
  }

  /** Writes one record at `off` (the caller guarantees `maxRecordBytes` of room); returns the new offset. */
  encode(buf: Buffer, off: number): number {
    const rng = this.rng;
    const a = rng.next();
    const b = rng.next();
    const c = rng.next();
    const d = rng.next();
    const n = 1 + Math.floor(rng.float() * 10);
    off += this.heads[n].copy(buf, off);
    off += this.keyHead.copy(buf, off);
    off = writeUuid(buf, off, a, b, c, d);
    buf[off++] = CRLF0;
    buf[off++] = CRLF1;
    const nw = this.words.length;
    switch (this.command) {
      case 'HMSET':
        for (let i = 0; i < n; i++) {
          off += this.fields[i].copy(buf, off);
          off += this.words[Math.floor(rng.float() * nw)].copy(buf, off);
        }
        break;
      case 'LPUSH':
      case 'SADD':
        for (let i = 0; i < n; i++) off += this.words[Math.floor(rng.float() * nw)].copy(buf, off);
        break;
      case 'ZADD':
        for (let i = 0; i < n; i++) {
          const score = String(rng.float() * 10);
          buf[off++] = 36; // '$'
          off += buf.write(String(score.length), off, 'latin1');
          buf[off++] = CRLF0;
          buf[off++] = CRLF1;
          off += buf.write(score, off, 'latin1');
          buf[off++] = CRLF0;
          buf[off++] = CRLF1;
          off += this.words[Math.floor(rng.float() * nw)].copy(buf, off);
        }
        break;
      case 'SET': {
        let len = n - 1;
        for (let i = 0; i < n; i++) {
          const w = Math.floor(rng.float() * nw);
          this.picks[i] = w;
          len += this.rawWords[w].length;
        }
        buf[off++] = 36;
        off += buf.write(String(len), off, 'latin1');
        buf[off++] = CRLF0;
        buf[off++] = CRLF1;
        for (let i = 0; i < n; i++) {
          if (i > 0) buf[off++] = 32;
          off += this.rawWords[this.picks[i]].copy(buf, off);
        }
        buf[off++] = CRLF0;
        buf[off++] = CRLF1;
        break;
      }
    }
    return off;
  }
}

/** Writes a version-4 uuid (36 chars) from 122 random bits taken from a, b, c, d. */
function writeUuid(buf: Buffer, off: number, a: number, b: number, c: number, d: number): number {
  for (let s = 28; s >= 0; s -= 4) buf[off++] = HEX[(a >>> s) & 15];
  buf[off++] = 45; // '-'
  for (let s = 28; s >= 16; s -= 4) buf[off++] = HEX[(b >>> s) & 15];
  buf[off++] = 45;
  buf[off++] = 52; // '4': version
  for (let s = 12; s >= 4; s -= 4) buf[off++] = HEX[(b >>> s) & 15];
  buf[off++] = 45;
  buf[off++] = HEX[8 | ((c >>> 30) & 3)]; // variant 10xx
  for (let s = 24; s >= 16; s -= 4) buf[off++] = HEX[(c >>> s) & 15];
  buf[off++] = 45;
  for (let s = 12; s >= 0; s -= 4) buf[off++] = HEX[(c >>> s) & 15];
  for (let s = 28; s >= 0; s -= 4) buf[off++] = HEX[(d >>> s) & 15];
  return off;
}

/** Decodes RESP multi-bulk requests (what RecordEncoder writes) back into argument lists. */
export function decodeRequests(buf: Buffer): string[][] {
  const out: string[][] = [];
  let i = 0;
  const line = (): string => {
    const e = buf.indexOf('\r\n', i, 'latin1');
    const s = buf.toString('latin1', i, e);
    i = e + 2;
    return s;
  };
  while (i < buf.length) {
    const argc = Number(line().slice(1));
    const args: string[] = [];
    for (let k = 0; k < argc; k++) {
      const len = Number(line().slice(1));
      args.push(buf.toString('utf8', i, i + len));
      i += len + 2;
    }
    out.push(args);
  }
  return out;
}

/**
 * The first `count` records `generate()` would write for these options, as argument lists
 * (`['HMSET', 'session:…', 'field_0', 'lorem', …]`). Only reproducible with a seed.
 */
export function previewRecords(opts: { type: string; prefix?: string; seed?: string | number }, count: number): string[][] {
  const enc = new RecordEncoder(resolveType(opts.type), opts.prefix ?? '', opts.seed);
  const buf = Buffer.alloc(enc.maxRecordBytes * count);
  let off = 0;
  for (let i = 0; i < count; i++) off = enc.encode(buf, off);
  return decodeRequests(buf.subarray(0, off));
}

export function resolveType(type: string): DatagenCommand {
  const cmd = Object.prototype.hasOwnProperty.call(DATAGEN_TYPES, type) ? DATAGEN_TYPES[type] : undefined;
  if (!cmd) throw new UsageError(`unknown type '${type}': ${VALID_TYPES_TEXT}`);
  return cmd;
}

// ---------------------------------------------------------------------------------------------
// Target

export interface Target {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
}

/** redis://[[user][:password]@]host[:port][/db] (also `redis://host/2`, `redis://:pw@host`). */
export function parseRedisUrl(url: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`invalid URL '${url}' (expected redis://[[user]:password@]host[:port][/db])`);
  }
  if (u.protocol !== 'redis:') throw new UsageError(`unsupported URL scheme '${u.protocol}' in '${url}' (only redis:// is supported)`);
  const t: Target = { host: u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1', port: u.port ? Number(u.port) : 6379 };
  if (u.username) t.username = decodeURIComponent(u.username);
  if (u.password) t.password = decodeURIComponent(u.password);
  const db = u.pathname.replace(/^\//, '');
  if (db) {
    if (!/^\d+$/.test(db)) throw new UsageError(`invalid database '${db}' in URL '${url}'`);
    t.db = Number(db);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// generate()

export interface GenerateOptions {
  /** string | list | set | sorted | hash, or the command names lpush | sadd | zadd | hmset. */
  type: string;
  /** How many records (keys) to write. */
  qty: number;
  /** Keys are `prefix:<uuid>`; no prefix: bare uuids. */
  prefix?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  /** redis://… ; host/port/password/db given separately override its parts. */
  url?: string;
  /** Most commands in flight (sent, reply not yet read). Default 2048. */
  window?: number;
  /** Keys per second at most (default: as fast as possible). */
  rate?: number;
  /** Reproducible dataset: the same seed writes the same keys and values. */
  seed?: string | number;
  /** Called with (records acknowledged, qty) at most every `progressIntervalMs`, and at the end. */
  onProgress?: (done: number, total: number) => void;
  progressIntervalMs?: number;
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface GenerateResult {
  records: number;
  ms: number;
  command: DatagenCommand;
  host: string;
  port: number;
  /** Bytes of RESP written. */
  bytes: number;
}

/** A failure while generating: connection refused or lost, or an error reply from the server. */
export class DatagenError extends Error {
  override name = 'DatagenError';
  constructor(
    message: string,
    /** Records acknowledged by the server before the failure. */
    readonly records: number,
  ) {
    super(message);
  }
}

export const DEFAULT_WINDOW = 2048;
const CHUNK = 64 * 1024;

/** Resolves the target of `opts`: url first, then explicit options, then 127.0.0.1:6379. */
export function resolveTarget(opts: Pick<GenerateOptions, 'url' | 'host' | 'port' | 'username' | 'password' | 'db'>): Target {
  const t: Target = opts.url ? parseRedisUrl(opts.url) : { host: '127.0.0.1', port: 6379 };
  if (opts.host !== undefined) t.host = opts.host;
  if (opts.port !== undefined) t.port = opts.port;
  if (opts.username !== undefined) t.username = opts.username;
  if (opts.password !== undefined) t.password = opts.password;
  if (opts.db !== undefined) t.db = opts.db;
  return t;
}

function encodeCommand(args: string[]): Buffer {
  return Buffer.concat([Buffer.from(`*${args.length}\r\n`, 'latin1'), ...args.map(bulk)]);
}

function connectTo(t: Target, timeoutMs: number, signal?: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: t.host, port: t.port });
    const fail = (msg: string) => {
      cleanup();
      sock.destroy();
      reject(new DatagenError(msg, 0));
    };
    const onErr = (e: NodeJS.ErrnoException) => fail(`Could not connect to Redis at ${t.host}:${t.port}: ${e.code === 'ECONNREFUSED' ? 'Connection refused' : e.message}`);
    const onAbort = () => fail('aborted');
    const timer = setTimeout(() => fail(`Could not connect to Redis at ${t.host}:${t.port}: timed out after ${timeoutMs} ms`), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      sock.off('error', onErr);
      signal?.removeEventListener('abort', onAbort);
    };
    sock.once('error', onErr);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => {
      cleanup();
      sock.setNoDelay(true);
      resolve(sock);
    });
  });
}

/** Sends AUTH / SELECT / PING and checks their (single-line) replies. */
function handshake(sock: net.Socket, t: Target): Promise<void> {
  const cmds: string[][] = [];
  if (t.password !== undefined) cmds.push(t.username !== undefined ? ['AUTH', t.username, t.password] : ['AUTH', t.password]);
  if (t.db !== undefined && t.db !== 0) cmds.push(['SELECT', String(t.db)]);
  cmds.push(['PING']);
  return new Promise((resolve, reject) => {
    let acc = '';
    let idx = 0;
    const done = (err?: Error) => {
      sock.off('data', onData);
      sock.off('error', onError);
      sock.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onData = (d: Buffer) => {
      acc += d.toString('latin1');
      let e: number;
      while ((e = acc.indexOf('\r\n')) >= 0) {
        const line = acc.slice(0, e);
        acc = acc.slice(e + 2);
        if (line.startsWith('-')) return done(new DatagenError(`${cmds[idx][0]} failed: ${line.slice(1)}`, 0));
        if (++idx === cmds.length) return done();
      }
    };
    const onError = (e: Error) => done(new DatagenError(`connection error: ${e.message}`, 0));
    const onClose = () => done(new DatagenError(`connection closed by ${t.host}:${t.port} during the handshake`, 0));
    sock.on('data', onData);
    sock.on('error', onError);
    sock.on('close', onClose);
    sock.write(Buffer.concat(cmds.map(encodeCommand)));
  });
}

/**
 * Generates `qty` records and writes them to the target, pipelined on one connection with at
 * most `window` commands in flight. Resolves when the server has acknowledged every record.
 */
export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  const command = resolveType(opts.type);
  const qty = opts.qty;
  if (!Number.isSafeInteger(qty) || qty < 0) throw new UsageError(`invalid qty '${qty}' (expected a non-negative integer)`);
  const window = Math.max(1, Math.floor(opts.window ?? DEFAULT_WINDOW));
  const rate = opts.rate;
  if (rate !== undefined && !(rate > 0)) throw new UsageError(`invalid rate '${rate}' (expected keys per second > 0)`);
  const target = resolveTarget(opts);
  const encoder = new RecordEncoder(command, opts.prefix ?? '', opts.seed);
  const progressEvery = opts.progressIntervalMs ?? 100;
  const signal = opts.signal;
  if (signal?.aborted) throw new DatagenError('aborted', 0);

  const t0 = performance.now();
  const sock = await connectTo(target, opts.connectTimeoutMs ?? 5000, signal);
  try {
    await handshake(sock, target);
  } catch (e) {
    sock.destroy();
    throw e;
  }

  return new Promise<GenerateResult>((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    let bytes = 0;
    let blocked = false; // waiting for 'drain'
    let rateTimer: NodeJS.Timeout | undefined;
    let finished = false;
    let atLineStart = true;
    let errLine: string | null = null; // collecting an error reply
    let lastProgress = 0;
    let chunk = Buffer.allocUnsafe(CHUNK);
    let off = 0;
    const limit = CHUNK - encoder.maxRecordBytes;
    const tRate = performance.now();

    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      if (rateTimer) clearTimeout(rateTimer);
      sock.off('data', onData);
      sock.off('drain', onDrain);
      sock.off('error', onError);
      sock.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        sock.destroy();
        reject(err);
        return;
      }
      const ms = Math.round(performance.now() - t0);
      opts.onProgress?.(acked, qty);
      sock.end();
      sock.destroy();
      resolve({ records: acked, ms, command, host: target.host, port: target.port, bytes });
    };

    const flush = () => {
      if (off === 0) return;
      const out = chunk.subarray(0, off);
      bytes += off;
      chunk = Buffer.allocUnsafe(CHUNK);
      off = 0;
      if (!sock.write(out)) blocked = true;
    };

    const pump = () => {
      if (finished || blocked || errLine !== null) return;
      let allowed = qty;
      if (rate !== undefined) {
        allowed = Math.min(qty, Math.floor(((performance.now() - tRate) * rate) / 1000) + 1);
      }
      const stopAt = Math.min(allowed, acked + window);
      while (sent < stopAt) {
        off = encoder.encode(chunk, off);
        sent++;
        if (off > limit) {
          flush();
          if (blocked) break;
        }
      }
      flush();
      if (rate !== undefined && sent < qty && sent >= allowed && !rateTimer && !blocked) {
        const due = ((sent + 1) * 1000) / rate - (performance.now() - tRate);
        rateTimer = setTimeout(
          () => {
            rateTimer = undefined;
            pump();
          },
          Math.max(1, Math.ceil(due)),
        );
      }
    };

    const onData = (d: Buffer) => {
      let i = 0;
      const n = d.length;
      while (i < n) {
        if (errLine !== null) {
          const e = d.indexOf(10, i);
          errLine += d.toString('latin1', i, e < 0 ? n : e);
          if (e < 0) return;
          return finish(new DatagenError(`${command} failed after ${acked} records: ${errLine.slice(1).replace(/\r$/, '')}`, acked));
        }
        if (atLineStart && d[i] === 45 /* '-' */) {
          errLine = '';
          continue;
        }
        const e = d.indexOf(10, i);
        if (e < 0) {
          atLineStart = false;
          break;
        }
        acked++;
        atLineStart = true;
        i = e + 1;
      }
      if (opts.onProgress) {
        const now = performance.now();
        if (now - lastProgress >= progressEvery) {
          lastProgress = now;
          opts.onProgress(acked, qty);
        }
      }
      if (acked >= qty) return finish();
      pump();
    };
    const onDrain = () => {
      blocked = false;
      pump();
    };
    const onError = (e: Error) => finish(new DatagenError(`connection error after ${acked} records: ${e.message}`, acked));
    const onClose = () => finish(new DatagenError(`connection closed by ${target.host}:${target.port} after ${acked} of ${qty} records`, acked));
    const onAbort = () => finish(new DatagenError(`aborted after ${acked} records`, acked));

    sock.on('data', onData);
    sock.on('drain', onDrain);
    sock.on('error', onError);
    sock.on('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (qty === 0) return finish();
    pump();
  });
}

/** The original tool's closing line (without its colour codes). */
export function closingLine(qty: number, typeName: string, r: Pick<GenerateResult, 'command' | 'host' | 'port' | 'ms'>): string {
  return `${qty} records of type ${typeName} were generated and inserted [${r.command}] into ${r.host}:${r.port} in ${r.ms}ms.`;
}
