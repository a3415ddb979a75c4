/**
 * LATENCY DOCTOR / GRAPH / HISTOGRAM / RESET against redis-server. Latencies themselves differ
 * between two servers, so exact comparisons are made where the input is the same (no events,
 * errors, resets), and the text renderers are checked by feeding them Redis's own samples
 * (LATENCY HISTORY) and comparing with Redis's own text (LATENCY GRAPH / DOCTOR).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair } from '../helpers/differential.js';
import { RespClient, encodeCommand, plain, type Reply } from '../helpers/resp.js';
import { LatencyMonitor, latencyGraph, latencyDoctor } from '../../src/diagnostics.js';

let pair: Pair;
before(async () => {
  pair = await startPair(['--enable-debug-command', 'yes']);
});
after(async () => {
  await pair.close();
});

function text(r: Reply): string {
  assert.ok(r.t === 'bulk' || r.t === 'verbatim', `expected text, got ${JSON.stringify(r)}`);
  return r.v;
}

/** The samples of an event on a server, as a LatencyMonitor entry. */
async function historyOf(c: RespClient, event: string): Promise<{ samples: { time: number; latencyMs: number }[]; max: number }> {
  const h = plain(await c.call('LATENCY', 'HISTORY', event)) as [number, number][];
  const latest = plain(await c.call('LATENCY', 'LATEST')) as [string, number, number, number][];
  const max = latest.find((l) => l[0] === event)?.[3] ?? 0;
  return { samples: h.map(([time, latencyMs]) => ({ time: Number(time), latencyMs: Number(latencyMs) })), max: Number(max) };
}

async function nowSec(c: RespClient): Promise<number> {
  return Number((plain(await c.call('TIME')) as string[])[0]);
}

test('LATENCY DOCTOR without events, GRAPH/HISTOGRAM of unknown names, RESET: same replies as Redis', async () => {
  await same(pair, [
    ['CONFIG', 'SET', 'latency-monitor-threshold', '0'],
    ['LATENCY', 'RESET'],
    ['LATENCY', 'DOCTOR'],
    ['CONFIG', 'SET', 'latency-monitor-threshold', '100'],
    ['LATENCY', 'DOCTOR'],
    ['LATENCY', 'GRAPH', 'command'],
    ['LATENCY', 'GRAPH'],
    ['LATENCY', 'DOCTOR', 'x'],
    ['LATENCY', 'HISTOGRAM', 'nosuchcommand'],
    ['LATENCY', 'HISTOGRAM', 'get|x'],
    ['LATENCY', 'HISTOGRAM', 'config|get|x'],
    ['LATENCY', 'NOSUCH'],
  ]);
  // RESP3: the doctor's report is verbatim text, the histogram a map.
  const [a, b] = await Promise.all([RespClient.connect(pair.redis.port), RespClient.connect(pair.reddish.port)]);
  try {
    await Promise.all([a.call('HELLO', '3'), b.call('HELLO', '3')]);
    for (const cmd of [['LATENCY', 'DOCTOR'], ['LATENCY', 'HISTOGRAM', 'nosuch'], ['LATENCY', 'GRAPH', 'nosuch']]) {
      assert.deepEqual(await b.call(...cmd), await a.call(...cmd), cmd.join(' '));
    }
  } finally {
    a.close();
    b.close();
  }
});

