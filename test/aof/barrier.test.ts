/**
 * appendfsync always as a barrier: the fsync of what a write appended happens before any reply
 * leaves — not the write's, not a read's of another client. The server is embedded in this
 * process, so its fdatasync and its socket writes are observed in order. With everysec the reply
 * does not wait for the fsync but the data is already in the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/index.js';
import { RespClient, plain } from '../helpers/resp.js';

type FsyncCb = (err: NodeJS.ErrnoException | null) => void;

function interceptFsync(): { pending: (() => void)[]; restore: () => void } {
  const orig = fs.fdatasync;
  const pending: (() => void)[] = [];
  (fs as { fdatasync: unknown }).fdatasync = (fd: number, cb: FsyncCb) => pending.push(() => orig(fd, cb));
  return { pending, restore: () => ((fs as { fdatasync: unknown }).fdatasync = orig) };
}

/** Records, in order, each inline fdatasync (with what the AOF held then) and each reply written. */
function observe(aofText: () => string, replies: RegExp): { events: string[]; restore: () => void } {
  const events: string[] = [];
  const origSync = fs.fdatasyncSync;
  const origWrite = net.Socket.prototype.write;
  (fs as { fdatasyncSync: unknown }).fdatasyncSync = (fd: number) => {
    origSync(fd);
    events.push(`fsync:${aofText()}`);
  };
  net.Socket.prototype.write = function (this: net.Socket, data: unknown, ...rest: unknown[]) {
    const text = Buffer.isBuffer(data) ? data.toString('latin1') : String(data);
    if (replies.test(text)) events.push(`reply:${text}`);
    return (origWrite as (...a: unknown[]) => boolean).call(this, data, ...rest);
  } as typeof origWrite;
  return {
    events,
    restore: () => {
      (fs as { fdatasyncSync: unknown }).fdatasyncSync = origSync;
      net.Socket.prototype.write = origWrite;
    },
  };
}

test('appendfsync always: the write is fsynced before its reply and before a reader sees it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reddish-aof-barrier-'));
  const srv = await startServer({ port: 0, config: { appendonly: true, appendfsync: 'always', dir } });
  const aofDir = join(dir, 'appendonlydir');
  const aofText = (): string => readFileSync(join(aofDir, readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'))!), 'latin1');
  const a = await RespClient.connect(srv.port);
  const b = await RespClient.connect(srv.port);
  const seen = observe(aofText, /^(\+OK|\$5\r\nvalue)/);
  try {
    // Sent together, so the read may be served in the same event-loop turn as the write.
    const [set, get] = await Promise.all([a.call('SET', 'barrier', 'value'), b.call('GET', 'barrier')]);
    assert.equal(plain(set), 'OK');
    assert.ok(plain(get) === 'value' || plain(get) === null);
    const fsyncAt = seen.events.findIndex((e) => e.startsWith('fsync:') && /SET\r\n\$7\r\nbarrier/.test(e));
    assert.ok(fsyncAt >= 0, `an fdatasync covered the SET (${seen.events.map((e) => e.slice(0, 12)).join(', ')})`);
    const okAt = seen.events.findIndex((e) => e.startsWith('reply:+OK'));
    assert.ok(okAt > fsyncAt, 'the reply left after the fsync');
    const readAt = seen.events.findIndex((e) => e.startsWith('reply:$5'));
    if (readAt >= 0) assert.ok(readAt > fsyncAt, 'a read saw the write only after it was on disk');
  } finally {
    seen.restore();
    a.close();
    b.close();
    await srv.close();
  }
});

test('appendfsync everysec: the reply does not wait for the fsync, the write is in the file before it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reddish-aof-barrier-'));
  const srv = await startServer({ port: 0, config: { appendonly: true, appendfsync: 'everysec', dir } });
  const fsyncs = interceptFsync();
  const a = await RespClient.connect(srv.port);
  try {
    assert.equal(plain(await a.call('SET', 'k2', 'v')), 'OK');
    const incr = readdirSync(join(dir, 'appendonlydir')).find((f) => f.endsWith('.incr.aof'))!;
    assert.match(readFileSync(join(dir, 'appendonlydir', incr), 'latin1'), /SET\r\n\$2\r\nk2/);
    for (const f of fsyncs.pending.splice(0)) f();
  } finally {
    fsyncs.restore();
    a.close();
    await srv.close();
  }
});
