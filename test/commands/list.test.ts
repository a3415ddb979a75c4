import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair, type Step } from '../helpers/differential.js';
import { RespClient, plain, type Reply } from '../helpers/resp.js';
import { startServer as startInProcess } from '../../src/index.js';
import { prng } from '../helpers/prng.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.close();
});

test('push, pop, length and their errors match Redis', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['LPUSH', 'l', 'a', 'b', 'c'],
    ['RPUSH', 'l', 'd', 'e'],
    ['LRANGE', 'l', '0', '-1'],
    ['LLEN', 'l'],
    ['LLEN', 'nosuch'],
    ['LPUSHX', 'nosuch', 'a'],
    ['RPUSHX', 'nosuch', 'a', 'b'],
    ['EXISTS', 'nosuch'],
    ['LPUSHX', 'l', 'x', 'y'],
    ['RPUSHX', 'l', 'z'],
    ['LRANGE', 'l', '0', '-1'],
    ['LPOP', 'l'],
    ['RPOP', 'l'],
    ['LPOP', 'l', '2'],
    ['RPOP', 'l', '2'],
    ['LPOP', 'l', '0'],
    ['LPOP', 'l', '-1'],
    ['LPOP', 'l', 'abc'],
    ['LPOP', 'l', '1', '2'],
    ['RPOP', 'l', '1', '2'],
    ['LPOP', 'l', '100'],
    ['EXISTS', 'l'],
    ['LPOP', 'l'],
    ['LPOP', 'l', '1'],
    ['LPOP', 'l', '0'],
    ['RPOP', 'l', '-1'],
    ['SET', 's', 'x'],
    ['LPUSH', 's', 'a'],
    ['RPUSHX', 's', 'a'],
    ['LPOP', 's'],
    ['LPOP', 's', '1'],
    ['LLEN', 's'],
    ['LPUSH', 'l'],
    ['RPUSH', 'n', '1', '2', '3'],
    ['OBJECT', 'ENCODING', 'n'],
    ['TYPE', 'n'],
  ]);
});

test('RESP3 null shapes of pops match Redis', async () => {
  await same(pair, [['HELLO', '3'], ['FLUSHALL'], ['LPOP', 'x'], ['LPOP', 'x', '2'], ['RPOP', 'x', '0'], ['LINDEX', 'x', '0'], ['LPOS', 'x', 'a'], ['LMPOP', '1', 'x', 'LEFT'], ['LMOVE', 'x', 'y', 'LEFT', 'LEFT'], ['BLPOP', 'x', '0.01'], ['RPUSH', 'x', 'a'], ['LPOP', 'x', '5'], ['HELLO', '2']], (r, step) =>
    step[0] === 'HELLO' ? { t: 'simple', v: 'hello' } : r,
  );
});

