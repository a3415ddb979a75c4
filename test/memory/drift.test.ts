/**
 * The incremental figure never drifts: after commands of every kind that change values in place,
 * each database's counted bytes equal a recount of its keys and values from scratch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient, plain } from '../helpers/resp.js';
import { startServer as startInProcess } from '../../src/index.js';
import { keyBytes } from '../../src/store/memsize.js';
import { valueBytes } from '../../src/store/database.js';
import { prng } from '../helpers/prng.js';

test('counted bytes equal a recount after a mix of in-place edits, moves, expiry, scripts and transactions', async () => {
  const srv = await startInProcess({ config: { save: '' } });
  const c = await RespClient.connect(srv.port, srv.host);
  const c2 = await RespClient.connect(srv.port, srv.host);
  const check = (when: string): void => {
    for (const db of srv.server.keyspace.dbs) {
      db.usedBytes(); // settles what changed
      let b = 0;
      for (const [k, v] of db.dict) b += keyBytes(k) + valueBytes(v);
      assert.equal(db.bytes, b, `db ${db.id} after ${when}`);
    }
  };
  try {
    const rnd = prng(42);
    const pick = (n: number) => Math.floor(rnd() * n);
    const k = () => `k${pick(12)}`;
    const word = () => ['a', 'bb', '123', '-7', 'x'.repeat(pick(90)), String(pick(100000)), '3.5'][pick(7)];
    const cmds: (() => string[])[] = [
      () => ['SET', k(), word()],
      () => ['APPEND', k(), word()],
      () => ['SETRANGE', k(), String(pick(50)), word()],
      () => ['SETBIT', k(), String(pick(300)), '1'],
      () => ['INCRBY', k(), '5'],
      () => ['INCRBYFLOAT', k(), '1.5'],
      () => ['BITFIELD', k(), 'SET', 'u8', String(pick(100)), '7'],
      () => ['PFADD', k(), word(), word()],
      () => ['HSET', k(), word(), word(), word(), word()],
      () => ['HSETNX', k(), word(), word()],
      () => ['HDEL', k(), word()],
      () => ['HINCRBY', k(), 'n', '3'],
      () => ['HINCRBYFLOAT', k(), 'f', '0.25'],
      () => ['LPUSH', k(), word(), word()],
      () => ['RPUSH', k(), word()],
      () => ['LPOP', k()],
      () => ['LSET', k(), '0', word()],
      () => ['LINSERT', k(), 'BEFORE', 'a', word()],
      () => ['LREM', k(), '0', 'a'],
      () => ['LTRIM', k(), '1', '5'],
      () => ['LMOVE', k(), k(), 'LEFT', 'RIGHT'],
      () => ['SADD', k(), word(), word(), String(pick(10))],
      () => ['SREM', k(), word()],
      () => ['SPOP', k()],
      () => ['SMOVE', k(), k(), word()],
      () => ['ZADD', k(), String(pick(100)), word(), String(rnd()), word()],
      () => ['ZINCRBY', k(), '2', word()],
      () => ['ZREM', k(), word()],
      () => ['ZPOPMIN', k()],
      () => ['ZREMRANGEBYSCORE', k(), '0', '10'],
      () => ['ZUNIONSTORE', k(), '2', k(), k()],
      () => ['SUNIONSTORE', k(), k(), k()],
      () => ['SINTERSTORE', k(), k(), k()],
      () => ['BITOP', 'OR', k(), k(), k()],
      () => ['PFMERGE', k(), k()],
      () => ['SORT', k(), 'ALPHA', 'STORE', k()],
      () => ['XADD', k(), '*', 'f', word()],
      () => ['XTRIM', k(), 'MAXLEN', '2'],
      () => ['RENAME', k(), k()],
      () => ['COPY', k(), k(), 'REPLACE'],
      () => ['MOVE', k(), '1'],
      () => ['GETDEL', k()],
      () => ['GETEX', k(), 'PX', '1'],
      () => ['PEXPIRE', k(), String(pick(3))],
      () => ['DEL', k()],
      () => ['UNLINK', k(), k()],
      () => ['EVAL', "redis.call('HSET', KEYS[1], 'lua', ARGV[1]); return redis.pcall('RPUSH', KEYS[2], ARGV[1])", '2', k(), k(), word()],
    ];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 400; i++) {
        const cmd = cmds[pick(cmds.length)]();
        if (pick(20) === 0) {
          await c.call('MULTI');
          await c.call(...cmd);
          await c.call(...cmds[pick(cmds.length)]());
          await c.call('EXEC');
        } else await c.call(...cmd);
        check(cmd.join(' ').slice(0, 60));
      }
      // A blocked pop served by a push, SWAPDB, and a FLUSHDB of the other database.
      const blocked = c2.call('BLPOP', 'bl', '5');
      await c.call('RPUSH', 'bl', 'x', 'y');
      assert.deepEqual(plain(await blocked), ['bl', 'x']);
      await c.call('SWAPDB', '0', '1');
      check('SWAPDB');
      await c.call('SELECT', '1');
      await c.call('FLUSHDB');
      await c.call('SELECT', '0');
      check('FLUSHDB');
    }
  } finally {
    c.close();
    c2.close();
    await srv.close();
  }
});
