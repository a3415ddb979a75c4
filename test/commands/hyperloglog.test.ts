/**
 * HyperLogLog commands, differential against redis-server 7.0.15: the same PFADDs must leave
 * byte-identical strings (GET), PFCOUNT/PFMERGE/PFDEBUG must answer the same, corrupted or
 * foreign strings must fail with the same errors, and HLLs must move between the two servers
 * (SET of GET bytes, DUMP/RESTORE) and keep counting the same. Notifications and what reaches a
 * replica are compared too.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startPair, same, type Pair, type Step } from '../helpers/differential.js';
import { RespClient, parseReply, plain, type Reply } from '../helpers/resp.js';
import { prng } from '../helpers/prng.js';
import { Recorder } from '../notify/recorder.js';

let pair: Pair;

before(async () => {
  pair = await startPair();
});

after(async () => {
  await pair?.close();
});

async function fresh(steps: Step[]): Promise<Reply[]> {
  await same(pair, [['FLUSHALL'], ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']]);
  return same(pair, steps);
}

/** Random elements: short and long, printable and binary, some repeated. */
function elements(rnd: () => number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(rnd() * 4);
    if (kind === 0) out.push(String(Math.floor(rnd() * 100000)));
    else if (kind === 1) out.push(`el:${Math.floor(rnd() * 1e9)}:${'x'.repeat(Math.floor(rnd() * 30))}`);
    else {
      const len = Math.floor(rnd() * (kind === 2 ? 9 : 70));
      let s = '';
      for (let k = 0; k < len; k++) s += String.fromCharCode(Math.floor(rnd() * 256));
      out.push(s);
    }
  }
  return out;
}

/** A 16-byte header: magic, encoding, three reserved bytes, cached cardinality. */
function header(enc: number, card: number[] = [0, 0, 0, 0, 0, 0, 0, 0x80], magic = 'HYLL'): string {
  return magic + String.fromCharCode(enc, 0, 0, 0, ...card);
}

function bytes(...b: number[]): string {
  return String.fromCharCode(...b);
}

/** Dense registers (6 bits each, LSB first) as a string; `regs[i]` for register i. */
function denseRegs(regs: (i: number) => number): string {
  const b = Buffer.alloc(12288);
  for (let i = 0; i < 16384; i++) {
    const v = regs(i);
    const bit = i * 6;
    const at = bit >> 3;
    const fb = bit & 7;
    b[at] |= (v << fb) & 0xff;
    if (fb > 2) b[at + 1] |= v >> (8 - fb);
  }
  return b.toString('latin1');
}

// ---------------------------------------------------------------- basics

test('PFADD / PFCOUNT basics: creation, no-op adds, cached cardinality bytes', async () => {
  await fresh([
    ['PFADD', 'h'],
    ['GET', 'h'],
    ['PFADD', 'h'],
    ['PFCOUNT', 'h'],
    ['GET', 'h'],
    ['PFADD', 'h', 'a', 'b', 'c'],
    ['GET', 'h'],
    ['PFADD', 'h', 'a', 'b', 'c'],
    ['PFCOUNT', 'h'],
    ['GET', 'h'],
    ['PFCOUNT', 'h'],
    ['PFADD', 'h', 'd'],
    ['GET', 'h'],
    ['PFCOUNT', 'h', 'missing'],
    ['PFCOUNT', 'missing'],
    ['PFCOUNT', 'missing', 'missing2'],
    ['PFADD', 'h2', ''],
    ['GET', 'h2'],
    ['PFADD'],
    ['PFCOUNT'],
    ['OBJECT', 'ENCODING', 'h'],
    ['STRLEN', 'h'],
    ['TYPE', 'h'],
    ['EXISTS', 'h2'],
  ]);
});