test('LRANGE, LINDEX, LSET with every kind of index match Redis', async () => {
  const steps: Step[] = [['FLUSHALL'], ['RPUSH', 'l', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']];
  const idx = ['0', '1', '-1', '-2', '5', '9', '10', '-10', '-11', '100', '-100'];
  for (const a of idx) for (const b of idx) steps.push(['LRANGE', 'l', a, b]);
  for (const a of idx) steps.push(['LINDEX', 'l', a]);
  steps.push(
    ['LRANGE', 'l', 'x', '1'],
    ['LRANGE', 'l', '1', 'x'],
    ['LRANGE', 'nosuch', '0', '-1'],
    ['LRANGE', 'nosuch', 'x', '1'],
    ['LINDEX', 'l', 'x'],
    ['LINDEX', 'nosuch', 'x'],
    ['LINDEX', 'nosuch', '0'],
    ['LSET', 'l', '0', 'zero'],
    ['LSET', 'l', '-1', 'last'],
    ['LSET', 'l', '10', 'x'],
    ['LSET', 'l', '-11', 'x'],
    ['LSET', 'l', 'x', 'x'],
    ['LSET', 'nosuch', '0', 'x'],
    ['LSET', 'nosuch', 'x', 'x'],
    ['LRANGE', 'l', '0', '-1'],
    ['SET', 's', 'v'],
    ['LRANGE', 's', '0', '-1'],
    ['LINDEX', 's', '0'],
    ['LSET', 's', '0', 'x'],
    ['LRANGE', 'l', '9223372036854775807', '-9223372036854775808'],
    ['LRANGE', 'l', '-9223372036854775808', '9223372036854775807'],
    ['LRANGE', 'l', '0', '9223372036854775808'],
  );
  await same(pair, steps);
});

test('LINSERT, LREM, LTRIM match Redis', async () => {
  const steps: Step[] = [
    ['FLUSHALL'],
    ['RPUSH', 'l', 'a', 'b', 'c', 'b', 'a'],
    ['LINSERT', 'l', 'BEFORE', 'b', 'x'],
    ['LINSERT', 'l', 'after', 'b', 'y'],
    ['LINSERT', 'l', 'after', 'a', 'z'],
    ['LINSERT', 'l', 'before', 'nosuch', 'z'],
    ['LINSERT', 'l', 'middle', 'a', 'z'],
    ['LINSERT', 'nosuch', 'before', 'a', 'z'],
    ['LINSERT', 'nosuch', 'middle', 'a', 'z'],
    ['LRANGE', 'l', '0', '-1'],
    ['LINSERT', 'l', 'before', 'a', 'first'],
    ['LINSERT', 'l', 'after', 'a', 'last'],
    ['LRANGE', 'l', '0', '-1'],
    ['RPUSH', 'r', 'a', 'b', 'a', 'c', 'a', 'b', 'a'],
    ['LREM', 'r', '1', 'a'],
    ['LRANGE', 'r', '0', '-1'],
    ['LREM', 'r', '-1', 'a'],
    ['LRANGE', 'r', '0', '-1'],
    ['LREM', 'r', '0', 'b'],
    ['LRANGE', 'r', '0', '-1'],
    ['LREM', 'r', '5', 'nosuch'],
    ['LREM', 'r', 'x', 'a'],
    ['LREM', 'nosuch', '1', 'a'],
    ['LREM', 'nosuch', 'x', 'a'],
    ['LREM', 'r', '0', 'a'],
    ['LREM', 'r', '0', 'c'],
    ['EXISTS', 'r'],
    ['SET', 's', 'v'],
    ['LINSERT', 's', 'before', 'a', 'b'],
    ['LREM', 's', '0', 'a'],
    ['LTRIM', 's', '0', '1'],
  ];
  const idx = ['0', '1', '-1', '-3', '3', '7', '8', '-100', '100'];
  for (const a of idx) {
    for (const b of idx) {
      steps.push(['DEL', 't'], ['RPUSH', 't', '1', '2', '3', '4', '5', '6', '7', '8'], ['LTRIM', 't', a, b], ['LRANGE', 't', '0', '-1'], ['EXISTS', 't']);
    }
  }
  steps.push(['LTRIM', 'nosuch', '0', '1'], ['LTRIM', 't', 'x', '1'], ['LTRIM', 'nosuch', '1', 'x']);
  await same(pair, steps);
});

test('LPOS with RANK, COUNT, MAXLEN and errors matches Redis', async () => {
  const steps: Step[] = [['FLUSHALL'], ['RPUSH', 'l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c', 'a']];
  const opts: string[][] = [
    [],
    ['RANK', '1'],
    ['RANK', '2'],
    ['RANK', '3'],
    ['RANK', '4'],
    ['RANK', '-1'],
    ['RANK', '-2'],
    ['RANK', '-4'],
    ['COUNT', '0'],
    ['COUNT', '1'],
    ['COUNT', '2'],
    ['COUNT', '10'],
    ['RANK', '2', 'COUNT', '0'],
    ['RANK', '-1', 'COUNT', '2'],
    ['MAXLEN', '3'],
    ['MAXLEN', '7'],
    ['MAXLEN', '0'],
    ['COUNT', '0', 'MAXLEN', '8'],
    ['RANK', '-1', 'MAXLEN', '1'],
    ['RANK', '-1', 'MAXLEN', '2', 'COUNT', '0'],
    ['RANK', '-9223372036854775808'],
    ['RANK', '-9223372036854775808', 'COUNT', '0'],
    ['RANK', '0'],
    ['RANK', 'x'],
    ['COUNT', '-1'],
    ['COUNT', 'x'],
    ['MAXLEN', '-1'],
    ['MAXLEN', 'x'],
    ['RANK'],
    ['COUNT'],
    ['FOO', '1'],
    ['rank', '1', 'count', '1', 'maxlen', '1'],
  ];
  for (const e of ['a', 'c', 'z']) for (const o of opts) steps.push(['LPOS', 'l', e, ...o]);
  steps.push(['LPOS', 'nosuch', 'a'], ['LPOS', 'nosuch', 'a', 'COUNT', '0'], ['LPOS', 'nosuch', 'a', 'RANK', '0'], ['SET', 's', 'v'], ['LPOS', 's', 'a'], ['LPOS', 's', 'a', 'RANK', '0']);
  await same(pair, steps);
});

test('LMOVE, RPOPLPUSH and LMPOP match Redis', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['RPUSH', 'src', 'a', 'b', 'c'],
    ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'],
    ['LMOVE', 'src', 'dst', 'right', 'left'],
    ['LRANGE', 'src', '0', '-1'],
    ['LRANGE', 'dst', '0', '-1'],
    ['LMOVE', 'src', 'dst', 'UP', 'LEFT'],
    ['LMOVE', 'src', 'dst', 'LEFT', 'DOWN'],
    ['LMOVE', 'nosuch', 'dst', 'LEFT', 'LEFT'],
    ['LMOVE', 'nosuch', 'dst', 'X', 'LEFT'],
    ['RPOPLPUSH', 'src', 'dst'],
    ['EXISTS', 'src'],
    ['RPOPLPUSH', 'src', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['LMOVE', 'dst', 'dst', 'LEFT', 'RIGHT'],
    ['LRANGE', 'dst', '0', '-1'],
    ['RPOPLPUSH', 'dst', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['RPUSH', 'one', 'x'],
    ['LMOVE', 'one', 'one', 'LEFT', 'LEFT'],
    ['LRANGE', 'one', '0', '-1'],
    ['SET', 's', 'v'],
    ['LMOVE', 'one', 's', 'LEFT', 'LEFT'],
    ['LMOVE', 's', 'one', 'LEFT', 'LEFT'],
    ['RPOPLPUSH', 'one', 's'],
    ['LRANGE', 'one', '0', '-1'],
    ['RPUSH', 'm1', 'a', 'b', 'c', 'd'],
    ['RPUSH', 'm2', 'x'],
    ['LMPOP', '2', 'none', 'm1', 'LEFT'],
    ['LMPOP', '2', 'none', 'm1', 'RIGHT', 'COUNT', '2'],
    ['LMPOP', '2', 'm1', 'm2', 'LEFT', 'COUNT', '10'],
    ['EXISTS', 'm1'],
    ['LMPOP', '1', 'm1', 'LEFT'],
    ['LMPOP', '3', 'none', 'none2', 'm2', 'left', 'count', '1'],
    ['LMPOP', '2', 's', 'm2', 'LEFT'],
    ['LMPOP', '2', 'none', 's', 'LEFT'],
    ['LMPOP', '0', 'm2', 'LEFT'],
    ['LMPOP', '-1', 'm2', 'LEFT'],
    ['LMPOP', 'x', 'm2', 'LEFT'],
    ['LMPOP', '3', 'm2', 'LEFT'],
    ['LMPOP', '1', 'm2', 'MIDDLE'],
    ['LMPOP', '1', 'm2', 'LEFT', 'COUNT'],
    ['LMPOP', '1', 'm2', 'LEFT', 'COUNT', '0'],
    ['LMPOP', '1', 'm2', 'LEFT', 'COUNT', '-1'],
    ['LMPOP', '1', 'm2', 'LEFT', 'COUNT', 'x'],
    ['LMPOP', '1', 'm2', 'LEFT', 'COUNT', '1', 'COUNT', '1'],
    ['LMPOP', '1', 'm2', 'LEFT', 'FOO'],
    ['LMPOP', '1'],
    ['LMPOP', '9223372036854775807', 'm2', 'LEFT'],
  ]);
});

test('blocking commands answer like their plain forms when data is there, and validate like Redis', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['RPUSH', 'l', 'a', 'b', 'c'],
    ['BLPOP', 'none', 'l', '0'],
    ['BRPOP', 'l', 'none', '0'],
    ['BLPOP', 'l', '-1'],
    ['BLPOP', 'l', 'abc'],
    ['BLPOP', 'l', ''],
    ['BLPOP', 'l', 'nan'],
    ['BLPOP', 'l', '.5'],
    ['RPUSH', 'l', 'x', 'y'],
    ['BLMPOP', '0', '2', 'none', 'l', 'RIGHT', 'COUNT', '5'],
    ['RPUSH', 'l', 'x', 'y'],
    ['BLMPOP', '0', '1', 'l', 'LEFT'],
    ['BLMPOP', '-1', '1', 'l', 'LEFT'],
    ['BLMPOP', 'x', '1', 'l', 'LEFT'],
    ['BLMPOP', '0', '0', 'l', 'LEFT'],
    ['BLMPOP', '0', '1', 'l', 'UP'],
    ['BLMPOP', '0', '2', 'l', 'LEFT'],
    ['BLMPOP', 'x', '1', 'l', 'UP'],
    ['RPUSH', 'a', '1', '2'],
    ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0'],
    ['BRPOPLPUSH', 'a', 'b', '0'],
    ['BRPOPLPUSH', 'a', 'b', '-1'],
    ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', 'x'],
    ['BLMOVE', 'a', 'b', 'X', 'RIGHT', 'x'],
    ['LRANGE', 'b', '0', '-1'],
    ['SET', 's', 'v'],
    ['BLPOP', 'none', 's', '0'],
    ['BLPOP', 's', 'l', '0'],
    ['BLMPOP', '0', '2', 'none', 's', 'LEFT'],
    ['BLMOVE', 's', 'b', 'LEFT', 'LEFT', '0'],
    ['BLMOVE', 'b', 's', 'LEFT', 'LEFT', '0'],
    ['BRPOPLPUSH', 's', 'b', '0'],
  ]);
});

