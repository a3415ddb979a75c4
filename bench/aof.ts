/**
 * Append-only file, redis-server and reddish in the same run (`npm run bench -- --only aof`, or
 * `node dist/bench/aof.js --keys 2000000 --requests 100000`):
 *  - SET throughput (redis-benchmark -c 50, -P 1 and -P 16) with `appendonly yes` under
 *    `appendfsync everysec` and `always`, each server in a fresh dir of the same filesystem;
 *  - BGREWRITEAOF wall time of the lab's session-hash dataset (same seed on both servers),
 *    from the command to `aof_rewrite_in_progress:0`, and the new base file's size.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { spawnServer, type SpawnedServer } from '../src/lab/processes.js';
import { generate } from '../src/lab/datagen.js';
import { RespClient, plain } from '../test/helpers/resp.js';
import { redisBenchmarkOne } from './redis-benchmark.js';

export interface AofRow {
  fsync: 'everysec' | 'always';
  pipeline: number;
  redis: number;
  reddish: number;
}

export interface RewriteResult {
  keys: number;
  redisSeconds: number;
  reddishSeconds: number;
  redisBaseBytes: number;
  reddishBaseBytes: number;
}

async function aofServer(kind: 'redis' | 'reddish', fsync: string): Promise<SpawnedServer> {
  return spawnServer(kind, ['--appendonly', 'yes', '--appendfsync', fsync, '--save', '']);
}

export async function benchAofWrites(requests: number, log: (m: string) => void): Promise<AofRow[]> {
  const rows: AofRow[] = [];
  for (const fsync of ['everysec', 'always'] as const) {
    for (const pipeline of [1, 16]) {
      const n = fsync === 'always' && pipeline === 1 ? Math.max(1000, Math.round(requests / 4)) : requests;
      const rps: Record<string, number> = {};
      for (const kind of ['redis', 'reddish'] as const) {
        const s = await aofServer(kind, fsync);
        try {
          // A short warm-up (JIT, file creation) before the measured run.
          await redisBenchmarkOne(s.port, { test: 'set', requests: Math.min(n, 5000), pipeline, keyspace: 100000 });
          rps[kind] = (await redisBenchmarkOne(s.port, { test: 'set', requests: n, pipeline, keyspace: 100000 })).rps;
        } finally {
          await s.stop('SIGKILL');
        }
      }
      rows.push({ fsync, pipeline, redis: rps.redis, reddish: rps.reddish });
      log(`  SET appendfsync ${fsync} -P ${pipeline}: redis ${Math.round(rps.redis)} reddish ${Math.round(rps.reddish)}`);
    }
  }
  return rows;
}

async function rewriteOnce(kind: 'redis' | 'reddish', keys: number, log: (m: string) => void): Promise<{ seconds: number; baseBytes: number }> {
  const s = await aofServer(kind, 'everysec');
  try {
    log(`  ${kind}: loading ${keys} session hashes...`);
    await generate({ type: 'hash', qty: keys, prefix: 'session', port: s.port, seed: 2020 });
    const c = await RespClient.connect(s.port);
    try {
      const persistence = async () => String(plain(await c.call('INFO', 'persistence')));
      const field = (info: string, name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
      // The startup rewrite (if any) must be over before the timed one.
      while (field(await persistence(), 'aof_rewrite_in_progress') === 1) await new Promise((r) => setTimeout(r, 50));
      const before = field(await persistence(), 'aof_rewrites');
      const t0 = process.hrtime.bigint();
      await c.call('BGREWRITEAOF');
      for (;;) {
        const info = await persistence();
        if (field(info, 'aof_rewrites') > before && field(info, 'aof_rewrite_in_progress') === 0) {
          if (!/aof_last_bgrewrite_status:ok/.test(info)) throw new Error(`${kind}: BGREWRITEAOF failed`);
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      // The base named in the manifest (an old one may not be deleted yet).
      const dir = join(s.dir, 'appendonlydir');
      const manifest = readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.manifest'))!), 'latin1');
      const base = /^file (\S+) seq \d+ type b$/m.exec(manifest)?.[1];
      return { seconds, baseBytes: base ? statSync(join(dir, base)).size : 0 };
    } finally {
      c.close();
    }
  } finally {
    await s.stop('SIGKILL');
  }
}

export async function benchAofRewrite(keys: number, log: (m: string) => void): Promise<RewriteResult> {
  const r = await rewriteOnce('redis', keys, log);
  const d = await rewriteOnce('reddish', keys, log);
  log(`  BGREWRITEAOF: redis ${r.seconds.toFixed(2)} s, reddish ${d.seconds.toFixed(2)} s`);
  return { keys, redisSeconds: r.seconds, reddishSeconds: d.seconds, redisBaseBytes: r.baseBytes, reddishBaseBytes: d.baseBytes };
}

export function aofTable(rows: AofRow[], rw: RewriteResult | null): string {
  const lines = ['| SET, appendonly yes | pipeline | redis-server req/s | reddish req/s | ratio | target |', '|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const ratio = r.redis > 0 ? r.reddish / r.redis : 0;
    const target = r.pipeline === 1 ? 0.7 : 0.5;
    lines.push(
      `| appendfsync ${r.fsync} | ${r.pipeline} | ${Math.round(r.redis).toLocaleString('en-US')} | ${Math.round(r.reddish).toLocaleString('en-US')} | ${ratio.toFixed(2)}× | ≥ ${target}× ${ratio >= target ? '✓' : '✗'} |`,
    );
  }
  if (rw !== null) {
    const ratio = rw.reddishSeconds / rw.redisSeconds;
    const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
    lines.push(
      '',
      `| BGREWRITEAOF, ${rw.keys.toLocaleString('en-US')} session hashes | redis-server | reddish | ratio | target |`,
      '|---|---:|---:|---:|---:|',
      `| wall time | ${rw.redisSeconds.toFixed(2)} s | ${rw.reddishSeconds.toFixed(2)} s | ${ratio.toFixed(2)}× | ≤ 1.5× ${ratio <= 1.5 ? '✓' : '✗'} |`,
      `| base file | ${mb(rw.redisBaseBytes)} | ${mb(rw.reddishBaseBytes)} | | |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { keys: { type: 'string', default: '2000000' }, requests: { type: 'string', default: '100000' } } });
  const log = (m: string) => process.stderr.write(m + '\n');
  (async () => {
    const rows = await benchAofWrites(Number(values.requests), log);
    const rw = Number(values.keys) > 0 ? await benchAofRewrite(Number(values.keys), log) : null;
    process.stdout.write(`\n### Append-only file\n\n${aofTable(rows, rw)}\n`);
  })().catch((e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