test('PFADD random elements: identical bytes after every step, sparse to dense', async () => {
  for (const seed of [1, 2, 3]) {
    const rnd = prng(seed);
    await fresh([]);
    let total = 0;
    while (total < 6000) {
      const n = 1 + Math.floor(rnd() * (total < 500 ? 8 : 200));
      total += n;
      const els = elements(rnd, n);
      await same(pair, [['PFADD', 'h', ...els], ['GET', 'h']]);
      if (rnd() < 0.2) await same(pair, [['PFCOUNT', 'h'], ['GET', 'h'], ['PFDEBUG', 'ENCODING', 'h']]);
    }
    await same(pair, [['PFCOUNT', 'h'], ['PFDEBUG', 'ENCODING', 'h'], ['STRLEN', 'h']]);
  }
});

test('hll-sparse-max-bytes decides when the sparse form is promoted', async () => {
  for (const max of ['0', '1', '20', '100', '500', '3000', '8000', '20000']) {
    const rnd = prng(100 + Number(max));
    await fresh([['CONFIG', 'SET', 'hll-sparse-max-bytes', max], ['CONFIG', 'GET', 'hll-sparse-max-bytes']]);
    for (let step = 0; step < 40; step++) {
      const els = elements(rnd, 1 + Math.floor(rnd() * 60));
      await same(pair, [['PFADD', 'h', ...els], ['GET', 'h'], ['PFDEBUG', 'ENCODING', 'h']]);
    }
    await same(pair, [['PFCOUNT', 'h'], ['GET', 'h']]);
  }
  await same(pair, [['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']]);
});

test('PFCOUNT estimates over many sizes, single and several keys', async () => {
  const rnd = prng(7);
  await fresh([]);
  // Sizes spread from tiny to well past the dense switch; each key gets unique integers.
  const sizes = [0, 1, 2, 5, 10, 50, 100, 300, 1000, 2500, 10000, 40000];
  let next = 0;
  for (const [i, size] of sizes.entries()) {
    const key = `k${i}`;
    for (let done = 0; done < size; ) {
      const n = Math.min(1000, size - done);
      const els: string[] = [];
      for (let j = 0; j < n; j++) els.push(String(next++));
      await same(pair, [['PFADD', key, ...els]]);
      done += n;
    }
    if (size === 0) await same(pair, [['PFADD', key]]);
    await same(pair, [['PFCOUNT', key], ['GET', key]]);
  }
  const keys = sizes.map((_, i) => `k${i}`);
  for (let t = 0; t < 20; t++) {
    const pick = keys.filter(() => rnd() < 0.4);
    if (pick.length === 0) continue;
    await same(pair, [['PFCOUNT', ...pick, 'nokey'], ['PFCOUNT', ...pick, ...pick]]);
  }
  await same(pair, [['PFCOUNT', ...keys]]);
});

test('PFMERGE: sparse and dense sources, existing and missing destinations', async () => {
  const rnd = prng(11);
  await fresh([]);
  const sizes = [3, 30, 200, 900, 5000];
  for (const [i, size] of sizes.entries()) {
    await same(pair, [['PFADD', `s${i}`, ...elements(rnd, size)]]);
  }
  await same(pair, [
    ['PFMERGE', 'm0', 's0', 's1'],
    ['GET', 'm0'],
    ['PFCOUNT', 'm0'],
    ['PFDEBUG', 'ENCODING', 'm0'],
    ['PFMERGE', 'm1', 's1', 's2', 's3'],
    ['GET', 'm1'],
    ['PFMERGE', 'm2', 's0', 's4'],
    ['GET', 'm2'],
    ['PFDEBUG', 'ENCODING', 'm2'],
    ['PFMERGE', 's0', 's1'],
    ['GET', 's0'],
    ['PFMERGE', 's2', 's4'],
    ['GET', 's2'],
    ['PFMERGE', 'empty'],
    ['GET', 'empty'],
    ['PFMERGE', 'empty2', 'nokey', 'nokey2'],
    ['GET', 'empty2'],
    ['PFMERGE', 'self', 'self'],
    ['GET', 'self'],
    ['PFCOUNT', 's0', 's1', 's2', 's3', 's4'],
    ['PFMERGE', 'all', 's0', 's1', 's2', 's3', 's4'],
    ['PFCOUNT', 'all'],
    ['GET', 'all'],
    ['PFMERGE'],
  ]);
  // Sparse merges that outgrow a small hll-sparse-max-bytes mid-way.
  await same(pair, [['CONFIG', 'SET', 'hll-sparse-max-bytes', '60'], ['PFMERGE', 'small', 's1'], ['GET', 'small'], ['PFMERGE', 'small2', 's0'], ['GET', 'small2']]);
  await same(pair, [['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']]);
});

