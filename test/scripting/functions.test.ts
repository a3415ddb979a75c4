/**
 * FUNCTION and FCALL against redis-server 7.0: replies and errors side by side, FUNCTION
 * DUMP/RESTORE payloads and RDB files with libraries crossing both ways, and libraries
 * reaching replicas in both directions.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPair, same as sameOrdered, unordered, type Pair, type Step } from '../helpers/differential.js';
import type { Reply } from '../helpers/resp.js';
import { Fleet, waitInSync, digest, waitFor } from '../helpers/replication.js';

const LIB1 = "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return redis.call('set', keys[1], args[1]) end)";
const LIB2 =
  "#!lua name=lib2\nlocal function helper(k)\n  return redis.call('incrby', k, 2)\nend\n" +
  "redis.register_function{function_name='incr2', callback=function(keys) return helper(keys[1]) end, description='adds two'}\n" +
  "redis.register_function('boom', function(keys, args)\n  local x = 1\n  error('boom')\nend)\n" +
  "redis.register_function{function_name='ro', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes', 'allow-stale'}}";

/** FUNCTION LIST follows each server's hash order: compare it as a set. */
const same = (p: Pair, steps: Step[]): Promise<Reply[]> =>
  sameOrdered(p, steps, (r, step) => (String(step[0]).toUpperCase() === 'FUNCTION' && String(step[1]).toUpperCase() === 'LIST' ? unordered(r) : r));

let pair: Pair;
const fleet = new Fleet();
after(async () => {
  await pair?.close();
  await fleet.close();
});

