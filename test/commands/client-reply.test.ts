/** CLIENT REPLY OFF/SKIP against redis-server 7.0.15: what reaches the client, byte for byte. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, hasRedisServer } from '../helpers/servers.js';

/** Sends `input` on a fresh connection and returns every byte received until `quietMs` of silence. */
async function exchange(port: number, input: string, quietMs = 300): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  let out = '';
  let timer: NodeJS.Timeout | null = null;
  return new Promise((resolve) => {
    const settle = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        sock.destroy();
        resolve(out);
      }, quietMs);
    };
    sock.on('data', (d) => {
      out += d.toString('latin1');
      settle();
    });
    sock.on('connect', () => {
      sock.write(input);
      settle();
    });
  });
}

const CASES: [string, string][] = [
  ['RESP2 (un)subscribe confirmations are delivered under REPLY OFF, PING is not', 'CLIENT REPLY OFF\r\nSUBSCRIBE ch\r\nPSUBSCRIBE c*\r\nUNSUBSCRIBE ch\r\nPING\r\nPUNSUBSCRIBE\r\n'],
  ['RESP3 confirmations are pushes, delivered under REPLY OFF', 'HELLO 3\r\nCLIENT REPLY OFF\r\nSUBSCRIBE a\r\nPSUBSCRIBE b*\r\nUNSUBSCRIBE\r\nPUNSUBSCRIBE b*\r\nCLIENT REPLY ON\r\nPING\r\n'],
  ['REPLY SKIP drops one reply only', 'CLIENT REPLY SKIP\r\nPING\r\nECHO x\r\nCLIENT REPLY OFF\r\nECHO y\r\nCLIENT REPLY ON\r\nECHO z\r\n'],
];

for (const [name, input] of CASES) {
  test(name, { skip: !hasRedisServer() && 'redis-server not installed' }, async () => {
    const [redis, reddish] = await Promise.all([startServer('redis'), startServer('reddish')]);
    try {
      const [a, b] = await Promise.all([exchange(redis.port, input), exchange(reddish.port, input)]);
      // HELLO's map differs in id and version fields; compare what follows it.
      const strip = (s: string) => (s.startsWith('%') ? s.slice(s.indexOf('$7\r\nmodules\r\n*0\r\n') + 18) : s);
      assert.equal(strip(b), strip(a));
    } finally {
      await Promise.all([redis.stop(), reddish.stop()]);
    }
  });
}