test('PFDEBUG GETREG / DECODE / ENCODING / TODENSE and their errors', async () => {
  const rnd = prng(5);
  await fresh([
    ['PFADD', 'h', ...elements(rnd, 40)],
    ['PFDEBUG', 'DECODE', 'h'],
    ['PFDEBUG', 'encoding', 'h'],
    ['PFDEBUG', 'GETREG', 'h'],
    ['PFDEBUG', 'ENCODING', 'h'],
    ['GET', 'h'],
    ['PFDEBUG', 'DECODE', 'h'],
    ['PFDEBUG', 'TODENSE', 'h'],
    ['PFADD', 'h2', 'x'],
    ['PFDEBUG', 'TODENSE', 'h2'],
    ['PFDEBUG', 'TODENSE', 'h2'],
    ['GET', 'h2'],
    ['PFDEBUG', 'GETREG', 'h2'],
    ['PFDEBUG', 'NOPE', 'h2'],
    ['PFDEBUG', 'NOPE', 'missing'],
    ['PFDEBUG', 'GETREG', 'missing'],
    ['PFDEBUG', 'GETREG'],
    ['PFDEBUG', 'GETREG', 'h', 'extra'],
    ['SET', 'str', 'hello'],
    ['PFDEBUG', 'GETREG', 'str'],
    ['PFDEBUG', 'NOPE', 'str'],
    ['PFADD', 'e'],
    ['PFDEBUG', 'DECODE', 'e'],
  ]);
});

test('PFSELFTEST passes', async () => {
  await same(pair, [['PFSELFTEST'], ['PFSELFTEST', 'x']]);
});

// ---------------------------------------------------------------- invalid and corrupted strings

test('strings that are not HLLs: WRONGTYPE texts', async () => {
  const notHll = [
    ['SET', 'short', 'HYLL'],
    ['SET', 'int', '123456789012345678'],
    ['SET', 'magic', header(1, undefined, 'HYLX') + bytes(0x7f, 0xff)],
    ['SET', 'enc2', header(2) + bytes(0x7f, 0xff)],
    ['SET', 'enc255', header(255) + bytes(0x7f, 0xff)],
    ['SET', 'dshort', header(0) + 'x'.repeat(100)],
    ['SET', 'dlong', header(0) + '\0'.repeat(12289)],
    ['SET', 'empty', ''],
    ['SET', 'hdronly15', header(1).slice(0, 15)],
  ];
  await fresh([...notHll, ['RPUSH', 'list', 'a']]);
  for (const key of ['short', 'int', 'magic', 'enc2', 'enc255', 'dshort', 'dlong', 'empty', 'hdronly15', 'list']) {
    await same(pair, [
      ['PFADD', key, 'a'],
      ['PFCOUNT', key],
      ['PFCOUNT', key, 'missing'],
      ['PFCOUNT', 'missing', key],
      ['PFMERGE', 'dest', key],
      ['PFMERGE', key, 'missing'],
      ['PFDEBUG', 'ENCODING', key],
      ['EXISTS', 'dest'],
      ['GET', key],
    ]);
  }
  // A header alone is a valid (if odd) sparse HLL covering no registers.
  await same(pair, [
    ['SET', 'hdronly', header(1)],
    ['PFDEBUG', 'DECODE', 'hdronly'],
    ['PFDEBUG', 'ENCODING', 'hdronly'],
    ['PFCOUNT', 'hdronly'],
    ['PFADD', 'hdronly', 'a'],
    ['PFADD', 'hdronly'],
    ['GET', 'hdronly'],
  ]);
  await same(pair, [['INFO', 'errorstats']], (r) => ({ t: 'bulk', v: r.t === 'bulk' ? r.v.split('\r\n').filter((l) => /WRONGTYPE|INVALIDOBJ/.test(l)).sort().join(',') : '' }));
});

