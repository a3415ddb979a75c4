/**
 * npm run bench [-- --requests N --only core]
 *
 * Runs redis-benchmark against reddish and redis-server in the same run, alternating between
 * the two servers for each row, and prints a Markdown table of requests/s with the ratio
 * reddish / redis. Ratios, not absolute numbers, are what compare across noisy machines.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { spawnServer, type SpawnedServer } from '../src/lab/processes.js';
import { benchMemory, memoryTable } from './memory.js';
import { redisBenchmark } from './redis-benchmark.js';
import { benchRdb, rdbTable } from './rdb.js';
import { benchReplication, replicationTable } from './replication.js';
import { benchScripting, scriptingTable } from './scripting.js';
import { benchStreamsHll, streamsHllTable } from './streams-hll.js';
import { benchAofWrites, benchAofRewrite, aofTable } from './aof.js';

interface Row {
  test: string;
  pipeline: number;
  redis: number;
  reddish: number;
}

async function runBenchmark(port: number, test: string, pipeline: number, requests: number, clients: number): Promise<Map<string, number>> {
  const rows = await redisBenchmark(port, { test, pipeline, requests, clients });
  return new Map([...rows].map(([name, r]) => [name, r.rps]));
}

export async function benchThroughput(tests: string[], pipelines: number[], requests: number, clients = 50): Promise<Row[]> {
  const redis = await spawnServer('redis', ['--appendonly', 'no']);
  const reddish = await spawnServer('reddish');
  const rows: Row[] = [];
  try {
    for (const pipeline of pipelines) {
      for (const test of tests) {
        const n = requests * (pipeline > 1 ? 4 : 1);
        // Warm up reddish's JIT so the measured run is steady state, as Redis's is.
        await runBenchmark(reddish.port, test, pipeline, Math.min(n, 50000), clients);
        const r1 = await runBenchmark(redis.port, test, pipeline, n, clients);
        const d1 = await runBenchmark(reddish.port, test, pipeline, n, clients);
        for (const [name, rps] of r1) rows.push({ test: name, pipeline, redis: rps, reddish: d1.get(name) ?? 0 });
        process.stderr.write(`  ${test} -P ${pipeline}: redis ${[...r1.values()][0]} reddish ${[...d1.values()][0]}\n`);
      }
    }
  } finally {
    await stopAll([redis, reddish]);
  }
  return rows;
}

async function stopAll(servers: SpawnedServer[]): Promise<void> {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
}

export function throughputTable(rows: Row[], targets: Record<number, number>): string {
  const lines = ['| test | pipeline | redis-server req/s | reddish req/s | ratio | target |', '|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const ratio = r.redis > 0 ? r.reddish / r.redis : 0;
    const target = targets[r.pipeline] ?? 0;
    lines.push(
      `| ${r.test} | ${r.pipeline} | ${Math.round(r.redis).toLocaleString('en-US')} | ${Math.round(r.reddish).toLocaleString('en-US')} | ${ratio.toFixed(2)}× | ≥ ${target}× ${ratio >= target ? '✓' : '✗'} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '200000' },
      only: { type: 'string' },
      clients: { type: 'string', default: '50' },
      'memory-keys': { type: 'string', default: '2000000' },
    },
  });
  const requests = Number(values.requests);
  const only = values.only ? values.only.split(',') : null;
  const want = (name: string) => only === null || only.includes(name);
  const targets = { 1: 0.8, 16: 0.5 };

  if (want('core')) {
    process.stderr.write('core commands (redis-benchmark -c 50, -P 1 and -P 16)...\n');
    const rows = await benchThroughput(['set', 'get', 'incr', 'mset'], [1, 16], requests, Number(values.clients));
    process.stdout.write(`\n### Core commands (redis-benchmark -c ${values.clients})\n\n${throughputTable(rows, targets)}\n`);
  }
  if (want('types')) {
    process.stderr.write('data types (redis-benchmark -c 50, -P 1 and -P 16)...\n');
    const rows = await benchThroughput(['hset', 'lpush', 'rpush', 'lpop', 'sadd', 'spop', 'zadd', 'zpopmin', 'lrange_100'], [1, 16], Math.round(requests / 2), Number(values.clients));
    process.stdout.write(`\n### Data types (redis-benchmark -c ${values.clients})\n\n${throughputTable(rows, targets)}\n`);
  }
  if (want('memory')) {
    const keys = Number(values['memory-keys']);
    process.stderr.write(`memory: loading ${keys} session hashes into both servers...\n`);
    const r = await benchMemory(keys, { log: (m) => process.stderr.write(m + '\n') });
    process.stdout.write(`\n### Memory: ${keys.toLocaleString('en-US')} hashes session:<uuid> (1-10 fields)\n\n${memoryTable(r)}\n`);
  }
  if (want('rdb')) {
    const keys = Number(values['memory-keys']);
    process.stderr.write(`rdb: ${keys} session hashes, BGSAVE and load on both servers...\n`);
    const rows = await benchRdb(keys, (m) => process.stderr.write(m + '\n'));
    process.stdout.write(`\n### RDB: ${keys.toLocaleString('en-US')} session hashes\n\n${rdbTable(rows)}\n`);
  }
  if (want('replication')) {
    const keys = Number(values['memory-keys']);
    process.stderr.write(`replication: full sync of ${keys} session hashes, writes with a replica...\n`);
    const res = await benchReplication(keys, requests, (m) => process.stderr.write(m + '\n'));
    process.stdout.write(`\n### Replication\n\n${replicationTable(res)}\n`);
  }
  if (want('streams')) {
    process.stderr.write('streams and HyperLogLog: a 1,000,000-entry stream, XADD/XREADGROUP/PFADD/PFCOUNT...\n');
    const r = await benchStreamsHll(1000000, Math.round(requests / 2), (m) => process.stderr.write(m + '\n'));
    process.stdout.write(`\n### Streams and HyperLogLog\n\n${streamsHllTable(r)}\n`);
  }
  if (want('aof')) {
    const keys = Number(values['memory-keys']);
    process.stderr.write(`aof: SET with appendonly yes (everysec, always), BGREWRITEAOF of ${keys} session hashes...\n`);
    const log = (m: string) => process.stderr.write(m + '\n');
    const rows = await benchAofWrites(Math.round(requests / 2), log);
    const rw = keys > 0 ? await benchAofRewrite(keys, log) : null;
    process.stdout.write(`\n### Append-only file\n\n${aofTable(rows, rw)}\n`);
  }
  if (want('scripting')) {
    process.stderr.write('scripting: EVALSHA with redis-benchmark, BullMQ add + process...\n');
    const rows = await benchScripting(Math.round(requests / 2), 20000, (m) => process.stderr.write(m + '\n'));
    process.stdout.write(`\n### Scripting\n\n${scriptingTable(rows)}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
