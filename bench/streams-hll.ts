/**
 * Streams and HyperLogLog, redis-server and reddish in the same run (`npm run bench -- --only
 * streams`, or `node dist/bench/streams-hll.js --entries 1000000`):
 *  - memory: one stream of `entries` entries of 3 fields (XADD * from redis-benchmark, -P 100),
 *    used_memory_rss of both servers after the load settles;
 *  - throughput (redis-benchmark -c 50, -P 1 and -P 16): XADD to 100 streams, XREADGROUP of
 *    one new entry at a time from a prefilled stream, PFADD of random elements, PFCOUNT.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { spawnServer, type SpawnedServer } from '../src/lab/processes.js';
import { RespClient, plain } from '../test/helpers/resp.js';
import { redisBenchmarkOne } from './redis-benchmark.js';

export interface Row {
  test: string;
  pipeline: number;
  redis: number;
  reddish: number;
}

export interface StreamMemory {
  entries: number;
  redisRss: number;
  reddishRss: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function info(port: number, field: string): Promise<number> {
  const c = await RespClient.connect(port);
  try {
    const text = String(plain(await c.call('INFO', 'all')));
    const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  } finally {
    c.close();
  }
}

async function call(port: number, ...args: string[]): Promise<unknown> {
  const c = await RespClient.connect(port);
  try {
    return plain(await c.call(...args));
  } finally {
    c.close();
  }
}

async function hasCommand(port: number, name: string): Promise<boolean> {
  const r = (await call(port, 'COMMAND', 'INFO', name)) as unknown[];
  return Array.isArray(r) && r[0] !== null;
}

async function streamMemory(port: number, entries: number): Promise<number> {
  await redisBenchmarkOne(port, { test: 'xadd', requests: entries, clients: 1, pipeline: 100, command: ['XADD', 'bigstream', '*', 'field_1', 'value:__rand_int__', 'field_2', 'lorem ipsum', 'field_3', '__rand_int__'] });
  const len = Number(await call(port, 'XLEN', 'bigstream'));
  if (len !== entries) throw new Error(`stream has ${len} entries, expected ${entries}`);
  // RSS after allocation settles (V8 collects when it decides to): the lowest of a few samples.
  let rss = Infinity;
  for (let i = 0; i < 5; i++) {
    await sleep(1000);
    rss = Math.min(rss, await info(port, 'used_memory_rss'));
  }
  return rss;
}

async function prefillGroup(port: number, entries: number): Promise<void> {
  await call(port, 'DEL', 'rg');
  await redisBenchmarkOne(port, { test: 'xadd', requests: entries, clients: 1, pipeline: 100, command: ['XADD', 'rg', '*', 'f', 'v'] });
  await call(port, 'XGROUP', 'CREATE', 'rg', 'g', '0');
}

async function throughput(port: number, test: string, pipeline: number, requests: number): Promise<number> {
  switch (test) {
    case 'XADD':
      return (await redisBenchmarkOne(port, { test, requests, pipeline, keyspace: 100, command: ['XADD', 'stream:__rand_int__', 'MAXLEN', '~', '10000', '*', 'f', 'v'] })).rps;
    case 'XREADGROUP': {
      await prefillGroup(port, requests + 1000);
      return (await redisBenchmarkOne(port, { test, requests, pipeline, command: ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 'rg', '>'] })).rps;
    }
    case 'PFADD':
      return (await redisBenchmarkOne(port, { test, requests, pipeline, keyspace: 1000000, command: ['PFADD', 'hll', 'element:__rand_int__'] })).rps;
    default:
      return (await redisBenchmarkOne(port, { test, requests, pipeline, command: ['PFCOUNT', 'hll'] })).rps;
  }
}

export async function benchStreamsHll(entries: number, requests: number, log: (m: string) => void): Promise<{ memory: StreamMemory; rows: Row[] }> {
  const servers: SpawnedServer[] = [];
  try {
    const redis = await spawnServer('redis', ['--appendonly', 'no', '--save', '']);
    servers.push(redis);
    const reddish = await spawnServer('reddish', ['--save', '']);
    servers.push(reddish);
    log(`  loading a stream of ${entries} entries into both servers...`);
    const redisRss = await streamMemory(redis.port, entries);
    const reddishRss = await streamMemory(reddish.port, entries);
    await call(redis.port, 'FLUSHALL');
    await call(reddish.port, 'FLUSHALL');
    const rows: Row[] = [];
    const tests = ['XADD', 'PFADD', 'PFCOUNT'];
    if (await hasCommand(reddish.port, 'xreadgroup')) tests.splice(1, 0, 'XREADGROUP');
    for (const pipeline of [1, 16]) {
      for (const test of tests) {
        const n = requests * (pipeline > 1 ? 4 : 1);
        await throughput(reddish.port, test, pipeline, Math.min(n, 20000));
        const r = await throughput(redis.port, test, pipeline, n);
        const d = await throughput(reddish.port, test, pipeline, n);
        rows.push({ test, pipeline, redis: r, reddish: d });
        log(`  ${test} -P ${pipeline}: redis ${Math.round(r)} reddish ${Math.round(d)}`);
      }
    }
    return { memory: { entries, redisRss, reddishRss }, rows };
  } finally {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  }
}

export function streamsHllTable(r: { memory: StreamMemory; rows: Row[] }): string {
  const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
  const m = r.memory;
  const mr = m.reddishRss / m.redisRss;
  const lines = [
    `| stream of ${m.entries.toLocaleString('en-US')} entries × 3 fields | redis-server | reddish | ratio | target |`,
    '|---|---:|---:|---:|---:|',
    `| used_memory_rss | ${mb(m.redisRss)} | ${mb(m.reddishRss)} | ${mr.toFixed(2)}× | ≤ 1.5× ${mr <= 1.5 ? '✓' : '✗'} |`,
    '',
    '| test | pipeline | redis-server req/s | reddish req/s | ratio | target |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of r.rows) {
    const ratio = row.redis > 0 ? row.reddish / row.redis : 0;
    lines.push(`| ${row.test} | ${row.pipeline} | ${Math.round(row.redis).toLocaleString('en-US')} | ${Math.round(row.reddish).toLocaleString('en-US')} | ${ratio.toFixed(2)}× | ≥ 0.7× ${ratio >= 0.7 ? '✓' : '✗'} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { entries: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '100000' } } });
  benchStreamsHll(Number(values.entries), Number(values.requests), (m) => process.stderr.write(m + '\n'))
    .then((r) => process.stdout.write(`\n### Streams and HyperLogLog\n\n${streamsHllTable(r)}\n`))
    .catch((e) => {
      process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    });
}
