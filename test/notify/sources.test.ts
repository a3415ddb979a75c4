/**
 * Notifications that do not come from a client's command: active expiry ('expired'),
 * eviction ('evicted'), and a replica applying its master's stream. Each scenario runs on a
 * redis-server and on reddish; where Redis leaves the choice of key open (which key a random
 * eviction picks, the order active expiry finds keys in) the kinds and key sets are compared.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, hasRedisServer, type SpawnedServer } from '../helpers/servers.js';
import { RespClient, type Reply } from '../helpers/resp.js';
import { prng } from '../helpers/prng.js';
import type { Step } from '../helpers/differential.js';
import { Recorder } from './recorder.js';
import { randomStep, runStep } from './workload.js';

const skip = hasRedisServer() ? false : 'redis-server not installed';
type Kind = 'redis' | 'reddish';
const KINDS: Kind[] = ['redis', 'reddish'];

const servers: SpawnedServer[] = [];
const clients: (RespClient | Recorder)[] = [];

async function server(kind: Kind, args: string[] = []): Promise<{ s: SpawnedServer; c: RespClient }> {
  const s = await startServer(kind, ['--enable-debug-command', 'yes', ...args]);
  servers.push(s);
  const c = await RespClient.connect(s.port);
  clients.push(c);
  return { s, c };
}

async function recorder(port: number, resp3 = false): Promise<Recorder> {
  const r = await Recorder.open(port, resp3);
  clients.push(r);
  return r;
}

function text(r: Reply): string {
  if (r.t === 'bulk' || r.t === 'simple' || r.t === 'verbatim') return r.v;
  throw new Error(`not text: ${JSON.stringify(r)}`);
}

async function infoField(c: RespClient, section: string, field: string): Promise<string> {
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(text(await c.call('INFO', section)));
  return m ? m[1].trim() : '';
}

async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The key of each "pmessage pattern channel message" line of a keyevent stream. */
function eventsAndKeys(stream: string[]): { events: Set<string>; keys: string[] } {
  const events = new Set<string>();
  const keys: string[] = [];
  for (const line of stream) {
    const [, , channel, key] = line.split(' ');
    events.add(channel.replace(/^__keyevent@\d+__:/, ''));
    keys.push(key);
  }
  return { events, keys: keys.sort() };
}

