/**
 * client-output-buffer-limit: a client that does not read while others produce output for it
 * (MONITOR here) is disconnected with Redis's log line, on both servers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type SpawnedServer } from '../helpers/servers.js';
import { RespClient, plain } from '../helpers/resp.js';

async function flood(port: number, bytes: number): Promise<void> {
  const c = await RespClient.connect(port);
  const payload = 'x'.repeat(1024);
  let s = '';
  const n = Math.ceil(bytes / 1024);
  for (let i = 0; i < n; i++) s += `*2\r\n$4\r\nECHO\r\n$1024\r\n${payload}\r\n`;
  await c.sendMany(s, n);
  c.close();
}

async function monitorThatDoesNotRead(port: number): Promise<RespClient> {
  const m = await RespClient.connect(port);
  assert.equal(plain(await m.call('MONITOR')), 'OK');
  m.socket.pause();
  return m;
}

async function withServer(kind: 'redis' | 'reddish', args: string[], fn: (s: SpawnedServer) => Promise<void>): Promise<void> {
  const s = await startServer(kind, args);
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

for (const kind of ['redis', 'reddish'] as const) {
  test(`${kind}: hard limit closes the client at once with the ASAP log line`, async () => {
    await withServer(kind, ['--client-output-buffer-limit', 'normal 256kb 0 0'], async (s) => {
      const m = await monitorThatDoesNotRead(s.port);
      await flood(s.port, 8 * 1024 * 1024);
      const line = await s.waitForLog(/scheduled to be closed ASAP for overcoming of output buffer limits\./);
      assert.match(line, /# Client id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name= age=\d+ idle=\d+ flags=O db=0 .* omem=\d+ tot-mem=\d+ events=\w* cmd=monitor user=default redir=-1 resp=2 scheduled to be closed ASAP for overcoming of output buffer limits\.$/);
      const omem = Number(/ omem=(\d+)/.exec(line)![1]);
      assert.ok(omem >= 256 * 1024, `omem ${omem} should have reached the hard limit`);
      m.socket.resume();
      await m.waitClose();
    });
  });

  test(`${kind}: soft limit closes the client only after it is exceeded for longer than the soft seconds`, async () => {
    await withServer(kind, ['--client-output-buffer-limit', 'normal 0 128kb 1'], async (s) => {
      const m = await monitorThatDoesNotRead(s.port);
      const t0 = Date.now();
      await flood(s.port, 8 * 1024 * 1024);
      const line = await s.waitForLog(/closed for overcoming of output buffer limits\./, 15000);
      assert.doesNotMatch(line, /scheduled to be closed ASAP/);
      assert.ok(Date.now() - t0 >= 1000, 'soft limit must be sustained for more than 1 s');
      m.socket.resume();
      await m.waitClose();
    });
  });
}

test('reddish: CLIENT LIST accounts a slow reader\'s output (obl/oll/omem)', async () => {
  await withServer('reddish', [], async (s) => {
    const m = await monitorThatDoesNotRead(s.port);
    await flood(s.port, 16 * 1024 * 1024);
    const c = await RespClient.connect(s.port);
    const list = plain(await c.call('CLIENT', 'LIST')) as string;
    const line = list.split('\n').find((l) => l.includes('cmd=monitor'))!;
    const [obl, oll, omem] = [/ obl=(\d+)/, / oll=(\d+)/, / omem=(\d+)/].map((re) => Number(re.exec(line)![1]));
    assert.equal(obl, 16384);
    // The kernel's socket buffers absorb a few MB; the rest is queued and accounted.
    assert.ok(oll > 0 && omem > 0, line);
    assert.equal(oll, Math.ceil(omem / 16384), 'oll counts 16 KB reply blocks');
    assert.match(line, / events=rw /);
    c.close();
    m.close();
  });
});
