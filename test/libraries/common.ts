/**
 * Shared pieces of the library tests: every test body runs once against a spawned reddish and
 * once against a spawned redis-server (the second run proves the test itself is right).
 */
import { describe, before, after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startServer, hasRedisServer, type SpawnedServer } from '../helpers/servers.js';
export { waitFor } from '../helpers/replication.js';

export type Kind = 'reddish' | 'redis';
const HAVE_REDIS = hasRedisServer();

/** A name no other test (or earlier run on the same server) uses. */
export function uniq(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Declares one describe() per server kind, each with `count` servers started in before() and
 * stopped in after(). `body` gets a getter, since the servers only exist once before() ran.
 */
export function perServer(title: string, body: (ctx: { kind: Kind; servers: () => SpawnedServer[]; port: () => number }) => void, count = 1): void {
  for (const kind of ['reddish', 'redis'] as const) {
    const skip = kind === 'redis' && !HAVE_REDIS ? 'redis-server is not installed' : false;
    describe(`${title} [${kind}]`, { skip }, () => {
      let servers: SpawnedServer[] = [];
      before(async () => {
        servers = await Promise.all(Array.from({ length: count }, () => startServer(kind)));
      });
      after(async () => {
        await Promise.all(servers.map((s) => s.stop()));
      });
      body({ kind, servers: () => servers, port: () => servers[0].port });
    });
  }
}

export function ioredis(port: number, extra: Record<string, unknown> = {}): Redis {
  return new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null, retryStrategy: () => null, ...extra });
}

/** False while the server does not know XREAD (`COMMAND INFO xread` answers [nil]). */
export async function hasStreams(port: number): Promise<boolean> {
  const c = ioredis(port, { maxRetriesPerRequest: 1 });
  try {
    const info = (await c.call('COMMAND', 'INFO', 'xread')) as unknown[];
    return Array.isArray(info) && info[0] !== null && info[0] !== undefined;
  } finally {
    c.disconnect();
  }
}

/** Per-test options: a hung library call fails its test instead of stalling the file. */
export const T = { timeout: 30000 };
