/**
 * Differential testing: the same command sequence is sent to redis-server and to reddish and
 * every reply (type and content) must be identical. Replies that legitimately differ (run ids,
 * times) are normalised by the caller with `normalize`.
 */
import assert from 'node:assert/strict';
import { RespClient, type Reply } from './resp.js';
import { startServer, type SpawnedServer } from './servers.js';

export interface Pair {
  redis: SpawnedServer;
  reddish: SpawnedServer;
  a: RespClient;
  b: RespClient;
  close(): Promise<void>;
}

export async function startPair(args: string[] = []): Promise<Pair> {
  const started = await Promise.allSettled([startServer('redis', args), startServer('reddish', args)]);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    // Never leave the other server running: it would keep the test process alive.
    for (const r of started) if (r.status === 'fulfilled') await r.value.stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  const [redis, reddish] = started.map((r) => (r as PromiseFulfilledResult<SpawnedServer>).value);
  const [a, b] = await Promise.all([RespClient.connect(redis.port), RespClient.connect(reddish.port)]);
  return {
    redis,
    reddish,
    a,
    b,
    async close() {
      a.close();
      b.close();
      await Promise.all([redis.stop(), reddish.stop()]);
    },
  };
}

export type Step = (string | number)[];

/** Runs each command on both servers; asserts equal replies. Returns the replies of redis. */
export async function same(pair: Pair, steps: Step[], normalize: (r: Reply, step: Step) => Reply = (r) => r): Promise<Reply[]> {
  const out: Reply[] = [];
  for (const step of steps) {
    const [ra, rb] = await Promise.all([pair.a.call(...step), pair.b.call(...step)]);
    assert.deepStrictEqual(normalize(rb, step), normalize(ra, step), `reply to ${JSON.stringify(step)} differs (actual = reddish, expected = redis)`);
    out.push(ra);
  }
  return out;
}

/** Sorts array/set replies so commands with unspecified order (KEYS, SMEMBERS) compare equal. */
export function unordered(r: Reply): Reply {
  if (r.t === 'array' || r.t === 'set') {
    const items = r.v.map(unordered);
    items.sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
    return { ...r, v: items };
  }
  return r;
}
