/**
 * Replication benchmark, redis-server and reddish in the same run (`npm run bench -- --only
 * replication`, or `node dist/bench/replication.js --keys 2000000`):
 *  - full sync of the lab's dataset over loopback, disk target (REPLICAOF → master_link_status:up),
 *    each server replicating to its own kind;
 *  - write throughput (redis-benchmark) on a master with one online replica attached.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { spawnServer, type SpawnedServer } from '../src/lab/processes.js';
import { generate } from '../src/lab/datagen.js';
import { RespClient, plain } from '../test/helpers/resp.js';
import { redisBenchmarkOne } from './redis-benchmark.js';

export interface SyncResult {
  server: 'redis' | 'reddish';
  keys: number;
  syncSeconds: number;
}

export interface WriteRow {
  test: string;
  pipeline: number;
  redis: number;
  reddish: number;
}

async function infoField(c: RespClient, section: string, field: string): Promise<string | null> {
  const text = plain(await c.call('INFO', section)) as string;
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(text);
  return m ? m[1].trim() : null;
}

async function waitLinkUp(replica: RespClient, master: RespClient, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await infoField(replica, 'replication', 'master_link_status')) === 'up') {
      const off = await infoField(master, 'replication', 'master_repl_offset');
      if ((await infoField(replica, 'replication', 'slave_repl_offset')) === off) return;
    }
    if (Date.now() > deadline) throw new Error('replica did not come up in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withPair<T>(kind: 'redis' | 'reddish', fn: (m: SpawnedServer, r: SpawnedServer, mc: RespClient, rc: RespClient) => Promise<T>): Promise<T> {
  const m = await spawnServer(kind, ['--repl-diskless-sync', 'no']);
  const r = await spawnServer(kind);
  const mc = await RespClient.connect(m.port);
  const rc = await RespClient.connect(r.port);
  try {
    return await fn(m, r, mc, rc);
  } finally {
    mc.close();
    rc.close();
    await Promise.all([m.stop(), r.stop()]);
  }
}

async function measureSync(kind: 'redis' | 'reddish', keys: number): Promise<SyncResult> {
  return withPair(kind, async (m, _r, mc, rc) => {
    await generate({ type: 'hash', qty: keys, prefix: 'session', port: m.port, seed: 2020 });
    const t0 = performance.now();
    const ok = plain(await rc.call('REPLICAOF', '127.0.0.1', String(m.port)));
    if (ok !== 'OK') throw new Error(`REPLICAOF: ${JSON.stringify(ok)}`);
    await waitLinkUp(rc, mc, 600000);
    return { server: kind, keys, syncSeconds: (performance.now() - t0) / 1000 };
  });
}

async function writeRate(port: number, test: string, pipeline: number, requests: number): Promise<number> {
  return (await redisBenchmarkOne(port, { test, pipeline, requests })).rps;
}

async function measureWrites(kind: 'redis' | 'reddish', tests: string[], pipelines: number[], requests: number): Promise<Map<string, number>> {
  return withPair(kind, async (m, _r, mc, rc) => {
    await rc.call('REPLICAOF', '127.0.0.1', String(m.port));
    await waitLinkUp(rc, mc, 60000);
    const out = new Map<string, number>();
    for (const pipeline of pipelines) {
      for (const test of tests) {
        const n = requests * (pipeline > 1 ? 4 : 1);
        if (kind === 'reddish') await writeRate(m.port, test, pipeline, Math.min(n, 50000)); // JIT warm-up
        out.set(`${test}/${pipeline}`, await writeRate(m.port, test, pipeline, n));
      }
    }
    // The replica must have kept up with everything (the benchmark is only valid if it did).
    await waitLinkUp(rc, mc, 120000);
    return out;
  });
}

export async function benchReplication(keys: number, requests: number, log: (m: string) => void = () => undefined): Promise<{ sync: SyncResult[]; writes: WriteRow[] }> {
  const sync: SyncResult[] = [];
  for (const kind of ['redis', 'reddish'] as const) {
    log(`  ${kind}: ${keys} hashes, full sync to a replica...`);
    sync.push(await measureSync(kind, keys));
    log(`    ${sync[sync.length - 1].syncSeconds.toFixed(2)} s`);
  }
  if (requests === 0) return { sync, writes: [] };
  const tests = ['set', 'incr', 'lpush', 'hset'];
  const pipelines = [1, 16];
  log('  writes with one replica attached...');
  const redis = await measureWrites('redis', tests, pipelines, requests);
  const reddish = await measureWrites('reddish', tests, pipelines, requests);
  const writes: WriteRow[] = [];
  for (const pipeline of pipelines) {
    for (const test of tests) {
      const key = `${test}/${pipeline}`;
      writes.push({ test: test.toUpperCase(), pipeline, redis: redis.get(key) ?? 0, reddish: reddish.get(key) ?? 0 });
    }
  }
  return { sync, writes };
}

export function replicationTable(res: { sync: SyncResult[]; writes: WriteRow[] }): string {
  const [r, d] = res.sync;
  const lines = [
    '| metric | redis-server | reddish | ratio | target |',
    '|---|---:|---:|---:|---:|',
    `| full sync of ${r.keys.toLocaleString('en-US')} hashes, disk target, loopback (s) | ${r.syncSeconds.toFixed(2)} | ${d.syncSeconds.toFixed(2)} | ${(d.syncSeconds / r.syncSeconds).toFixed(2)}× | ≤ 1.5× |`,
  ];
  for (const w of res.writes) {
    const ratio = w.redis > 0 ? w.reddish / w.redis : 0;
    lines.push(
      `| ${w.test} -P ${w.pipeline} with one replica (req/s) | ${Math.round(w.redis).toLocaleString('en-US')} | ${Math.round(w.reddish).toLocaleString('en-US')} | ${ratio.toFixed(2)}× | ≥ 0.8× |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { keys: { type: 'string', default: '2000000' }, requests: { type: 'string', default: '200000' } } });
  const res = await benchReplication(Number(values.keys), Number(values.requests), (m) => process.stderr.write(m + '\n'));
  process.stdout.write(`${replicationTable(res)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
