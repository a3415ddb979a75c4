/**
 * The master side on the wire, seen by a hand-written replica: the exact bytes Redis 7.0 sends
 * (spec: replication.md §1.4, §2.2, §3, §4) and its refusals.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, expectLog, type SpawnedServer } from '../helpers/servers.js';
import { connect, info, waitFor } from '../helpers/replication.js';

const started: SpawnedServer[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

/** A raw connection that records everything the master sends. */
class FakeReplica {
  readonly sock: net.Socket;
  data = Buffer.alloc(0);
  constructor(port: number) {
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.on('data', (d) => (this.data = Buffer.concat([this.data, d])));
    this.sock.on('error', () => undefined);
  }
  send(s: string): void {
    this.sock.write(s);
  }
  text(): string {
    return this.data.toString('latin1');
  }
  async waitFor(re: RegExp, ms = 10000): Promise<RegExpExecArray> {
    return waitFor(`${re} in the stream`, async () => re.exec(this.text()), ms, 10);
  }
  close(): void {
    this.sock.destroy();
  }
}

test('disk target: +FULLRESYNC, newline keepalives, $<len> payload, then SELECT and the writes', async () => {
  const m = await startServer('reddish', ['--repl-diskless-sync', 'no', '--repl-ping-replica-period', '1']);
  started.push(m);
  const c = connect(m.port);
  await c.set('k', 'v');
  const f = new FakeReplica(m.port);
  try {
    f.send('*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n6380\r\n');
    await f.waitFor(/^\+OK\r\n/);
    f.send('*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n');
    await f.waitFor(/^\+OK\r\n\+OK\r\n/);
    f.send('*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n');
    const full = await f.waitFor(/\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n/);
    const pre = await f.waitFor(/\$(\d+)\r\n/);
    const len = Number(pre[1]);
    const start = pre.index + pre[0].length;
    await waitFor('payload', async () => f.data.length >= start + len);
    assert.equal(f.data.subarray(start, start + 5).toString(), 'REDIS');
    await c.set('after', '1');
    await f.waitFor(/\*2\r\n\$6\r\nSELECT\r\n\$1\r\n0\r\n\*3\r\n\$3\r\nset\r\n\$5\r\nafter\r\n\$1\r\n1\r\n/);
    // The periodic PING, lowercase, 14 bytes.
    await f.waitFor(/\*1\r\n\$4\r\nping\r\n/, 5000);
    const mi = await info(c, 'replication');
    assert.equal(mi.master_replid, full[1]);
    assert.match(mi.slave0, /^ip=127\.0\.0\.1,port=6380,state=online,offset=0,lag=\d+$/);
    // The stream offset counts exactly the bytes after the snapshot point.
    const streamBytes = f.data.length - (start + len);
    assert.equal(Number(mi.master_repl_offset), Number(full[2]) + streamBytes);
    // WAIT sends REPLCONF GETACK * and gets the ACK.
    const waiting = c.call('WAIT', '1', '5000');
    await f.waitFor(/\*3\r\n\$8\r\nREPLCONF\r\n\$6\r\nGETACK\r\n\$1\r\n\*\r\n/);
    const other = connect(m.port);
    const off = Number((await info(other, 'replication')).master_repl_offset);
    other.disconnect();
    f.send(`*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$${String(off).length}\r\n${off}\r\n`);
    assert.equal(await waiting, 1);
  } finally {
    f.close();
    c.disconnect();
  }
});

test('FLUSHALL (with save points) and FLUSHDB of an empty db reach the stream, as 7.0 forces them', async () => {
  const m = await startServer('reddish', ['--save', '900 1', '--repl-diskless-sync', 'no']);
  started.push(m);
  const c = connect(m.port);
  const f = new FakeReplica(m.port);
  try {
    f.send('SYNC\r\n');
    const pre = await f.waitFor(/\$(\d+)\r\n/);
    const start = pre.index + pre[0].length;
    await waitFor('payload', async () => f.data.length >= start + Number(pre[1]));
    await c.flushall();
    await c.select(3);
    await c.flushdb();
    await c.set('k', 'v');
    await f.waitFor(/\*1\r\n\$8\r\nflushall\r\n\*2\r\n\$6\r\nSELECT\r\n\$1\r\n3\r\n\*1\r\n\$7\r\nflushdb\r\n\*3\r\n\$3\r\nset\r\n/);
    // As redis-server 7.0.15 counts: the save FLUSHALL made resets it, an empty FLUSHDB adds nothing.
    assert.equal((await info(c, 'persistence')).rdb_changes_since_last_save, '1');
  } finally {
    f.close();
    c.disconnect();
  }
});

test('keys lazily expired by SCAN go out as bare DELs (as from KEYS/RANDOMKEY); inside EXEC they stay in the transaction', async () => {
  const m = await startServer('reddish', ['--repl-diskless-sync', 'no', '--enable-debug-command', 'yes']);
  started.push(m);
  const c = connect(m.port);
  const f = new FakeReplica(m.port);
  try {
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    f.send('SYNC\r\n');
    const pre = await f.waitFor(/\$(\d+)\r\n/);
    const start = pre.index + pre[0].length + Number(pre[1]);
    await waitFor('payload', async () => f.data.length >= start);
    await c.set('a', '1', 'PX', 1);
    await c.set('b', '1', 'PX', 1);
    await new Promise((r) => setTimeout(r, 10));
    // KEYS only skips expired keys (7.0); SCAN deletes them.
    await c.call('KEYS', '*');
    await c.call('SCAN', '0');
    await c.set('z', 'end');
    await f.waitFor(/\$1\r\nz\r\n\$3\r\nend\r\n/);
    const stream = f.data.subarray(start).toString('latin1');
    assert.doesNotMatch(stream, /MULTI/i);
    assert.equal(stream.match(/\*2\r\n\$3\r\nDEL\r\n/g)?.length, 2);
    await c.set('a', '1', 'PX', 1);
    await c.set('b', '1', 'PX', 1);
    await new Promise((r) => setTimeout(r, 10));
    await c.multi().scan('0').exec();
    await f.waitFor(/\*1\r\n\$5\r\nMULTI\r\n(\*2\r\n\$3\r\nDEL\r\n\$1\r\n[ab]\r\n){2}\*1\r\n\$4\r\nEXEC\r\n/);
  } finally {
    f.close();
    c.disconnect();
  }
});

