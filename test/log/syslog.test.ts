import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type SpawnedServer } from '../helpers/servers.js';

const servers: SpawnedServer[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'reddish-syslog-'));
after(async () => {
  for (const s of servers) await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A stand-in for /dev/log: collects what `logger` delivers on a unix socket. */
function listen(path: string): Promise<{ text: () => string; close: () => void }> {
  let text = '';
  const srv = net.createServer((s) => s.on('data', (d) => (text += d.toString('latin1'))));
  return new Promise((resolve) => srv.listen(path, () => resolve({ text: () => text, close: () => srv.close() })));
}

async function until(what: string, fn: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('syslog-enabled: lines reach the system log with ident[pid], the facility and Redis\'s level map', async () => {
  const sock = join(tmp, 'log.sock');
  const log = await listen(sock);
  process.env.REDDISH_SYSLOG_SOCKET = sock;
  try {
    const s = await startServer('reddish', ['--syslog-enabled', 'yes', '--syslog-ident', 'myredis', '--syslog-facility', 'local3', '--loglevel', 'verbose']);
    servers.push(s);
    const c = new Redis({ port: s.port, lazyConnect: true });
    await c.connect();
    // local3 = 19: notice 19*8+5 = 157, verbose (LOG_INFO) 158.
    await until('the ready line', () => log.text().includes(`<157>`) && /myredis\[\d+\]: Ready to accept connections/.test(log.text()));
    assert.match(log.text(), new RegExp(`<157>[^<]*myredis\\[${s.pid}\\]: Ready to accept connections`));
    await until('the accepted-client line', () => /<158>[^<]*myredis\[\d+\]: Accepted 127\.0\.0\.1:\d+/.test(log.text()));
    // The same lines still go to stdout, in Redis's format.
    assert.match(s.output(), /\* Ready to accept connections/);
    // CONFIG GET shows the values; they cannot be changed at runtime (immutable as in Redis).
    assert.deepEqual(await c.config('GET', 'syslog-*'), ['syslog-enabled', 'yes', 'syslog-ident', 'myredis', 'syslog-facility', 'local3']);
    await assert.rejects(c.config('SET', 'syslog-ident', 'x'), /can't set immutable config/);
    c.disconnect();
  } finally {
    delete process.env.REDDISH_SYSLOG_SOCKET;
    log.close();
  }
});

test('syslog-enabled with no system log to reach: the server runs on, lines still on stdout', async () => {
  process.env.REDDISH_SYSLOG_SOCKET = join(tmp, 'nobody-listens.sock');
  try {
    const s = await startServer('reddish', ['--syslog-enabled', 'yes']);
    servers.push(s);
    const c = new Redis({ port: s.port, lazyConnect: true });
    await c.connect();
    assert.equal(await c.ping(), 'PONG');
    for (let i = 0; i < 50; i++) await c.set(`k${i}`, 'v');
    assert.equal(await c.dbsize(), 50);
    assert.match(s.output(), /Ready to accept connections/);
    c.disconnect();
  } finally {
    delete process.env.REDDISH_SYSLOG_SOCKET;
  }
});

test('syslog-facility accepts only Redis\'s names', async () => {
  const s = await startServer('reddish', ['--syslog-facility', 'kern']).catch((e: Error) => e);
  if (!(s instanceof Error)) {
    servers.push(s);
    assert.fail('a bad facility was accepted');
  }
  assert.match(s.message, /syslog-facility/);
});
