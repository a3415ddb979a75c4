/**
 * Interoperability with Debian's redis-server 7.0.15 and redis-check-rdb:
 *
 *  - files we write pass redis-check-rdb, load into redis-server (DBSIZE, values) and give the
 *    same DEBUG DIGEST as digest.ts computes (compression on and off, edge + random datasets);
 *  - files redis-server writes (every type and encoding: listpack/intset/hashtable/skiplist,
 *    quicklist with LZF-compressed and PLAIN nodes, streams with groups, expiry, several DBs)
 *    parse with our reader, digest.ts matches DEBUG DIGEST and every DEBUG DIGEST-VALUE,
 *    and rewriting them with our writer loads back into Redis with the same digest and a size
 *    within 10%;
 *  - DUMP payloads both ways (RESTORE of ours, parse of Redis's).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { spawnServer, hasRedisServer, type SpawnedServer } from '../../src/lab/processes.js';
import { RespClient, type Reply } from '../helpers/resp.js';
import { readRdb, RdbReader } from '../../src/persistence/rdb-reader.js';
import { RdbWriter, writeRdb } from '../../src/persistence/rdb-writer.js';
import { datasetDigest, digestValue } from '../../src/persistence/digest.js';
import type { RdbRecord } from '../../src/persistence/rdb-types.js';
import { edgeDataset, normalize, randomDataset } from './datasets.js';

const haveRedis = hasRedisServer() && spawnSync('redis-check-rdb', ['--help']).error === undefined;
const tmpDirs: string[] = [];
const servers: SpawnedServer[] = [];

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'reddish-rdb-'));
  tmpDirs.push(d);
  return d;
}

after(async () => {
  for (const s of servers) await s.stop();
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function str(r: Reply): string {
  if (r.t === 'error') throw new Error(r.v);
  if (r.t === 'simple' || r.t === 'bulk' || r.t === 'int') return r.v;
  throw new Error(`unexpected reply ${JSON.stringify(r)}`);
}

async function redisWith(dir: string, file: string, extra: string[] = []): Promise<{ srv: SpawnedServer; c: RespClient }> {
  const srv = await spawnServer('redis', ['--enable-debug-command', 'yes', '--dbfilename', file, ...extra], { dir });
  servers.push(srv);
  const c = await RespClient.connect(srv.port);
  return { srv, c };
}

async function stop(srv: SpawnedServer, c: RespClient): Promise<void> {
  c.close();
  await srv.stop();
  servers.splice(servers.indexOf(srv), 1);
}

function checkRdb(file: string): string {
  const r = spawnSync('redis-check-rdb', [file], { encoding: 'latin1' });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.match(out, /RDB looks OK/, out);
  return out;
}

async function dbsizes(c: RespClient, dbs: number[]): Promise<Map<number, number>> {
  const m = new Map<number, number>();
  for (const db of dbs) {
    str(await c.call('SELECT', db));
    m.set(db, Number(str(await c.call('DBSIZE'))));
  }
  str(await c.call('SELECT', 0));
  return m;
}

/** Writes records with our writer, checks redis-check-rdb, loads into redis, compares digests. */
async function loadOurs(records: RdbRecord[], compression: boolean): Promise<{ size: number }> {
  const dir = tmp();
  const buf = writeRdb(records, { compression });
  fs.writeFileSync(path.join(dir, 'ours.rdb'), buf);
  checkRdb(path.join(dir, 'ours.rdb'));
  const { srv, c } = await redisWith(dir, 'ours.rdb');
  try {
    const perDb = new Map<number, number>();
    for (const r of records) perDb.set(r.db, (perDb.get(r.db) ?? 0) + 1);
    assert.deepEqual(await dbsizes(c, [...perDb.keys()]), perDb);
    // Redis's digest equals ours over what the file holds
    const back = readRdb(buf).records;
    assert.equal(str(await c.call('DEBUG', 'DIGEST')), datasetDigest(back));
    // and spot checks through commands
    const byKey = new Map(records.filter((r) => r.db === 0).map((r) => [r.key, r]));
    for (const [key, r] of [...byKey].slice(0, 40)) {
      const v = r.value;
      if (v.type === 'string') assert.equal(str(await c.call('GET', key)), v.value, key);
      if (v.type === 'list') assert.equal(str(await c.call('LLEN', key)), String(v.items.length), key);
      if (v.type === 'hash') assert.equal(str(await c.call('HLEN', key)), String(v.pairs.length / 2), key);
      if (v.type === 'set') assert.equal(str(await c.call('SCARD', key)), String(v.members.length), key);
      if (v.type === 'zset') assert.equal(str(await c.call('ZCARD', key)), String(v.members.length), key);
    }
  } finally {
    await stop(srv, c);
  }
  return { size: buf.length };
}

