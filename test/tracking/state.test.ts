/**
 * Tracking state inside one embedded server: what a client leaves behind when it goes away, and
 * that turning tracking on and off does not pile up per-client hooks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/index.js';
import { trackingOf } from '../../src/tracking/index.js';
import { RespClient, plain } from '../helpers/resp.js';

test('a disconnected tracking client leaves no state; toggling tracking adds one close hook only', async () => {
  const srv = await startServer();
  const t = trackingOf(srv.server);
  try {
    const a = await RespClient.connect(srv.port, srv.host);
    const id = plain(await a.call('CLIENT', 'ID')) as number;
    const client = srv.server.clients.get(id)!;
    const hooksBefore = client.onClose.length;
    for (let i = 0; i < 50; i++) {
      await a.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', `p${i % 3}`);
      await a.call('CLIENT', 'TRACKING', 'OFF');
    }
    await a.call('CLIENT', 'TRACKING', 'ON');
    await a.call('MGET', 'k1', 'k2');
    assert.equal(client.onClose.length, hooksBefore + 1);
    assert.deepStrictEqual([t.clientCount, t.totalKeys, t.totalItems, t.totalPrefixes], [1, 2, 2, 0]);
    assert.ok(t.stateOf(client));
    a.close();
    while (srv.server.clients.has(id)) await new Promise((r) => setTimeout(r, 5));
    assert.equal(t.stateOf(client), undefined);
    assert.deepStrictEqual([t.clientCount, t.totalKeys, t.totalItems, t.totalPrefixes], [0, 0, 0, 0]);
    assert.equal(client.trackingFlags, '');
  } finally {
    await srv.close();
  }
});