test('a slow command makes the same DOCTOR report and GRAPH as Redis (latencies normalised)', async () => {
  // A threshold no other command of the test reaches, even on a loaded machine: one spike.
  await same(pair, [['CONFIG', 'SET', 'latency-monitor-threshold', '100'], ['CONFIG', 'SET', 'slowlog-log-slower-than', '10000'], ['LATENCY', 'RESET']]);
  await same(pair, [['DEBUG', 'SLEEP', '0.25']]);
  const norm = (s: string) => s.replace(/\d+ms/g, 'Nms').replace(/\d+ ms/g, 'N ms').replace(/period [\d.]+ sec/, 'period P sec');
  const [ra, rb] = await Promise.all([pair.a.call('LATENCY', 'DOCTOR'), pair.b.call('LATENCY', 'DOCTOR')]);
  assert.equal(norm(text(rb)), norm(text(ra)));
  assert.match(text(rb), /^Dave, I have observed latency spikes/);
  assert.match(text(rb), /1\. command: 1 latency spikes/);
  // Slow log disabled: the other slow log paragraph.
  await same(pair, [['CONFIG', 'SET', 'slowlog-log-slower-than', '-1']]);
  const [da, db] = await Promise.all([pair.a.call('LATENCY', 'DOCTOR'), pair.b.call('LATENCY', 'DOCTOR')]);
  assert.equal(norm(text(db)), norm(text(da)));
  assert.match(text(db), /Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than 100000'/);
  const [ga, gb] = await Promise.all([pair.a.call('LATENCY', 'GRAPH', 'command'), pair.b.call('LATENCY', 'GRAPH', 'command')]);
  assert.equal(norm(text(gb)).replace(/\n\d+\ns\n$/, '\nNs\n'), norm(text(ga)).replace(/\n\d+\ns\n$/, '\nNs\n'));
  // Event names are matched without case by RESET only.
  await same(pair, [['LATENCY', 'HISTORY', 'COMMAND'], ['LATENCY', 'GRAPH', 'COMMAND'], ['LATENCY', 'RESET', 'COMMAND', 'nosuch'], ['LATENCY', 'LATEST']]);
  await same(pair, [['CONFIG', 'SET', 'slowlog-log-slower-than', '10000'], ['CONFIG', 'SET', 'latency-monitor-threshold', '0']]);
});

test('GRAPH and DOCTOR texts rendered from Redis\'s own samples equal Redis\'s', async () => {
  const r = pair.a;
  await r.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
  await r.call('CONFIG', 'SET', 'latency-monitor-threshold', '1');
  await r.call('LATENCY', 'RESET');
  // Samples of different heights in different seconds (one sample per second and event).
  const sleeps = ['0.004', '0.03', '0.012'];
  for (let i = 0; i < sleeps.length; i++) {
    if (i > 0) await new Promise((res) => setTimeout(res, 1050));
    await r.call('DEBUG', 'SLEEP', sleeps[i]);
  }
  for (let attempt = 0; ; attempt++) {
    const t0 = await nowSec(r);
    const e = await historyOf(r, 'command');
    const graph = text(await r.call('LATENCY', 'GRAPH', 'command'));
    const doctor = text(await r.call('LATENCY', 'DOCTOR'));
    // Labels and the period depend on the clock second: retry if it ticked meanwhile.
    if ((await nowSec(r)) !== t0 && attempt < 5) continue;
    // A loaded machine may add a sample of its own (any command over 1 ms): the rendering is what is checked.
    assert.ok(e.samples.length >= 3, `samples: ${e.samples.length}`);
    assert.equal(latencyGraph('command', e, t0), graph);
    const mon = new LatencyMonitor();
    mon.events.set('command', e);
    assert.equal(latencyDoctor(mon, { thresholdMs: 1, slowlogSlowerThanUs: 10000, hz: 10, appendfsyncAlways: false, anonHugePages: 0 }, t0), doctor);
    break;
  }
  await r.call('CONFIG', 'SET', 'latency-monitor-threshold', '0');
});

test('DOCTOR advice for fast-command, expire-cycle, eviction events (Redis\'s paragraphs)', () => {
  const mon = new LatencyMonitor();
  mon.events.set('fast-command', { samples: [{ time: 100, latencyMs: 3 }, { time: 102, latencyMs: 5 }], max: 7 });
  mon.events.set('expire-cycle', { samples: [{ time: 101, latencyMs: 10 }], max: 10 });
  mon.events.set('eviction-cycle', { samples: [{ time: 101, latencyMs: 10 }], max: 10 });
  const ctx = { thresholdMs: 2, slowlogSlowerThanUs: 10000, hz: 10, appendfsyncAlways: false, anonHugePages: 0 };
  const out = latencyDoctor(mon, ctx, 104);
  const lines = out.split('\n');
  assert.equal(lines[2], '1. fast-command: 2 latency spikes (average 4ms, mean deviation 1ms, period 2.00 sec). Worst all time event 7ms.');
  assert.equal(lines[3], '2. expire-cycle: 1 latency spikes (average 10ms, mean deviation 0ms, period 3.00 sec). Worst all time event 10ms.');
  assert.match(out, /- The system is slow to execute Redis code paths not containing system calls\./);
  assert.match(out, /try to set the 'hz' configuration parameter to 100/);
  assert.match(out, /- Deleting, expiring or evicting/);
  assert.match(out, /- Sudden changes to the 'maxmemory' setting/);
  // hz already 100: the advice is counted but not printed.
  assert.doesNotMatch(latencyDoctor(mon, { ...ctx, hz: 100 }, 104), /'hz' configuration/);
  // An event without advice.
  const other = new LatencyMonitor();
  other.events.set('command-unblocking', { samples: [{ time: 100, latencyMs: 3 }], max: 3 });
  assert.match(latencyDoctor(other, ctx, 104), /\nWhile there are latency events logged, I'm not able to suggest any easy fix\./);
});

test('GRAPH draws 80 columns per block with labels under each column', () => {
  const samples = Array.from({ length: 85 }, (_, i) => ({ time: 1000 + i, latencyMs: i % 13 }));
  const g = latencyGraph('ev', { samples, max: 20 }, 1000 + 84 + 3600);
  const lines = g.split('\n');
  assert.equal(lines[0], 'ev - high 12 ms, low 0 ms (all time high 20 ms)');
  assert.equal(lines[1], '-'.repeat(80));
  // Block one: 4 graph rows, a blank row, two label rows ("1h" for every sample); then an
  // empty line and block two with the 5 remaining samples.
  assert.deepEqual(lines.slice(2, 9).map((l) => l.length), [80, 80, 80, 80, 80, 80, 80]);
  assert.equal(lines[6], ' '.repeat(80));
  assert.equal(lines[7], '1'.repeat(80));
  assert.equal(lines[8], 'h'.repeat(80));
  assert.equal(lines[9], '');
  assert.equal(lines[10].length, 5);
  // The highest sample (12) reaches the top row with the top glyph; zero stays a '_' at the bottom.
  assert.equal(lines[2][12], '#');
  assert.equal(lines[5][0], '_');
  assert.equal(lines[2][0], ' ');
});

test('LATENCY HISTOGRAM: calls and Redis\'s power-of-two buckets, for commands and containers', async () => {
  await same(pair, [['CONFIG', 'RESETSTAT']]);
  for (let i = 0; i < 20; i++) await same(pair, [['SET', `k${i}`, 'v']]);
  await same(pair, [['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'GET', 'hz']]);
  const levels = new Set(Array.from({ length: 20 }, (_, k) => Math.floor((2 ** (10 + k) + 2 ** (3 + k) - 1) / 1000)));
  const shape = (r: Reply) =>
    (plain(r) as [string, [string, unknown][]][]).map(([name, m]) => {
      const calls = m[0][1] as number;
      const buckets = m[1][1] as [number, number][];
      let prev = 0;
      for (const [usec, cum] of buckets) {
        assert.ok(levels.has(Number(usec)), `bucket ${usec}`);
        assert.ok(Number(cum) > prev);
        prev = Number(cum);
      }
      assert.equal(prev, Number(calls));
      return [name, m[0][0], Number(calls), m[1][0]];
    });
  // RESP3 shows the nesting of maps; RESP2 flattens each map into an array.
  const [a, b] = await Promise.all([RespClient.connect(pair.redis.port), RespClient.connect(pair.reddish.port)]);
  try {
    await Promise.all([a.call('HELLO', '3'), b.call('HELLO', '3')]);
    for (const args of [['set'], ['SET', 'nosuch'], ['config'], ['config|get'], ['CONFIG|GET', 'set']]) {
      const [ra, rb] = await Promise.all([a.call('LATENCY', 'HISTOGRAM', ...args), b.call('LATENCY', 'HISTOGRAM', ...args)]);
      assert.equal(rb.t, 'map');
      const sort = (x: unknown[][]) => [...x].sort((p, q) => String(p[0]).localeCompare(String(q[0])));
      assert.deepEqual(sort(shape(rb)), sort(shape(ra)), args.join(' '));
    }
    // All commands: every command that ran is there (order is Redis's hash order, so compare sets).
    const [ra, rb] = await Promise.all([a.call('LATENCY', 'HISTOGRAM'), b.call('LATENCY', 'HISTOGRAM')]);
    const names = (r: Reply) => shape(r).map((x) => x[0] as string).sort();
    assert.deepEqual(names(rb), names(ra));
    assert.ok(names(rb).includes('config|get'));
  } finally {
    a.close();
    b.close();
  }
  // RESP2: the same content, flattened.
  const [f2a, f2b] = await Promise.all([pair.a.call('LATENCY', 'HISTOGRAM', 'config|get'), pair.b.call('LATENCY', 'HISTOGRAM', 'config|get')]);
  const flat = (r: Reply) => {
    const v = plain(r) as [string, [string, number, string, unknown[]]];
    return [v[0], v[1][0], v[1][1], v[1][2], v[1][3].length % 2];
  };
  assert.deepEqual(flat(f2b), flat(f2a));
});

test('COMMAND DOCS of the LATENCY and MEMORY subcommands: summary, since, group, complexity, arguments as 7.0', async () => {
  // reddish always lists doc_flags (empty here), Redis omits an empty one: left out of the comparison.
  const fields = (r: Reply) => {
    const [, doc] = plain(r) as [string, unknown[]];
    const out: unknown[] = [];
    for (let i = 0; i < doc.length; i += 2) if (doc[i] !== 'doc_flags' && doc[i] !== 'subcommands') out.push(doc[i], doc[i + 1]);
    return out;
  };
  const names = ['latency', 'latency|doctor', 'latency|graph', 'latency|histogram', 'latency|latest', 'latency|history', 'latency|reset', 'memory', 'memory|doctor', 'memory|malloc-stats', 'memory|purge', 'memory|stats'];
  for (const name of names) {
    const [ra, rb] = await Promise.all([pair.a.call('COMMAND', 'DOCS', name), pair.b.call('COMMAND', 'DOCS', name)]);
    assert.deepEqual(fields(rb), fields(ra), name);
  }
});

test('events recorded like Redis: fast-command for a slow fast command, expire-cycle for a long active expiry', async () => {
  const b = pair.b;
  const events = async () => (plain(await b.call('LATENCY', 'LATEST')) as [string][]).map((e) => e[0]);
  await b.call('FLUSHALL');
  await b.call('CONFIG', 'SET', 'latency-monitor-threshold', '1');
  try {
    // MGET is flagged fast; looking up 300000 keys takes well over a millisecond.
    const keys = Array.from({ length: 300000 }, (_, i) => `nokey:${i}`);
    await b.call('LATENCY', 'RESET');
    await b.send(encodeCommand(['MGET'].concat(keys)));
    assert.ok((await events()).includes('fast-command'), String(await events()));
    // Many keys expiring at once: an active expiry cycle runs until its time budget is spent.
    await b.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    const n = 100000;
    let pipeline = '';
    for (let i = 0; i < n; i++) pipeline += `*5\r\n$3\r\nSET\r\n$${String(i).length + 2}\r\nk:${i}\r\n$1\r\nv\r\n$2\r\nPX\r\n$1\r\n1\r\n`;
    await b.sendMany(pipeline, n);
    await new Promise((r) => setTimeout(r, 20));
    await b.call('LATENCY', 'RESET');
    await b.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    for (let i = 0; i < 100 && !(await events()).includes('expire-cycle'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok((await events()).includes('expire-cycle'), String(await events()));
  } finally {
    await b.call('CONFIG', 'SET', 'latency-monitor-threshold', '0');
    await b.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    await b.call('FLUSHALL');
  }
});
