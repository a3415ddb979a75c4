/**
 * RDB benchmark for the lab's dataset (session hashes from `reddish datagen`, same seed on both
 * servers): BGSAVE wall time, file size, and load time at startup, for redis-server and reddish
 * in the same run. `node dist/bench/rdb.js --keys 2000000` or `npm run bench -- --only rdb`.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { spawnServer, type SpawnedServer } from '../src/lab/processes.js';
import { generate } from '../src/lab/datagen.js';
import { RespClient, plain } from '../test/helpers/resp.js';
import { redisBenchmarkOne } from './redis-benchmark.js';

export interface RdbResult {
  server: 'redis' | 'reddish';
  keys: number;
  bgsaveSeconds: number;
  bytes: number;
  loadSeconds: number;
  /**
   * redis-benchmark SET p99 (ms) without a snapshot, and while a BGSAVE runs: the median over
   * `pairs` (one p99 is one sample of a noisy tail; the pairs are kept for the report).
   */
  p99Idle: number;
  p99DuringBgsave: number;
  pairs: { idle: number; during: number }[];
}

/** Idle/during-BGSAVE latency measurements per server (each pair: one p99 without, one during). */
const P99_PAIRS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** redis-benchmark's p99 latency (ms) for SET with 50 clients. */
async function benchP99(port: number, requests: number): Promise<number> {
  // Database 1: the keys it creates are flushed before the timed save and the load.
  return (await redisBenchmarkOne(port, { test: 'set', requests, keyspace: 1000000, db: 1 })).p99Ms;
}

async function waitBgsave(c: RespClient): Promise<void> {
  for (;;) {
    const info = plain(await c.call('INFO', 'persistence')) as string;
    if (/rdb_bgsave_in_progress:0/.test(info)) {
      if (!/rdb_last_bgsave_status:ok/.test(info)) throw new Error('BGSAVE failed');
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function measure(kind: 'redis' | 'reddish', keys: number): Promise<RdbResult> {
  let s: SpawnedServer = await spawnServer(kind);
  try {
    await generate({ type: 'hash', qty: keys, prefix: 'session', port: s.port, seed: 2020 });
    const c = await RespClient.connect(s.port);
    // Latency under load, first without a snapshot (also warms reddish's JIT), then during one;
    // repeated, because a single p99 moves 2x between runs on a shared machine.
    await benchP99(s.port, 50000);
    const pairs: { idle: number; during: number }[] = [];
    for (let i = 0; i < P99_PAIRS; i++) {
      const idle = await benchP99(s.port, 100000);
      const reply = plain(await c.call('BGSAVE'));
      if (reply !== 'Background saving started') throw new Error(`BGSAVE: ${JSON.stringify(reply)}`);
      const during = await benchP99(s.port, 100000);
      await waitBgsave(c);
      pairs.push({ idle, during });
    }
    const p99Idle = median(pairs.map((p) => p.idle));
    const p99DuringBgsave = median(pairs.map((p) => p.during));
    // The timed save above ran under load; time one on a quiet server, with only the lab's
    // dataset, for the wall-time and load rows.
    await c.call('SELECT', '1');
    await c.call('FLUSHDB');
    const t1 = performance.now();
    plain(await c.call('BGSAVE'));
    await waitBgsave(c);
    const quietSeconds = (performance.now() - t1) / 1000;
    c.close();
    const bytes = statSync(join(s.dir, 'dump.rdb')).size;
    const dir = s.dir;
    await s.stop();
    s = await spawnServer(kind, [], { dir });
    const line = await s.waitForLog(/DB loaded from disk: [\d.]+ seconds/, 120000);
    const loadSeconds = Number(/DB loaded from disk: ([\d.]+) seconds/.exec(line)![1]);
    return { server: kind, keys, bgsaveSeconds: quietSeconds, bytes, loadSeconds, p99Idle, p99DuringBgsave, pairs };
  } finally {
    await s.stop();
  }
}

export async function benchRdb(keys: number, log: (m: string) => void = () => undefined): Promise<RdbResult[]> {
  const out: RdbResult[] = [];
  for (const kind of ['redis', 'reddish'] as const) {
    log(`  ${kind}: loading ${keys} hashes, BGSAVE, restart...`);
    out.push(await measure(kind, keys));
  }
  return out;
}

export function rdbTable(rows: RdbResult[]): string {
  const [r, d] = rows;
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  return [
    '| metric | redis-server | reddish | ratio | target |',
    '|---|---:|---:|---:|---:|',
    `| BGSAVE wall time (s) | ${r.bgsaveSeconds.toFixed(2)} | ${d.bgsaveSeconds.toFixed(2)} | ${(d.bgsaveSeconds / r.bgsaveSeconds).toFixed(2)}× | ≤ 2× |`,
    `| load at startup (s) | ${r.loadSeconds.toFixed(2)} | ${d.loadSeconds.toFixed(2)} | ${(d.loadSeconds / r.loadSeconds).toFixed(2)}× | ≤ 2× |`,
    `| RDB size (MiB) | ${mib(r.bytes)} | ${mib(d.bytes)} | ${(d.bytes / r.bytes).toFixed(3)}× | within 10% |`,
    `| SET p99 without a snapshot (ms, median of ${P99_PAIRS}) | ${r.p99Idle.toFixed(3)} | ${d.p99Idle.toFixed(3)} | | |`,
    `| SET p99 during BGSAVE (ms, median of ${P99_PAIRS}) | ${r.p99DuringBgsave.toFixed(3)} | ${d.p99DuringBgsave.toFixed(3)} | | |`,
    `| p99 during BGSAVE / p99 without | ${(r.p99DuringBgsave / r.p99Idle).toFixed(2)}× | ${(d.p99DuringBgsave / d.p99Idle).toFixed(2)}× | | reddish ≤ 2× |`,
    '',
    `Each p99 pair (without → during): redis-server ${pairsText(r)}; reddish ${pairsText(d)}.`,
  ].join('\n');
}

function pairsText(row: RdbResult): string {
  return row.pairs.map((p) => `${p.idle.toFixed(2)} → ${p.during.toFixed(2)}`).join(', ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { keys: { type: 'string', default: '2000000' } } });
  const keys = Number(values.keys);
  const rows = await benchRdb(keys, (m) => process.stderr.write(m + '\n'));
  process.stdout.write(`\n### RDB: ${keys.toLocaleString('en-US')} session hashes\n\n${rdbTable(rows)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
