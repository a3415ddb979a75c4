import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair } from '../helpers/differential.js';
import { RespClient, plain, type Reply } from '../helpers/resp.js';

let pair: Pair;
before(async () => {
  pair = await startPair(['--enable-debug-command', 'yes']);
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

interface ExpiryCase {
  name: string;
  /** Run before WATCH w, with active expiry off (so an expired key stays stored). */
  setup: (string | number)[][];
  /** Real time to let short TTLs pass before WATCH (the key is then logically expired). */
  expireFirst?: boolean;
  interfere: (string | number)[][];
  /** Turn active expiry back on and wait until it has deleted every key with a TTL. */
  activeExpiry?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs an expiry-related WATCH scenario on one server and returns EXEC's reply. */
async function expiryScenario(port: number, c: ExpiryCase): Promise<Reply> {
  const a = await RespClient.connect(port);
  const b = await RespClient.connect(port);
  try {
    await a.call('FLUSHALL');
    await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    for (const s of c.setup) await a.call(...s);
    await a.call('SELECT', '0');
    // The keys were given a 1 ms TTL: after 20 ms they are expired, whatever the scheduling.
    if (c.expireFirst) await sleep(20);
    await a.call('WATCH', 'w');
    for (const s of c.interfere) await b.call(...s);
    if (c.activeExpiry) {
      await b.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
      // Bounded wait for the background cycle: the keys with a TTL are all gone when no db
      // line of INFO keyspace mentions expires any more.
      for (let i = 0; i < 500; i++) {
        const info = plain(await b.call('INFO', 'keyspace')) as string;
        if (!/expires=[1-9]/.test(info)) break;
        await sleep(10);
      }
    }
    await a.call('MULTI');
    await a.call('SET', 'w', 'mine');
    return await a.call('EXEC');
  } finally {
    await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    a.close();
    b.close();
  }
}

test('WATCH of keys that are already expired follows Redis 7.0', async () => {
  const expired = [['SET', 'w', '1', 'PX', '1']];
  const cases: ExpiryCase[] = [
    { name: 'expired at WATCH, untouched', setup: expired, expireFirst: true, interfere: [] },
    { name: 'expired at WATCH, then DEL', setup: expired, expireFirst: true, interfere: [['DEL', 'w']] },
    { name: 'expired at WATCH, then read (lazy expiry)', setup: expired, expireFirst: true, interfere: [['GET', 'w']] },
    { name: 'expired at WATCH, then EXISTS', setup: expired, expireFirst: true, interfere: [['EXISTS', 'w']] },
    { name: 'expired at WATCH, then SET', setup: expired, expireFirst: true, interfere: [['SET', 'w', '2']] },
    { name: 'expired at WATCH, then DEL and SET', setup: expired, expireFirst: true, interfere: [['DEL', 'w'], ['SET', 'w', '2']] },
    { name: 'expired at WATCH, then SADD (new type)', setup: expired, expireFirst: true, interfere: [['SADD', 'w', 'x']] },
    { name: 'expired at WATCH, then FLUSHALL', setup: expired, expireFirst: true, interfere: [['FLUSHALL']] },
    { name: 'expired at WATCH, then FLUSHDB', setup: expired, expireFirst: true, interfere: [['FLUSHDB']] },
    { name: 'expired at WATCH, then FLUSHALL and SET', setup: expired, expireFirst: true, interfere: [['FLUSHALL'], ['SET', 'w', '3']] },
    { name: 'expired at WATCH, deleted by active expiry', setup: expired, expireFirst: true, interfere: [], activeExpiry: true },
    { name: 'live at WATCH, deleted by active expiry', setup: [['SET', 'w', '1', 'PX', '100']], interfere: [], activeExpiry: true },
    { name: 'live at WATCH, other key expires', setup: [['SET', 'w', '1'], ['SET', 'o', '1', 'PX', '1']], interfere: [], activeExpiry: true },
    { name: 'expired at WATCH, SORT ... STORE into it', setup: [...expired, ['RPUSH', 'src', '2', '1']], expireFirst: true, interfere: [['SORT', 'src', 'STORE', 'w']] },
    { name: 'live at WATCH, SORT ... STORE into it', setup: [['SET', 'w', '1'], ['RPUSH', 'src', '2', '1']], interfere: [['SORT', 'src', 'STORE', 'w']] },
    { name: 'live at WATCH, empty SORT ... STORE deletes it', setup: [['SET', 'w', '1']], interfere: [['SORT', 'nosrc', 'STORE', 'w']] },
    { name: 'missing at WATCH, empty SORT ... STORE', setup: [], interfere: [['SORT', 'nosrc', 'STORE', 'w']] },
    { name: 'watched key used as SORT source', setup: [['RPUSH', 'w', '2', '1']], interfere: [['SORT', 'w'], ['SORT', 'w', 'STORE', 'other']] },
    { name: 'expired at WATCH, SWAPDB with a db without it', setup: expired, expireFirst: true, interfere: [['SWAPDB', '0', '1']] },
    {
      name: 'expired at WATCH, SWAPDB with a db where it is expired too',
      setup: [...expired, ['SELECT', '1'], ['SET', 'w', '1', 'PX', '1']],
      expireFirst: true,
      interfere: [['SWAPDB', '0', '1']],
    },
    { name: 'expired at WATCH, SWAPDB with a db where it lives', setup: [...expired, ['SELECT', '1'], ['SET', 'w', '1']], expireFirst: true, interfere: [['SWAPDB', '0', '1']] },
    { name: 'missing at WATCH, SWAPDB brings an expired one', setup: [['SELECT', '1'], ['SET', 'w', '1', 'PX', '1']], expireFirst: true, interfere: [['SWAPDB', '0', '1']] },
    { name: 'missing at WATCH, SWAPDB brings a live one', setup: [['SELECT', '1'], ['SET', 'w', '1']], interfere: [['SWAPDB', '0', '1']] },
    {
      name: 'expired at WATCH, SWAPDB away and back',
      setup: expired,
      expireFirst: true,
      interfere: [
        ['SWAPDB', '0', '1'],
        ['SWAPDB', '0', '1'],
      ],
    },
  ];
  for (const c of cases) {
    const ra = await expiryScenario(pair.redis.port, c);
    const rb = await expiryScenario(pair.reddish.port, c);
    assert.deepEqual(rb, ra, c.name);
  }
});

test('a dirty client adds no watches; UNWATCH clears the dirty state', async () => {
  const run = async (port: number): Promise<unknown[]> => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    try {
      const out: unknown[] = [];
      await a.call('FLUSHALL');
      await a.call('WATCH', 'x');
      await b.call('SET', 'x', '1');
      out.push(plain(await a.call('WATCH', 'y')));
      await a.call('MULTI');
      await a.call('PING');
      out.push(plain(await a.call('EXEC')));
      await a.call('WATCH', 'x');
      await b.call('SET', 'x', '2');
      out.push(plain(await a.call('UNWATCH')));
      await a.call('MULTI');
      await a.call('PING');
      out.push(plain(await a.call('EXEC')));
      return out;
    } finally {
      a.close();
      b.close();
    }
  };
  assert.deepEqual(await run(pair.reddish.port), await run(pair.redis.port));
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
