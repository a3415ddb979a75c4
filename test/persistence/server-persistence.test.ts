/**
 * Persistence in the running server: files Redis and reddish exchange both ways, a BGSAVE
 * that stays point-in-time while clients write, loading errors, shutdown saves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, expectLog, REDDISH_BIN } from '../helpers/servers.js';
import { RespClient, plain } from '../helpers/resp.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'reddish-persist-'));
}

/** A dataset with every type and both encodings of each, in two databases, some with TTLs. */
async function fill(c: RespClient): Promise<void> {
  await c.call('SET', 'str', 'hello');
  await c.call('SET', 'int', '12345');
  await c.call('SET', 'big', 'x'.repeat(5000));
  await c.call('SET', 'ttl', 'v', 'EX', '1000');
  await c.call('RPUSH', 'list', 'a', 'b', 'c');
  const many: string[] = [];
  for (let i = 0; i < 600; i++) many.push(`m${i}`);
  await c.call('RPUSH', 'biglist', ...many);
  await c.call('SADD', 'intset', '1', '2', '300000');
  await c.call('SADD', 'set', 'a', 'b');
  await c.call('SADD', 'bigset', ...many);
  await c.call('HSET', 'hash', 'f1', 'v1', 'f2', 'v2');
  const pairs: string[] = [];
  for (let i = 0; i < 600; i++) pairs.push(`f${i}`, `v${i}`);
  await c.call('HSET', 'bighash', ...pairs);
  await c.call('ZADD', 'zset', '1', 'a', '2.5', 'b', '-inf', 'c');
  const zpairs: string[] = [];
  for (let i = 0; i < 300; i++) zpairs.push(String(i / 3), `z${i}`);
  await c.call('ZADD', 'bigzset', ...zpairs);
  await c.call('SELECT', '5');
  await c.call('SET', 'in5', 'five');
  await c.call('SELECT', '0');
}

const debug = ['--enable-debug-command', 'yes'];

test('a file reddish writes passes redis-check-rdb and loads into redis-server with the same digest', async () => {
  const dir = tmp();
  const r = await startServer('reddish', debug, { dir });
  const c = await RespClient.connect(r.port);
  await fill(c);
  const digest = plain(await c.call('DEBUG', 'DIGEST'));
  assert.equal(plain(await c.call('SAVE')), 'OK');
  c.close();
  await r.stop();
  const check = spawnSync('redis-check-rdb', [join(dir, 'dump.rdb')], { encoding: 'latin1' });
  assert.match(check.stdout, /RDB looks OK!/, check.stdout);
  const redis = await startServer('redis', debug, { dir });
  const rc = await RespClient.connect(redis.port);
  assert.equal(plain(await rc.call('DEBUG', 'DIGEST')), digest);
  rc.close();
  await redis.stop();
});

test('a file redis-server writes loads into reddish with the same digest (and DEBUG RELOAD keeps it)', async () => {
  const dir = tmp();
  const redis = await startServer('redis', debug, { dir });
  const rc = await RespClient.connect(redis.port);
  await fill(rc);
  const digest = plain(await rc.call('DEBUG', 'DIGEST'));
  assert.equal(plain(await rc.call('SAVE')), 'OK');
  rc.close();
  await redis.stop();
  const r = await startServer('reddish', debug, { dir });
  await r.waitForLog(/DB loaded from disk: \d+\.\d{3} seconds/);
  await expectLog(r, /Done loading RDB, keys loaded: 14, keys expired: 0\./);
  const c = await RespClient.connect(r.port);
  assert.equal(plain(await c.call('DEBUG', 'DIGEST')), digest);
  assert.equal(plain(await c.call('DEBUG', 'RELOAD')), 'OK');
  assert.equal(plain(await c.call('DEBUG', 'DIGEST')), digest);
  assert.equal(plain(await c.call('OBJECT', 'ENCODING', 'bighash')), 'hashtable');
  assert.equal(plain(await c.call('OBJECT', 'ENCODING', 'hash')), 'listpack');
  assert.equal(plain(await c.call('OBJECT', 'ENCODING', 'intset')), 'intset');
  c.close();
  await r.stop();
});