test('diskless target: $EOF:<mark> framing, and the stream waits for the first ACK', async () => {
  const m = await startServer('reddish', ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0']);
  started.push(m);
  const c = connect(m.port);
  await c.set('k', 'v');
  const f = new FakeReplica(m.port);
  try {
    f.send('REPLCONF capa eof capa psync2\r\n');
    await f.waitFor(/^\+OK\r\n/);
    f.send('PSYNC ? -1\r\n');
    await f.waitFor(/\+FULLRESYNC [0-9a-f]{40} \d+\r\n/);
    const eof = await f.waitFor(/\$EOF:([0-9a-f]{40})\r\n/);
    const mark = eof[1];
    await waitFor('end mark', async () => f.text().endsWith(mark) && f.text().length > eof.index + eof[0].length + 40);
    await c.set('after', '1');
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(f.text().endsWith(mark), 'no stream before the first ACK');
    f.send('*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n');
    await f.waitFor(/\*3\r\n\$3\r\nset\r\n\$5\r\nafter\r\n\$1\r\n1\r\n$/);
    // The log reaches us through the child's stdout pipe, possibly after the reply: wait for it.
    await m.waitForLog(/Streamed RDB transfer with replica 127\.0\.0\.1:<unknown-replica-port> succeeded \(socket\)\. Waiting for REPLCONF ACK from slave to enable streaming/);
  } finally {
    f.close();
    c.disconnect();
  }
});

test('PSYNC refusals and REPLCONF errors answer like Redis', async () => {
  const m = await startServer('reddish', ['--repl-diskless-sync', 'no']);
  started.push(m);
  const c = connect(m.port);
  try {
    await assert.rejects(c.call('PSYNC', 'abc', 'notanumber'), /ERR value is not an integer or out of range/);
    await m.waitForLog(/Replica 127\.0\.0\.1:<unknown-replica-port> asks for synchronization but with a wrong offset/);
    await assert.rejects(c.call('REPLCONF', 'listening-port'), /ERR syntax error/);
    await assert.rejects(c.call('REPLCONF', 'foo', 'bar'), /ERR Unrecognized REPLCONF option: foo/);
    await assert.rejects(c.call('WAIT', '1', '-1'), /ERR timeout is negative/);
    assert.equal(await c.call('WAIT', '0', '0'), 0);
    assert.deepEqual(await c.call('ROLE'), ['master', 0, []]);
    const f = new FakeReplica(m.port);
    f.send('PSYNC 0123456789012345678901234567890123456789 1\r\n');
    await f.waitFor(/\+FULLRESYNC/);
    f.close();
    await expectLog(m, /Partial resynchronization not accepted: Replication ID mismatch \(Replica asked for '0123456789012345678901234567890123456789'/);
    const stats = await info(c, 'stats');
    assert.equal(stats.sync_partial_err, '1');
    assert.equal(stats.sync_full, '1');
  } finally {
    c.disconnect();
  }
});

test('SHUTDOWN waits for a lagging replica (writes paused), SHUTDOWN ABORT cancels the wait', async () => {
  const m = await startServer('reddish', ['--repl-diskless-sync', 'no', '--shutdown-timeout', '30']);
  started.push(m);
  const c = connect(m.port);
  const other = connect(m.port);
  const f = new FakeReplica(m.port);
  try {
    f.send('PSYNC ? -1\r\n');
    await f.waitFor(/\+FULLRESYNC/);
    await waitFor('online replica', async () => /state=online/.test((await info(c, 'replication')).slave0 ?? ''));
    await c.set('k', 'v'); // the fake replica never acknowledges it
    const shutdown = c.call('SHUTDOWN', 'NOSAVE').then(
      () => 'closed',
      (e: Error) => e.message,
    );
    await waitFor('waiting line', async () => /Waiting for replicas before shutting down\./.test(m.output()));
    assert.equal(await other.call('SHUTDOWN', 'ABORT'), 'OK');
    assert.match(await shutdown, /ERR Errors trying to SHUTDOWN/);
    assert.equal(await other.set('after', '1'), 'OK'); // writes resumed
    await assert.rejects(other.call('SHUTDOWN', 'ABORT'), /ERR No shutdown in progress\./);
    // Now with the replica caught up: it acknowledges everything, and the shutdown goes through.
    const off = Number((await info(other, 'replication')).master_repl_offset);
    f.send(`*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$${String(off).length}\r\n${off}\r\n`);
    await waitFor('ack seen', async () => new RegExp(`offset=${off},`).test((await info(other, 'replication')).slave0 ?? ''));
    await other.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    await m.waitForLog(/1 of 1 replicas are in sync when shutting down\./);
  } finally {
    f.close();
    c.disconnect();
    other.disconnect();
  }
});