test('files we write pass redis-check-rdb and load into redis-server 7.0.15 with equal DEBUG DIGEST', { skip: !haveRedis, timeout: 120000 }, async () => {
  for (const compression of [true, false]) {
    await loadOurs(edgeDataset(), compression);
    await loadOurs(randomDataset(compression ? 11 : 12, 600), compression);
  }
});

test('a big value list (QUICKLIST_2 with many nodes) and big hash/set/zset load and compare per key', { skip: !haveRedis, timeout: 120000 }, async () => {
  const items = Array.from({ length: 100000 }, (_, i) => (i % 3 ? `element-${i}` : String(i)));
  const records: RdbRecord[] = [
    { db: 0, key: 'list', expireMs: null, idle: null, freq: null, value: { type: 'list', items, encoding: 'quicklist' } },
    { db: 0, key: 'hash', expireMs: null, idle: null, freq: null, value: { type: 'hash', pairs: items.slice(0, 20000), encoding: 'hashtable' } },
    { db: 0, key: 'set', expireMs: null, idle: null, freq: null, value: { type: 'set', members: items.slice(0, 30000), intset: false, encoding: 'hashtable' } },
    { db: 0, key: 'zset', expireMs: null, idle: null, freq: null, value: { type: 'zset', members: items.slice(0, 5000), scores: items.slice(0, 5000).map((_, i) => i / 7), encoding: 'skiplist' } },
  ];
  const dir = tmp();
  const buf = writeRdb(records);
  fs.writeFileSync(path.join(dir, 'big.rdb'), buf);
  checkRdb(path.join(dir, 'big.rdb'));
  const { srv, c } = await redisWith(dir, 'big.rdb');
  try {
    const keys = records.map((r) => r.key);
    const got = await c.call('DEBUG', 'DIGEST-VALUE', ...keys);
    assert.ok(got.t === 'array');
    const back = readRdb(buf).records;
    keys.forEach((k, i) => assert.equal(str(got.v[i]), digestValue(back[i].value, false), k));
    assert.equal(str(await c.call('LINDEX', 'list', 99999)), items[99999]);
    assert.equal(str(await c.call('OBJECT', 'ENCODING', 'list')), 'quicklist');
  } finally {
    await stop(srv, c);
  }
});

