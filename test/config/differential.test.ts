/**
 * Config against redis-server 7.0.15: CONFIG GET * (names and values), CONFIG SET errors, and
 * the FATAL CONFIG FILE ERROR report for bad values, byte for byte.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPair, same, type Pair } from '../helpers/differential.js';
import { hasRedisServer, REDDISH_BIN } from '../helpers/servers.js';
import { plain } from '../helpers/resp.js';

const skip = hasRedisServer() ? false : 'redis-server is not installed';

let pair: Pair | null = null;
after(async () => {
  await pair?.close();
});

async function getPair(): Promise<Pair> {
  pair ??= await startPair();
  return pair;
}

/** CONFIG GET reply as a name → value map. */
function asMap(r: unknown): Map<string, string> {
  const m = new Map<string, string>();
  const v = r as unknown[];
  // RESP2 flat array: name, value, name, value...
  for (let i = 0; i < v.length; i += 2) m.set(v[i] as string, v[i + 1] as string);
  return m;
}

test('CONFIG GET * has the same names and values as redis-server (port and dir aside)', { skip }, async () => {
  const p = await getPair();
  const [a, b] = await Promise.all([p.a.call('CONFIG', 'GET', '*'), p.b.call('CONFIG', 'GET', '*')]);
  const redis = asMap(plain(a));
  const reddish = asMap(plain(b));
  assert.deepEqual([...reddish.keys()].sort(), [...redis.keys()].sort());
  assert.equal(redis.size, 192);
  for (const [k, v] of redis) {
    if (k === 'port' || k === 'dir') continue; // each server has its own
    assert.equal(reddish.get(k), v, k);
  }
});

test('hidden directives answer only to their exact name, like redis-server', { skip }, async () => {
  const p = await getPair();
  await same(p, [
    ['CONFIG', 'GET', 'rdb-key-save-delay'],
    ['CONFIG', 'GET', 'key-load-delay'],
    ['CONFIG', 'GET', 'use-exit-on-panic'],
    ['CONFIG', 'GET', 'loading-process-events-interval-bytes'],
    ['CONFIG', 'GET', 'watchdog-period'],
    ['CONFIG', 'GET', 'rdb-key-save-*'],
  ]);
});

