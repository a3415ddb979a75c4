/**
 * Client-side caching, differential: the same scripts run on redis-server and on reddish with
 * tracking clients, and every frame each connection receives (replies, invalidation pushes,
 * __redis__:invalidate messages, in arrival order) must be identical.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, type Pair } from '../helpers/differential.js';
import { RespClient, encodeCommand, plain, type Reply } from '../helpers/resp.js';
import { runScript, type ConnSpec, type ScriptStep } from './scenario.js';

let pair: Pair;
before(async () => {
  // DEBUG SET-ACTIVE-EXPIRE 0 makes expiry lazy, so when an expired key is invalidated is known.
  pair = await startPair(['--enable-debug-command', 'yes']);
});
after(async () => {
  await pair.close();
});

async function sameOnBoth(conns: ConnSpec[], steps: ScriptStep[]): Promise<Record<string, unknown[]>> {
  // FLUSHALL first: it empties both tracking tables (Redis keeps ids of gone clients until then).
  for (const s of [pair.a, pair.b]) await s.call('FLUSHALL');
  const redis = await runScript(pair.redis.port, conns, steps);
  const reddish = await runScript(pair.reddish.port, conns, steps);
  assert.deepStrictEqual(reddish.frames, redis.frames);
  return redis.frames;
}

function infoFields(r: Reply, names: string[]): Record<string, string> {
  const text = (r as { v: string }).v;
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const [k, v] = line.split(':');
    if (names.includes(k)) out[k] = v;
  }
  return out;
}

/** An invalidation push as recorded (raw bytes). */
const push = (...keys: string[]) => ({ raw: `>2\r\n$10\r\ninvalidate\r\n*${keys.length}\r\n` + keys.map((k) => `$${k.length}\r\n${k}\r\n`).join('') });

test('RESP3 default mode: reads are tracked, writes invalidate (own writes after the reply), flushes send null', async () => {
  const frames = await sameOnBoth(
    [
      { name: 'A', resp: 3 },
      { name: 'B', resp: 2 },
    ],
    [
      ['A', 'CLIENT', 'TRACKING', 'ON'],
      ['A', 'GET', 'a'],
      ['A', 'MGET', 'b', 'c'],
      ['A', 'SET', 'a', '1'],
      ['A', 'GET', 'a'],
      ['B', 'SET', 'a', '2'],
      ['B', 'DEL', 'b', 'c', 'nothere'],
      ['B', 'MSET', 'b', '1', 'c', '2'],
      ['A', 'STRLEN', 'b'],
      ['B', 'APPEND', 'b', 'x'],
      ['A', 'HGET', 'b', 'f'],
      ['B', 'INCR', 'c'],
      ['A', 'EXISTS', 'c'],
      ['B', 'SELECT', '1'],
      // Keys are tracked by name across databases.
      ['B', 'SET', 'c', 'other-db'],
      ['A', 'GET', 'x'],
      ['B', 'SWAPDB', '0', '1'],
      ['B', 'SET', 'x', '1'],
      ['A', 'GET', 'f'],
      ['B', 'FLUSHDB'],
      ['A', 'GET', 'g'],
      ['A', 'FLUSHALL'],
      ['A', 'GET', 'g'],
      ['B', 'SET', 'g', '1'],
      // One null per flush, also within a transaction.
      ['A', 'MULTI'],
      ['A', 'FLUSHDB'],
      ['A', 'GET', 'g'],
      ['A', 'FLUSHALL'],
      ['A', 'EXEC'],
      ['B', 'MULTI'],
      ['B', 'FLUSHDB'],
      ['B', 'FLUSHDB'],
      ['B', 'EXEC'],
    ],
  );
  // Sanity: the run did produce invalidations (the comparison is not vacuous).
  assert.ok(JSON.stringify(frames.A).includes(JSON.stringify(push('a'))));
});

