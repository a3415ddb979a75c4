/** Helpers for replication tests: servers, INFO fields, waiting for a sync, a mixed write workload. */
import { Redis } from 'ioredis';
import { startServer, type SpawnedServer } from './servers.js';
import { SlowLink, type SlowLinkOptions } from '../../src/lab/slowlink.js';
import { generate } from '../../src/lab/datagen.js';

export function connect(port: number): Redis {
  return new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, enableOfflineQueue: true, retryStrategy: () => null });
}

/**
 * The servers, clients and slow links of one test file (DEBUG enabled on every server, so
 * digests can be compared); `close()` in after() stops them all.
 */
export class Fleet {
  private readonly servers: SpawnedServer[] = [];
  private readonly clients: Redis[] = [];
  private readonly links: SlowLink[] = [];

  async start(kind: 'reddish' | 'redis', args: string[] = [], dir?: string): Promise<{ s: SpawnedServer; c: Redis }> {
    const s = await startServer(kind, ['--enable-debug-command', 'yes', ...args], dir ? { dir } : {});
    this.servers.push(s);
    const c = connect(s.port);
    this.clients.push(c);
    return { s, c };
  }

  async link(opts: SlowLinkOptions): Promise<SlowLink> {
    const l = new SlowLink(opts);
    this.links.push(l);
    await l.start();
    return l;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.disconnect();
    for (const l of this.links) await l.close();
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}

export async function info(r: Redis, section: string): Promise<Record<string, string>> {
  const text = await r.info(section);
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** A line of CLIENT LIST, the fields the replication tests read. */
export interface ClientLine {
  id: string;
  flags: string;
  omem: number;
  cmd: string;
}

export async function clientList(c: Redis): Promise<ClientLine[]> {
  const text = (await c.call('CLIENT', 'LIST')) as string;
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const f = Object.fromEntries(l.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      return { id: f.id, flags: f.flags, omem: Number(f.omem), cmd: f.cmd };
    });
}

/** Cuts `link` and waits until `replica`, behind it, reports its master link down. */
export async function cutLink(link: SlowLink, replica: Redis): Promise<void> {
  link.cut();
  await waitFor('replica notices the cut', async () => (await info(replica, 'replication')).master_link_status === 'down');
}

/** Polls `fn` until it returns a truthy value; throws with `what` after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until the replica's link is up and it has applied everything the master produced. */
export async function waitInSync(master: Redis, replica: Redis, timeoutMs = 30000): Promise<number> {
  return waitFor(
    'replica in sync with master',
    async () => {
      const m = await info(master, 'replication');
      const r = await info(replica, 'replication');
      if (r.master_link_status !== 'up') return null;
      const off = Number(m.master_repl_offset);
      return Number(r.slave_repl_offset) === off && Number(r.master_repl_offset) === off ? off || -1 : null;
    },
    timeoutMs,
  );
}

export async function digest(r: Redis): Promise<string> {
  return (await r.call('DEBUG', 'DIGEST')) as string;
}

/**
 * Writes of every type, with expiries, a MULTI/EXEC, blocking-pop rewrites and several dbs:
 * what a replica must reproduce exactly. `tag` keeps successive rounds apart.
 */
export async function mixedWrites(r: Redis, tag: string): Promise<void> {
  const p = r.pipeline();
  p.select(0);
  p.set(`s:${tag}`, 'v');
  p.set(`ex:${tag}`, 'v', 'EX', 1000);
  p.incrbyfloat(`f:${tag}`, 1.5);
  p.append(`s:${tag}`, 'w');
  p.setbit(`bits:${tag}`, 7, 1);
  p.hset(`h:${tag}`, 'a', '1', 'b', '2');
  p.hincrby(`h:${tag}`, 'a', 5);
  p.rpush(`l:${tag}`, 'a', 'b', 'c', 'd');
  p.lpop(`l:${tag}`);
  p.sadd(`set:${tag}`, 'x', 'y', 'z', '1');
  p.spop(`set:${tag}`);
  p.zadd(`z:${tag}`, 1, 'a', 2, 'b', 3.5, 'c');
  p.zincrby(`z:${tag}`, 2, 'a');
  p.expire(`h:${tag}`, 5000);
  p.pexpire(`z:${tag}`, 900000);
  p.select(3);
  p.set(`db3:${tag}`, 'three');
  p.lpush(`l3:${tag}`, '1', '2');
  p.select(0);
  p.blpop(`l:${tag}`, 1);
  for (let i = 0; i < 50; i++) p.hset(`many:${tag}`, `f${i}`, 'x'.repeat(i * 3));
  p.set(`big:${tag}`, 'B'.repeat(70000));
  p.del(`s:${tag}`);
  await p.exec();
  await r.multi().incr(`ctr:${tag}`).incr(`ctr:${tag}`).set(`m:${tag}`, 'in-multi').select(5).set(`db5:${tag}`, 'x').select(0).exec();
}

/** Writes hashes (`live<seed>:*`) at `rate` per second in the background until stop(). */
export function writer(port: number, rate: number, seed: number): { stop(): Promise<void> } {
  const ctl = new AbortController();
  const done = generate({ type: 'hash', qty: 10_000_000, prefix: `live${seed}`, port, rate, seed, signal: ctl.signal }).catch(() => undefined);
  return {
    stop: async () => {
      ctl.abort();
      await done;
    },
  };
}
