/** client-query-buffer-limit and proto-max-bulk-len, on both servers. */
import { test } from 'node:test';
import net from 'node:net';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/servers.js';
import { RespClient, plain } from '../helpers/resp.js';

for (const kind of ['redis', 'reddish'] as const) {
  test(`${kind}: a query buffer over client-query-buffer-limit closes the client with Redis's log line`, async () => {
    const s = await startServer(kind, ['--client-query-buffer-limit', '1mb']);
    try {
      const c = await RespClient.connect(s.port);
      // A 4 MB argument announced, 1.5 MB of it sent: the pending query exceeds 1 MB.
      c.socket.write('*2\r\n$4\r\nECHO\r\n$4194304\r\n' + 'a'.repeat(1536 * 1024));
      await c.waitClose();
      const line = await s.waitForLog(/Closing client that reached max query buffer length/);
      assert.match(line, /# Closing client that reached max query buffer length: id=\d+ addr=127\.0\.0\.1:\d+ .* \(qbuf initial bytes: "aaaa/);
    } finally {
      await s.stop();
    }
  });

  test(`${kind}: proto-max-bulk-len refuses larger bulks`, async () => {
    const s = await startServer(kind, ['--proto-max-bulk-len', '1mb']);
    try {
      const c = await RespClient.connect(s.port);
      assert.deepEqual(plain(await c.send('*2\r\n$4\r\nECHO\r\n$2000000\r\n')), { error: 'ERR Protocol error: invalid bulk length' });
      await c.waitClose();
      const d = await RespClient.connect(s.port);
      assert.deepEqual(plain(await d.call('CONFIG', 'SET', 'proto-max-bulk-len', '100')), {
        error: "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive",
      });
      d.close();
    } finally {
      await s.stop();
    }
  });

  test(`${kind}: after a protocol error the connection is closed, so a peer that keeps writing gets an error`, async () => {
    const s = await startServer(kind);
    try {
      for (const start of ['\x00', '*\x00', '$\x00']) {
        const sock = net.connect(s.port, '127.0.0.1');
        await new Promise((r) => sock.once('connect', r));
        const failed = new Promise<boolean>((resolve) => {
          sock.once('error', () => resolve(true));
          sock.once('close', () => resolve(true));
        });
        sock.write(start);
        // 64 KB without a newline is a too-big inline request; keep writing as Redis's desync test does.
        let written = 0;
        const pump = async () => {
          while (written < 8 * 1024 * 1024 && !sock.destroyed) {
            if (!sock.write('payload'.repeat(1000))) await new Promise((r) => sock.once('drain', r));
            written += 7000;
          }
          return false;
        };
        assert.equal(await Promise.race([failed, pump()]), true, `connection left open after ${JSON.stringify(start)} and ${written} bytes`);
        sock.destroy();
      }
    } finally {
      await s.stop();
    }
  });
}