test('CONFIG SET: same replies as redis-server for good and bad values', { skip }, async () => {
  const p = await getPair();
  await same(p, [
    ['CONFIG', 'SET', 'maxmemory', '10zb'],
    ['CONFIG', 'SET', 'maxmemory', '1.5gb'],
    ['CONFIG', 'SET', 'maxmemory', '-1'],
    ['CONFIG', 'SET', 'port', '-1'],
    ['CONFIG', 'SET', 'hz', 'x'],
    ['CONFIG', 'SET', 'loglevel', 'loud'],
    ['CONFIG', 'SET', 'protected-mode', 'maybe'],
    ['CONFIG', 'SET', 'maxmemory-clients', '101%'],
    ['CONFIG', 'SET', 'maxmemory-clients', 'abc'],
    ['CONFIG', 'SET', 'maxmemory-clients', '50%'],
    ['CONFIG', 'GET', 'maxmemory-clients'],
    ['CONFIG', 'SET', 'maxmemory-clients', '1mb'],
    ['CONFIG', 'GET', 'maxmemory-clients'],
    ['CONFIG', 'SET', 'unixsocketperm', '700'],
    ['CONFIG', 'SET', 'dir', '/tmp'],
    ['CONFIG', 'SET', 'dbfilename', 'x.rdb'],
    ['CONFIG', 'SET', 'daemonize', 'yes'],
    ['CONFIG', 'SET', 'aclfile', 'x'],
    ['CONFIG', 'SET', 'cluster-enabled', 'yes'],
    ['CONFIG', 'SET', 'no-such-thing', 'x'],
    ['CONFIG', 'SET', 'databases', '1', 'no-such-thing', 'x'],
    ['CONFIG', 'SET', 'maxmemory', '1', 'maxmemory', '2'],
    ['CONFIG', 'SET', 'slave-read-only', 'x'],
    ['CONFIG', 'SET', 'SLAVE-read-only', 'x'],
    ['CONFIG', 'SET', 'slave-read-only', 'yes', 'replica-read-only', 'yes'],
    ['CONFIG', 'SET', 'slave-read-only', 'yes', 'SLAVE-READ-ONLY', 'yes'],
    ['CONFIG', 'SET', 'shutdown-on-sigterm', 'save nosave'],
    ['CONFIG', 'SET', 'shutdown-on-sigterm', 'nosave,force'],
    ['CONFIG', 'SET', 'shutdown-on-sigterm', ''],
    ['CONFIG', 'SET', 'shutdown-on-sigterm', 'now SAVE'],
    ['CONFIG', 'GET', 'shutdown-on-sigterm'],
    ['CONFIG', 'SET', 'oom-score-adj-values', '1 2'],
    ['CONFIG', 'SET', 'oom-score-adj-values', '1 2 3000'],
    ['CONFIG', 'SET', 'oom-score-adj-values', '1 2 3'],
    ['CONFIG', 'GET', 'oom-score-adj-values'],
    ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 101'],
    ['CONFIG', 'SET', 'latency-tracking-info-percentiles', 'abc'],
    ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '99 1.5 0.25'],
    ['CONFIG', 'GET', 'latency-tracking-info-percentiles'],
    ['CONFIG', 'SET', 'hz', '1000'],
    ['CONFIG', 'GET', 'hz'],
    ['CONFIG', 'SET', 'hz', '10'],
    ['CONFIG', 'SET', 'proc-title-template', '{bad}'],
    ['CONFIG', 'SET', 'cluster-announce-hostname', 'a b'],
    ['CONFIG', 'SET', 'activedefrag', 'yes'],
    ['CONFIG', 'SET', 'io-threads', '4'],
    ['CONFIG', 'SET', 'save', '10'],
    ['CONFIG', 'SET', 'save', '100 1 200 2'],
    ['CONFIG', 'GET', 'save'],
    ['CONFIG', 'SET', 'save', ''],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 1 2 3'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 2mb 3'],
    ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'Q'],
    ['CONFIG', 'SET', 'appendfsync', 'always'],
    ['CONFIG', 'GET', 'appendfsync'],
    ['CONFIG', 'SET', 'lazyfree-lazy-user-del', 'yes', 'jemalloc-bg-thread', 'no', 'sanitize-dump-payload', 'clients'],
    ['CONFIG', 'GET', 'lazyfree-lazy-user-del'],
    ['CONFIG', 'SET', 'propagation-error-behavior', 'panic-on-replicas'],
    ['CONFIG', 'SET', 'propagation-error-behavior', 'explode'],
    ['CONFIG', 'SET', 'tls-port', 'x'],
    ['CONFIG', 'SET', 'tls-port', '0'],
    ['CONFIG', 'SET', 'rdb-key-save-delay', '-10'],
    ['CONFIG', 'GET', 'rdb-key-save-delay'],
    ['CONFIG', 'SET', 'key-load-delay', '2147483648'],
  ]);
});

/** Runs a server binary on a config file that must be refused; its whole output. */
function refused(kind: 'redis' | 'reddish', conf: string, extra: string[] = []): { status: number | null; out: string } {
  const r =
    kind === 'redis'
      ? spawnSync('redis-server', [conf, ...extra], { encoding: 'latin1', timeout: 10000 })
      : spawnSync(process.execPath, [REDDISH_BIN, conf, ...extra], { encoding: 'latin1', timeout: 10000 });
  return { status: r.status, out: `stdout:${r.stdout}\nstderr:${r.stderr}` };
}

