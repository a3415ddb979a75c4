/**
 * Scripting benchmark, redis-server and reddish in the same run (`npm run bench -- --only
 * scripting`, or `node dist/bench/scripting.js`):
 *  - redis-benchmark sending EVALSHA of a small GET/INCR script (-c 50, -P 1 and -P 16);
 *  - BullMQ's own throughput: N jobs added in bulk, then processed by one worker of
 *    concurrency 10 (jobs/s for each phase).
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { spawnServer, type SpawnedServer } from '../src/lab/processes.js';
import { RespClient, plain } from '../test/helpers/resp.js';
import { redisBenchmarkOne } from './redis-benchmark.js';

const SCRIPT = "local v = redis.call('INCR', KEYS[1]) if v % 2 == 0 then return redis.call('GET', KEYS[1]) end return v";

export interface ScriptRow {
  test: string;
  pipeline: number;
  redis: number;
  reddish: number;
  unit: string;
}

async function evalshaRps(port: number, pipeline: number, requests: number): Promise<number> {
  const c = await RespClient.connect(port);
  const sha = String(plain(await c.call('SCRIPT', 'LOAD', SCRIPT)));
  c.close();
  const row = await redisBenchmarkOne(port, { test: 'evalsha', requests, pipeline, command: ['EVALSHA', sha, '1', 'counter:__rand_int__'] });
  return row.rps;
}

export interface BullmqResult {
  addPerSec: number;
  processPerSec: number;
}

export async function bullmqThroughput(port: number, jobs: number): Promise<BullmqResult> {
  const connection = { host: '127.0.0.1', port };
  const name = `bench-${Date.now()}`;
  const queue = new Queue(name, { connection });
  try {
    const t0 = performance.now();
    for (let i = 0; i < jobs; i += 1000) {
      const batch = [];
      for (let j = i; j < Math.min(jobs, i + 1000); j++) batch.push({ name: 'job', data: { n: j }, opts: { removeOnComplete: true } });
      await queue.addBulk(batch);
    }
    const addSeconds = (performance.now() - t0) / 1000;
    let done = 0;
    const t1 = performance.now();
    const worker = new Worker(name, async (job) => job.data.n, { connection, concurrency: 10 });
    await new Promise<void>((resolve, reject) => {
      worker.on('completed', () => {
        if (++done === jobs) resolve();
      });
      worker.on('failed', (_job, err) => reject(err));
    });
    const processSeconds = (performance.now() - t1) / 1000;
    await worker.close();
    return { addPerSec: jobs / addSeconds, processPerSec: jobs / processSeconds };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

export async function benchScripting(requests: number, jobs: number, log: (m: string) => void): Promise<ScriptRow[]> {
  const rows: ScriptRow[] = [];
  const servers: SpawnedServer[] = [];
  try {
    const redis = await spawnServer('redis', ['--appendonly', 'no', '--save', '']);
    servers.push(redis);
    const reddish = await spawnServer('reddish', ['--save', '']);
    servers.push(reddish);
    for (const pipeline of [1, 16]) {
      const n = requests * (pipeline > 1 ? 4 : 1);
      // Warm up reddish's JIT (and the Lua VM) so the measured run is steady state.
      await evalshaRps(reddish.port, pipeline, Math.min(n, 20000));
      const r = await evalshaRps(redis.port, pipeline, n);
      const d = await evalshaRps(reddish.port, pipeline, n);
      rows.push({ test: 'EVALSHA (INCR + GET script)', pipeline, redis: r, reddish: d, unit: 'req/s' });
      log(`  evalsha -P ${pipeline}: redis ${Math.round(r)} reddish ${Math.round(d)}`);
    }
    await bullmqThroughput(reddish.port, Math.min(jobs, 2000));
    const br = await bullmqThroughput(redis.port, jobs);
    const bd = await bullmqThroughput(reddish.port, jobs);
    rows.push({ test: `BullMQ addBulk ${jobs} jobs`, pipeline: 0, redis: br.addPerSec, reddish: bd.addPerSec, unit: 'jobs/s' });
    rows.push({ test: `BullMQ worker (concurrency 10)`, pipeline: 0, redis: br.processPerSec, reddish: bd.processPerSec, unit: 'jobs/s' });
    log(`  bullmq: redis add ${Math.round(br.addPerSec)}/s process ${Math.round(br.processPerSec)}/s; reddish add ${Math.round(bd.addPerSec)}/s process ${Math.round(bd.processPerSec)}/s`);
  } finally {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  }
  return rows;
}

export function scriptingTable(rows: ScriptRow[], target = 0.7): string {
  const lines = ['| test | pipeline | redis-server | reddish | ratio | target |', '|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const ratio = r.redis > 0 ? r.reddish / r.redis : 0;
    const fmt = (v: number) => `${Math.round(v).toLocaleString('en-US')} ${r.unit}`;
    lines.push(`| ${r.test} | ${r.pipeline || '—'} | ${fmt(r.redis)} | ${fmt(r.reddish)} | ${ratio.toFixed(2)}× | ≥ ${target}× ${ratio >= target ? '✓' : '✗'} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '100000' }, jobs: { type: 'string', default: '20000' } } });
  benchScripting(Number(values.requests), Number(values.jobs), (m) => process.stderr.write(m + '\n'))
    .then((rows) => process.stdout.write(`\n### Scripting\n\n${scriptingTable(rows)}\n`))
    .catch((e) => {
      process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    });
}
