import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, type SpawnedServer } from '../helpers/servers.js';

let redis: SpawnedServer;
let reddish: SpawnedServer;
before(async () => {
  [redis, reddish] = await Promise.all([startServer('redis', ['--loglevel', 'verbose']), startServer('reddish', ['--loglevel', 'verbose'])]);
});
after(async () => {
  await redis?.stop();
  await reddish?.stop();
});

/** Sends raw bytes, waits for the server to close the connection, returns what it replied. */
function sendRaw(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', reject);
    s.on('close', () => resolve(out));
    s.write(bytes);
  });
}

/** The protocol-error log line's parts that do not depend on the client (id, port, age...). */
async function errorLine(s: SpawnedServer, nth: number): Promise<{ reason: string; sample: string }> {
  const lines = () => s.output().split('\n').filter((l) => l.includes('Protocol error ('));
  const end = Date.now() + 10000;
  while (lines().length < nth) {
    if (Date.now() > end) throw new Error(`no protocol error line #${nth} in:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = /- Protocol error \((.*?)\) from client: id=\d+ addr=.*\. (Query buffer during protocol error: .*)$/.exec(lines()[nth - 1]);
  assert.ok(m, lines()[nth - 1]);
  return { reason: m[1], sample: m[2] };
}

const CASES: [string, Buffer][] = [
  ['invalid multibulk count', Buffer.from('*abc\r\n')],
  ['invalid bulk length', Buffer.from('*1\r\n$abc\r\n')],
  ["expected '$'", Buffer.from('*1\r\nfoo\r\n')],
  ['a long buffer: head, count, tail', Buffer.concat([Buffer.from('*2\r\n$3\r\nset\r\n'), Buffer.from('x'.repeat(300) + '\r\n'), Buffer.from('tail\x01\x00end', 'latin1')])],
  ['unprintable bytes', Buffer.from('*1\r\n\x01\x7f\xffab\r\n', 'latin1')],
  ['unbalanced quotes (inline)', Buffer.from('set "a b\r\n')],
];

let n = 0;
for (const [name, bytes] of CASES) {
  test(`protocol error log line at loglevel verbose as 7.0 writes it: ${name}`, async () => {
    n++;
    const [ra, rb] = await Promise.all([sendRaw(redis.port, bytes), sendRaw(reddish.port, bytes)]);
    assert.equal(rb, ra);
    const [la, lb] = await Promise.all([errorLine(redis, n), errorLine(reddish, n)]);
    assert.deepEqual(lb, la);
  });
}