/** Builds a dataset in a live redis covering every type and encoding Redis 7.0 writes. */
async function populate(c: RespClient): Promise<void> {
  const cmds: (string | number)[][] = [
    ['SET', 's:int', '12345'],
    ['SET', 's:neg', '-2'],
    ['SET', 's:big', '4294967296'],
    ['SET', 's:short', 'hello'],
    ['SET', 's:long', 'a'.repeat(200)],
    ['SET', 's:bin', '\x00\x01\xff\x80 binary'],
    ['SET', 'e:key', 'v', 'PX', '999999999'],
    ['RPUSH', 'l:small', 'a', 'b', '1', '-1', '300', '70000', '9223372036854775807'],
    ['HSET', 'h:small', 'f1', 'v1', 'f2', '2', 'f3', '-70000'],
    ['HSET', 'h:long', 'f', 'v'.repeat(100)],
    ['ZADD', 'z:small', '1', 'a', '2.5', 'b', '0.1', 'c', '-inf', 'd', 'inf', 'e', '-0', 'f', '1e300', 'g', '123456789012345678', 'h', '5e-324', 'i'],
    ['ZADD', 'z:long', '1', 'm'.repeat(100), '2', 'x'],
    ['SADD', 'set:int', '1', '2', '3'],
    ['SADD', 'set:i64', '1', '-70000', '5000000000'],
    ['SADD', 'set:str', 'a', 'b', 'c'],
    ['XADD', 'st', '1-1', 'a', '1'],
    ['XADD', 'st', '1-2', 'b', '2'],
    ['XADD', 'st', '5-0', 'a', '3', 'c', 'four'],
    ['XADD', 'st', '6-0', 'a', '5'],
    ['XDEL', 'st', '1-2'],
    ['XGROUP', 'CREATE', 'st', 'g1', '0'],
    ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '2', 'STREAMS', 'st', '>'],
    ['SELECT', '2'],
    ['SET', 'db2key', 'x'],
    ['HSET', 'h:big', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
    ['ZADD', 'z:big', ...Array.from({ length: 300 }, (_, i) => [String(i * 1.5), `m${i}`]).flat()],
    ['SADD', 'set:bigint', ...Array.from({ length: 600 }, (_, i) => String(i))],
    ['SADD', 'set:strs', ...Array.from({ length: 200 }, (_, i) => `s${i}`)],
    ['RPUSH', 'l:big', ...Array.from({ length: 20000 }, (_, i) => `item${i}`)],
    ['SELECT', '0'],
  ];
  for (const cmd of cmds) {
    const r = await c.call(...cmd);
    if (r.t === 'error') throw new Error(`${cmd[0]}: ${r.v}`);
  }
  // a list with compressed inner nodes, and one with PLAIN nodes
  str(await c.call('CONFIG', 'SET', 'list-compress-depth', '1'));
  str(await c.call('RPUSH', 'l:compressed', ...Array.from({ length: 5000 }, (_, i) => `compressible-element-${i % 10}`)));
  str(await c.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100'));
  str(await c.call('RPUSH', 'l:plain', 'a', 'P'.repeat(150), 'b'));
  str(await c.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1073741824'));
}

test('files redis-server writes: our reader and digest match DEBUG DIGEST and every DEBUG DIGEST-VALUE; rewritten they load back', { skip: !haveRedis, timeout: 120000 }, async () => {
  const dir = tmp();
  const { srv, c } = await redisWith(dir, 'dump.rdb');
  let theirs: Buffer;
  let theirsCompressed: Buffer;
  const perKey = new Map<string, string>();
  let digest: string;
  try {
    await populate(c);
    for (const compression of ['yes', 'no']) {
      str(await c.call('CONFIG', 'SET', 'rdbcompression', compression));
      str(await c.call('SAVE'));
      theirs = fs.readFileSync(path.join(dir, 'dump.rdb'));
      if (compression === 'yes') theirsCompressed = theirs;
      const f = readRdb(theirs);
      assert.equal(f.version, 10);
      assert.equal(f.checksum, 'verified');
      digest = str(await c.call('DEBUG', 'DIGEST'));
      assert.equal(datasetDigest(f.records), digest, `dataset digest (rdbcompression ${compression})`);
      for (const db of [0, 2]) {
        str(await c.call('SELECT', db));
        const recs = f.records.filter((r) => r.db === db);
        const got = await c.call('DEBUG', 'DIGEST-VALUE', ...recs.map((r) => r.key));
        assert.ok(got.t === 'array');
        recs.forEach((r, i) => {
          const d = digestValue(r.value, r.expireMs !== null);
          assert.equal(d, str(got.v[i]), `DIGEST-VALUE ${r.key} (rdb type ${r.rdbType})`);
          perKey.set(`${db}/${r.key}`, d);
        });
      }
      str(await c.call('SELECT', 0));
      const types = new Set(f.records.map((r) => r.rdbType));
      for (const t of [0, 2, 4, 5, 11, 16, 17, 18, 19]) assert.ok(types.has(t), `type ${t} present`);
      const st = f.records.find((r) => r.key === 'st')!.value;
      assert.ok(st.type === 'stream');
      assert.deepEqual(
        st.entries.map((e) => e.id),
        ['1-1', '5-0', '6-0'],
      );
      assert.equal(st.groups[0].name, 'g1');
      assert.equal(st.groups[0].consumers[0].name, 'alice');
      assert.deepEqual(st.groups[0].consumers[0].pel, ['1-1', '5-0']);
      const plain = f.records.find((r) => r.key === 'l:plain')!.value;
      assert.deepEqual(plain.type === 'list' && plain.items, ['a', 'P'.repeat(150), 'b']);
    }
  } finally {
    await stop(srv, c);
  }

  // rewrite Redis's file (minus the stream) with our writer; Redis loads it with the same digests
  const f = readRdb(theirs!);
  const records = f.records.filter((r) => r.value.type !== 'stream');
  for (const compression of [true, false]) {
    const dir2 = tmp();
    const ours = writeRdb(records, { compression });
    fs.writeFileSync(path.join(dir2, 'ours.rdb'), ours);
    checkRdb(path.join(dir2, 'ours.rdb'));
    const r2 = await redisWith(dir2, 'ours.rdb');
    try {
      for (const db of [0, 2]) {
        str(await r2.c.call('SELECT', db));
        const recs = records.filter((r) => r.db === db);
        const got = await r2.c.call('DEBUG', 'DIGEST-VALUE', ...recs.map((r) => r.key));
        assert.ok(got.t === 'array');
        recs.forEach((r, i) => assert.equal(str(got.v[i]), perKey.get(`${db}/${r.key}`), `reloaded ${r.key}`));
      }
      assert.deepEqual(normalize(readRdb(ours).records), normalize(records));
      if (compression) {
        // size parity with Redis's own rdbcompression-yes file (minus the stream we cannot write)
        const tf = readRdb(theirsCompressed!);
        const st = tf.records.findIndex((r) => r.value.type === 'stream');
        const streamBytes = (tf.records[st + 1]?.offset ?? tf.bytes - 9) - tf.records[st].offset!;
        const ratio = ours.length / (theirsCompressed!.length - streamBytes);
        console.log(`rewritten Redis dataset: ours ${ours.length} B vs Redis ${theirsCompressed!.length - streamBytes} B (ratio ${ratio.toFixed(4)})`);
        assert.ok(ratio < 1.1 && ratio > 0.85, `ratio ${ratio}`);
      }
    } finally {
      await stop(r2.srv, r2.c);
    }
  }
});

test('DUMP/RESTORE payloads interoperate both ways', { skip: !haveRedis, timeout: 60000 }, async () => {
  const dir = tmp();
  const { srv, c } = await redisWith(dir, 'dump.rdb');
  try {
    await populate(c);
    // Redis → us
    for (const key of ['s:int', 's:long', 'l:small', 'l:compressed', 'l:plain', 'h:small', 'h:long', 'z:small', 'z:long', 'set:int', 'set:str', 'st']) {
      const dump = await c.call('DUMP', key);
      assert.ok(dump.t === 'bulk');
      const v = RdbReader.parseDumpPayload(Buffer.from(dump.v, 'latin1'));
      assert.ok(v);
      const dv = await c.call('DEBUG', 'DIGEST-VALUE', key);
      assert.ok(dv.t === 'array');
      assert.equal(digestValue(v), str(dv.v[0]), key);
    }
    // us → Redis
    for (const r of edgeDataset().filter((x) => x.db === 0)) {
      for (const compression of [true, false]) {
        const payload = RdbWriter.dumpPayload(r.value, { compression });
        const res = await c.call('RESTORE', `restored:${r.key}`, 0, payload, 'REPLACE');
        assert.equal(str(res), 'OK', r.key);
        const dv = await c.call('DEBUG', 'DIGEST-VALUE', `restored:${r.key}`);
        assert.ok(dv.t === 'array');
        const back = RdbReader.parseDumpPayload(payload)!;
        assert.equal(str(dv.v[0]), digestValue(back), r.key);
      }
    }
  } finally {
    await stop(srv, c);
  }
});

before(() => {
  if (!haveRedis) console.log('redis-server / redis-check-rdb not installed: interop tests skipped');
});

test('legacy encodings (types 1, 3, 9, 10, 11, 12, 13, 14) decode like redis-server 7.0.15 loads them', { skip: !haveRedis, timeout: 60000 }, async () => {
  const { ziplist, zipmap } = await import('./legacy-blobs.js');
  const { Crc64 } = await import('../../src/persistence/crc64.js');
  const len = (n: number) => (n < 64 ? Buffer.from([n]) : n < 16384 ? Buffer.from([0x40 | (n >> 8), n & 0xff]) : Buffer.from([0x80, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]));
  const s = (x: string | Buffer) => {
    const b = typeof x === 'string' ? Buffer.from(x, 'latin1') : x;
    return Buffer.concat([len(b.length), b]);
  };
  const asciiScore = (x: string) => Buffer.concat([Buffer.from([x.length]), Buffer.from(x)]);
  const body = [
    Buffer.from([0xfe, 0x00]),
    Buffer.from([0x01]), s('t1:list'), len(3), s('a'), s('12'), s('c'),
    Buffer.from([0x02]), s('t2:set'), len(3), s('x'), s('1'), s('y'),
    Buffer.from([0x03]), s('t3:zset'), len(3), s('m1'), asciiScore('1.5'), s('m2'), Buffer.from([254]), s('m3'), asciiScore('-0.25'),
    Buffer.from([0x04]), s('t4:hash'), len(2), s('f1'), s('v1'), s('f2'), s('22'),
    Buffer.from([0x09]), s('t9:zipmap'), s(zipmap([['f1', 'v1'], ['f2', 'with-free', 2], ['long', 'L'.repeat(300)]])),
    Buffer.from([0x0a]), s('t10:ziplist'), s(ziplist(['a', { int: 5, enc: 'imm' }, { int: -300, enc: 'c0' }, { int: 70000, enc: 'f0' }, { int: 5000000000, enc: 'e0' }, 'z'.repeat(100)])),
    Buffer.from([0x0b]), s('t11:intset'), s(Buffer.from('0400000003000000000000000500000070110100', 'hex')),
    Buffer.from([0x0c]), s('t12:zsetzl'), s(ziplist(['lo', { int: 1, enc: 'imm' }, 'mid', '2.5', 'hi', { int: 1000, enc: 'c0' }])),
    Buffer.from([0x0d]), s('t13:hashzl'), s(ziplist(['f1', 'v1', 'f2', { int: 2, enc: 'imm' }, 'f3', { int: -1, enc: 'fe' }])),
    Buffer.from([0x0e]), s('t14:quicklist'), len(2), s(ziplist(['n1a', 'n1b'])), s(ziplist([{ int: 7, enc: 'imm' }, 'n2b', 'x'.repeat(70)])),
    Buffer.from([0xfe, 0x01]),
    Buffer.from([0x00]), s('db1'), s('v'),
  ];
  const content = Buffer.concat([Buffer.from('REDIS0009'), ...body, Buffer.from([0xff])]);
  const crc = Buffer.alloc(8);
  new Crc64().update(content).writeLE(crc, 0);
  const file = Buffer.concat([content, crc]);
  const f = readRdb(file);
  const m = new Map(f.records.map((r) => [r.key, r.value]));
  assert.deepEqual(m.get('t9:zipmap'), { type: 'hash', pairs: ['f1', 'v1', 'f2', 'with-free', 'long', 'L'.repeat(300)], encoding: 'zipmap' });
  assert.deepEqual(m.get('t10:ziplist'), { type: 'list', items: ['a', '5', '-300', '70000', '5000000000', 'z'.repeat(100)], encoding: 'ziplist' });
  assert.deepEqual(m.get('t11:intset'), { type: 'set', members: ['0', '5', '70000'], intset: true, encoding: 'intset' });
  assert.deepEqual(m.get('t12:zsetzl'), { type: 'zset', members: ['lo', 'mid', 'hi'], scores: [1, 2.5, 1000], encoding: 'ziplist' });
  assert.deepEqual(m.get('t14:quicklist'), { type: 'list', items: ['n1a', 'n1b', '7', 'n2b', 'x'.repeat(70)], encoding: 'quicklist' });

  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'legacy.rdb'), file);
  const { srv, c } = await redisWith(dir, 'legacy.rdb');
  try {
    assert.equal(str(await c.call('DEBUG', 'DIGEST')), datasetDigest(f.records));
    assert.equal(str(await c.call('DBSIZE')), '10'); // + 1 key in db 1
  } finally {
    await stop(srv, c);
  }
});
