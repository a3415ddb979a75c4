/**
 * node dist/bench/memory.js [--keys 2000000] [--batch 1000] [--settle 10]
 *
 * Memory of the lab's hash dataset in reddish and in redis-server: `keys` keys named
 * session:<uuid v4>, each a hash of 1–10 fields field_0..field_N-1 whose values are single
 * lorem-ipsum words, loaded with pipelined HMSET. The very same bytes go to both servers. Then
 * used_memory_rss (INFO memory) of both and the ratio reddish / redis.
 *
 * V8 collects garbage when it decides to; after loading, RSS is sampled once a second for
 * `settle` seconds and the last sample is reported (with the smallest seen), so a pending
 * collection does not count against reddish.
 */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { spawnServer, type SpawnedServer } from '../src/lab/processes.js';

/** The 69 words of the classic "Lorem ipsum dolor sit amet..." paragraph (lowercased, no punctuation). */
export const LOREM = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore ' +
  'magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo ' +
  'consequat duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur ' +
  'excepteur sint occaecat cupidatat non proident sunt in culpa qui officia deserunt mollit anim id est laborum'
).split(' ');

export interface MemoryResult {
  keys: number;
  fields: number;
  redisRss: number;
  reddishRss: number;
  reddishRssMin: number;
  redisUsed: number;
  reddishUsed: number;
  ratio: number;
  loadSeconds: number;
}

/** A raw pipelining connection: writes command bytes, counts one-line replies. */
class Loader {
  private pending = 0;
  private partial = '';
  private resolve: (() => void) | null = null;
  private failure: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => (this.failure = e));
  }

  static connect(port: number): Promise<Loader> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new Loader(s)));
      s.once('error', reject);
    });
  }

  private onData(d: Buffer): void {
    // Every HMSET reply is "+OK\r\n"; anything else is a failure worth stopping for.
    let start = 0;
    for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) {
      const line = this.partial + d.latin1Slice(start, i + 1);
      this.partial = '';
      start = i + 1;
      if (line !== '+OK\r\n') this.failure ??= new Error(`unexpected reply: ${JSON.stringify(line)}`);
      this.pending--;
    }
    if (start < d.length) this.partial += d.latin1Slice(start);
    if (this.pending === 0 && this.resolve) {
      const r = this.resolve;
      this.resolve = null;
      r();
    }
  }

  /** Sends a batch of `n` commands and resolves when all replies arrived. */
  run(bytes: Buffer, n: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.pending += n;
    return new Promise((resolve, reject) => {
      this.resolve = () => (this.failure ? reject(this.failure) : resolve());
      this.socket.write(bytes);
    });
  }

  async command(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const c = net.connect({ port: this.socket.remotePort!, host: '127.0.0.1' }, () => {
        c.write(encode(args));
      });
      let buf = '';
      c.on('data', (d) => {
        buf += d.toString('latin1');
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        if (buf[0] !== '$') {
          c.destroy();
          resolve(buf.slice(0, nl));
          return;
        }
        const len = Number(buf.slice(1, nl));
        if (buf.length >= nl + 2 + len + 2) {
          c.destroy();
          resolve(buf.slice(nl + 2, nl + 2 + len));
        }
      });
      c.on('error', reject);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function encode(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/** One batch of HMSET commands as RESP bytes. Returns the bytes and the number of fields. */
function makeBatch(n: number): { bytes: Buffer; fields: number } {
  let out = '';
  let fields = 0;
  for (let i = 0; i < n; i++) {
    const nf = 1 + Math.floor(Math.random() * 10);
    const args = ['HMSET', `session:${randomUUID()}`];
    for (let f = 0; f < nf; f++) args.push(`field_${f}`, LOREM[Math.floor(Math.random() * LOREM.length)]);
    out += encode(args);
    fields += nf;
  }
  return { bytes: Buffer.from(out, 'latin1'), fields };
}

function infoField(info: string, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  return m ? Number(m[1]) : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchMemory(keys: number, opts: { batch?: number; settleSeconds?: number; log?: (s: string) => void } = {}): Promise<MemoryResult> {
  const batch = opts.batch ?? 1000;
  const settle = opts.settleSeconds ?? 10;
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const servers: SpawnedServer[] = [];
  try {
    const [redis, reddish] = await Promise.all([spawnServer('redis'), spawnServer('reddish')]);
    servers.push(redis, reddish);
    const [a, b] = await Promise.all([Loader.connect(redis.port), Loader.connect(reddish.port)]);
    const t0 = Date.now();
    let fields = 0;
    let next = makeBatch(Math.min(batch, keys));
    for (let done = 0; done < keys; ) {
      const cur = next;
      const n = Math.min(batch, keys - done);
      const sending = Promise.all([a.run(cur.bytes, n), b.run(cur.bytes, n)]);
      done += n;
      fields += cur.fields;
      // Build the next batch while both servers work on this one.
      if (done < keys) next = makeBatch(Math.min(batch, keys - done));
      await sending;
      if (done % (batch * 200) === 0) log(`  ${done.toLocaleString('en-US')} keys loaded (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    const [sizeA, sizeB] = await Promise.all([a.command(['DBSIZE']), b.command(['DBSIZE'])]);
    if (sizeA !== `:${keys}` || sizeB !== `:${keys}`) throw new Error(`DBSIZE mismatch: redis ${sizeA}, reddish ${sizeB}, expected ${keys}`);
    let reddishInfo = '';
    let reddishRssMin = Infinity;
    for (let i = 0; i <= settle; i++) {
      if (i > 0) await sleep(1000);
      reddishInfo = await b.command(['INFO', 'memory']);
      reddishRssMin = Math.min(reddishRssMin, infoField(reddishInfo, 'used_memory_rss'));
    }
    const redisInfo = await a.command(['INFO', 'memory']);
    a.close();
    b.close();
    const redisRss = infoField(redisInfo, 'used_memory_rss');
    const reddishRss = infoField(reddishInfo, 'used_memory_rss');
    return {
      keys,
      fields,
      redisRss,
      reddishRss,
      reddishRssMin,
      redisUsed: infoField(redisInfo, 'used_memory'),
      reddishUsed: infoField(reddishInfo, 'used_memory'),
      ratio: reddishRss / redisRss,
      loadSeconds,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  }
}

const MiB = 1024 * 1024;

export function memoryTable(r: MemoryResult): string {
  const mib = (n: number) => (n / MiB).toFixed(1);
  return [
    `| keys | fields | redis RSS (MiB) | reddish RSS (MiB) | ratio | redis used_memory | reddish used_memory | load (s) |`,
    `|---:|---:|---:|---:|---:|---:|---:|---:|`,
    `| ${r.keys.toLocaleString('en-US')} | ${r.fields.toLocaleString('en-US')} | ${mib(r.redisRss)} | ${mib(r.reddishRss)} (min ${mib(r.reddishRssMin)}) | ${r.ratio.toFixed(2)}× | ${mib(r.redisUsed)} | ${mib(r.reddishUsed)} | ${r.loadSeconds.toFixed(1)} |`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      keys: { type: 'string', default: '200000' },
      batch: { type: 'string', default: '1000' },
      settle: { type: 'string', default: '10' },
    },
  });
  const r = await benchMemory(Number(values.keys), { batch: Number(values.batch), settleSeconds: Number(values.settle) });
  process.stdout.write(`\n### Memory: hash dataset (HMSET session:<uuid>, 1–10 fields)\n\n${memoryTable(r)}\n`);
  process.stdout.write(`\nreddish / redis RSS = ${r.ratio.toFixed(2)}× (target ≤ 1.5×)\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
