import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type SpawnedServer } from '../helpers/servers.js';

const servers: SpawnedServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

test('watchdog-period: a stalled event loop gets the WATCHDOG TIMER EXPIRED banner with the command running; quiet otherwise', async () => {
  const s = await startServer('reddish', ['--enable-debug-command', 'yes']);
  servers.push(s);
  const c = new Redis({ port: s.port, lazyConnect: true });
  await c.connect();
  try {
    assert.deepEqual(await c.config('GET', 'watchdog-period'), ['watchdog-period', '0']);
    // Off: a stall says nothing.
    await c.call('DEBUG', 'SLEEP', '0.4');
    assert.doesNotMatch(s.output(), /WATCHDOG/);
    await c.config('SET', 'watchdog-period', '100');
    // Idle, the loop runs: nothing is reported.
    await new Promise((r) => setTimeout(r, 400));
    assert.doesNotMatch(s.output(), /WATCHDOG/);
    await c.call('DEBUG', 'SLEEP', '0.6');
    await s.waitForLog(/--------/, 5000);
    const out = s.output();
    assert.match(out, new RegExp(`${s.pid}:signal-handler \\(\\d+\\) \\n--- WATCHDOG TIMER EXPIRED ---`));
    assert.match(out, /The event loop has not run for \d+ ms \(watchdog-period 100 ms\)\./);
    assert.match(out, /Last command started \d+ ms ago: 'debug' from client 127\.0\.0\.1:\d+/);
    // One banner per stall.
    assert.equal(out.split('WATCHDOG TIMER EXPIRED').length - 1, 1);
    await c.config('SET', 'watchdog-period', '0');
    await c.call('DEBUG', 'SLEEP', '0.4');
    assert.equal(s.output().split('WATCHDOG TIMER EXPIRED').length - 1, 1);
  } finally {
    c.disconnect();
  }
});
