/**
 * Valkey 8's dual-channel replication (spec rdb-channel.md §1): the wire as a Valkey replica
 * speaks it against a reddish master, and reddish nodes syncing through it in both roles.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Fleet, info, waitFor, waitInSync, digest, writer } from '../helpers/replication.js';
import { expectLog } from '../helpers/servers.js';
import { generate } from '../../src/lab/datagen.js';

const fleet = new Fleet();
after(() => fleet.close());

const DUAL = ['--dual-channel-replication-enabled', 'yes'];
const MASTER = [...DUAL, '--repl-diskless-sync-delay', '0'];

/** A raw connection read line by line (the $ENDOFF and $EOF preambles are not RESP). */
class Raw {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
  }
  static open(port: number): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new Raw(s)));
      s.once('error', reject);
    });
  }
  send(...argv: string[]): void {
    this.sock.write(`*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  }
  /** The next non-empty line (keepalive newlines skipped). */
  async line(timeoutMs = 10000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl >= 0) {
        const l = this.buf.subarray(0, nl).toString('latin1').replace(/\r$/, '');
        this.buf = this.buf.subarray(nl + 1);
        if (l !== '') return l;
        continue;
      }
      if (Date.now() > end) throw new Error(`no line; have ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))}`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 100);
      });
    }
  }
  close(): void {
    this.sock.destroy();
  }
}

test('the wire as a Valkey 8 replica sees it: +DUALCHANNELSYNC, $ENDOFF before the RDB, set-rdb-client-id, PSYNC from the end offset', async () => {
  const { s: m, c: mc } = await fleet.start('reddish', MASTER);
  for (let i = 0; i < 100; i++) await mc.set(`k${i}`, `v${i}`);
  const main = await Raw.open(m.port);
  const rdb = await Raw.open(m.port);
  try {
    main.send('REPLCONF', 'listening-port', '7777');
    assert.equal(await main.line(), '+OK');
    main.send('REPLCONF', 'capa', 'eof', 'capa', 'psync2', 'capa', 'dual-channel');
    assert.equal(await main.line(), '+OK');
    main.send('REPLCONF', 'version', '8.0.1');
    assert.equal(await main.line(), '+OK');
    main.send('PSYNC', '?', '-1');
    assert.equal(await main.line(), '+DUALCHANNELSYNC');

    rdb.send('REPLCONF', 'capa', 'eof', 'rdb-only', '1', 'rdb-channel', '1', 'listening-port', '7777');
    assert.equal(await rdb.line(), '+OK');
    rdb.send('SYNC');
    const endoff = await rdb.line();
    const e = /^\$ENDOFF:(\d+) ([0-9a-f]{40}) 0 (\d+)$/.exec(endoff);
    assert.ok(e, endoff);
    assert.match(await rdb.line(), /^\$EOF:[0-9a-f]{40}$/);
    const mi = await info(mc, 'replication');
    assert.equal(e[1], mi.master_repl_offset);
    assert.equal(e[2], mi.master_replid);

    // A write after the cut must reach the main channel once it resyncs from the end offset.
    await mc.set('after-cut', 'x');
    main.send('REPLCONF', 'set-rdb-client-id', '999999');
    assert.equal(await main.line(), '-ERR Unrecognized RDB client id 999999');
    main.send('REPLCONF', 'set-rdb-client-id', e[3]);
    assert.equal(await main.line(), '+OK');
    main.send('PSYNC', e[2], String(Number(e[1]) + 1));
    assert.equal(await main.line(), `+CONTINUE ${e[2]}`);
    await waitFor('bg_transfer in INFO', async () => /state=bg_transfer/.test((await info(mc, 'replication')).slave0 ?? ''));
    // SELECT then the SET written after the cut.
    assert.equal(await main.line(), '*2');
    assert.equal(await main.line(), '$6');
    assert.equal(await main.line(), 'SELECT');
    await main.line();
    await main.line();
    assert.equal(await main.line(), '*3');
    await main.line();
    assert.equal((await main.line()).toUpperCase(), 'SET');
    await main.line();
    assert.equal(await main.line(), 'after-cut');

    main.send('REPLCONF', 'ACK', String(Number(e[1]) + 1));
    await waitFor('online after the first ACK', async () => /state=online/.test((await info(mc, 'replication')).slave0 ?? ''));
    const st = await info(mc, 'stats');
    assert.equal(st.sync_full, '1');
    assert.equal(st.sync_partial_ok, '1');
    await expectLog(
      m,
      /Replica \S+ is capable of dual channel synchronization, and partial sync isn't possible\. Full sync will continue with dedicated RDB channel\./,
      /Sending to replica \S+ RDB end offset \d+ and client-id \d+/,
      /Partial resynchronization request from \S+ accepted\. Sending \d+ bytes of backlog starting from offset \d+\./,
      /Synchronization with replica \S+ succeeded/,
    );
  } finally {
    main.close();
    rdb.close();
  }
});

test('reddish to reddish over the dual channel under writes: digest-equal, one full and one partial sync, the logs of both sides', async () => {
  const { s: m, c: mc } = await fleet.start('reddish', MASTER);
  const { s: r, c: rc } = await fleet.start('reddish', DUAL);
  await generate({ type: 'hash', qty: 20000, prefix: 'session', port: m.port, seed: 1 });
  const link = await fleet.link({ listenPort: 0, targetPort: m.port, delayDownMs: 100, windowBytes: 64 * 1024 });
  const w = writer(m.port, 2000, 2);
  try {
    await rc.replicaof('127.0.0.1', String(link.port));
    await waitFor('the replica online', async () => (await info(rc, 'replication')).master_link_status === 'up', 90000, 50);
  } finally {
    await w.stop();
  }
  await waitInSync(mc, rc, 60000);
  assert.equal(await digest(rc), await digest(mc));
  const st = await info(mc, 'stats');
  assert.equal(st.sync_full, '1');
  assert.equal(st.sync_partial_ok, '1');
  const mi = await info(mc, 'replication');
  assert.equal(mi.connected_slaves, '1');
  assert.match(mi.slave0, /state=online/);
  await expectLog(r, /PSYNC is not possible, initialize RDB channel\./, /Trying a partial resynchronization using main channel \(request [0-9a-f]{40}:\d+\)\./);
  await expectLog(r, /Master accepted a Partial Resynchronization, RDB load in background\./, /Successfully streamed replication buffer into the db/);
  await expectLog(m, /RDB transfer completed, rdb only replica \(\S+\) should be disconnected asap/);
  // Writes keep flowing afterwards on the main channel.
  await mc.set('later', '1');
  await waitInSync(mc, rc);
  assert.equal(await rc.get('later'), '1');
});

test('dual channel asked of a master with repl-diskless-sync no: said once, classic sync', async () => {
  const { s: m, c: mc } = await fleet.start('reddish', [...DUAL, '--repl-diskless-sync', 'no']);
  const { c: rc } = await fleet.start('reddish', DUAL);
  for (let i = 0; i < 1000; i++) await mc.set(`k${i}`, 'v');
  await rc.replicaof('127.0.0.1', String(m.port));
  await waitInSync(mc, rc, 30000);
  assert.equal(await digest(rc), await digest(mc));
  await expectLog(m, /Dual channel capability ignored: repl-diskless-sync disabled/);
  assert.equal((await info(mc, 'stats')).sync_partial_ok, '0');
});

test('the rdb channel killed during the transfer: the replica starts over and ends digest-equal', async () => {
  const { s: m, c: mc } = await fleet.start('reddish', MASTER);
  const { c: rc } = await fleet.start('reddish', DUAL);
  await generate({ type: 'hash', qty: 20000, prefix: 'session', port: m.port, seed: 1 });
  const link = await fleet.link({ listenPort: 0, targetPort: m.port, delayDownMs: 100, windowBytes: 64 * 1024 });
  await rc.replicaof('127.0.0.1', String(link.port));
  const rdbId = await waitFor('the rdb channel', async () => {
    const text = (await mc.call('CLIENT', 'LIST')) as string;
    return /id=(\d+) [^\n]*flags=SC/.exec(text)?.[1];
  }, 30000, 20);
  await mc.call('CLIENT', 'KILL', 'ID', rdbId);
  await waitFor('the replica online', async () => (await info(rc, 'replication')).master_link_status === 'up', 90000, 100);
  await waitInSync(mc, rc, 60000);
  assert.equal(await digest(rc), await digest(mc));
  assert.ok(Number((await info(mc, 'stats')).sync_full) >= 2);
});