test('blocking commands inside MULTI do not block', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['MULTI'],
    ['BLPOP', 'none', '0'],
    ['BRPOP', 'none', '1'],
    ['BLMOVE', 'none', 'x', 'LEFT', 'LEFT', '0'],
    ['BRPOPLPUSH', 'none', 'x', '0'],
    ['BLMPOP', '0', '1', 'none', 'LEFT'],
    ['RPUSH', 'none', 'a'],
    ['BLPOP', 'none', '0'],
    ['EXEC'],
  ]);
});

test('a long random sequence of list operations gives the same replies as Redis', async () => {
  const rnd = prng(12345);
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
  const keys = ['k1', 'k2', 'k3'];
  const vals = ['a', 'b', 'c', 'd', '1', '2', '', 'long-'.repeat(20)];
  const int = (lo: number, hi: number) => String(lo + Math.floor(rnd() * (hi - lo + 1)));
  const steps: Step[] = [['FLUSHALL']];
  for (let i = 0; i < 1500; i++) {
    const k = pick(keys);
    const r = rnd();
    if (r < 0.2) steps.push(['RPUSH', k, ...Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => pick(vals))]);
    else if (r < 0.35) steps.push(['LPUSH', k, ...Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => pick(vals))]);
    else if (r < 0.42) steps.push(['LPOP', k, int(0, 30)]);
    else if (r < 0.49) steps.push(['RPOP', k, int(0, 30)]);
    else if (r < 0.53) steps.push(['LPOP', k]);
    else if (r < 0.57) steps.push(['RPOP', k]);
    else if (r < 0.62) steps.push(['LRANGE', k, int(-60, 60), int(-60, 60)]);
    else if (r < 0.65) steps.push(['LINDEX', k, int(-60, 60)]);
    else if (r < 0.68) steps.push(['LSET', k, int(-60, 60), pick(vals)]);
    else if (r < 0.72) steps.push(['LINSERT', k, pick(['BEFORE', 'AFTER']), pick(vals), pick(vals)]);
    else if (r < 0.76) steps.push(['LREM', k, int(-3, 3), pick(vals)]);
    else if (r < 0.79) steps.push(['LTRIM', k, int(-80, 80), int(-80, 80)]);
    else if (r < 0.83) steps.push(['LPOS', k, pick(vals), 'RANK', pick(['1', '2', '-1', '-3']), 'COUNT', int(0, 5), 'MAXLEN', int(0, 50)]);
    else if (r < 0.87) steps.push(['LMOVE', k, pick(keys), pick(['LEFT', 'RIGHT']), pick(['LEFT', 'RIGHT'])]);
    else if (r < 0.9) steps.push(['LMPOP', '2', k, pick(keys), pick(['LEFT', 'RIGHT']), 'COUNT', int(1, 20)]);
    else if (r < 0.93) steps.push(['LLEN', k]);
    else steps.push(['LRANGE', k, '0', '-1']);
  }
  for (const k of keys) steps.push(['LRANGE', k, '0', '-1']);
  await same(pair, steps);
});