test('corrupted sparse payloads: INVALIDOBJ where Redis detects it, same bytes otherwise', async () => {
  const X = (n: number) => bytes(0x40 | ((n - 1) >> 8), (n - 1) & 0xff);
  const Z = (n: number) => bytes(n - 1);
  const V = (v: number, n: number) => bytes(0x80 | ((v - 1) << 2) | (n - 1));
  const cases: Record<string, string> = {
    // Too few registers.
    few: header(1) + X(16000),
    // Too many registers.
    many: header(1) + X(16384) + Z(3),
    // A VAL run crossing the end.
    valover: header(1) + X(16382) + V(3, 4),
    // A VAL run crossing the end after an overshooting zero run.
    zeroover: header(1) + X(16384) + V(2, 1),
    // XZERO cut in half at the end (its second byte is past the string).
    cutx: header(1) + X(16384 - 256) + bytes(0x40),
    cutx2: header(1) + X(16384 - 512) + bytes(0x41),
    // Valid but unusual: registers described by many small opcodes.
    smallops: header(1) + Z(64).repeat(255) + Z(64) + V(5, 4).repeat(4) + Z(48) + X(1) + V(32, 1) + V(32, 1) + V(32, 1) + V(32, 1),
    // Valid with a stale cache holding garbage and reserved bytes set.
    odd: 'HYLL' + bytes(1, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 0x80) + X(16384),
    // Valid cache with a value: PFCOUNT trusts it.
    cached: header(1, [0x39, 0x30, 0, 0, 0, 0, 0, 0]) + X(16384),
    cachedbig: header(1, [1, 2, 3, 4, 5, 6, 7, 0x7f]) + X(16384),
    // One XZERO of 16384 registers split into X + VAL + X by a 1-length XZERO in the middle.
    x1: header(1) + X(100) + X(1) + X(16283),
    // VAL with value 32 (the sparse maximum) and runs up to 4.
    val32: header(1) + V(32, 4) + X(16380),
  };
  const keys = Object.keys(cases);
  await fresh(keys.map((k) => ['SET', k, cases[k]]));
  for (const key of keys) {
    await same(pair, [
      ['PFDEBUG', 'DECODE', key],
      ['PFCOUNT', key],
      ['PFCOUNT', key, 'missing'],
      ['PFMERGE', `m-${key}`, key],
      ['EXISTS', `m-${key}`],
      ['GET', `m-${key}`],
      ['GET', key],
    ]);
    const rnd = prng(key.length * 31 + key.charCodeAt(0));
    for (let i = 0; i < 5; i++) await same(pair, [['PFADD', key, ...elements(rnd, 3)], ['GET', key]]);
    await same(pair, [['PFDEBUG', 'TODENSE', key], ['GET', key], ['PFCOUNT', key], ['PFDEBUG', 'GETREG', key]]);
  }
  // Corrupted sparse HLLs met by a promotion (a value above 32 or growth past the limit).
  for (const key of keys) await same(pair, [['SET', key, cases[key]]]);
  await same(pair, [['CONFIG', 'SET', 'hll-sparse-max-bytes', '0']]);
  for (const key of keys) {
    const rnd = prng(key.length);
    await same(pair, [['PFADD', key, ...elements(rnd, 4)], ['GET', key], ['PFDEBUG', 'ENCODING', key]]);
  }
  await same(pair, [['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']]);
});

