/** Runs redis-benchmark with --csv and returns its rows by test name (rps and latencies in ms). */
import { spawn } from 'node:child_process';

export interface BenchRow {
  rps: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface BenchOptions {
  test: string;
  requests: number;
  pipeline?: number;
  clients?: number;
  /** -r: random keys from this keyspace size. */
  keyspace?: number;
  /** --dbnum: the database the benchmark writes to (default 0). */
  db?: number;
  /** A command to send instead of the -t tests (`__rand_int__` is replaced per request). */
  command?: string[];
}

export function redisBenchmark(port: number, o: BenchOptions): Promise<Map<string, BenchRow>> {
  return new Promise((resolve, reject) => {
    const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(o.clients ?? 50), '-n', String(o.requests), '-P', String(o.pipeline ?? 1), '--csv', '-r', String(o.keyspace ?? 100000), '--dbnum', String(o.db ?? 0)];
    if (o.command) args.push(...o.command);
    else args.push('-t', o.test);
    const p = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`redis-benchmark exited ${code}: ${err}`));
      const lines = out.trim().split('\n');
      const head = lines[0].split(',').map((c) => c.replace(/"/g, ''));
      const col = (cells: string[], name: string) => Number(cells[head.indexOf(name)]);
      const rows = new Map<string, BenchRow>();
      for (const line of lines.slice(1)) {
        const cells = line.split('","').map((c) => c.replace(/"/g, ''));
        rows.set(cells[0], {
          rps: col(cells, 'rps'),
          avgMs: col(cells, 'avg_latency_ms'),
          p50Ms: col(cells, 'p50_latency_ms'),
          p99Ms: col(cells, 'p99_latency_ms'),
          maxMs: col(cells, 'max_latency_ms'),
        });
      }
      resolve(rows);
    });
  });
}

/** The single row of a one-test run. */
export async function redisBenchmarkOne(port: number, o: BenchOptions): Promise<BenchRow> {
  const rows = await redisBenchmark(port, o);
  const first = rows.values().next();
  if (first.done) throw new Error(`redis-benchmark printed no result for ${o.test}`);
  return first.value;
}