test('large lists grow and shrink through both ends like Redis', async () => {
  const steps: Step[] = [['FLUSHALL']];
  const batch = Array.from({ length: 500 }, (_, i) => `v${i}`);
  for (let i = 0; i < 10; i++) steps.push(['RPUSH', 'big', ...batch], ['LPUSH', 'big', ...batch]);
  steps.push(['LLEN', 'big'], ['LINDEX', 'big', '4321'], ['LRANGE', 'big', '4990', '5010'], ['LRANGE', 'big', '-3', '-1']);
  for (let i = 0; i < 9; i++) steps.push(['LPOP', 'big', '300'], ['RPOP', 'big', '250'], ['LRANGE', 'big', '100', '110']);
  steps.push(['LLEN', 'big'], ['LREM', 'big', '-7', 'v10'], ['LREM', 'big', '3', 'v499'], ['LINSERT', 'big', 'BEFORE', 'v250', 'mid'], ['LPOS', 'big', 'mid'], ['LTRIM', 'big', '1000', '-1000'], ['LLEN', 'big'], ['LRANGE', 'big', '0', '5'], ['OBJECT', 'ENCODING', 'big']);
  await same(pair, steps);
});

// ---------------------------------------------------------------- blocking, multi-connection

/** Waits until the server reports `n` blocked clients. */
async function waitBlocked(ctl: RespClient, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = plain(await ctl.call('INFO', 'clients')) as string;
    const m = /blocked_clients:(\d+)/.exec(r);
    if (m && Number(m[1]) === n) return;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error(`never reached ${n} blocked clients`);
}