describe('notifications from expiry, eviction and replication', { skip }, () => {
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.stop()));
  });

  test('active expiry publishes one expired event per key, inside its cycle (RESP2 and RESP3)', async () => {
    const results: Record<string, { resp2: string[]; resp3: string[] }> = {};
    const N = 300;
    for (const kind of KINDS) {
      const { s, c } = await server(kind, ['--notify-keyspace-events', 'Ex', '--hz', '50']);
      const [r2, r3] = await Promise.all([recorder(s.port), recorder(s.port, true)]);
      // Keys without a TTL must not show up; the volatile ones all expire at about once.
      for (let i = 0; i < 20; i++) await c.call('SET', `keep${i}`, 'v');
      const batch: Promise<Reply>[] = [];
      for (let i = 0; i < N; i++) batch.push(c.call('SET', `k${i}`, 'v', 'PX', String(20 + (i % 30))));
      await Promise.all(batch);
      // Nobody touches the keys: only the active cycle can expire them.
      const [resp2, resp3] = await Promise.all([r2.take(N, 30000), r3.take(N, 30000)]);
      results[kind] = { resp2, resp3 };
      assert.equal(await infoField(c, 'stats', 'expired_keys'), String(N));
      assert.deepStrictEqual(await c.call('DBSIZE'), { t: 'int', v: '20' });
    }
    for (const kind of KINDS) {
      const { resp2, resp3 } = results[kind];
      const e2 = eventsAndKeys(resp2);
      assert.deepStrictEqual([...e2.events], ['expired'], `${kind}: ${resp2.slice(0, 3).join('\n')}`);
      assert.deepStrictEqual(e2.keys, Array.from({ length: N }, (_, i) => `k${i}`).sort());
      assert.ok(resp2.every((l) => l.startsWith('array:pmessage __key*__:* __keyevent@0__:expired ')), kind);
      assert.ok(resp3.every((l) => l.startsWith('push:pmessage __key*__:* __keyevent@0__:expired ')), kind);
      assert.deepStrictEqual(eventsAndKeys(resp3).keys, e2.keys);
    }
  });

  test('eviction publishes evicted for each evicted key (which keys is random)', async () => {
    for (const kind of KINDS) {
      const { s, c } = await server(kind, ['--notify-keyspace-events', 'Ee', '--maxmemory-policy', 'allkeys-random']);
      const rec = await recorder(s.port);
      // Room for about 2000 of the 20000 values written (reddish's used_memory is V8's heap, which
      // can shrink by a few MB when a collection runs: write well past the limit).
      const base = Number(await infoField(c, 'memory', 'used_memory'));
      await c.call('CONFIG', 'SET', 'maxmemory', String(base + 2 * 1024 * 1024));
      const value = 'x'.repeat(1000);
      const N = 20000;
      for (let i = 0; i < N; i += 500) {
        const batch: Promise<Reply>[] = [];
        for (let j = i; j < i + 500; j++) batch.push(c.call('SET', `e${j}`, value));
        for (const r of await Promise.all(batch)) assert.deepStrictEqual(r, { t: 'simple', v: 'OK' });
      }
      await c.call('CONFIG', 'SET', 'maxmemory', '0');
      const stream = await rec.drain(c);
      const evicted = Number(await infoField(c, 'stats', 'evicted_keys'));
      assert.ok(evicted > 0, `${kind}: nothing evicted`);
      const { events, keys } = eventsAndKeys(stream);
      assert.deepStrictEqual([...events], ['evicted'], `${kind}: ${stream.slice(0, 3).join('\n')}`);
      assert.equal(keys.length, evicted, `${kind}: one notification per evicted key`);
      assert.equal(new Set(keys).size, keys.length);
      // The notified keys are exactly the ones gone.
      for (const k of keys.slice(0, 50)) assert.deepStrictEqual(await c.call('EXISTS', k), { t: 'int', v: '0' }, k);
      assert.deepStrictEqual(await c.call('DBSIZE'), { t: 'int', v: String(N - evicted) });
    }
  });

  test("a replica notifies for the commands it applies from its master's stream, as a Redis replica does", async () => {
    const streams: Record<string, string[]> = {};
    for (const kind of KINDS) {
      const master = await server(kind);
      const replica = await server(kind, ['--replicaof', '127.0.0.1', String(master.s.port), '--notify-keyspace-events', 'KEAm']);
      await waitUntil('replica in sync', async () => (await infoField(replica.c, 'replication', 'master_link_status')) === 'up');
      // Lazy expiry on the master: it sends the DEL at a fixed point of the sequence.
      await master.c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
      const rec = await recorder(replica.s.port);
      const rand = prng(77);
      const out: string[] = [];
      for (let round = 0; round < 3; round++) {
        const steps: Step[] = [];
        for (let n = 0; n < 150; n++) steps.push(randomStep(rand));
        for (const step of steps) await runStep(master.c, step);
        // PUBLISH reaches the replica through the stream, after everything before it.
        out.push(...(await rec.drain(master.c)));
      }
      // An expired key read on the replica before the master's DEL: a miss, no expiry there.
      await master.c.call('SET', 'ttlkey', 'v', 'PX', '1');
      await master.c.call('SET', 'sync', '1');
      await rec.drain(master.c);
      await new Promise((r) => setTimeout(r, 5));
      await replica.c.call('GET', 'ttlkey');
      out.push(...(await rec.drain(replica.c)));
      await master.c.call('GET', 'ttlkey');
      out.push(...(await rec.drain(master.c)));
      streams[kind] = out;
    }
    assert.deepStrictEqual(streams.reddish, streams.redis, 'replica notification stream differs (actual = reddish, expected = redis)');
    const all = streams.redis;
    assert.ok(all.length > 300, `only ${all.length} notifications`);
    assert.ok(all.includes('array:pmessage __key*__:* __keyevent@0__:keymiss ttlkey'), all.slice(-6).join('\n'));
    assert.ok(!all.some((l) => l.includes('expired')), 'a replica does not expire keys itself');
  });
});