test('dense payloads with registers beyond 51: odd estimates and the overflowing one', async () => {
  const cases: Record<string, string> = {
    all51: header(0) + denseRegs(() => 51),
    all52: header(0) + denseRegs(() => 52),
    all63: header(0) + denseRegs(() => 63),
    mixed: header(0) + denseRegs((i) => (i * 7919) % 64),
    half: header(0) + denseRegs((i) => (i % 2 ? 60 : 0)),
    ones: header(0) + denseRegs(() => 1),
    cachedDense: header(0, [10, 0, 0, 0, 0, 0, 0, 0]) + denseRegs((i) => i % 5),
  };
  const keys = Object.keys(cases);
  await fresh(keys.map((k) => ['SET', k, cases[k]]));
  for (const key of keys) {
    await same(pair, [['PFCOUNT', key], ['GET', key], ['PFCOUNT', key], ['PFCOUNT', key, 'missing'], ['PFADD', key, 'a', 'b', 'c'], ['PFCOUNT', key], ['GET', key]]);
  }
  await same(pair, [['PFCOUNT', ...keys], ['PFMERGE', 'm', ...keys], ['PFCOUNT', 'm'], ['GET', 'm']]);
});

test('an embstr-sized HLL becomes raw once PFCOUNT or PFADD touch it', async () => {
  const tiny = header(1, [0, 0, 0, 0, 0, 0, 0, 0]) + bytes(0x7f, 0xff);
  await fresh([
    ['SET', 't', tiny],
    ['SET', 't2', tiny],
    ['OBJECT', 'ENCODING', 't'],
    ['PFCOUNT', 't', 't2'],
    ['OBJECT', 'ENCODING', 't'],
    ['PFCOUNT', 't'],
    ['OBJECT', 'ENCODING', 't'],
    ['PFADD', 't2'],
    ['OBJECT', 'ENCODING', 't2'],
  ]);
});

// ---------------------------------------------------------------- interoperability

test('HLLs move between redis-server and reddish (GET/SET, DUMP/RESTORE) and keep counting the same', async () => {
  const rnd = prng(99);
  await fresh([]);
  for (const [name, n] of [
    ['tiny', 5],
    ['sparse', 400],
    ['dense', 8000],
  ] as const) {
    // Built on redis-server, carried to reddish; and the other way round.
    const els = elements(rnd, n);
    await pair.a.call('PFADD', `r-${name}`, ...els);
    await pair.b.call('PFADD', `d-${name}`, ...els);
    const fromRedis = plain(await pair.a.call('GET', `r-${name}`)) as string;
    const fromReddish = plain(await pair.b.call('GET', `d-${name}`)) as string;
    assert.equal(fromReddish, fromRedis, `${name}: same bytes from the same elements`);
    await pair.b.call('SET', `r-${name}`, fromRedis);
    await pair.a.call('SET', `d-${name}`, fromReddish);
    const dumpA = await pair.a.call('DUMP', `r-${name}`);
    const dumpB = await pair.b.call('DUMP', `d-${name}`);
    assert.equal(dumpA.t, 'bulk');
    await pair.b.call('RESTORE', `x-${name}`, '0', (dumpA as { v: string }).v);
    await pair.a.call('RESTORE', `x-${name}`, '0', (dumpB as { v: string }).v);
    const more = elements(rnd, 50);
    await same(pair, [
      ['PFCOUNT', `r-${name}`],
      ['PFCOUNT', `d-${name}`],
      ['PFCOUNT', `x-${name}`],
      ['PFADD', `r-${name}`, ...more],
      ['PFADD', `d-${name}`, ...more],
      ['PFADD', `x-${name}`, ...more],
      ['GET', `r-${name}`],
      ['GET', `d-${name}`],
      ['GET', `x-${name}`],
      ['PFCOUNT', `r-${name}`, `d-${name}`, `x-${name}`],
    ]);
  }
});