type Scenario = (port: number) => Promise<unknown>;

/** Runs the same multi-connection scenario against both servers and compares the outcomes. */
async function both(fn: Scenario): Promise<unknown> {
  const expected = await fn(pair.redis.port);
  const actual = await fn(pair.reddish.port);
  assert.deepStrictEqual(actual, expected);
  return expected;
}

async function clients(port: number, n: number): Promise<RespClient[]> {
  const out: RespClient[] = [];
  for (let i = 0; i < n; i++) out.push(await RespClient.connect(port));
  return out;
}

function closeAll(cs: RespClient[]): void {
  for (const c of cs) c.close();
}

test('BLPOP times out with a null array after the timeout', async () => {
  await both(async (port) => {
    const [a] = await clients(port, 1);
    try {
      await a.call('FLUSHALL');
      const t0 = Date.now();
      const r = await a.call('BLPOP', 'nothing', '0.1');
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 95, `returned after ${elapsed} ms`);
      const r2 = await a.call('BRPOPLPUSH', 'nothing', 'x', '0.05');
      const r3 = await a.call('BLMOVE', 'nothing', 'x', 'LEFT', 'LEFT', '0.05');
      const r4 = await a.call('BLMPOP', '0.05', '1', 'nothing', 'LEFT');
      await a.call('HELLO', '3');
      const r5 = await a.call('BLPOP', 'nothing', '0.05');
      const r6 = await a.call('BLMOVE', 'nothing', 'x', 'LEFT', 'LEFT', '0.05');
      return [r, r2, r3, r4, r5, r6];
    } finally {
      a.close();
    }
  });
});