test('FUNCTION LOAD, FCALL, LIST, STATS, DELETE and FLUSH reply as redis-server', async () => {
  pair = await startPair();
  await same(pair, [
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', LIB1],
    ['FUNCTION', 'LOAD', LIB1],
    ['FUNCTION', 'LOAD', 'REPLACE', LIB1],
    ['FUNCTION', 'LOAD', 'BADOPT', LIB1],
    ['FUNCTION', 'LOAD'],
    ['FCALL', 'f1', '1', 'k1', 'v1'],
    ['GET', 'k1'],
    ['FCALL', 'f1', 'x'],
    ['FCALL', 'f1', '2', 'k'],
    ['FCALL', 'f1', '-1'],
    ['FCALL', 'nosuch', '0'],
    ['FCALL_RO', 'f1', '1', 'k1', 'v'],
    ['FUNCTION', 'LIST'],
    ['FUNCTION', 'LIST', 'WITHCODE'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'LIB*'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'nomatch*'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME'],
    ['FUNCTION', 'LIST', 'BOGUS'],
    ['FUNCTION', 'STATS'],
    ['FUNCTION', 'KILL'],
    ['FUNCTION', 'HELP'],
    ['FUNCTION', 'DELETE', 'nosuch'],
    ['FUNCTION', 'DELETE', 'lib1'],
    ['FCALL', 'f1', '1', 'k1', 'v1'],
    ['FUNCTION', 'LOAD', LIB2],
    ['FCALL', 'incr2', '1', 'n'],
    ['FCALL_RO', 'ro', '1', 'n'],
    ['FCALL', 'boom', '0'],
    ['FUNCTION', 'FLUSH', 'SYNC'],
    ['FUNCTION', 'FLUSH', 'BAD'],
    ['FUNCTION', 'LIST'],
    ['FUNCTION', 'RESTORE', 'not a payload'],
    ['FUNCTION', 'RESTORE', 'x', 'BADPOLICY'],
  ]);
  // The read-only function refuses writes, as flags={'no-writes'} asks.
  const [a, b] = await Promise.all([pair.a.call('FUNCTION', 'LOAD', LIB2), pair.b.call('FUNCTION', 'LOAD', LIB2)]);
  assert.deepEqual(b, a);
  await same(pair, [['FCALL', 'incr2', '1', 'n']]);
});

test('library errors: metadata, names, registration and compilation', async () => {
  const bad = [
    'no shebang',
    '#!lua name=x',
    '#!lua\nreturn 1',
    '#!py name=x\nreturn 1',
    '#!lua name=a-b\nreturn 1',
    '#!lua name=x foo=bar\nreturn 1',
    '#!lua name=x name=y\nreturn 1',
    '#!lua name=x\nlocal y = 1',
    '#!lua name=x\nreturn 1 +',
    "#!lua name=x\nredis.register_function('f', 5)",
    "#!lua name=x\nredis.register_function(5)",
    '#!lua name=x\nredis.register_function()',
    "#!lua name=x\nredis.register_function{function_name='f'}",
    "#!lua name=x\nredis.register_function{callback=function() end}",
    "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, flags={'bogus'}}",
    "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, other=1}",
    "#!lua name=x\nredis.register_function('f', function() end)\nredis.register_function('f', function() end)",
    "#!lua name=x\nredis.register_function('a b', function() end)",
  ];
  await same(
    pair,
    bad.map((code) => ['FUNCTION', 'LOAD', code]),
  );
  // A function name taken by another library.
  await same(pair, [
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', LIB1],
    ['FUNCTION', 'LOAD', "#!lua name=other\nredis.register_function('f1', function() end)"],
  ]);
});

test('FUNCTION DUMP payloads restore on the other server, with each policy', async () => {
  const dump = async (c: Pair['a']): Promise<string> => {
    const r = await c.call('FUNCTION', 'DUMP');
    assert.equal(r.t, 'bulk');
    return (r as { v: string }).v;
  };
  await same(pair, [['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', LIB1]]);
  const oneLib = await dump(pair.a);
  for (const policy of [[], ['APPEND'], ['REPLACE'], ['FLUSH']]) {
    await same(pair, [['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', LIB2], ['FUNCTION', 'LOAD', LIB1]]);
    await same(pair, [['FUNCTION', 'RESTORE', oneLib, ...policy], ['FUNCTION', 'LIST']]);
  }
  // A payload naming a function another library holds: refused, nothing changes.
  await same(pair, [
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', "#!lua name=holder\nredis.register_function('f1', function() return 0 end)"],
    ['FUNCTION', 'RESTORE', oneLib, 'REPLACE'],
    ['FUNCTION', 'LIST'],
  ]);
  // A corrupted payload (checksum) is refused by both.
  const broken = oneLib.slice(0, 5) + (oneLib[5] === 'x' ? 'y' : 'x') + oneLib.slice(6);
  await same(pair, [['FUNCTION', 'RESTORE', broken]]);
  // reddish's own payload restores on redis-server and the libraries behave the same there.
  await same(pair, [['FUNCTION', 'FLUSH']]);
  await pair.b.call('FUNCTION', 'LOAD', LIB2);
  const ours = await dump(pair.b);
  assert.deepEqual(await pair.a.call('FUNCTION', 'RESTORE', ours), { t: 'simple', v: 'OK' });
  await same(pair, [['FUNCTION', 'LIST', 'WITHCODE'], ['FCALL', 'incr2', '1', 'cnt']]);
});

test('RDB files with libraries load on the other server', async () => {
  for (const [fromKind, toKind] of [
    ['redis', 'reddish'],
    ['reddish', 'redis'],
  ] as const) {
    const { s: src, c: sc } = await fleet.start(fromKind, ['--save', '']);
    await sc.call('FUNCTION', 'LOAD', LIB2);
    await sc.set('n', '40');
    assert.equal(await sc.call('SAVE'), 'OK');
    const dir = mkdtempSync(join(tmpdir(), 'reddish-fn-'));
    copyFileSync(join(src.dir, 'dump.rdb'), join(dir, 'dump.rdb'));
    const { c: dc } = await fleet.start(toKind, ['--save', ''], dir);
    await waitFor('dataset loaded', async () => (await dc.get('n')) === '40');
    assert.equal(await dc.call('FCALL', 'incr2', '1', 'n'), 42, `${fromKind} -> ${toKind}`);
    const libs = (await dc.call('FUNCTION', 'LIST')) as unknown[];
    assert.equal(libs.length, 1);
  }
});

test('libraries reach replicas in both directions, and FUNCTION LOAD/DELETE follow on the stream', async () => {
  for (const [masterKind, replicaKind] of [
    ['reddish', 'redis'],
    ['redis', 'reddish'],
  ] as const) {
    const { s: m, c: mc } = await fleet.start(masterKind, ['--save', '']);
    await mc.call('FUNCTION', 'LOAD', LIB1);
    const { c: rc } = await fleet.start(replicaKind, ['--save', '']);
    await rc.call('FUNCTION', 'LOAD', "#!lua name=stale\nredis.register_function('gone', function() return 1 end)");
    await rc.replicaof('127.0.0.1', String(m.port));
    await waitInSync(mc, rc);
    // The full sync replaced the replica's libraries with the master's.
    assert.deepEqual(((await rc.call('FUNCTION', 'LIST')) as unknown[][]).map((l) => l[1]), ['lib1']);
    await mc.call('FUNCTION', 'LOAD', LIB2);
    await mc.call('FCALL', 'f1', '1', 'written', 'by-fcall');
    await mc.call('FCALL', 'incr2', '1', 'counter');
    await mc.call('FUNCTION', 'DELETE', 'lib1');
    await waitInSync(mc, rc);
    assert.equal(await rc.get('written'), 'by-fcall');
    assert.equal(await rc.get('counter'), '2');
    assert.deepEqual(((await rc.call('FUNCTION', 'LIST')) as unknown[][]).map((l) => l[1]), ['lib2'], `${masterKind} -> ${replicaKind}`);
    assert.equal(await digest(rc), await digest(mc));
  }
});

test('DEBUG RELOAD and libraries: NOFLUSH refuses one already loaded, MERGE lets the file win, a plain reload replaces them all', async () => {
  const p = await startPair(['--enable-debug-command', 'yes']);
  try {
    const lib = (name: string) => `#!lua name=${name}\nredis.register_function('${name}', function() return 'hello' end)`;
    await same(p, [
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'LOAD', lib('t1')],
      ['DEBUG', 'RELOAD'],
      ['FCALL', 't1', '0'],
      ['DEBUG', 'RELOAD', 'NOFLUSH'],
      ['DEBUG', 'RELOAD', 'NOFLUSH', 'MERGE'],
      ['FUNCTION', 'LIST'],
      ['FUNCTION', 'LOAD', lib('t2')],
      ['DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'],
      ['FCALL', 't1', '0'],
      ['FCALL', 't2', '0'],
      ['DEBUG', 'RELOAD', 'NOSAVE'],
      ['FCALL', 't2', '0'],
      ['FUNCTION', 'LIST'],
    ]);
  } finally {
    await p.close();
  }
});
