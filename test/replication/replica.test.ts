/**
 * The replica side against a fake master in the test process: exact handshake bytes, PSYNC
 * requests, payload framings ($len, $EOF:<mark> split across reads), keepalives, ACK offsets
 * (GETACK answered with the offset before it), +CONTINUE <new id>, transient errors, bad
 * payloads, timeouts, INFO/ROLE while syncing, read-only and stale-data guards.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, expectLog, type SpawnedServer } from '../helpers/servers.js';
import { RespClient, encodeCommand, type Reply } from '../helpers/resp.js';

const started: SpawnedServer[] = [];
const fakes: FakeMaster[] = [];
const resp: RespClient[] = [];
after(async () => {
  for (const c of resp) c.close();
  for (const f of fakes) f.close();
  await Promise.all(started.map((s) => s.stop()));
});

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const MARK = '0123456789abcdef0123456789abcdef01234567';

/** One connection from the replica, as the fake master sees it. */
class Conn {
  buf = Buffer.alloc(0);
  closed = false;
  private wake: (() => void) | null = null;
  constructor(readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    sock.on('error', () => undefined);
  }

  private async waitMore(timeoutMs: number): Promise<void> {
    if (this.closed) throw new Error('connection closed');
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout; received so far: ${JSON.stringify(this.buf.toString('latin1'))}`)), timeoutMs);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  /** Exactly these bytes must come next. */
  async expect(bytes: string, timeoutMs = 10000): Promise<void> {
    while (this.buf.length < bytes.length) await this.waitMore(timeoutMs);
    assert.equal(this.buf.subarray(0, bytes.length).toString('latin1'), bytes);
    this.buf = this.buf.subarray(bytes.length);
  }

  /** The next command (bare newlines before it are counted in `newlines`). */
  async command(timeoutMs = 10000): Promise<string[]> {
    for (;;) {
      while (this.buf.length > 0 && this.buf[0] === 10) {
        this.newlines++;
        this.buf = this.buf.subarray(1);
      }
      const parsed = parseMultibulk(this.buf);
      if (parsed) {
        this.buf = this.buf.subarray(parsed[1]);
        return parsed[0];
      }
      await this.waitMore(timeoutMs);
    }
  }

  newlines = 0;

  /** The next REPLCONF ACK offset. */
  async ack(): Promise<number> {
    const c = await this.command();
    assert.deepEqual(c.slice(0, 2), ['REPLCONF', 'ACK']);
    return Number(c[2]);
  }

  /** ACKs until one differs from `skip` (periodic ACKs repeat the same offset). */
  async ackOtherThan(skip: number): Promise<number> {
    for (;;) {
      const a = await this.ack();
      if (a !== skip) return a;
    }
  }

  write(b: string | Buffer): void {
    this.sock.write(b);
  }

  async waitClosed(timeoutMs = 10000): Promise<void> {
    while (!this.closed) await this.waitMore(timeoutMs).catch((e) => (this.closed ? undefined : Promise.reject(e)));
  }
}

function parseMultibulk(buf: Buffer): [string[], number] | null {
  if (buf.length === 0) return null;
  if (buf[0] !== 0x2a) throw new Error(`not a multibulk: ${JSON.stringify(buf.toString('latin1'))}`);
  let p = buf.indexOf('\r\n');
  if (p < 0) return null;
  const n = Number(buf.latin1Slice(1, p));
  p += 2;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = buf.indexOf('\r\n', p);
    if (e < 0) return null;
    const len = Number(buf.latin1Slice(p + 1, e));
    if (buf.length < e + 2 + len + 2) return null;
    out.push(buf.latin1Slice(e + 2, e + 2 + len));
    p = e + 2 + len + 2;
  }
  return [out, p];
}

class FakeMaster {
  private server!: net.Server;
  port = 0;
  private queue: Conn[] = [];
  private waiter: ((c: Conn) => void) | null = null;

  static async start(): Promise<FakeMaster> {
    const f = new FakeMaster();
    fakes.push(f);
    f.server = net.createServer((s) => {
      const c = new Conn(s);
      if (f.waiter) {
        const w = f.waiter;
        f.waiter = null;
        w(c);
      } else f.queue.push(c);
    });
    await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', () => r()));
    f.port = (f.server.address() as net.AddressInfo).port;
    return f;
  }

  next(timeoutMs = 10000): Promise<Conn> {
    const q = this.queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no connection from the replica')), timeoutMs);
      this.waiter = (c) => {
        clearTimeout(t);
        resolve(c);
      };
    });
  }

  close(): void {
    this.server.close();
  }
}

/** A minimal RDB (version 10, checksum disabled): string keys in db 0, optional AUX fields. */
function rdb(keys: [string, string][], aux: Record<string, string> = {}, corrupt = false): Buffer {
  const str = (s: string) => {
    const b = Buffer.from(s, 'latin1');
    assert.ok(b.length < 64);
    return Buffer.concat([Buffer.from([b.length]), b]);
  };
  const parts = [Buffer.from('REDIS0010')];
  for (const [k, v] of Object.entries({ 'redis-ver': '7.0.15', ...aux })) parts.push(Buffer.from([0xfa]), str(k), str(v));
  parts.push(Buffer.from([0xfe, 0]));
  for (const [k, v] of keys) parts.push(Buffer.from([0]), str(k), str(v));
  if (corrupt) parts.push(Buffer.from([0x42, 1, 0x78]));
  parts.push(Buffer.from([0xff]), Buffer.alloc(8));
  return Buffer.concat(parts);
}

const cmd = (...a: string[]) => encodeCommand(a).toString('latin1');

async function replica(args: string[] = []): Promise<{ s: SpawnedServer; c: RespClient }> {
  const s = await startServer('reddish', ['--enable-debug-command', 'yes', ...args]);
  started.push(s);
  const c = await RespClient.connect(s.port);
  resp.push(c);
  return { s, c };
}

async function call(c: RespClient, ...args: string[]): Promise<Reply> {
  return c.call(...args);
}

async function infoRepl(c: RespClient): Promise<Record<string, string>> {
  const r = await c.call('INFO', 'replication');
  assert.equal(r.t, 'bulk');
  const out: Record<string, string> = {};
  for (const line of (r as { v: string }).v.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Handshake as Redis 7.0 sends it (H1 capture), with the replica's own id for PSYNC. */
async function handshake(conn: Conn, replicaPort: number, opts: { auth?: string; psync?: [string, string] } = {}): Promise<string[]> {
  await conn.expect(cmd('PING'));
  conn.write('+PONG\r\n');
  if (opts.auth) {
    await conn.expect(cmd('AUTH', opts.auth));
    conn.write('+OK\r\n');
  }
  await conn.expect(cmd('REPLCONF', 'listening-port', String(replicaPort)));
  conn.write('+OK\r\n');
  await conn.expect(cmd('REPLCONF', 'capa', 'eof', 'capa', 'psync2'));
  conn.write('+OK\r\n');
  const psync = await conn.command();
  assert.equal(psync[0], 'PSYNC');
  if (opts.psync) assert.deepEqual(psync.slice(1), opts.psync);
  return psync;
}

const STREAM = cmd('SELECT', '0') + cmd('SET', 'k', 'w') + cmd('ping') + cmd('REPLCONF', 'GETACK', '*'); // 101 bytes

test('handshake bytes, $len payload with keepalives, stream offsets, GETACK, then +CONTINUE <new id> (H1)', async () => {
  const fm = await FakeMaster.start();
  const { s, c } = await replica(['--masterauth', 's3cret']);
  assert.equal(STREAM.length, 101);
  const ownId = (await infoRepl(c)).master_replid;
  assert.deepEqual(await call(c, 'REPLICAOF', '127.0.0.1', String(fm.port)), { t: 'simple', v: 'OK' });
  const conn = await fm.next();
  await handshake(conn, s.port, { auth: 's3cret', psync: [ownId, '1'] });
  const r0 = (await call(c, 'ROLE')) as { v: Reply[] };
  assert.deepEqual(r0.v[3], { t: 'bulk', v: 'handshake' });
  conn.write('\n'); // keepalive before the PSYNC reply
  conn.write(`+FULLRESYNC ${A} 100\r\n`);
  await waitFor('sync state', async () => (await infoRepl(c)).master_sync_in_progress === '1');
  let ri = await infoRepl(c);
  assert.equal(ri.master_sync_total_bytes, '-1');
  assert.equal(ri.master_sync_read_bytes, '0');
  assert.equal(ri.master_sync_left_bytes, '-1');
  assert.equal(ri.master_sync_perc, '-0.00');
  assert.equal(ri.master_link_status, 'down');
  assert.equal(ri.master_link_down_since_seconds, '-1');
  const r1 = (await call(c, 'ROLE')) as { v: Reply[] };
  assert.deepEqual(r1.v.slice(3), [{ t: 'bulk', v: 'sync' }, { t: 'int', v: '-1' }]);
  conn.write('\n');
  const payload = rdb([['k', 'v']], { 'repl-stream-db': '0' });
  conn.write(`$${payload.length}\r\n`);
  conn.write(payload);
  // Disk mode: no immediate ACK; the cron ACKs the FULLRESYNC offset.
  assert.equal(await conn.ack(), 100);
  await waitFor('link up', async () => (await infoRepl(c)).master_link_status === 'up');
  assert.deepEqual(await call(c, 'GET', 'k'), { t: 'bulk', v: 'v' });
  conn.write(STREAM);
  // GETACK is answered with the offset before it (201 - 37), the next ACK counts it.
  assert.equal(await conn.ackOtherThan(100), 164);
  assert.equal(await conn.ackOtherThan(164), 201);
  assert.deepEqual(await call(c, 'GET', 'k'), { t: 'bulk', v: 'w' });
  ri = await infoRepl(c);
  assert.equal(ri.slave_repl_offset, '201');
  assert.equal(ri.slave_read_repl_offset, '201');
  assert.equal(ri.master_repl_offset, '201');
  assert.equal(ri.master_replid, A);
  const role = (await call(c, 'ROLE')) as { v: Reply[] };
  assert.deepEqual(role.v, [
    { t: 'bulk', v: 'slave' },
    { t: 'bulk', v: '127.0.0.1' },
    { t: 'int', v: String(fm.port) },
    { t: 'bulk', v: 'connected' },
    { t: 'int', v: '201' },
  ]);
  // Same master again: a no-op.
  assert.deepEqual(await call(c, 'REPLICAOF', '127.0.0.1', String(fm.port)), { t: 'simple', v: 'OK Already connected to specified master' });

  // The master goes away: cached master, immediate reconnect, PSYNC <id> <off+1>.
  conn.sock.destroy();
  const conn2 = await fm.next();
  await handshake(conn2, s.port, { auth: 's3cret', psync: [A, '202'] });
  conn2.write(`+CONTINUE ${B}\r\n`);
  conn2.write(cmd('SET', 'k2', 'v2')); // 29 bytes
  assert.equal(await conn2.ackOtherThan(201), 230);
  ri = await infoRepl(c);
  assert.equal(ri.master_replid, B);
  assert.equal(ri.master_replid2, A);
  assert.equal(ri.second_repl_offset, '202');
  assert.deepEqual(await call(c, 'GET', 'k2'), { t: 'bulk', v: 'v2' });
  // 'Trying a partial resynchronization' follows the first multi-line match below, 'Master
  // accepted' ends the second.
  await expectLog(
    s,
    /\* MASTER <-> REPLICA sync: receiving \d+ bytes from master to disk/,
    new RegExp(`\\* Trying a partial resynchronization \\(request ${A}:202\\)\\.`),
    /REPLICAOF would result into synchronization with the master we are already connected with\. No operation performed\./,
    /\* MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization\./,
  );
  const log = s.output();
  assert.match(log, /# Connection with master lost\.\n.*\* Caching the disconnected master state\.\n.*\* Reconnecting to MASTER 127\.0\.0\.1:\d+\n/);
  assert.match(log, /\* Successful partial resynchronization with master\.\n.*# Master replication ID changed to b{40}\n.*\* MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization\./);
  conn2.sock.destroy();
  await call(c, 'REPLICAOF', 'NO', 'ONE');
});

for (const load of ['disabled', 'on-empty-db', 'swapdb'] as const) {
  test(`$EOF:<mark> payload split across reads (repl-diskless-load ${load}): immediate ACK after loading`, async () => {
    const fm = await FakeMaster.start();
    const { s, c } = await replica(['--repl-diskless-load', load]);
    await call(c, 'REPLICAOF', '127.0.0.1', String(fm.port));
    const conn = await fm.next();
    await handshake(conn, s.port);
    conn.write(`+FULLRESYNC ${A} 500\r\n`);
    const payload = Buffer.concat([Buffer.from(`$EOF:${MARK}\r\n`), rdb([['x', '1'], ['y', '2']], { 'repl-stream-db': '3' }), Buffer.from(MARK)]);
    // Cut everywhere, including inside the mark.
    const cuts = [3, 20, 47, 60, payload.length - 30, payload.length - 7, payload.length];
    let prev = 0;
    for (const at of cuts) {
      conn.write(payload.subarray(prev, at));
      prev = at;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await conn.ack(), 500);
    // repl-stream-db 3: the first command applies to db 3.
    conn.write(cmd('SET', 'z', '3'));
    assert.equal(await conn.ackOtherThan(500), 500 + cmd('SET', 'z', '3').length);
    assert.deepEqual(await call(c, 'DBSIZE'), { t: 'int', v: '2' });
    await call(c, 'SELECT', '3');
    assert.deepEqual(await call(c, 'GET', 'z'), { t: 'bulk', v: '3' });
    const where = load === 'disabled' ? 'to disk' : 'to parser';
    await expectLog(s, new RegExp(`receiving streamed RDB from master with EOF ${where}`), /Done loading RDB, keys loaded: 2, keys expired: 0\./);
    conn.sock.destroy();
    await call(c, 'REPLICAOF', 'NO', 'ONE');
  });
}

test('-LOADING to PING and -NOMASTERLINK to PSYNC are retried; a corrupt payload leaves no data and syncs again', async () => {
  const fm = await FakeMaster.start();
  const { s, c } = await replica();
  await call(c, 'SET', 'mine', '1');
  await call(c, 'REPLICAOF', '127.0.0.1', String(fm.port));
  const c1 = await fm.next();
  await c1.expect(cmd('PING'));
  c1.write('-LOADING Redis is loading the dataset in memory\r\n');
  await c1.waitClosed();
  const c2 = await fm.next();
  const psync = await handshake(c2, s.port);
  c2.write('-NOMASTERLINK Can\'t SYNC while not connected with my master\r\n');
  await c2.waitClosed();
  const c3 = await fm.next();
  // Still the synthesized cached master: same request.
  await handshake(c3, s.port, { psync: [psync[1], psync[2]] });
  c3.write(`+FULLRESYNC ${A} 0\r\n`);
  const bad = rdb([['k', 'v']], {}, true);
  c3.write(`$${bad.length}\r\n`);
  c3.write(bad);
  await c3.waitClosed();
  const c4 = await fm.next();
  // Loading started, so the cached master was discarded: PSYNC ? -1.
  await handshake(c4, s.port, { psync: ['?', '-1'] });
  assert.deepEqual(await call(c, 'DBSIZE'), { t: 'int', v: '0' });
  // 'Partial resynchronization not possible' is written last (before PSYNC ? -1), after the
  // lines of the two-line match below ('Reconnecting ... after failure' also follows -LOADING).
  await expectLog(
    s,
    /# Error reply to PING from master: '-LOADING Redis is loading the dataset in memory'/,
    /\* Master is currently unable to PSYNC but should be in the future: -NOMASTERLINK/,
    /\* Partial resynchronization not possible \(no cached master\)/,
  );
  assert.match(s.output(), /# Failed trying to load the MASTER synchronization DB from disk: .*\n.*\* Reconnecting to MASTER 127\.0\.0\.1:\d+ after failure/);
  c4.sock.destroy();
  await call(c, 'REPLICAOF', 'NO', 'ONE');
});

test('read-only replica, serve-stale-data no, REPLICAOF errors, master timeout, promotion logs', async () => {
  const fm = await FakeMaster.start();
  const { s, c } = await replica(['--replica-serve-stale-data', 'no']);
  assert.deepEqual(await call(c, 'REPLICAOF', '127.0.0.1', 'x'), { t: 'error', v: 'ERR Invalid master port' });
  assert.deepEqual(await call(c, 'REPLICAOF', '127.0.0.1', '70000'), { t: 'error', v: 'ERR Invalid master port' });
  // A client blocked on the master-to-be is told and disconnected.
  const blocked = await RespClient.connect(s.port);
  resp.push(blocked);
  const pop = blocked.call('BLPOP', 'nothing', '0');
  await waitFor('client blocked', async () => /flags=b/.test(((await call(c, 'CLIENT', 'LIST')) as { v: string }).v));
  await call(c, 'REPLICAOF', '127.0.0.1', String(fm.port));
  assert.deepEqual(await pop, { t: 'error', v: 'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)' });
  await blocked.waitClose();
  const conn = await fm.next();
  await handshake(conn, s.port);
  // Link down: stale data refused, but INFO/ROLE/CONFIG still answer.
  assert.deepEqual(await call(c, 'GET', 'a'), { t: 'error', v: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'." });
  assert.deepEqual(await call(c, 'SET', 'a', '1'), { t: 'error', v: "READONLY You can't write against a read only replica." });
  assert.equal((await call(c, 'ROLE')).t, 'array');
  conn.write(`+FULLRESYNC ${A} 7\r\n`);
  const payload = rdb([['a', '1']]);
  conn.write(`$${payload.length}\r\n`);
  conn.write(payload);
  await waitFor('link up', async () => (await infoRepl(c)).master_link_status === 'up');
  assert.deepEqual(await call(c, 'GET', 'a'), { t: 'bulk', v: '1' });
  await call(c, 'CONFIG', 'SET', 'repl-timeout', '1');
  // The master says nothing for more than repl-timeout: MASTER timeout, cached, reconnect.
  const conn2 = await fm.next(15000);
  await handshake(conn2, s.port, { psync: [A, '8'] });
  await expectLog(s, /# MASTER timeout: no data nor PING received\.\.\./);
  conn2.sock.destroy();
  await call(c, 'CONFIG', 'SET', 'replica-read-only', 'no');
  assert.deepEqual(await call(c, 'SET', 'local', '1'), { t: 'error', v: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'." });
  assert.deepEqual(await call(c, 'REPLICAOF', 'NO', 'ONE'), { t: 'simple', v: 'OK' });
  assert.deepEqual(await call(c, 'SET', 'local', '1'), { t: 'simple', v: 'OK' });
  await expectLog(s, /:M .*\* MASTER MODE enabled \(user request from 'id=\d+ .*cmd=replicaof/);
  const ri = await infoRepl(c);
  assert.equal(ri.role, 'master');
  assert.equal(ri.master_replid2, A);
});

test('masteruser/masterauth and replica-announce-ip/port in the handshake; bulk transfer timeout; unresolvable master', async () => {
  const fm = await FakeMaster.start();
  const { s, c } = await replica(['--masteruser', 'repl', '--masterauth', 'pw', '--replica-announce-ip', '10.0.0.5', '--replica-announce-port', '7777']);
  await call(c, 'REPLICAOF', '127.0.0.1', String(fm.port));
  const conn = await fm.next();
  await conn.expect(cmd('PING'));
  conn.write('-NOAUTH Authentication required.\r\n'); // acceptable: AUTH follows
  await conn.expect(cmd('AUTH', 'repl', 'pw') + cmd('REPLCONF', 'listening-port', '7777') + cmd('REPLCONF', 'ip-address', '10.0.0.5') + cmd('REPLCONF', 'capa', 'eof', 'capa', 'psync2'));
  conn.write('+OK\r\n+OK\r\n-ERR Unrecognized REPLCONF option: ip-address\r\n+OK\r\n');
  const psync = await conn.command();
  assert.equal(psync[0], 'PSYNC');
  await call(c, 'CONFIG', 'SET', 'repl-timeout', '1');
  conn.write(`+FULLRESYNC ${A} 0\r\n`);
  // Nothing more: the transfer times out and the replica reconnects at once.
  const conn2 = await fm.next(15000);
  await conn2.expect(cmd('PING'));
  await expectLog(
    s,
    /\* \(Non critical\) Master does not understand REPLCONF ip-address: -ERR Unrecognized REPLCONF option: ip-address/,
    /\* Reconnecting to MASTER 127\.0\.0\.1:\d+ after failure/,
  );
  assert.match(s.output(), /# Timeout receiving bulk data from MASTER\.\.\. If the problem persists try to set the 'repl-timeout' parameter in redis\.conf to a larger value\.\n.*\* Reconnecting to MASTER 127\.0\.0\.1:\d+ after failure/);
  conn2.sock.destroy();
  assert.deepEqual(await call(c, 'REPLICAOF', 'nonexistent.invalid', '6379'), { t: 'simple', v: 'OK' });
  await waitFor('the failed resolution is logged', async () => /Unable to connect to MASTER: /.test(s.output()));
  assert.deepEqual(await call(c, 'PING'), { t: 'simple', v: 'PONG' });
  assert.deepEqual(await call(c, 'REPLICAOF', 'NO', 'ONE'), { t: 'simple', v: 'OK' });
});

test('-ERR to PSYNC falls back to SYNC: inline SYNC, payload, stream applied, no ACKs', async () => {
  const fm = await FakeMaster.start();
  const { s, c } = await replica();
  await call(c, 'REPLICAOF', '127.0.0.1', String(fm.port));
  const conn = await fm.next();
  await handshake(conn, s.port);
  conn.write('-ERR unknown command `PSYNC`\r\n');
  await conn.expect('SYNC\r\n');
  const payload = rdb([['old', 'style']]);
  conn.write(`\n$${payload.length}\r\n`);
  conn.write(Buffer.concat([payload, Buffer.from(cmd('SET', 'after', '1'))]));
  await waitFor('stream applied', async () => ((await call(c, 'GET', 'after')) as { v?: string }).v === '1');
  assert.deepEqual(await call(c, 'GET', 'old'), { t: 'bulk', v: 'style' });
  // Give the cron a chance to (not) ACK: a pre-PSYNC master never gets REPLCONF ACK.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(conn.buf.length, 0, `unexpected bytes: ${JSON.stringify(conn.buf.toString('latin1'))}`);
  await expectLog(s, /\* Retrying with SYNC\.\.\./);
  assert.match(s.output(), /\* Master does not support PSYNC or is in error state \(reply: -ERR unknown command `PSYNC`\)\n.*\* Retrying with SYNC\.\.\./);
  conn.sock.destroy();
  await call(c, 'REPLICAOF', 'NO', 'ONE');
});