test('waiters are served in the order they blocked, across keys', async () => {
  await both(async (port) => {
    const [ctl, a, b, c] = await clients(port, 4);
    try {
      await ctl.call('FLUSHALL');
      const pa = a.call('BLPOP', 'k1', 'k2', '5');
      await waitBlocked(ctl, 1);
      const pb = b.call('BRPOP', 'k2', '5');
      await waitBlocked(ctl, 2);
      const pc = c.call('BLPOP', 'k2', 'k1', '5');
      await waitBlocked(ctl, 3);
      const push1 = await ctl.call('RPUSH', 'k2', 'x');
      const ra = await pa;
      const push2 = await ctl.call('RPUSH', 'k2', 'y', 'z');
      const [rb, rc] = await Promise.all([pb, pc]);
      const left = await ctl.call('LRANGE', 'k2', '0', '-1');
      const exists = await ctl.call('EXISTS', 'k2');
      return [push1, ra, push2, rb, rc, left, exists];
    } finally {
      closeAll([ctl, a, b, c]);
    }
  });
});

test('one push serves one waiter; a multi-element push serves several; the rest keep waiting', async () => {
  await both(async (port) => {
    const [ctl, a, b, c] = await clients(port, 4);
    try {
      await ctl.call('FLUSHALL');
      const ps = [a.call('BLPOP', 'q', '5')];
      await waitBlocked(ctl, 1);
      ps.push(b.call('BLPOP', 'q', '5'));
      await waitBlocked(ctl, 2);
      ps.push(c.call('BLPOP', 'q', '5'));
      await waitBlocked(ctl, 3);
      await ctl.call('LPUSH', 'q', '1', '2');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'q', '3');
      const r = await Promise.all(ps);
      return [r, await ctl.call('EXISTS', 'q')];
    } finally {
      closeAll([ctl, a, b, c]);
    }
  });
});

test('BLMOVE chains move an element through every waiting list', async () => {
  await both(async (port) => {
    const [ctl, a, b, c, d] = await clients(port, 5);
    try {
      await ctl.call('FLUSHALL');
      const pc = c.call('BLPOP', 'l3', '5');
      await waitBlocked(ctl, 1);
      const pb = b.call('BLMOVE', 'l2', 'l3', 'LEFT', 'RIGHT', '5');
      await waitBlocked(ctl, 2);
      const pa = a.call('BRPOPLPUSH', 'l1', 'l2', '5');
      await waitBlocked(ctl, 3);
      const pd = d.call('BLMPOP', '5', '2', 'l1', 'l4', 'RIGHT', 'COUNT', '3');
      await waitBlocked(ctl, 4);
      await ctl.call('RPUSH', 'l1', 'item');
      const r = await Promise.all([pa, pb, pc]);
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'l4', 'p', 'q', 'r', 's');
      const rd = await pd;
      const state = await Promise.all(['l1', 'l2', 'l3', 'l4'].map((k) => ctl.call('LRANGE', k, '0', '-1')));
      return [r, rd, state];
    } finally {
      closeAll([ctl, a, b, c, d]);
    }
  });
});

test('a waiter on a key that gets another type keeps waiting; BLMOVE to a wrong-type destination errors', async () => {
  await both(async (port) => {
    const [ctl, a, b] = await clients(port, 3);
    try {
      await ctl.call('FLUSHALL');
      const pa = a.call('BLPOP', 'k', '5');
      await waitBlocked(ctl, 1);
      await ctl.call('SET', 'k', 'string');
      await ctl.call('DEL', 'k');
      await ctl.call('ZADD', 'k', '1', 'm');
      await ctl.call('DEL', 'k');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'k', 'finally');
      const ra = await pa;
      await ctl.call('SET', 'dst', 'string');
      const pb = b.call('BLMOVE', 'src', 'dst', 'LEFT', 'LEFT', '5');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'src', 'v');
      const rb = await pb;
      const src = await ctl.call('LRANGE', 'src', '0', '-1');
      return [ra, rb, src];
    } finally {
      closeAll([ctl, a, b]);
    }
  });
});

