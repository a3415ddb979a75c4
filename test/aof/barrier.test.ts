/**
 * appendfsync always as a barrier: with the fsync held back (fs.fsync is intercepted in this
 * process, where the server is embedded), no reply leaves — not the write's, not a read's of
 * another client — until the fsync of what was appended has completed. With everysec the
 * reply does not wait for the fsync but the data is already in the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/index.js';
import { RespClient, plain } from '../helpers/resp.js';

type FsyncCb = (err: NodeJS.ErrnoException | null) => void;

function interceptFsync(): { pending: (() => void)[]; restore: () => void } {
  const orig = fs.fsync;
  const pending: (() => void)[] = [];
  (fs as { fsync: unknown }).fsync = (fd: number, cb: FsyncCb) => pending.push(() => orig(fd, cb));
  return { pending, restore: () => ((fs as { fsync: unknown }).fsync = orig) };
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond());
};

test('appendfsync always: replies wait for the fsync of everything appended before them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reddish-aof-barrier-'));
  const srv = await startServer({ port: 0, config: { appendonly: true, appendfsync: 'always', dir } });
  const fsyncs = interceptFsync();
  const a = await RespClient.connect(srv.port);
  const b = await RespClient.connect(srv.port);
  try {
    let replied = false;
    const reply = a.call('SET', 'k', 'v').then((r) => {
      replied = true;
      return r;
    });
    await until(() => fsyncs.pending.length > 0);
    // The write is in the file already; its reply and a reader's reply are held.
    const incr = readdirSync(join(dir, 'appendonlydir')).find((f) => f.endsWith('.incr.aof'))!;
    assert.match(readFileSync(join(dir, 'appendonlydir', incr), 'latin1'), /SET\r\n\$1\r\nk/);
    let readReplied = false;
    const read = b.call('GET', 'k').then((r) => {
      readReplied = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(replied, false, 'the reply left before the fsync completed');
    assert.equal(readReplied, false, 'a read observed an unsynced write');
    for (const f of fsyncs.pending.splice(0)) f();
    assert.equal(plain(await reply), 'OK');
    assert.equal(plain(await read), 'v');
  } finally {
    fsyncs.restore();
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