test('BGSAVE is point-in-time while clients keep writing', async () => {
  const dir = tmp();
  const r = await startServer('reddish', debug, { dir });
  const c = await RespClient.connect(r.port);
  // 200k keys so the snapshot takes many slices.
  const n = 200000;
  for (let i = 0; i < n; i += 1000) {
    let batch = '';
    for (let j = i; j < i + 1000; j++) batch += `*3\r\n$3\r\nSET\r\n$${`k${j}`.length}\r\nk${j}\r\n$${`v${j}`.length}\r\nv${j}\r\n`;
    await c.sendMany(batch, 1000);
  }
  await c.call('RPUSH', 'list', 'a');
  const before = plain(await c.call('DEBUG', 'DIGEST'));
  assert.equal(plain(await c.call('BGSAVE')), 'Background saving started');
  // Writes while the snapshot runs: overwrite, delete, append, flush another db, rename.
  const w = await RespClient.connect(r.port);
  for (let i = 0; i < 2000; i++) {
    await w.call('SET', `k${(i * 97) % n}`, 'changed');
    if (i % 10 === 0) await w.call('DEL', `k${(i * 31) % n}`);
    if (i % 100 === 0) await w.call('RPUSH', 'list', 'b');
    if (i % 500 === 0) await w.call('RENAME', `k${i + 1}`, `renamed${i}`);
  }
  await w.call('SET', 'newkey', 'new');
  const after = plain(await c.call('DEBUG', 'DIGEST'));
  assert.notEqual(after, before);
  for (let i = 0; i < 200; i++) {
    const info = plain(await c.call('INFO', 'persistence')) as string;
    if (/rdb_bgsave_in_progress:0/.test(info)) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  await r.waitForLog(/Background saving terminated with success/);
  await expectLog(r, /Snapshot CoW for RDB: \d+ MB written early for \d+ keys changed during the save/);
  c.close();
  w.close();
  await r.stop();
  // The file holds the dataset of the BGSAVE instant: load it and compare digests.
  const redis = await startServer('redis', debug, { dir });
  const rc = await RespClient.connect(redis.port);
  assert.equal(plain(await rc.call('DEBUG', 'DIGEST')), before);
  rc.close();
  await redis.stop();
});

test('a corrupted or truncated dump stops startup with a clear message and is not overwritten', async () => {
  const dir = tmp();
  const r = await startServer('reddish', debug, { dir });
  const c = await RespClient.connect(r.port);
  await fill(c);
  await c.call('SAVE');
  c.close();
  await r.stop();
  const good = readFileSync(join(dir, 'dump.rdb'));
  for (const bad of [good.subarray(0, good.length - 20), Buffer.concat([good.subarray(0, 100), Buffer.from([0xff ^ good[100]]), good.subarray(101)])]) {
    writeFileSync(join(dir, 'dump.rdb'), bad);
    const p = spawnSync(process.execPath, [REDDISH_BIN, '--port', '0', '--dir', dir], { encoding: 'latin1', timeout: 20000 });
    assert.equal(p.status, 1, p.stdout);
    assert.match(p.stdout, /offset \d+/);
    assert.match(p.stdout, /Terminating server after rdb file reading failure\./);
    assert.ok(readFileSync(join(dir, 'dump.rdb')).equals(bad), 'the file is left as it was');
  }
});

test('SHUTDOWN SAVE and SIGTERM with save points write the dump; no temp files are left', async () => {
  const dir = tmp();
  const r = await startServer('reddish', ['--save', '3600 1'], { dir });
  const c = await RespClient.connect(r.port);
  await c.call('SET', 'a', '1');
  c.close();
  await r.stop('SIGTERM');
  await expectLog(r, /Saving the final RDB snapshot before exiting\./);
  assert.ok(existsSync(join(dir, 'dump.rdb')));
  const r2 = await startServer('reddish', [], { dir });
  const c2 = await RespClient.connect(r2.port);
  assert.equal(plain(await c2.call('GET', 'a')), '1');
  await c2.call('SET', 'b', '2');
  c2.socket.write('*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n');
  await c2.waitClose();
  await new Promise((res) => r2.proc.once('exit', res));
  const r3 = await startServer('reddish', [], { dir });
  const c3 = await RespClient.connect(r3.port);
  assert.equal(plain(await c3.call('GET', 'b')), '2');
  c3.close();
  await r3.stop();
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('temp-')), []);
});

test('a failed BGSAVE turns on stop-writes-on-bgsave-error (MISCONF) like Redis, until a save succeeds', async () => {
  const replies: unknown[][] = [];
  for (const kind of ['redis', 'reddish'] as const) {
    const dir = tmp();
    const s = await startServer(kind, ['--save', '3600 1'], { dir });
    const c = await RespClient.connect(s.port);
    const got: unknown[] = [];
    // dump.rdb becomes a non-empty directory: the final rename of the snapshot fails.
    mkdirSync(join(dir, 'dump.rdb'));
    writeFileSync(join(dir, 'dump.rdb', 'x'), 'x');
    got.push(plain(await c.call('BGSAVE')));
    await s.waitForLog(/Background saving error/);
    got.push(plain(await c.call('SET', 'k', 'v')));
    got.push(plain(await c.call('GET', 'k')));
    got.push(/rdb_last_bgsave_status:err/.test(plain(await c.call('INFO', 'persistence')) as string));
    got.push(plain(await c.call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no')));
    got.push(plain(await c.call('SET', 'k', 'v')));
    c.close();
    await s.stop();
    replies.push(got);
  }
  assert.deepEqual(replies[1], replies[0]);
  assert.match(String((replies[0][1] as { error: string }).error), /^MISCONF /);
});