test('CLIENT UNBLOCK ends a list wait with the timeout reply or an error', async () => {
  await both(async (port) => {
    const [ctl, a] = await clients(port, 2);
    try {
      await ctl.call('FLUSHALL');
      const id = plain(await a.call('CLIENT', 'ID'));
      const p1 = a.call('BLPOP', 'k', '0');
      await waitBlocked(ctl, 1);
      const u1 = await ctl.call('CLIENT', 'UNBLOCK', String(id));
      const r1 = await p1;
      const p2 = a.call('BLMOVE', 'k', 'x', 'LEFT', 'LEFT', '0');
      await waitBlocked(ctl, 1);
      const u2 = await ctl.call('CLIENT', 'UNBLOCK', String(id), 'ERROR');
      const r2 = await p2;
      const u3 = await ctl.call('CLIENT', 'UNBLOCK', String(id));
      const after = await a.call('PING');
      return [u1, r1, u2, r2, u3, after];
    } finally {
      closeAll([ctl, a]);
    }
  });
});

test('a transaction that pushes serves waiters after EXEC, with the final contents', async () => {
  await both(async (port) => {
    const [ctl, a, b] = await clients(port, 3);
    try {
      await ctl.call('FLUSHALL');
      const pa = a.call('BLPOP', 'k', '5');
      await waitBlocked(ctl, 1);
      const pb = b.call('BRPOP', 'k', '5');
      await waitBlocked(ctl, 2);
      await ctl.call('MULTI');
      await ctl.call('RPUSH', 'k', 'a', 'b', 'c');
      await ctl.call('LPOP', 'k');
      await ctl.call('RPUSH', 'k', 'd');
      const exec = await ctl.call('EXEC');
      const r = await Promise.all([pa, pb]);
      return [exec, r, await ctl.call('LRANGE', 'k', '0', '-1')];
    } finally {
      closeAll([ctl, a, b]);
    }
  });
});

test('a blocked client runs its pipelined commands once served', async () => {
  await both(async (port) => {
    const [ctl, a] = await clients(port, 2);
    try {
      await ctl.call('FLUSHALL');
      const p = a.sendMany('*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n5\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n', 3);
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'k', 'x', 'y');
      return await p;
    } finally {
      closeAll([ctl, a]);
    }
  });
});

// ---------------------------------------------------------------- propagation