test('bad values in a config file: the same FATAL report as redis-server', { skip }, () => {
  const lines = [
    'appendonly maybe',
    'loglevel loud',
    'port 70000',
    'port 08',
    'maxmemory 10zb',
    'maxmemory-clients 200%',
    'maxmemory-clients -5',
    'unixsocketperm 999',
    'unixsocketperm 1777',
    'hz abc',
    'shutdown-on-sigterm save nosave',
    'shutdown-on-sigterm bogus',
    'oom-score-adj-values 1 2',
    'oom-score-adj-values 1 2 3000',
    'latency-tracking-info-percentiles 50 101',
    'latency-tracking-info-percentiles abc',
    'dbfilename a/b',
    'appenddirname ""',
    'rename-command FOO BAR',
    'rename-command GET SET',
    'sentinel monitor x',
    'foo.bar',
    'foo bar',
    'save 10',
    'dir /nonexistent-reddish',
    'slowlog-log-slower-than -2',
    'repl-backlog-size 0',
    'io-threads 200',
    'client-output-buffer-limit normal 1 2',
    'replicaof localhost 99999',
    'activedefrag yes',
    'tcp-backlog -1',
    'requirepass "a',
    'maxmemory 1 2',
  ];
  const dir = mkdtempSync(join(tmpdir(), 'reddish-config-fatal-'));
  for (const [i, line] of lines.entries()) {
    const conf = join(dir, `bad${i}.conf`);
    writeFileSync(conf, `# comment\nport 0\n${line}\n`);
    const a = refused('redis', conf);
    const b = refused('reddish', conf);
    assert.equal(a.status, 1, `redis accepted ${line}`);
    assert.equal(b.status, 1, line);
    assert.equal(b.out, a.out, line);
  }
  // A bad command-line option is reported on its line after the file's, quoted.
  const conf = join(dir, 'ok.conf');
  writeFileSync(conf, 'port 0\n');
  assert.equal(refused('reddish', conf, ['--maxmemory', '1zz']).out, refused('redis', conf, ['--maxmemory', '1zz']).out);
  // An unopenable log file ends the report without a line.
  writeFileSync(conf, 'port 0\nlogfile /nonexistent-reddish/x.log\n');
  assert.equal(refused('reddish', conf).out, refused('redis', conf).out);
});

test('a missing config or include file: the same single log line as redis-server', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'reddish-config-include-'));
  const conf = join(dir, 'main.conf');
  writeFileSync(conf, `port 0\ninclude ${join(dir, 'missing.conf')}\n`);
  const strip = (s: string) => s.replace(/\d+:C \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} /g, 'PID:C TIME ');
  const a = refused('redis', conf);
  const b = refused('reddish', conf);
  assert.equal(b.status, 1);
  assert.equal(strip(b.out), strip(a.out));
  assert.match(strip(b.out), /^stdout:PID:C TIME # Fatal error, can't open config file '.*missing\.conf': No such file or directory\n\nstderr:$/);
  const c = refused('redis', join(dir, 'nope.conf'));
  const d = refused('reddish', join(dir, 'nope.conf'));
  assert.equal(strip(d.out), strip(c.out));
});

test('INFO latencystats follows latency-tracking-info-percentiles, like redis-server', { skip }, async () => {
  const p = await getPair();
  const shape = (info: unknown) =>
    String(info)
      .split('\r\n')
      .filter((l) => l.startsWith('latency_percentiles_usec_ping:'))
      .map((l) => l.replace(/=\d+\.\d{3}/g, '=N'));
  for (const value of ['99 1.5 0.25', '', '50 99 99.9']) {
    await same(p, [['CONFIG', 'SET', 'latency-tracking-info-percentiles', value], ['PING']]);
    const [a, b] = await Promise.all([p.a.call('INFO', 'latencystats'), p.b.call('INFO', 'latencystats')]);
    assert.deepEqual(shape(plain(b)), shape(plain(a)), value);
    assert.equal(shape(plain(a)).length, 1);
  }
});

test('save lines at startup: the first replaces the defaults, later ones add (same as redis-server)', { skip }, async () => {
  const p = await startPair(['--save', '900 1', '--save', '60 2', '--hz', '1000', '--maxmemory-clients', '3%', '--shutdown-on-sigint', 'nosave now']);
  try {
    await same(p, [
      ['CONFIG', 'GET', 'save'],
      ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'GET', 'maxmemory-clients'],
      ['CONFIG', 'GET', 'shutdown-on-sigint'],
    ]);
  } finally {
    await p.close();
  }
});