test('MULTI/EXEC: messages for the running client follow the EXEC reply; expiry invalidates', async () => {
  await sameOnBoth(
    [
      { name: 'A', resp: 3 },
      { name: 'B', resp: 3 },
    ],
    [
      ['A', 'CLIENT', 'TRACKING', 'ON'],
      ['A', 'GET', 'x'],
      ['A', 'MULTI'],
      ['A', 'GET', 'm1'],
      ['A', 'SET', 'm1', '1'],
      ['A', 'GET', 'm1'],
      ['A', 'SET', 'x', '2'],
      ['A', 'EXEC'],
      ['B', 'SET', 'm1', '5'],
      ['B', 'DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['B', 'SET', 'e', '1', 'PX', '100'],
      ['A', 'GET', 'e'],
      { sleep: 150 },
      // The key is expired now: the lookup deletes it and invalidates it for A (after the reply).
      ['A', 'GET', 'e'],
      ['B', 'SET', 'e', '2'],
      ['B', 'DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ],
  );
});

test('RESP2 redirection: messages on __redis__:invalidate to a subscribed client; null after a flush', async () => {
  const frames = await sameOnBoth(
    [
      { name: 'A', resp: 2 },
      { name: 'R', resp: 2 },
      { name: 'N', resp: 2 },
      { name: 'W', resp: 2 },
    ],
    [
      ['R', 'SUBSCRIBE', '__redis__:invalidate'],
      ['A', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$R'],
      ['A', 'CLIENT', 'GETREDIR'],
      ['A', 'CLIENT', 'TRACKINGINFO'],
      ['A', 'GET', 'k1'],
      ['A', 'MGET', 'k2', 'k3'],
      ['W', 'SET', 'k1', 'v'],
      ['W', 'MSET', 'k2', 'v', 'k3', 'v'],
      ['A', 'SET', 'k4', 'v'],
      ['A', 'GET', 'k4'],
      ['A', 'SET', 'k4', 'w'],
      ['A', 'GET', 'k5'],
      ['W', 'FLUSHALL'],
      // Redirect to a RESP2 client that is not in Pub/Sub mode: nothing can be delivered.
      ['A', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$N'],
      ['A', 'GET', 'k6'],
      ['W', 'SET', 'k6', 'v'],
      // Without redirection a RESP2 client gets nothing either.
      ['A', 'CLIENT', 'TRACKING', 'OFF'],
      ['A', 'CLIENT', 'TRACKING', 'ON'],
      ['A', 'GET', 'k7'],
      ['W', 'SET', 'k7', 'v'],
      ['A', 'CLIENT', 'TRACKINGINFO'],
    ],
  );
  assert.ok(frames.R.length > 4, 'the redirect client received messages');
});

test('broken redirection: the R flag, broken_redirect and (RESP3) a tracking-redir-broken push', async () => {
  await sameOnBoth(
    [
      { name: 'A', resp: 3 },
      { name: 'A2', resp: 2 },
      { name: 'R', resp: 3 },
      { name: 'W', resp: 2 },
    ],
    [
      ['A', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$R'],
      ['A2', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$R'],
      ['A', 'GET', 'k'],
      ['A2', 'GET', 'k'],
      ['W', 'SET', 'k', '1'],
      ['A', 'GET', 'k'],
      ['A2', 'GET', 'k'],
      // The flush null is encoded in the tracking client's protocol ($-1 for A2), not R's.
      ['W', 'FLUSHALL'],
      ['A', 'GET', 'k'],
      ['A2', 'GET', 'k'],
      { close: 'R' },
      ['A', 'CLIENT', 'TRACKINGINFO'],
      ['W', 'SET', 'k', '2'],
      ['A', 'CLIENT', 'TRACKINGINFO'],
      ['A2', 'CLIENT', 'TRACKINGINFO'],
      ['A', 'CLIENT', 'GETREDIR'],
      ['A', 'CLIENT', 'TRACKING', 'ON'],
      ['A', 'CLIENT', 'TRACKINGINFO'],
    ],
  );
  // CLIENT INFO: flags t/R/B and redir= as Redis shows them.
  for (const port of [pair.redis.port, pair.reddish.port]) {
    const a = await RespClient.connect(port);
    const r = await RespClient.connect(port);
    const rid = plain(await r.call('CLIENT', 'ID')) as number;
    await a.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(rid));
    assert.match(plain(await a.call('CLIENT', 'INFO')) as string, new RegExp(` flags=t .* redir=${rid} resp=2`));
    r.close();
    const w = await RespClient.connect(port);
    while (plain(await w.call('CLIENT', 'LIST', 'ID', String(rid))) !== '');
    await a.call('GET', 'ci');
    await w.call('SET', 'ci', '1');
    assert.match(plain(await a.call('CLIENT', 'INFO')) as string, new RegExp(` flags=tR .* redir=${rid} resp=2`));
    await a.call('CLIENT', 'TRACKING', 'OFF');
    await a.call('CLIENT', 'TRACKING', 'ON', 'BCAST');
    assert.match(plain(await a.call('CLIENT', 'INFO')) as string, / flags=tB .* redir=0 resp=2/);
    await a.call('CLIENT', 'TRACKING', 'OFF');
    assert.match(plain(await a.call('CLIENT', 'INFO')) as string, / flags=N .* redir=-1 resp=2/);
    a.close();
    w.close();
  }
});

test('CLIENT TRACKING / CACHING errors and TRACKINGINFO match Redis (RESP2 and RESP3)', async () => {
  for (const resp of [2, 3] as const) {
    await sameOnBoth(
      [
        { name: 'A', resp },
        { name: 'B', resp: 2 },
      ],
      [
        ['A', 'CLIENT', 'TRACKINGINFO'],
        ['A', 'CLIENT', 'GETREDIR'],
        ['A', 'CLIENT', 'TRACKING'],
        ['A', 'CLIENT', 'TRACKING', 'MAYBE'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BOGUS'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'PREFIX'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'PREFIX', 'a'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'abc'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '0'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '999999'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$B', 'REDIRECT', '$B'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTOUT'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'xy'],
        // A clash between two given prefixes after the first: Redis replies the error, then
        // enables tracking anyway and replies +OK too.
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'b', 'PREFIX', 'bc'],
        ['A', 'CLIENT', 'TRACKINGINFO'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'ab'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'z'],
        ['A', 'CLIENT', 'TRACKING', 'ON'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST'],
        ['A', 'CLIENT', 'TRACKINGINFO'],
        ['A', 'CLIENT', 'CACHING', 'YES'],
        ['A', 'CLIENT', 'TRACKING', 'OFF', 'PREFIX', 'ignored'],
        ['A', 'CLIENT', 'TRACKING', 'OFF'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'q'],
        ['A', 'CLIENT', 'TRACKING', 'OFF'],
        ['A', 'CLIENT', 'CACHING', 'YES'],
        ['A', 'CLIENT', 'CACHING'],
        ['A', 'CLIENT', 'TRACKING', 'ON'],
        ['A', 'CLIENT', 'CACHING', 'YES'],
        ['A', 'CLIENT', 'CACHING', 'NO'],
        ['A', 'CLIENT', 'CACHING', 'maybe'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'OPTIN'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST'],
        ['A', 'CLIENT', 'CACHING', 'NO'],
        ['A', 'CLIENT', 'CACHING', 'YES'],
        ['A', 'CLIENT', 'TRACKINGINFO'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'NOLOOP', 'OPTIN'],
        ['A', 'CLIENT', 'TRACKINGINFO'],
        ['A', 'CLIENT', 'TRACKING', 'OFF'],
        ['A', 'CLIENT', 'TRACKING', 'ON', 'optout', 'noloop', 'REDIRECT', '$B'],
        ['A', 'CLIENT', 'CACHING', 'no'],
        ['A', 'CLIENT', 'TRACKINGINFO'],
        ['A', 'CLIENT', 'GETREDIR'],
        ['A', 'RESET'],
        ['A', 'CLIENT', 'TRACKINGINFO'],
      ],
    );
  }
});

test('BCAST: prefixes, one sorted message per prefix and turn, NOLOOP, no prefix = every key', async () => {
  const frames = await sameOnBoth(
    [
      { name: 'A', resp: 3 },
      { name: 'D', resp: 3 },
      { name: 'R', resp: 2 },
      { name: 'F', resp: 2 },
      { name: 'W', resp: 2 },
    ],
    [
      ['A', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'obj'],
      ['D', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'NOLOOP'],
      ['R', 'SUBSCRIBE', 'anything'],
      ['F', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:', 'REDIRECT', '$R'],
      ['W', 'MSET', 'user:2', 'x', 'user:1', 'y', 'objz', '1', 'other', '2', 'user:10', 'z'],
      ['W', 'SET', 'obj', '1'],
      ['D', 'SET', 'dd', '1'],
      ['D', 'MSET', 'user:9', '1', 'e', '2'],
      ['W', 'SET', 'user:9', '2'],
      // Reads register nothing in BCAST mode.
      ['A', 'GET', 'user:1'],
      ['W', 'EXPIRE', 'user:1', '0'],
      ['W', 'DEL', 'user:2', 'nokey'],
      // A key D's own read finds expired is signalled without a client: NOLOOP does not hide it.
      ['W', 'DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['D', 'SET', 'gone', '1', 'PX', '100'],
      { sleep: 150 },
      ['D', 'GET', 'gone'],
      ['W', 'DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
      ['W', 'FLUSHALL'],
      ['A', 'CLIENT', 'TRACKINGINFO'],
      ['F', 'CLIENT', 'TRACKINGINFO'],
    ],
  );
  assert.ok(JSON.stringify(frames.A).includes(JSON.stringify(push('user:1', 'user:10', 'user:2'))), JSON.stringify(frames.A));
});

test('OPTIN/OPTOUT with CLIENT CACHING, NOLOOP in default mode', async () => {
  await sameOnBoth(
    [
      { name: 'A', resp: 3 },
      { name: 'W', resp: 2 },
    ],
    [
      ['A', 'CLIENT', 'TRACKING', 'ON', 'OPTIN'],
      ['A', 'GET', 'o1'],
      ['A', 'CLIENT', 'CACHING', 'YES'],
      ['A', 'GET', 'o2'],
      ['A', 'GET', 'o3'],
      ['W', 'MSET', 'o1', '1', 'o2', '2', 'o3', '3'],
      // The flag survives other CLIENT subcommands and a whole transaction.
      ['A', 'CLIENT', 'CACHING', 'YES'],
      ['A', 'CLIENT', 'GETNAME'],
      ['A', 'MULTI'],
      ['A', 'GET', 'o4'],
      ['A', 'GET', 'o5'],
      ['A', 'EXEC'],
      ['A', 'GET', 'o6'],
      ['W', 'MSET', 'o4', '1', 'o5', '2', 'o6', '3'],
      ['A', 'CLIENT', 'CACHING', 'YES'],
      ['A', 'ECHO', 'spent'],
      ['A', 'GET', 'o7'],
      ['W', 'SET', 'o7', '1'],
      // A refused command uses the flag up too; a refused CLIENT subcommand does not.
      ['A', 'CLIENT', 'CACHING', 'YES'],
      ['A', 'NOSUCHCOMMAND'],
      ['A', 'GET', 'o8'],
      ['A', 'CLIENT', 'CACHING', 'YES'],
      ['A', 'CLIENT', 'CACHING'],
      ['A', 'GET', 'o9'],
      ['A', 'CLIENT', 'CACHING', 'YES'],
      ['A', 'GET'],
      ['A', 'GET', 'o10'],
      ['W', 'MSET', 'o8', '1', 'o9', '1', 'o10', '1'],
      ['A', 'CLIENT', 'TRACKING', 'OFF'],
      ['A', 'CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
      ['A', 'GET', 'p1'],
      ['A', 'CLIENT', 'CACHING', 'NO'],
      ['A', 'GET', 'p2'],
      ['A', 'GET', 'p3'],
      ['W', 'MSET', 'p1', '1', 'p2', '2', 'p3', '3'],
      ['A', 'CLIENT', 'TRACKING', 'OFF'],
      ['A', 'CLIENT', 'TRACKING', 'ON', 'NOLOOP'],
      ['A', 'GET', 'n1'],
      ['A', 'GET', 'n2'],
      ['A', 'SET', 'n1', '1'],
      ['W', 'SET', 'n2', '1'],
      ['A', 'GET', 'n1'],
      ['W', 'SET', 'n1', '2'],
    ],
  );
});

test('tracking-table-max-keys: over the limit a tracked key is dropped and its client told', async () => {
  const results: unknown[] = [];
  for (const port of [pair.redis.port, pair.reddish.port]) {
    const admin = await RespClient.connect(port);
    await admin.call('FLUSHALL');
    const a = await RespClient.connect(port);
    await a.call('HELLO', '3');
    await a.call('CLIENT', 'TRACKING', 'ON');
    await admin.call('CONFIG', 'SET', 'tracking-table-max-keys', '2');
    await a.call('MGET', 'k1', 'k2', 'k3');
    // The next command finds the table over the limit and evicts one random key.
    await a.call('PING');
    const info = infoFields(await admin.call('INFO', 'stats'), ['tracking_total_keys', 'tracking_total_items']);
    const first = a.pushes.map(plain);
    await admin.call('CONFIG', 'SET', 'tracking-table-max-keys', '0');
    await admin.call('MSET', 'k1', '1', 'k2', '2', 'k3', '3');
    await a.call('PING');
    const evicted = (first[0] as [string, string[]])[1][0];
    const rest = a.pushes.slice(1).map((p) => (plain(p) as [string, string[]])[1][0]);
    results.push({ info, pushes: first.length, restCount: rest.length, all: [evicted, ...rest].sort() });
    a.close();
    admin.close();
  }
  assert.deepStrictEqual(results[1], results[0]);
  assert.deepStrictEqual(results[0], { info: { tracking_total_keys: '2', tracking_total_items: '2' }, pushes: 1, restCount: 2, all: ['k1', 'k2', 'k3'] });
});

test('INFO: tracking_clients, tracking_total_keys/items/prefixes match Redis', async () => {
  const fields = ['tracking_clients', 'tracking_total_keys', 'tracking_total_items', 'tracking_total_prefixes'];
  const out: Record<string, string>[][] = [];
  for (const port of [pair.redis.port, pair.reddish.port]) {
    const admin = await RespClient.connect(port);
    await admin.call('FLUSHALL');
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    const c = await RespClient.connect(port);
    const snap = async () => infoFields(await admin.call('INFO', 'everything'), fields);
    const seen = [await snap()];
    await a.call('CLIENT', 'TRACKING', 'ON');
    await b.call('CLIENT', 'TRACKING', 'ON');
    await a.call('MGET', 'x', 'y', 'z');
    await b.call('MGET', 'x', 'w');
    seen.push(await snap());
    await c.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'p', 'PREFIX', 'q');
    await admin.call('DEL', 'x');
    seen.push(await snap());
    await a.call('CLIENT', 'TRACKING', 'OFF');
    await c.call('CLIENT', 'TRACKING', 'OFF');
    seen.push(await snap());
    out.push(seen);
    for (const x of [a, b, c, admin]) x.close();
  }
  assert.deepStrictEqual(out[1], out[0]);
  assert.deepStrictEqual(out[0][1], { tracking_clients: '2', tracking_total_keys: '4', tracking_total_items: '5', tracking_total_prefixes: '0' });
});

test('a tracking client that disconnects leaves nothing behind (reddish)', async () => {
  const port = pair.reddish.port;
  const admin = await RespClient.connect(port);
  await admin.call('FLUSHALL');
  const fields = ['tracking_clients', 'tracking_total_keys', 'tracking_total_items', 'tracking_total_prefixes'];
  const a = await RespClient.connect(port);
  const b = await RespClient.connect(port);
  const other = await RespClient.connect(port);
  await other.call('CLIENT', 'TRACKING', 'ON');
  await other.call('GET', 'shared');
  await a.call('CLIENT', 'TRACKING', 'ON');
  await a.call('MGET', 'k1', 'k2', 'shared');
  await b.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'p:');
  assert.deepStrictEqual(infoFields(await admin.call('INFO', 'everything'), fields), {
    tracking_clients: '3',
    tracking_total_keys: '3',
    tracking_total_items: '4',
    tracking_total_prefixes: '1',
  });
  const ids = [plain(await a.call('CLIENT', 'ID')), plain(await b.call('CLIENT', 'ID'))];
  a.close();
  b.close();
  for (const id of ids) while (plain(await admin.call('CLIENT', 'LIST', 'ID', String(id))) !== '');
  // Only the other client's entry is left.
  assert.deepStrictEqual(infoFields(await admin.call('INFO', 'everything'), fields), {
    tracking_clients: '1',
    tracking_total_keys: '1',
    tracking_total_items: '1',
    tracking_total_prefixes: '0',
  });
  await admin.call('MSET', 'k1', '1', 'shared', '2', 'p:x', '3');
  assert.deepStrictEqual(infoFields(await admin.call('INFO', 'everything'), fields).tracking_total_keys, '0');
  other.close();
  admin.close();
});

test('CLIENT REPLY OFF/SKIP drop replies but not invalidation pushes', async () => {
  const seen: unknown[] = [];
  for (const port of [pair.redis.port, pair.reddish.port]) {
    const a = await RespClient.connect(port);
    await a.call('FLUSHALL');
    await a.call('HELLO', '3');
    await a.call('CLIENT', 'TRACKING', 'ON');
    await a.call('GET', 'k');
    const pipeline = [
      ['CLIENT', 'REPLY', 'OFF'],
      ['SET', 'k', '1'],
      ['GET', 'k'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['SET', 'k', '2'],
      ['CLIENT', 'REPLY', 'ON'],
    ].map((c) => encodeCommand(c));
    // Only CLIENT REPLY ON answers; the pushes come before its +OK.
    const [on] = await a.sendMany(Buffer.concat(pipeline), 1);
    seen.push({ on: plain(on), pushes: a.pushes.map(plain) });
    a.close();
  }
  assert.deepStrictEqual(seen[1], seen[0]);
  assert.deepStrictEqual(seen[0], { on: 'OK', pushes: [['invalidate', ['k']], ['invalidate', ['k']]] });
});

test('writes of every kind invalidate the keys Redis invalidates, in its order', async () => {
  const read: string[] = ['A', 'MGET', 'a', 'b', 'c', 'd', 's1', 's2', 's3', 'l1', 'l2', 'z1', 'z2', 'h', 'x'];
  await sameOnBoth(
    [
      { name: 'A', resp: 3 },
      { name: 'B', resp: 2 },
    ],
    [
      ['A', 'CLIENT', 'TRACKING', 'ON'],
      ['B', 'MSET', 'a', '1', 'b', '2', 'c', '3'],
      ['B', 'SADD', 's1', 'x', 'y'],
      ['B', 'SADD', 's2', 'y'],
      ['B', 'RPUSH', 'l1', '1', '2'],
      read,
      ['B', 'RENAME', 'a', 'd'],
      ['B', 'COPY', 'b', 'c', 'REPLACE'],
      ['B', 'SMOVE', 's1', 's2', 'x'],
      ['B', 'LMOVE', 'l1', 'l2', 'LEFT', 'RIGHT'],
      ['B', 'SINTERSTORE', 's3', 's1', 's2'],
      ['B', 'ZADD', 'z1', '1', 'm'],
      read,
      ['B', 'ZUNIONSTORE', 'z2', '2', 'z1', 's2'],
      ['B', 'GETDEL', 'd'],
      ['B', 'LPOP', 'l1'],
      ['B', 'LPOP', 'l2'],
      ['B', 'MOVE', 'b', '3'],
      ['B', 'EXPIRE', 'c', '0'],
      read,
      ['B', 'HSET', 'h', 'f', 'v'],
      ['B', 'HDEL', 'h', 'f'],
      ['B', 'PERSIST', 's2'],
      ['B', 'EXPIRE', 's2', '100'],
      ['B', 'SETRANGE', 'x', '0', 'a'],
      read,
      ['B', 'SETRANGE', 'x', '0', ''],
      ['B', 'APPEND', 'x', ''],
      ['B', 'INCRBY', 'x', '0'],
      ['B', 'SET', 'x', '5'],
      read,
      ['B', 'INCRBY', 'x', '0'],
      ['B', 'GETEX', 'x', 'PERSIST'],
      ['B', 'GETEX', 'x', 'EX', '100'],
    ],
  );
});

test('a key evicted for maxmemory is invalidated', async () => {
  const frames = await sameOnBoth(
    [
      { name: 'A', resp: 3 },
      { name: 'B', resp: 2 },
    ],
    [
      ['A', 'CLIENT', 'TRACKING', 'ON'],
      ['B', 'SET', 'k', 'v'],
      ['A', 'GET', 'k'],
      ['B', 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random'],
      ['B', 'CONFIG', 'SET', 'maxmemory', '1'],
      ['B', 'SET', 'other', 'v'],
      ['B', 'CONFIG', 'SET', 'maxmemory', '0'],
      ['B', 'CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
      ['B', 'DBSIZE'],
    ],
  );
  assert.deepStrictEqual(frames.A.at(-1), push('k'));
});