test('a PFCOUNT cache refresh touches WATCHed keys; PFDEBUG conversions do not', async () => {
  const watchCase = async (prep: Step[], touch: Step): Promise<void> => {
    const [a2, b2] = await Promise.all([RespClient.connect(pair.redis.port), RespClient.connect(pair.reddish.port)]);
    try {
      await fresh(prep);
      await same(pair, [['WATCH', 'h']]);
      const [ra, rb] = await Promise.all([a2.call(...touch.map(String)), b2.call(...touch.map(String))]);
      assert.deepStrictEqual(rb, ra);
      await same(pair, [['MULTI'], ['PING'], ['EXEC']]);
    } finally {
      a2.close();
      b2.close();
    }
  };
  await watchCase([['PFADD', 'h', 'a']], ['PFCOUNT', 'h']);
  await watchCase([['PFADD', 'h', 'a'], ['PFCOUNT', 'h']], ['PFCOUNT', 'h']);
  await watchCase([['PFADD', 'h', 'a']], ['PFDEBUG', 'TODENSE', 'h']);
  await watchCase([['PFADD', 'h', 'a']], ['PFDEBUG', 'GETREG', 'h']);
  await watchCase([['PFADD', 'h', 'a']], ['PFADD', 'h', 'a']);
  await watchCase([['PFADD', 'h', 'a']], ['PFADD', 'h', 'b']);
  await watchCase([['PFADD', 'h', 'a']], ['PFMERGE', 'h']);
});

test('keyspace notifications match redis-server', async () => {
  await fresh([['CONFIG', 'SET', 'notify-keyspace-events', 'KEA']]);
  const [ra, rb] = await Promise.all([Recorder.open(pair.redis.port), Recorder.open(pair.reddish.port)]);
  try {
    await same(pair, [
      ['PFADD', 'h', 'a'],
      ['PFADD', 'h', 'a'],
      ['PFADD', 'h'],
      ['PFADD', 'n'],
      ['PFCOUNT', 'h'],
      ['PFCOUNT', 'h'],
      ['PFCOUNT', 'h', 'n'],
      ['PFMERGE', 'm', 'h', 'n'],
      ['PFMERGE', 'm'],
      ['PFDEBUG', 'TODENSE', 'h'],
      ['PFDEBUG', 'GETREG', 'n'],
      ['SET', 's', 'x'],
      ['PFADD', 's', 'a'],
      ['PFCOUNT', 'missing'],
    ]);
    const [ea, eb] = await Promise.all([ra.drain(pair.a), rb.drain(pair.b)]);
    assert.ok(ea.length > 0);
    assert.deepStrictEqual(eb, ea);
  } finally {
    ra.close();
    rb.close();
    await same(pair, [['CONFIG', 'SET', 'notify-keyspace-events', '']]);
  }
});

// ---------------------------------------------------------------- propagation

