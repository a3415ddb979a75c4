/**
 * redlock 5 used unchanged over ioredis, against three servers of one kind (a quorum of 2):
 * acquire, extend and release run its Lua scripts with EVALSHA (EVAL after NOSCRIPT), each
 * script touching several keys; a held lock makes a competitor fail after its retries; a lock
 * with one server down still gets its quorum; `using` extends the lock while the routine runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Redlock, { ExecutionError } from 'redlock';
import type { Redis } from 'ioredis';
import { perServer, T, uniq, ioredis, sleep } from './common.js';

perServer(
  'redlock',
  ({ servers }) => {
    // Connected before the lock is taken: redlock counts a server still connecting as a vote
    // against, and takes the lock on the quorum without it. Likewise acquire/extend/release
    // resolve at the quorum: the tests wait for every vote (`attempts`) before looking.
    const connect = async (): Promise<Redis[]> => {
      const cs = servers().map((s) => ioredis(s.port, { maxRetriesPerRequest: 1 }));
      await Promise.all(cs.map((c) => c.ping()));
      return cs;
    };
    const close = (cs: Redis[]) => cs.forEach((c) => c.disconnect());

    test('acquire sets the key on every server with a TTL; release deletes it only for the owner', T, async (t) => {
      const cs = await connect();
      t.after(() => close(cs));
      const redlock = new Redlock(cs, { retryCount: 0 });
      const a = uniq('lock-a');
      const b = uniq('lock-b');
      const lock = await redlock.acquire([a, b], 5000);
      // acquire() resolves at the quorum; the last server's vote (maybe an EVAL after NOSCRIPT)
      // can still be on its way, queued behind nothing we send: wait for every vote.
      await Promise.all(lock.attempts);
      for (const c of cs) {
        assert.equal(await c.get(a), lock.value);
        assert.equal(await c.get(b), lock.value);
        const ttl = await c.pttl(a);
        assert.ok(ttl > 0 && ttl <= 5000, `pttl ${ttl}`);
      }
      // Someone else's value is not released by our release script.
      await cs[0].set(b, 'someone-else');
      await Promise.all((await lock.release()).attempts);
      assert.equal(await cs[0].get(b), 'someone-else');
      for (const c of cs) assert.equal(await c.exists(a), 0);
      assert.equal(await cs[1].exists(b), 0);
    });

    test('a held lock makes a competitor fail; extend pushes the expiry', T, async (t) => {
      const cs = await connect();
      t.after(() => close(cs));
      const redlock = new Redlock(cs, { retryCount: 2, retryDelay: 20 });
      const key = uniq('lock');
      const lock = await redlock.acquire([key], 2000);
      await assert.rejects(redlock.acquire([key], 2000), ExecutionError);
      const extended = await lock.extend(10000);
      await Promise.all(extended.attempts);
      const ttl = await cs[2].pttl(key);
      assert.ok(ttl > 2000, `pttl after extend ${ttl}`);
      await extended.release();
      const again = await redlock.acquire([key], 1000);
      await again.release();
    });

    test('quorum: with one server refusing, the lock is still acquired on the other two', T, async (t) => {
      const cs = await connect();
      t.after(() => close(cs));
      const key = uniq('lock');
      // A foreign holder on one server: that server votes against.
      await cs[0].set(key, 'foreign', 'PX', 5000);
      const redlock = new Redlock(cs, { retryCount: 0 });
      const lock = await redlock.acquire([key], 3000);
      await Promise.all(lock.attempts);
      assert.equal(await cs[0].get(key), 'foreign');
      assert.equal(await cs[1].get(key), lock.value);
      assert.equal(await cs[2].get(key), lock.value);
      await Promise.all((await lock.release()).attempts);
      assert.equal(await cs[0].get(key), 'foreign');
      await cs[0].del(key);
    });

    test('using() runs a routine under the lock and extends it automatically', T, async (t) => {
      const cs = await connect();
      t.after(() => close(cs));
      const redlock = new Redlock(cs, { retryCount: 0, automaticExtensionThreshold: 200 });
      const key = uniq('lock');
      const result = await redlock.using([key], 400, async (signal) => {
        await sleep(700);
        assert.equal(signal.aborted, false);
        return await cs[1].get(key);
      });
      assert.equal(typeof result, 'string');
      for (const c of cs) assert.equal(await c.exists(key), 0);
    });
  },
  3,
);