test('writes propagate like Redis 7.0 (blocking pops as plain pops)', async () => {
  const srv = await startInProcess({ port: 0 });
  const log: string[][] = [];
  srv.server.propagator = { propagate: (_db, argv) => log.push(argv) };
  const [a, b] = await clients(srv.port, 2);
  try {
    const waitB = async (n: number) => {
      for (let i = 0; i < 200 && srv.server.blocking.blockedCount !== n; i++) await new Promise((r) => setTimeout(r, 5));
    };
    await a.call('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    await a.call('BLPOP', 'none', 'l', '0');
    await a.call('BRPOP', 'l', '0');
    await a.call('BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT', '10');
    await a.call('LMPOP', '1', 'l', 'LEFT');
    await a.call('RPUSH', 'l', 'x', 'y');
    await a.call('BLMOVE', 'l', 'm', 'left', 'RIGHT', '0');
    await a.call('BRPOPLPUSH', 'l', 'm', '0');
    await a.call('LPOP', 'nosuch');
    await a.call('LMOVE', 'nosuch', 'm', 'LEFT', 'LEFT');
    log.length = 0;
    const p1 = b.call('BLPOP', 'w', '0');
    await waitB(1);
    await a.call('RPUSH', 'w', '1');
    await p1;
    const p2 = b.call('BLMOVE', 'w', 'w2', 'RIGHT', 'LEFT', '0');
    await waitB(1);
    await a.call('RPUSH', 'w', '2');
    await p2;
    const p3 = b.call('BRPOPLPUSH', 'w', 'w2', '0');
    await waitB(1);
    await a.call('RPUSH', 'w', '3');
    await p3;
    const p4 = b.call('BLMPOP', '0', '1', 'w', 'RIGHT', 'COUNT', '5');
    await waitB(1);
    await a.call('RPUSH', 'w', '4', '5');
    await p4;
    // Verified against redis-server 7.0 through a SYNC replica stream: the push and the
    // served pop are two separate units (no MULTI/EXEC).
    assert.deepStrictEqual(log, [
      ['RPUSH', 'w', '1'],
      ['LPOP', 'w'],
      ['RPUSH', 'w', '2'],
      ['LMOVE', 'w', 'w2', 'right', 'left'],
      ['RPUSH', 'w', '3'],
      ['RPOPLPUSH', 'w', 'w2'],
      ['RPUSH', 'w', '4', '5'],
      ['RPOP', 'w', '2'],
    ]);
  } finally {
    closeAll([a, b]);
    await srv.close();
  }
});

test('immediate blocking pops are propagated as their plain forms', async () => {
  const srv = await startInProcess({ port: 0 });
  const log: string[][] = [];
  srv.server.propagator = { propagate: (_db, argv) => log.push(argv) };
  const [a] = await clients(srv.port, 1);
  try {
    await a.call('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f');
    await a.call('BLPOP', 'none', 'l', '0');
    await a.call('BRPOP', 'l', '0');
    await a.call('BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT', '2');
    await a.call('LMPOP', '1', 'l', 'RIGHT', 'COUNT', '9');
    await a.call('RPUSH', 'l', 'x', 'y');
    await a.call('BLMOVE', 'l', 'm', 'left', 'RIGHT', '0');
    await a.call('BRPOPLPUSH', 'l', 'm', '0');
    await a.call('LPOP', 'nosuch');
    await a.call('LMOVE', 'nosuch', 'm', 'LEFT', 'LEFT');
    await a.call('LREM', 'm', '0', 'nosuch');
    assert.deepStrictEqual(log, [
      ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f'],
      ['LPOP', 'l'],
      ['RPOP', 'l'],
      ['LPOP', 'l', '2'],
      ['RPOP', 'l', '2'],
      ['RPUSH', 'l', 'x', 'y'],
      ['LMOVE', 'l', 'm', 'left', 'RIGHT'],
      ['RPOPLPUSH', 'l', 'm'],
    ]);
  } finally {
    a.close();
    await srv.close();
  }
});

void ({} as Reply);

test('keys arriving by RENAME, COPY, MOVE or SWAPDB wake waiters like Redis', async () => {
  await both(async (port) => {
    const [ctl, a, b, c] = await clients(port, 4);
    try {
      await ctl.call('FLUSHALL');
      const pa = a.call('BLPOP', 'dst', 'dst', '5');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'src', 'x', 'y');
      await ctl.call('RENAME', 'src', 'dst');
      const ra = await pa;
      const pb = b.call('BRPOP', 'copy', '5');
      await waitBlocked(ctl, 1);
      await ctl.call('COPY', 'dst', 'copy');
      const rb = await pb;
      const pc = c.call('BLPOP', 'moved', '5');
      await waitBlocked(ctl, 1);
      await ctl.call('SELECT', '1');
      await ctl.call('RPUSH', 'moved', 'm');
      await ctl.call('MOVE', 'moved', '0');
      const rc = await pc;
      await ctl.call('SELECT', '0');
      const state = await Promise.all([ctl.call('LRANGE', 'dst', '0', '-1'), ctl.call('EXISTS', 'copy')]);
      return [ra, rb, rc, state];
    } finally {
      closeAll([ctl, a, b, c]);
    }
  });
});

test('COPY of lists gives an independent copy', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['RPUSH', 'l', 'a', 'b', 'c'],
    ['COPY', 'l', 'l2'],
    ['RPUSH', 'l', 'd'],
    ['LPOP', 'l2'],
    ['LRANGE', 'l', '0', '-1'],
    ['LRANGE', 'l2', '0', '-1'],
    ['OBJECT', 'ENCODING', 'l2'],
    ['COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT'],
    ['COMMAND', 'GETKEYS', 'BLMPOP', '0', '2', 'a', 'b', 'LEFT'],
    ['COMMAND', 'GETKEYS', 'BLPOP', 'a', 'b', '0'],
    ['COMMAND', 'GETKEYS', 'LMOVE', 'a', 'b', 'LEFT', 'LEFT'],
  ]);
});