/** What a server streams to a replica: SYNC, skip the RDB, collect commands (no PING/SELECT). */
class ReplicaStream {
  private buf = Buffer.alloc(0);
  private rdbSkipped = false;
  readonly commands: string[][] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d) => this.onData(d));
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<ReplicaStream> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        const r = new ReplicaStream(s);
        s.write('SYNC\r\n');
        resolve(r);
      });
      s.once('error', reject);
    });
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    if (!this.rdbSkipped) {
      let p = 0;
      while (p < this.buf.length && this.buf[p] === 10) p++;
      const nl = this.buf.indexOf('\r\n', p);
      if (nl < 0 || this.buf[p] !== 0x24) return;
      const len = Number(this.buf.latin1Slice(p + 1, nl));
      if (this.buf.length < nl + 2 + len) return;
      this.buf = this.buf.subarray(nl + 2 + len);
      this.rdbSkipped = true;
    }
    let pos = 0;
    for (;;) {
      let r: Reply;
      try {
        [r, pos] = parseReply(this.buf, pos);
      } catch {
        break;
      }
      const argv = (plain(r) as string[]).map(String);
      const name = argv[0].toUpperCase();
      if (name !== 'PING' && name !== 'SELECT') this.commands.push(argv);
    }
    this.buf = this.buf.subarray(pos);
  }

  async waitFor(argv: string[], timeoutMs = 10000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.commands.some((c) => JSON.stringify(c) === JSON.stringify(argv))) {
      if (Date.now() > deadline) throw new Error(`replica stream never got ${JSON.stringify(argv)}: ${JSON.stringify(this.commands)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

test('what reaches a replica matches redis-server (PFCOUNT cache refreshes, PFDEBUG conversions)', async () => {
  await fresh([]);
  const [sa, sb] = await Promise.all([ReplicaStream.open(pair.redis.port), ReplicaStream.open(pair.reddish.port)]);
  try {
    await new Promise((r) => setTimeout(r, 300));
    await same(pair, [['SET', 'sync-start', '1']]);
    await Promise.all([sa.waitFor(['SET', 'sync-start', '1']), sb.waitFor(['SET', 'sync-start', '1'])]);
    sa.commands.length = 0;
    sb.commands.length = 0;
    await same(pair, [
      ['PFADD', 'h', 'a', 'b'],
      ['PFADD', 'h', 'a'],
      ['PFADD', 'h'],
      ['PFCOUNT', 'h'],
      ['PFCOUNT', 'h'],
      ['PFCOUNT', 'h', 'missing'],
      ['PFCOUNT', 'missing'],
      ['PFADD', 'g', 'c'],
      ['PFMERGE', 'm', 'h', 'g'],
      ['PFCOUNT', 'm'],
      ['PFDEBUG', 'ENCODING', 'm'],
      ['PFDEBUG', 'DECODE', 'm'],
      ['PFDEBUG', 'TODENSE', 'm'],
      ['PFDEBUG', 'TODENSE', 'm'],
      ['PFDEBUG', 'GETREG', 'g'],
      ['PFDEBUG', 'GETREG', 'g'],
      ['SET', 'bad', 'HYLLxxxxxxxxxxxxxxx'],
      ['PFADD', 'bad', 'a'],
      ['SET', 'sync-end', '1'],
    ]);
    await Promise.all([sa.waitFor(['SET', 'sync-end', '1']), sb.waitFor(['SET', 'sync-end', '1'])]);
    assert.ok(sa.commands.some((c) => c[0].toUpperCase() === 'PFCOUNT'), JSON.stringify(sa.commands));
    assert.deepStrictEqual(sb.commands, sa.commands);
  } finally {
    sa.close();
    sb.close();
  }
});

test('COMMAND INFO of the HyperLogLog commands matches redis-server', async () => {
  await same(pair, [
    ['COMMAND', 'INFO', 'pfadd', 'pfcount', 'pfmerge', 'pfdebug', 'pfselftest'],
    ['COMMAND', 'DOCS', 'pfadd', 'pfcount', 'pfmerge'],
    ['COMMAND', 'GETKEYS', 'PFMERGE', 'd', 's1', 's2'],
    ['COMMAND', 'GETKEYS', 'PFDEBUG', 'GETREG', 'k'],
  ]);
});

test('CLIENT PAUSE WRITE holds PFCOUNT (7.0 flags it may_replicate without listing it), alone and in EXEC', async () => {
  for (const port of [pair.redis.port, pair.reddish.port]) {
    const [admin, other] = await Promise.all([RespClient.connect(port), RespClient.connect(port)]);
    try {
      await admin.call('PFADD', 'paused', 'a');
      await other.call('MULTI');
      await other.call('PFCOUNT', 'paused');
      assert.deepStrictEqual(plain(await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE')), 'OK');
      let done = 0;
      const p1 = other.call('EXEC').then((r) => {
        done++;
        return r;
      });
      // Two round trips on an unpaused connection: the held command must still be waiting.
      await admin.call('PING');
      await admin.call('GET', 'x');
      assert.equal(done, 0, `EXEC with PFCOUNT answered during the pause on port ${port} (redis ${pair.redis.port})`);
      await admin.call('CLIENT', 'UNPAUSE');
      assert.deepStrictEqual(plain(await p1), [1]);
      await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE');
      const p2 = other.call('PFCOUNT', 'paused').then((r) => {
        done++;
        return r;
      });
      await admin.call('PING');
      await admin.call('GET', 'paused');
      assert.equal(done, 1, `PFCOUNT answered during the pause on port ${port}`);
      await admin.call('CLIENT', 'UNPAUSE');
      assert.deepStrictEqual(plain(await p2), 1);
    } finally {
      admin.close();
      other.close();
    }
  }
});

test('PFADD and PFMERGE keep the TTL; PFCOUNT inside scripts and transactions', async () => {
  await fresh([
    ['SET', 'ttl', header(1) + bytes(0x7f, 0xff), 'EX', '1000'],
    ['PFADD', 'ttl', 'a', 'b'],
    ['TTL', 'ttl'],
    ['PFMERGE', 'ttl', 'ttl'],
    ['TTL', 'ttl'],
    ['PFCOUNT', 'ttl'],
    ['TTL', 'ttl'],
    ['PFADD', 'h', 'x', 'y', 'z'],
    ['EVAL', "return redis.call('pfcount', KEYS[1])", '1', 'h'],
    ['EVAL_RO', "return redis.call('pfcount', KEYS[1])", '1', 'h'],
    ['EVAL', "return redis.call('pfadd', KEYS[1], 'w')", '1', 'h'],
    ['EVAL', "return redis.pcall('pfadd', KEYS[1], 'w')", '1', 'ttl2'],
    ['SET', 'notstr', 'abc'],
    ['EVAL', "return redis.pcall('pfadd', KEYS[1], 'w')", '1', 'notstr'],
    ['MULTI'],
    ['PFADD', 'h', 'q'],
    ['PFCOUNT', 'h'],
    ['PFCOUNT', 'h'],
    ['PFMERGE', 'h3', 'h', 'ttl'],
    ['EXEC'],
    ['GET', 'h3'],
  ]);
});

// FUZZ_SEED / FUZZ_N run other or longer sequences by hand.
test('random sparse opcode streams (valid or not): every command answers and edits the same', async () => {
  const rnd = prng(Number(process.env.FUZZ_SEED ?? 2024));
  await fresh([]);
  const op = (): string => {
    const k = Math.floor(rnd() * 10);
    if (k < 3) return bytes(Math.floor(rnd() * 64)); // ZERO
    if (k < 6) {
      // XZERO, mostly long runs
      const len = rnd() < 0.5 ? 1 + Math.floor(rnd() * 16384) : 4000 + Math.floor(rnd() * 12385);
      return bytes(0x40 | ((len - 1) >> 8), (len - 1) & 0xff);
    }
    return bytes(0x80 | Math.floor(rnd() * 128)); // VAL
  };
  for (let n = 0; n < Number(process.env.FUZZ_N ?? 120); n++) {
    let body = '';
    const target = rnd() < 0.5 ? 16384 : Math.floor(rnd() * 20000);
    // Build towards `target` registers, then sometimes cut or extend it.
    let covered = 0;
    while (covered < target && body.length < 400) {
      const o = op();
      const c = o.charCodeAt(0);
      const span = (c & 0xc0) === 0 ? (c & 0x3f) + 1 : (c & 0xc0) === 0x40 ? (((c & 0x3f) << 8) | o.charCodeAt(1)) + 1 : (c & 3) + 1;
      if (covered + span > target && rnd() < 0.8) {
        const left = target - covered;
        body += left > 64 ? bytes(0x40 | ((left - 1) >> 8), (left - 1) & 0xff) : bytes(left - 1);
        covered = target;
        break;
      }
      body += o;
      covered += span;
    }
    if (rnd() < 0.15) body = body.slice(0, body.length - 1);
    const key = `f${n}`;
    const max = rnd() < 0.3 ? '40' : '3000';
    await same(pair, [
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', max],
      ['SET', key, header(1) + body],
      ['PFDEBUG', 'DECODE', key],
      ['PFCOUNT', key, 'missing'],
      ['PFCOUNT', key],
      ['PFADD', key, ...elements(rnd, 1 + Math.floor(rnd() * 20))],
      ['GET', key],
      ['PFMERGE', `${key}m`, key],
      ['GET', `${key}m`],
      ['PFADD', key, ...elements(rnd, 5)],
      ['GET', key],
      ['PFDEBUG', 'TODENSE', key],
      ['GET', key],
    ]);
  }
  await same(pair, [['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']]);
});
