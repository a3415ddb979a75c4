/**
 * Crash safety: writers send numbered INCR/SET commands, the server is SIGKILLed at a random
 * moment (sometimes in the middle of a BGREWRITEAOF), and after a restart every acknowledged
 * write is there. Under appendfsync always the reply waits for the fsync; under everysec the
 * write(2) still happens before the reply, so a killed process (not a lost machine) loses
 * nothing acknowledged either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../helpers/servers.js';
import { RespClient, plain } from '../helpers/resp.js';

interface Writer {
  id: number;
  acked: number;
  sent: number;
  run: Promise<void>;
}

/** A client writing `INCR ctr<id>` then `SET w<id>:<n> <n>` until its connection dies. */
function startWriter(port: number, id: number): Writer {
  const w: Writer = { id, acked: 0, sent: 0, run: Promise.resolve() };
  w.run = (async () => {
    let c: RespClient;
    try {
      c = await RespClient.connect(port);
    } catch {
      return;
    }
    try {
      for (let n = 1; ; n++) {
        w.sent = n;
        const r1 = await c.call('INCR', `ctr${id}`);
        const r2 = await c.call('SET', `w${id}:${n}`, String(n));
        if (r1.t === 'error' || r2.t === 'error') throw new Error(`unexpected error ${JSON.stringify([r1, r2])}`);
        w.acked = n;
      }
    } catch {
      // the server was killed
    } finally {
      c.close();
    }
  })();
  return w;
}

async function trial(fsync: 'always' | 'everysec', rewrite: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'reddish-aof-crash-'));
  const args = ['--appendonly', 'yes', '--appendfsync', fsync];
  const s = await startServer('reddish', args, { dir });
  const writers = [0, 1, 2].map((i) => startWriter(s.port, i));
  const admin = await RespClient.connect(s.port);
  try {
    await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 400)));
    if (rewrite) {
      await admin.call('BGREWRITEAOF');
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 100)));
    }
  } finally {
    admin.close();
  }
  await s.stop('SIGKILL');
  await Promise.all(writers.map((w) => w.run));
  const s2 = await startServer('reddish', args, { dir });
  const c = await RespClient.connect(s2.port);
  try {
    for (const w of writers) {
      assert.ok(w.acked > 0, `writer ${w.id} got no reply before the kill`);
      const ctr = Number(plain(await c.call('GET', `ctr${w.id}`)));
      // Every acknowledged INCR is there; at most the one in flight beyond it.
      assert.ok(ctr >= w.acked && ctr <= w.sent, `${fsync}: ctr${w.id}=${ctr}, acked ${w.acked}, sent ${w.sent}`);
      assert.equal(plain(await c.call('GET', `w${w.id}:${w.acked}`)), String(w.acked), `${fsync}: last acknowledged SET of writer ${w.id}`);
      assert.equal(plain(await c.call('GET', `w${w.id}:1`)), '1');
    }
  } finally {
    c.close();
    await s2.stop();
  }
}

test('appendfsync always: every acknowledged write survives SIGKILL', async () => {
  await trial('always', false);
  await trial('always', true);
});

test('appendfsync everysec: every acknowledged write survives SIGKILL (written before the reply)', async () => {
  await trial('everysec', true);
});
