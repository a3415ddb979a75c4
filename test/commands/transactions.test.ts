import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair } from '../helpers/differential.js';
import { RespClient, plain, type Reply } from '../helpers/resp.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.close();
});

test('MULTI/EXEC/DISCARD basics and errors match Redis', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['EXEC'],
    ['DISCARD'],
    ['MULTI'],
    ['MULTI'],
    ['SET', 'a', '1'],
    ['INCR', 'a'],
    ['GET', 'a'],
    ['EXEC'],
    ['MULTI'],
    ['SET', 'b', '1'],
    ['DISCARD'],
    ['GET', 'b'],
    ['MULTI'],
    ['SET', 'c', '1'],
    ['NOSUCHCMD'],
    ['GET', 'c', 'extra'],
    ['EXEC'],
    ['GET', 'c'],
    ['MULTI'],
    ['SET', 'd', 'x'],
    ['INCR', 'd'],
    ['GET', 'd'],
    ['EXEC'],
    ['MULTI'],
    ['WATCH', 'a'],
    ['EXEC'],
    ['MULTI'],
    ['EXEC'],
  ]);
});

/** Runs a WATCH scenario on one server: another connection does `interfere` between WATCH and EXEC. */
async function watchScenario(port: number, setup: (string | number)[][], interfere: (string | number)[][], waitMs = 0): Promise<Reply> {
  const a = await RespClient.connect(port);
  const b = await RespClient.connect(port);
  try {
    await a.call('FLUSHALL');
    for (const s of setup) await a.call(...s);
    await a.call('WATCH', 'w');
    for (const s of interfere) await b.call(...s);
    if (waitMs) await new Promise((r) => setTimeout(r, waitMs));
    await a.call('MULTI');
    await a.call('SET', 'w', 'mine');
    return await a.call('EXEC');
  } finally {
    a.close();
    b.close();
  }
}

test('WATCH is invalidated by writes, deletes, FLUSH, SWAPDB and expiry, like Redis', async () => {
  const cases: { name: string; setup: (string | number)[][]; interfere: (string | number)[][]; waitMs?: number }[] = [
    { name: 'untouched', setup: [['SET', 'w', '1']], interfere: [] },
    { name: 'overwritten', setup: [['SET', 'w', '1']], interfere: [['SET', 'w', '2']] },
    { name: 'same value written', setup: [['SET', 'w', '1']], interfere: [['SET', 'w', '1']] },
    { name: 'deleted', setup: [['SET', 'w', '1']], interfere: [['DEL', 'w']] },
    { name: 'created', setup: [], interfere: [['SET', 'w', '1']] },
    { name: 'other key', setup: [['SET', 'w', '1']], interfere: [['SET', 'other', '1']] },
    { name: 'flushdb', setup: [['SET', 'w', '1']], interfere: [['FLUSHDB']] },
    { name: 'flushall on missing key', setup: [], interfere: [['FLUSHALL']] },
    { name: 'swapdb', setup: [['SET', 'w', '1']], interfere: [['SWAPDB', '0', '1']] },
    { name: 'expired', setup: [['SET', 'w', '1', 'PX', '50']], interfere: [], waitMs: 120 },
  ];
  for (const c of cases) {
    const [ra, rb] = [
      await watchScenario(pair.redis.port, c.setup, c.interfere, c.waitMs),
      await watchScenario(pair.reddish.port, c.setup, c.interfere, c.waitMs),
    ];
    assert.deepEqual(rb, ra, c.name);
  }
});

test('a transaction wakes clients blocked on its keys after EXEC', async (t) => {
  const blocker = await RespClient.connect(pair.reddish.port);
  const b = await RespClient.connect(pair.reddish.port);
  try {
    const list = await b.call('COMMAND', 'INFO', 'blpop');
    if (list.t === 'array' && list.v[0].t === 'nil') {
      t.skip('BLPOP not available yet');
      return;
    }
    await b.call('DEL', 'q');
    const waiting = blocker.call('BLPOP', 'q', '5');
    await new Promise((r) => setTimeout(r, 50));
    await b.call('MULTI');
    await b.call('RPUSH', 'q', 'x');
    await b.call('RPUSH', 'q', 'y');
    assert.deepEqual(plain(await b.call('EXEC')), [1, 2]);
    assert.deepEqual(plain(await waiting), ['q', 'x']);
    assert.deepEqual(plain(await b.call('LRANGE', 'q', '0', '-1')), ['y']);
  } finally {
    blocker.close();
    b.close();
  }
});

test('CLIENT LIST shows multi=N and the x flag while queuing', async () => {
  const c = await RespClient.connect(pair.reddish.port);
  await c.call('CLIENT', 'SETNAME', 'txclient');
  await c.call('MULTI');
  await c.call('PING');
  await c.call('PING');
  const list = plain(await pair.b.call('CLIENT', 'LIST')) as string;
  const line = list.split('\n').find((l) => l.includes('name=txclient'))!;
  assert.match(line, / flags=x /);
  assert.match(line, / multi=2 /);
  c.close();
});
