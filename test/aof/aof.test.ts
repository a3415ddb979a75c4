/**
 * The append-only file against redis-server 7.0: the multi-part layout and what is appended,
 * loading (with truncated tails, bad manifests, missing files, an unfinished MULTI), files
 * exchanged both ways with the same DEBUG DIGEST, redis-check-aof, BGREWRITEAOF, the runtime
 * switch and write errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync, symlinkSync, existsSync, appendFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, expectLog, hasRedisServer, type SpawnedServer } from '../helpers/servers.js';
import { RespClient, plain } from '../helpers/resp.js';

const debug = ['--enable-debug-command', 'yes'];
const aofOn = ['--appendonly', 'yes', ...debug];
const haveRedis = hasRedisServer();
const haveCheckAof = spawnSync('redis-check-aof', ['--help']).error === undefined;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'reddish-aof-'));
}

const aofDir = (dir: string): string => join(dir, 'appendonlydir');
const manifest = (dir: string): string => readFileSync(join(aofDir(dir), 'appendonly.aof.manifest'), 'latin1');
const incr = (dir: string, seq = 1): string => readFileSync(join(aofDir(dir), `appendonly.aof.${seq}.incr.aof`), 'latin1');

function resp(...argv: string[]): string {
  return `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('');
}

async function withServer<T>(kind: 'reddish' | 'redis', args: string[], dir: string, fn: (c: RespClient, s: SpawnedServer) => Promise<T>): Promise<T> {
  const s = await startServer(kind, args, { dir });
  const c = await RespClient.connect(s.port);
  try {
    return await fn(c, s);
  } finally {
    c.close();
    await s.stop();
  }
}

/** Starts and expects a startup failure: resolves with the output. */
async function failedStart(args: string[], dir: string): Promise<string> {
  try {
    const s = await startServer('reddish', args, { dir });
    await s.stop();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the server started');
}

async function fill(c: RespClient): Promise<void> {
  await c.call('SET', 'str', 'hello');
  await c.call('SET', 'bin', Buffer.from([0, 1, 2, 255, 13, 10]));
  await c.call('RPUSH', 'list', 'a', 'b', 'c');
  await c.call('SADD', 'set', '1', '2', 'x');
  await c.call('HSET', 'hash', 'f1', 'v1', 'f2', 'v2');
  await c.call('ZADD', 'zset', '1', 'a', '2.5', 'b');
  await c.call('XADD', 'stream', '1-1', 'f', 'v');
  await c.call('SET', 'ttl', 'v', 'EX', '1000');
  await c.call('SELECT', '4');
  await c.call('INCRBY', 'counter', '41');
  await c.call('INCR', 'counter');
  await c.call('SELECT', '0');
}

test('startup with appendonly yes creates the base and incr files and the manifest as 7.0 does', async () => {
  const dir = tmp();
  await withServer('reddish', aofOn, dir, async (c, s) => {
    await expectLog(s, /Creating AOF base file appendonly\.aof\.1\.base\.rdb on server start/, /Creating AOF incr file appendonly\.aof\.1\.incr\.aof on server start/);
    assert.deepEqual(readdirSync(aofDir(dir)).sort(), ['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    assert.equal(manifest(dir), 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    const base = readFileSync(join(aofDir(dir), 'appendonly.aof.1.base.rdb'));
    assert.equal(base.latin1Slice(0, 9), 'REDIS0010');
    assert.ok(base.includes(Buffer.from('aof-base')));
    assert.deepEqual(plain(await c.call('CONFIG', 'GET', 'appendonly')), ['appendonly', 'yes']);
  });
});

test('the incr file gets the propagated stream: SELECT on db change, MULTI/EXEC, EXPIRE as PEXPIREAT, SET EX as PXAT', async () => {
  const dir = tmp();
  await withServer('reddish', aofOn, dir, async (c) => {
    await c.call('set', 'a', '1');
    await c.call('SELECT', '3');
    await c.call('SET', 'b', '2');
    await c.call('EXPIRE', 'b', '100');
    await c.call('SET', 'c', '3', 'EX', '100');
    await c.sendMany('MULTI\r\nINCR x\r\nINCR y\r\nEXEC\r\n', 4);
    await c.call('GET', 'a'); // reads are not appended
    const text = incr(dir);
    const exp = /PEXPIREAT\r\n\$1\r\nb\r\n\$13\r\n(\d{13})\r\n/.exec(text);
    assert.ok(exp, text);
    const pxat = /PXAT\r\n\$13\r\n(\d{13})\r\n/.exec(text);
    assert.ok(pxat, text);
    assert.equal(
      text,
      resp('SELECT', '0') +
        resp('set', 'a', '1') +
        resp('SELECT', '3') +
        resp('SET', 'b', '2') +
        resp('PEXPIREAT', 'b', exp[1]) +
        resp('SET', 'c', '3', 'PXAT', pxat[1]) +
        resp('MULTI') +
        resp('INCR', 'x') +
        resp('INCR', 'y') +
        resp('EXEC'),
    );
  });
});

test('reddish loads its own AOF at restart (AOF before the RDB) with Redis log lines and the same digest', async () => {
  const dir = tmp();
  const digest = await withServer('reddish', aofOn, dir, async (c) => {
    await fill(c);
    return plain(await c.call('DEBUG', 'DIGEST'));
  });
  // A dump.rdb next to it is ignored: the AOF takes precedence.
  await withServer('reddish', debug, dir, async (c) => {
    await c.call('SET', 'only-in-rdb', '1');
    await c.call('SAVE');
  });
  await withServer('reddish', aofOn, dir, async (c, s) => {
    await expectLog(
      s,
      /Reading RDB base file on AOF loading\.\.\./,
      /RDB is base AOF/,
      /DB loaded from base file appendonly\.aof\.1\.base\.rdb: \d+\.\d{3} seconds/,
      /DB loaded from incr file appendonly\.aof\.1\.incr\.aof: \d+\.\d{3} seconds/,
      /DB loaded from append only file: \d+\.\d{3} seconds/,
      /Opening AOF incr file appendonly\.aof\.1\.incr\.aof on server start/,
    );
    assert.equal(plain(await c.call('DEBUG', 'DIGEST')), digest);
    assert.equal(plain(await c.call('EXISTS', 'only-in-rdb')), 0);
  });
});

test('redis-check-aof says the directory reddish wrote is valid', { skip: !haveCheckAof }, async () => {
  const dir = tmp();
  await withServer('reddish', aofOn, dir, async (c) => {
    await fill(c);
    await c.sendMany('MULTI\r\nSET m 1\r\nDEL str\r\nEXEC\r\n', 4);
  });
  const r = spawnSync('redis-check-aof', [join(aofDir(dir), 'appendonly.aof.manifest')], { encoding: 'latin1' });
  assert.match(r.stdout, /All AOF files and manifest are valid/, r.stdout + r.stderr);
});

test('an AOF directory reddish wrote loads into redis-server with the same digest, and back', { skip: !haveRedis }, async () => {
  const dir = tmp();
  const digest = await withServer('reddish', aofOn, dir, async (c) => {
    await fill(c);
    assert.equal(plain(await c.call('BGREWRITEAOF')), 'Background append only file rewriting started');
    await c.call('SET', 'after-rewrite', '1');
    return plain(await c.call('DEBUG', 'DIGEST'));
  });
  const digest2 = await withServer('redis', aofOn, dir, async (c) => {
    assert.equal(plain(await c.call('DEBUG', 'DIGEST')), digest);
    await c.call('RPUSH', 'list', 'from-redis');
    await c.call('SELECT', '9');
    await c.call('SET', 'k9', 'v');
    assert.equal(plain(await c.call('BGREWRITEAOF')), 'Background append only file rewriting started');
    for (let i = 0; i < 100; i++) {
      const info = String(plain(await c.call('INFO', 'persistence')));
      if (info.includes('aof_rewrite_in_progress:0') && info.includes('aof_rewrites:1')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await c.call('SET', 'after-redis-rewrite', 'x');
    return plain(await c.call('DEBUG', 'DIGEST'));
  });
  await withServer('reddish', aofOn, dir, async (c, s) => {
    await expectLog(s, /DB loaded from append only file/);
    assert.equal(plain(await c.call('DEBUG', 'DIGEST')), digest2);
  });
});

test('a truncated last command is cut off with aof-load-truncated yes and refused with no', async () => {
  const dir = tmp();
  await withServer('reddish', aofOn, dir, async (c) => {
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '2');
  });
  const full = incr(dir).length;
  appendFileSync(join(aofDir(dir), 'appendonly.aof.1.incr.aof'), '*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1');
  const out = await failedStart([...aofOn, '--aof-load-truncated', 'no'], dir);
  assert.match(
    out,
    /Unexpected end of file reading the append only file appendonly\.aof\.1\.incr\.aof\. You can: 1\) Make a backup of your AOF file, then use \.\/redis-check-aof --fix <filename\.manifest>\. 2\) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server\./,
  );
  await withServer('reddish', aofOn, dir, async (c, s) => {
    await expectLog(
      s,
      /!!! Warning: short read while loading the AOF file appendonly\.aof\.1\.incr\.aof!!!/,
      new RegExp(`!!! Truncating the AOF appendonly\\.aof\\.1\\.incr\\.aof at offset ${full} !!!`),
      /AOF appendonly\.aof\.1\.incr\.aof loaded anyway because aof-load-truncated is enabled/,
    );
    assert.equal(plain(await c.call('GET', 'b')), '2');
    assert.equal(plain(await c.call('EXISTS', 'c')), 0);
    await c.call('SET', 'd', '4');
  });
  // The tail was removed and new writes follow the last complete command.
  assert.ok(incr(dir).startsWith(incr(dir).slice(0, full)));
  await withServer('reddish', aofOn, dir, async (c) => {
    assert.equal(plain(await c.call('GET', 'd')), '4');
  });
});

test('a MULTI without EXEC at the end is reverted like a short read', async () => {
  const dir = tmp();
  await withServer('reddish', aofOn, dir, async (c) => {
    await c.call('SET', 'a', '1');
  });
  appendFileSync(join(aofDir(dir), 'appendonly.aof.1.incr.aof'), resp('MULTI') + resp('SET', 'x', '1'));
  await withServer('reddish', aofOn, dir, async (c, s) => {
    await expectLog(s, /Revert incomplete MULTI\/EXEC transaction in AOF file appendonly\.aof\.1\.incr\.aof/, /loaded anyway because aof-load-truncated is enabled/);
    assert.equal(plain(await c.call('EXISTS', 'x')), 0);
    assert.equal(plain(await c.call('GET', 'a')), '1');
  });
});

test('bad manifests, missing files, bad formats and unknown commands stop the server with Redis messages', async () => {
  const cases: [string, string, RegExp][] = [
    ['file appendonly.aof.1.incr.aof seq 1\n', 'file appendonly.aof.1.incr.aof seq 1', /Invalid AOF manifest file format/],
    ['file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.2.base.rdb seq 2 type b\n', 'file appendonly.aof.2.base.rdb seq 2 type b', /Found duplicate base file information/],
    ['file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.1.incr.aof seq 1 type i\n', 'file appendonly.aof.1.incr.aof seq 1 type i', /Found a non-monotonic sequence number/],
    ['file appendonly.aof.1.incr.aof seq 1 type x\n', 'file appendonly.aof.1.incr.aof seq 1 type x', /Unknown AOF file type/],
    ['file a/b seq 1 type i\n', 'file a/b seq 1 type i', /File can't be a path, just a filename/],
  ];
  for (const [text, line, err] of cases) {
    const dir = tmp();
    mkdirSync(aofDir(dir));
    writeFileSync(join(aofDir(dir), 'appendonly.aof.manifest'), text);
    const out = await failedStart(aofOn, dir);
    assert.match(out, /\*\*\* FATAL AOF MANIFEST FILE ERROR \*\*\*/, out);
    assert.ok(out.includes(`>>> '${line}'`), out);
    assert.match(out, err, out);
  }
  // Empty manifest.
  let dir = tmp();
  mkdirSync(aofDir(dir));
  writeFileSync(join(aofDir(dir), 'appendonly.aof.manifest'), '');
  assert.match(await failedStart(aofOn, dir), /Found an empty AOF manifest/);
  // A file the manifest names but the disk lacks.
  dir = tmp();
  mkdirSync(aofDir(dir));
  writeFileSync(join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
  writeFileSync(join(aofDir(dir), 'appendonly.aof.1.incr.aof'), resp('SET', 'a', '1'));
  assert.match(await failedStart(aofOn, dir), /Unable to obtain the AOF file appendonly\.aof\.2\.incr\.aof length\. stat: No such file or directory/);
  // Garbage instead of a command.
  dir = tmp();
  mkdirSync(aofDir(dir));
  writeFileSync(join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
  writeFileSync(join(aofDir(dir), 'appendonly.aof.1.incr.aof'), resp('SET', 'a', '1') + 'garbage\r\n');
  assert.match(
    await failedStart(aofOn, dir),
    /Bad file format reading the append only file appendonly\.aof\.1\.incr\.aof: make a backup of your AOF file, then use \.\/redis-check-aof --fix <filename\.manifest>/,
  );
  writeFileSync(join(aofDir(dir), 'appendonly.aof.1.incr.aof'), resp('NOSUCHCMD', 'a'));
  assert.match(await failedStart(aofOn, dir), /Unknown command 'NOSUCHCMD' reading the append only file appendonly\.aof\.1\.incr\.aof/);
  // A truncated file that is not the last one.
  writeFileSync(join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
  writeFileSync(join(aofDir(dir), 'appendonly.aof.1.incr.aof'), resp('SET', 'a', '1') + '*2\r\n$3');
  writeFileSync(join(aofDir(dir), 'appendonly.aof.2.incr.aof'), resp('SET', 'b', '1'));
  assert.match(await failedStart(aofOn, dir), /Fatal error: the truncated file is not the last file/);
  // With appendonly no a bad manifest is fatal too (Redis reads it at every start).
  writeFileSync(join(aofDir(dir), 'appendonly.aof.manifest'), 'bad line\n');
  assert.match(await failedStart(debug, dir), /Invalid AOF manifest file format/);
});

test('BGREWRITEAOF: new base and incr, history removed, writes during the rewrite kept, auto-gc off keeps history', async () => {
  const dir = tmp();
  const digest = await withServer('reddish', aofOn, dir, async (c, s) => {
    for (let i = 0; i < 2000; i++) await c.call('SET', `k${i}`, `v${i}`);
    assert.equal(plain(await c.call('BGREWRITEAOF')), 'Background append only file rewriting started');
    // Written during the rewrite: they go to the new incr file.
    await c.call('SET', 'during', '1');
    await c.call('DEL', 'k5');
    await expectLog(
      s,
      /Creating AOF incr file appendonly\.aof\.2\.incr\.aof on background rewrite/,
      /Background append only file rewriting started by pid \d+/,
      /Successfully created the temporary AOF base file temp-rewriteaof-bg-\d+\.aof/,
      /Background AOF rewrite terminated with success/,
      /Successfully renamed the temporary AOF base file temp-rewriteaof-bg-\d+\.aof into appendonly\.aof\.2\.base\.rdb/,
      /Removing the history file appendonly\.aof\.1\.incr\.aof in the background/,
      /Removing the history file appendonly\.aof\.1\.base\.rdb in the background/,
      /Background AOF rewrite finished successfully/,
    );
    assert.equal(manifest(dir), 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    const info = String(plain(await c.call('INFO', 'persistence')));
    assert.match(info, /aof_rewrites:1/);
    assert.match(info, /aof_last_bgrewrite_status:ok/);
    for (let i = 0; i < 50 && existsSync(join(aofDir(dir), 'appendonly.aof.1.incr.aof')); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(readdirSync(aofDir(dir)).sort(), ['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    await c.call('CONFIG', 'SET', 'aof-disable-auto-gc', 'yes');
    assert.equal(plain(await c.call('BGREWRITEAOF')), 'Background append only file rewriting started');
    await s.waitForLog(/Creating AOF incr file appendonly\.aof\.3\.incr\.aof/);
    for (let i = 0; i < 200 && !manifest(dir).includes('3.base'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(
      manifest(dir),
      // The order redis-server 7.0 writes: newest history first, the replaced incr before the base.
      'file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.2.incr.aof seq 2 type h\nfile appendonly.aof.2.base.rdb seq 2 type h\nfile appendonly.aof.3.incr.aof seq 3 type i\n',
    );
    return plain(await c.call('DEBUG', 'DIGEST'));
  });
  await withServer('reddish', aofOn, dir, async (c) => {
    assert.equal(plain(await c.call('DEBUG', 'DIGEST')), digest);
    assert.equal(plain(await c.call('GET', 'during')), '1');
    assert.equal(plain(await c.call('EXISTS', 'k5')), 0);
  });
});

test('BGSAVE and BGREWRITEAOF exclude each other with Redis replies', async () => {
  const dir = tmp();
  await withServer('reddish', [...aofOn, '--rdb-key-save-delay', '0'], dir, async (c, s) => {
    const big = 'x'.repeat(100);
    for (let i = 0; i < 300; i++) {
      const args: string[] = [];
      for (let j = 0; j < 100; j++) args.push(`k${i}-${j}`, big);
      await c.call('MSET', ...args);
    }
    assert.equal(plain(await c.call('BGREWRITEAOF')), 'Background append only file rewriting started');
    const r1 = await c.call('BGSAVE');
    const r2 = await c.call('BGREWRITEAOF');
    const r3 = await c.call('BGSAVE', 'SCHEDULE');
    // The rewrite may have finished already on a fast machine: then the commands just run.
    if (r1.t === 'error') {
      assert.equal(r1.v, "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
    }
    if (r2.t === 'error') assert.equal(r2.v, 'ERR Background append only file rewriting already in progress');
    assert.ok(['Background saving scheduled', 'Background saving started', 'ERR Background save already in progress'].includes(String(plain(r3))), String(plain(r3)));
    await s.waitForLog(/Background AOF rewrite finished successfully/);
    await s.waitForLog(/Background saving terminated with success|DB saved on disk/);
    // And the other way round: a rewrite asked for during a BGSAVE is scheduled.
    assert.equal(plain(await c.call('BGSAVE')), 'Background saving started');
    const r4 = plain(await c.call('BGREWRITEAOF'));
    assert.ok(r4 === 'Background append only file rewriting scheduled' || r4 === 'Background append only file rewriting started', String(r4));
  });
});

test('CONFIG SET appendonly yes rewrites first, as Redis; appendonly no stops appending', async () => {
  const dir = tmp();
  await withServer('reddish', debug, dir, async (c, s) => {
    await c.call('SET', 'before', '1');
    assert.ok(!existsSync(aofDir(dir)));
    assert.equal(plain(await c.call('CONFIG', 'SET', 'appendonly', 'yes')), 'OK');
    await c.call('SET', 'while-rewriting', '1');
    await expectLog(
      s,
      /Creating AOF incr file temp-appendonly\.aof\.incr on background rewrite/,
      /Successfully renamed the temporary AOF base file temp-rewriteaof-bg-\d+\.aof into appendonly\.aof\.1\.base\.rdb/,
      /Successfully renamed the temporary AOF incr file temp-appendonly\.aof\.incr into appendonly\.aof\.1\.incr\.aof/,
      /Background AOF rewrite finished successfully/,
    );
    assert.equal(manifest(dir), 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    await c.call('SET', 'after', '1');
    assert.match(incr(dir), /while-rewriting[\s\S]*after/);
    assert.equal(plain(await c.call('CONFIG', 'SET', 'appendonly', 'no')), 'OK');
    const size = statSync(join(aofDir(dir), 'appendonly.aof.1.incr.aof')).size;
    await c.call('SET', 'not-appended', '1');
    assert.equal(statSync(join(aofDir(dir), 'appendonly.aof.1.incr.aof')).size, size);
    assert.match(String(plain(await c.call('INFO', 'persistence'))), /aof_enabled:0/);
  });
  await withServer('reddish', aofOn, dir, async (c) => {
    assert.equal(plain(await c.call('GET', 'before')), '1');
    assert.equal(plain(await c.call('GET', 'after')), '1');
    assert.equal(plain(await c.call('EXISTS', 'not-appended')), 0);
  });
});

function infoFields(text: string): string[] {
  const start = text.indexOf('aof_enabled');
  return text
    .slice(start)
    .split('\r\n')
    .filter((l) => /^(aof_|module_fork)/.test(l))
    .map((l) => l.split(':')[0]);
}

test('INFO persistence has the aof_* fields of 7.0, with and without appendonly', { skip: !haveRedis }, async () => {
  for (const args of [aofOn, debug]) {
    const mine = await withServer('reddish', args, tmp(), async (c) => String(plain(await c.call('INFO', 'persistence'))));
    const theirs = await withServer('redis', args, tmp(), async (c) => String(plain(await c.call('INFO', 'persistence'))));
    assert.deepEqual(infoFields(mine), infoFields(theirs));
  }
});

test('a failing AOF write refuses writes with MISCONF (everysec) and stops the server under always', async () => {
  const prep = (): string => {
    const dir = tmp();
    mkdirSync(aofDir(dir));
    writeFileSync(join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    symlinkSync('/dev/full', join(aofDir(dir), 'appendonly.aof.1.incr.aof'));
    return dir;
  };
  await withServer('reddish', aofOn, prep(), async (c, s) => {
    await c.call('SET', 'a', '1');
    await s.waitForLog(/Error writing to the AOF file: No space left on device/);
    const r = await c.call('SET', 'b', '2');
    assert.deepEqual(r, { t: 'error', v: 'MISCONF Errors writing to the AOF file: No space left on device' });
    assert.match(String(plain(await c.call('INFO', 'persistence'))), /aof_last_write_status:err/);
    assert.equal(plain(await c.call('GET', 'a')), '1'); // reads still work
  });
  const s = await startServer('reddish', [...aofOn, '--appendfsync', 'always'], { dir: prep() });
  const c = await RespClient.connect(s.port);
  try {
    // Nothing is acknowledged: the server exits before the reply could leave.
    const r = await Promise.race([c.call('SET', 'a', '1').then(() => 'reply', () => 'closed'), c.waitClose().then(() => 'closed')]);
    assert.equal(r, 'closed');
    await s.waitForLog(/Can't recover from AOF write error when the AOF fsync policy is 'always'\. Exiting\.\.\./);
  } finally {
    c.close();
    await s.stop();
  }
});

test('aof-timestamp-enabled writes #TS annotations that loading skips', async () => {
  const dir = tmp();
  await withServer('reddish', [...aofOn, '--aof-timestamp-enabled', 'yes'], dir, async (c) => {
    await c.call('SET', 'a', '1');
  });
  assert.match(incr(dir), /^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT/);
  await withServer('reddish', aofOn, dir, async (c) => {
    assert.equal(plain(await c.call('GET', 'a')), '1');
  });
});

test('aof-use-rdb-preamble no: base files in command form that redis-server and redis-check-aof accept', async () => {
  const dir = tmp();
  const args = [...aofOn, '--aof-use-rdb-preamble', 'no'];
  const digest = await withServer('reddish', args, dir, async (c, s) => {
    await s.waitForLog(/Creating AOF base file appendonly\.aof\.1\.base\.aof on server start/);
    await fill(c);
    const many: string[] = [];
    for (let i = 0; i < 150; i++) many.push(`m${i}`);
    await c.call('RPUSH', 'biglist', ...many);
    await c.call('XGROUP', 'CREATE', 'stream', 'g1', '0');
    await c.call('XADD', 'stream', '2-1', 'a', 'b');
    await c.call('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>');
    await c.call('XGROUP', 'CREATECONSUMER', 'stream', 'g1', 'bob');
    await c.call('XADD', 'empty', 'MAXLEN', '0', '5-5', 'x', 'y');
    assert.equal(plain(await c.call('BGREWRITEAOF')), 'Background append only file rewriting started');
    await s.waitForLog(/Background AOF rewrite finished successfully/);
    assert.equal(manifest(dir), 'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    const base = readFileSync(join(aofDir(dir), 'appendonly.aof.2.base.aof'), 'latin1');
    assert.ok(base.startsWith('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n'), base.slice(0, 60));
    assert.ok(base.includes(resp('PEXPIREAT', 'ttl').slice(4, 30)));
    assert.match(base, /XCLAIM\r\n\$6\r\nstream\r\n\$2\r\ng1\r\n\$5\r\nalice/);
    return plain(await c.call('DEBUG', 'DIGEST'));
  });
  if (haveCheckAof) {
    const r = spawnSync('redis-check-aof', [join(aofDir(dir), 'appendonly.aof.manifest')], { encoding: 'latin1' });
    assert.match(r.stdout, /All AOF files and manifest are valid/, r.stdout + r.stderr);
  }
  await withServer('reddish', args, dir, async (c) => {
    assert.equal(plain(await c.call('DEBUG', 'DIGEST')), digest);
  });
  if (haveRedis) {
    await withServer('redis', args, dir, async (c) => {
      assert.equal(plain(await c.call('DEBUG', 'DIGEST')), digest);
    });
  }
});

test('a pre-7.0 appendonly.aof (RDB preamble and a command tail) is moved into the AOF directory and loaded', async () => {
  const dir = tmp();
  await withServer('reddish', debug, dir, async (c) => {
    await c.call('SET', 'from-rdb', '1');
    await c.call('SAVE');
  });
  writeFileSync(join(dir, 'appendonly.aof'), Buffer.concat([readFileSync(join(dir, 'dump.rdb')), Buffer.from(resp('SELECT', '0') + resp('SET', 'from-tail', '2'))]));
  await withServer('reddish', aofOn, dir, async (c, s) => {
    await expectLog(
      s,
      /Successfully migrated an old-style AOF file \(appendonly\.aof\) into the AOF directory \(appendonlydir\)\./,
      /Reading RDB preamble from AOF file\.\.\./,
      /Reading the remaining AOF tail\.\.\./,
      /DB loaded from base file appendonly\.aof: /,
      /Creating AOF incr file appendonly\.aof\.1\.incr\.aof on server start/,
    );
    assert.equal(plain(await c.call('GET', 'from-rdb')), '1');
    assert.equal(plain(await c.call('GET', 'from-tail')), '2');
    await c.call('SET', 'after', '3');
  });
  assert.equal(manifest(dir), 'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  assert.ok(!existsSync(join(dir, 'appendonly.aof')));
  await withServer('reddish', aofOn, dir, async (c) => {
    assert.equal(plain(await c.call('GET', 'after')), '3');
    assert.equal(plain(await c.call('GET', 'from-tail')), '2');
  });
});

test('a replica with appendonly yes rewrites its AOF after a full sync, so a restart has the synced dataset', async () => {
  const master = await startServer('reddish', debug, { dir: tmp() });
  const mc = await RespClient.connect(master.port);
  const rdir = tmp();
  let digest: unknown;
  try {
    await fill(mc);
    await withServer('reddish', aofOn, rdir, async (c, s) => {
      await c.call('SET', 'replica-only', '1');
      assert.equal(plain(await c.call('REPLICAOF', '127.0.0.1', String(master.port))), 'OK');
      await expectLog(s, /MASTER <-> REPLICA sync: Finished with success/, /Background AOF rewrite finished successfully/);
      await mc.call('SET', 'after-sync', 'x');
      for (let i = 0; i < 100 && plain(await c.call('GET', 'after-sync')) !== 'x'; i++) await new Promise((r) => setTimeout(r, 20));
      digest = plain(await mc.call('DEBUG', 'DIGEST'));
      assert.equal(plain(await c.call('DEBUG', 'DIGEST')), digest);
    });
  } finally {
    mc.close();
    await master.stop();
  }
  await withServer('reddish', aofOn, rdir, async (c) => {
    assert.equal(plain(await c.call('DEBUG', 'DIGEST')), digest);
  });
});

test('auto-aof-rewrite-percentage and -min-size start a rewrite when the AOF grew enough', async () => {
  const dir = tmp();
  await withServer('reddish', [...aofOn, '--auto-aof-rewrite-percentage', '100', '--auto-aof-rewrite-min-size', '100kb'], dir, async (c, s) => {
    const v = 'x'.repeat(1000);
    for (let i = 0; i < 150; i++) await c.call('SET', `k${i}`, v);
    await expectLog(s, /Starting automatic rewriting of AOF on \d+% growth/, /Background AOF rewrite finished successfully/);
    const info = String(plain(await c.call('INFO', 'persistence')));
    assert.match(info, /aof_rewrites:1/);
    assert.match(manifest(dir), /appendonly\.aof\.2\.base\.rdb seq 2 type b/);
  });
});
