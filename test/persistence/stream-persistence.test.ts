/**
 * Streams in RDB files, DUMP payloads and full syncs, against Debian's redis-server 7.0.15:
 *
 *  - a redis-server RDB with multi-node streams, tombstones, XSETID metadata and consumer
 *    groups with PELs loads into reddish with equal digests and ranges; reddish saves it back
 *    byte for byte (uncompressed) and redis-server loads reddish's file with equal XINFO FULL;
 *  - streams built by the same commands on both servers save to identical records;
 *  - DUMP/RESTORE both ways, DEBUG RELOAD, RDB types 15 and 21 from older/newer servers;
 *  - BGSAVE keeps a stream as it was at the snapshot point while XADD/XDEL/XTRIM run.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { Fleet, digest, info, waitFor } from '../helpers/replication.js';
import { hasRedisServer } from '../helpers/servers.js';
import { readRdb, RdbReader } from '../../src/persistence/rdb-reader.js';
import { RdbWriter, writeRdb } from '../../src/persistence/rdb-writer.js';
import { datasetDigest } from '../../src/persistence/digest.js';
import type { RdbStream } from '../../src/persistence/rdb-types.js';
import { Crc64 } from '../../src/persistence/crc64.js';

const skip = !hasRedisServer();
const fleet = new Fleet();
after(() => fleet.close());

const SAMPLES = '/work/shared/spec/rdb-samples';

/** Key → bytes of its record (type byte to the next record) in an RDB file. */
function recordBytes(file: string): Map<string, string> {
  const buf = fs.readFileSync(file);
  const recs = readRdb(buf).records;
  const out = new Map<string, string>();
  for (let i = 0; i < recs.length; i++) {
    const next = recs[i + 1];
    // the next record's EXPIRETIME_MS opcode (9 bytes) sits between the two records
    const end = next === undefined ? buf.length - 9 : next.offset! - (next.expireMs !== null ? 9 : 0);
    out.set(recs[i].key, buf.subarray(recs[i].offset!, end).toString('hex'));
  }
  return out;
}

const STREAM_KEYS = ['s:big', 's:bin', 's:empty', 's:ttl'];

/** The same command sequence on either server: several nodes, tombstones, XSETID, binary data. */
async function buildStreams(c: Redis): Promise<void> {
  const p = c.pipeline();
  for (let i = 1; i <= 350; i++) {
    if (i % 7 === 0) p.xadd('s:big', `${i}-1`, 'other', String(i * 1000));
    else p.xadd('s:big', `${i}-1`, 'f', String(i), 'g', 'v'.repeat(i % 50));
  }
  p.xdel('s:big', '5-1', '6-1', '150-1', '250-1');
  // A whole node of tombstones goes away.
  for (let i = 101; i <= 200; i++) p.xdel('s:big', `${i}-1`);
  p.xtrim('s:big', 'MINID', '20-0');
  p.call('XSETID', 's:big', '400-0', 'ENTRIESADDED', '1000', 'MAXDELETEDID', '380-0');
  p.xadd('s:bin', '1-0', Buffer.from([0, 0xff, 0x80]), Buffer.alloc(5000, 0xaa));
  p.xadd('s:bin', '2-0', '-12345678901', '9223372036854775807', 'x', '-1');
  p.xadd('s:bin', '9007199254740993-5', 'big', 'delta');
  p.xadd('s:bin', '18446744073709551615-18446744073709551615', 'max', 'id');
  p.xadd('s:empty', '1-1', 'a', 'b');
  p.xdel('s:empty', '1-1');
  p.xadd('s:ttl', '5-5', 'k', 'v');
  p.pexpireat('s:ttl', 4102444800000);
  const r = await p.exec();
  for (const [err] of r!) assert.equal(err, null);
}

/** Consumer groups (redis-server only: reddish has no XGROUP on this branch). */
async function addGroups(c: Redis): Promise<void> {
  await c.xgroup('CREATE', 's:big', 'g1', '0');
  await c.xgroup('CREATE', 's:big', '123', '300-0');
  await c.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', 5, 'STREAMS', 's:big', '>');
  await c.xreadgroup('GROUP', 'g1', 'bob', 'COUNT', 3, 'STREAMS', 's:big', '>');
  await c.xreadgroup('GROUP', '123', '777', 'COUNT', 2, 'STREAMS', 's:big', '>');
  await c.xack('s:big', 'g1', '21-1');
  await c.call('XGROUP', 'CREATECONSUMER', 's:big', 'g1', 'idle');
  await c.xgroup('CREATE', 's:empty', 'g0', '$');
  await c.xgroup('CREATE', 's:bin', 'gb', '0');
  await c.xreadgroup('GROUP', 'gb', 'c', 'STREAMS', 's:bin', '>');
  // A pending entry that was then deleted from the stream stays in the PEL.
  await c.xdel('s:bin', '2-0');
}

async function xinfoFull(c: Redis, key: string): Promise<unknown> {
  return c.call('XINFO', 'STREAM', key, 'FULL');
}

async function ranges(c: Redis): Promise<unknown[]> {
  const out = [];
  for (const k of STREAM_KEYS) out.push(await c.xrangeBuffer(k, '-', '+'), await c.xrevrangeBuffer(k, '+', '-', 'COUNT', 7), await c.xlen(k));
  return out;
}

async function digestValues(c: Redis): Promise<string[]> {
  return (await c.call('DEBUG', 'DIGEST-VALUE', ...STREAM_KEYS)) as string[];
}

async function saveTo(c: Redis, compression: boolean): Promise<void> {
  await c.config('SET', 'rdbcompression', compression ? 'yes' : 'no');
  assert.equal(await c.save(), 'OK');
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'stream-rdb-'));
}

test('redis-server RDB with streams and groups -> reddish -> redis-server', { skip }, async () => {
  const d1 = tmpDir();
  const { c: r1 } = await fleet.start('redis', [], d1);
  await buildStreams(r1);
  await addGroups(r1);
  await saveTo(r1, false);
  const want = await digest(r1);
  const wantValues = await digestValues(r1);
  const wantRanges = await ranges(r1);
  const wantInfo = [];
  for (const k of STREAM_KEYS) wantInfo.push(await xinfoFull(r1, k));

  // reddish loads Redis's file (a copy: its own saves go to another directory)
  const d2 = tmpDir();
  fs.copyFileSync(path.join(d1, 'dump.rdb'), path.join(d2, 'dump.rdb'));
  const { c: d } = await fleet.start('reddish', [], d2);
  assert.equal(await digest(d), want);
  assert.deepEqual(await digestValues(d), wantValues);
  assert.deepEqual(await ranges(d), wantRanges);
  assert.equal(await d.type('s:big'), 'stream');
  assert.equal(await d.object('ENCODING', 's:big'), 'stream');
  assert.ok(Number(await d.memory('USAGE', 's:big')) > 1000);
  const [, scanned] = (await d.call('SCAN', '0', 'TYPE', 'stream', 'COUNT', '1000')) as [string, string[]];
  assert.deepEqual(scanned.sort(), [...STREAM_KEYS].sort());
  assert.ok((await d.pttl('s:ttl')) > 0);

  // reddish saves the same records (uncompressed, so LZF implementations don't matter)
  await saveTo(d, false);
  const theirs = recordBytes(path.join(d1, 'dump.rdb'));
  const ours = recordBytes(path.join(d2, 'dump.rdb'));
  for (const k of STREAM_KEYS) assert.equal(ours.get(k), theirs.get(k), `record of ${k}`);

  // DEBUG RELOAD keeps everything, groups included (the DUMP payload covers them)
  const dumps = [];
  for (const k of STREAM_KEYS) dumps.push(await d.dumpBuffer(k));
  assert.equal(await d.call('DEBUG', 'RELOAD'), 'OK');
  assert.equal(await digest(d), want);
  for (let i = 0; i < STREAM_KEYS.length; i++) assert.deepEqual(await d.dumpBuffer(STREAM_KEYS[i]), dumps[i]);

  // redis-server loads reddish's compressed file: same digest, same XINFO FULL (groups, PELs,
  // consumers, node count, metadata)
  await saveTo(d, true);
  const { c: r2 } = await fleet.start('redis', [], d2);
  assert.equal(await digest(r2), want);
  for (let i = 0; i < STREAM_KEYS.length; i++) assert.deepEqual(await xinfoFull(r2, STREAM_KEYS[i]), wantInfo[i]);
});

test('streams built by the same commands save to identical records; redis-server loads them', { skip }, async () => {
  const rDir = tmpDir();
  const { c: r } = await fleet.start('redis', [], rDir);
  const dDir = tmpDir();
  const { c: d } = await fleet.start('reddish', [], dDir);
  await buildStreams(r);
  await buildStreams(d);
  assert.equal(await digest(d), await digest(r));
  await saveTo(r, false);
  await saveTo(d, false);
  const theirs = recordBytes(path.join(rDir, 'dump.rdb'));
  const ours = recordBytes(path.join(dDir, 'dump.rdb'));
  for (const k of STREAM_KEYS) assert.equal(ours.get(k), theirs.get(k), `record of ${k}`);
  const { c: r2 } = await fleet.start('redis', [], dDir);
  assert.equal(await digest(r2), await digest(r));
  for (const k of STREAM_KEYS) assert.deepEqual(await xinfoFull(r2, k), await xinfoFull(r, k));
});

test('DUMP/RESTORE of streams with groups both ways', { skip }, async () => {
  const { c: r } = await fleet.start('redis', [], tmpDir());
  const { c: d } = await fleet.start('reddish', [], tmpDir());
  await buildStreams(r);
  await addGroups(r);
  await r.config('SET', 'rdbcompression', 'no');
  await d.config('SET', 'rdbcompression', 'no');
  for (const k of STREAM_KEYS) {
    const theirs = await r.dumpBuffer(k);
    // the TTL matters to DIGEST-VALUE (only whether there is one)
    const ttl = await r.pttl(k);
    assert.equal(await d.restore(k, ttl > 0 ? ttl : 0, theirs), 'OK');
    assert.deepEqual(await d.call('DEBUG', 'DIGEST-VALUE', k), await r.call('DEBUG', 'DIGEST-VALUE', k));
    // same payload bytes back (version 10, CRC-64 footer)
    assert.deepEqual(await d.dumpBuffer(k), theirs);
    assert.deepEqual(await d.xrangeBuffer(k, '-', '+'), await r.xrangeBuffer(k, '-', '+'));
  }
  // a restored stream keeps growing like Redis's: node byte/entry limits applied to loaded
  // nodes give the same node boundaries (same payload bytes)
  for (const c of [r, d]) {
    const p = c.pipeline();
    for (let i = 0; i < 400; i++) p.xadd('s:big', `${1000 + i}-0`, 'f', 'x'.repeat((i * 37) % 300), ...(i % 5 === 0 ? ['n', String(i)] : []));
    p.xdel('s:big', '1001-0', '1200-0');
    p.xadd('s:bin', '18446744073709551615-*', 'overflow', 'attempt');
    await p.exec();
  }
  for (const k of ['s:big', 's:bin']) assert.deepEqual(await d.dumpBuffer(k), await r.dumpBuffer(k), `${k} after XADD`);
  // compressed payloads from reddish restore on redis-server to the same stream
  await d.config('SET', 'rdbcompression', 'yes');
  for (const k of STREAM_KEYS) {
    assert.equal(await r.restore(`copy:${k}`, 0, await d.dumpBuffer(k)), 'OK');
    assert.deepEqual(await xinfoFull(r, `copy:${k}`), await xinfoFull(r, k));
  }
  // RESTORE REPLACE over an existing stream, and a corrupt stream payload refused
  assert.equal(await d.restore('s:big', 0, await r.dumpBuffer('s:bin'), 'REPLACE'), 'OK');
  assert.deepEqual(await d.call('DEBUG', 'DIGEST-VALUE', 's:big'), await r.call('DEBUG', 'DIGEST-VALUE', 's:bin'));
  const bad = Buffer.from(await r.dumpBuffer('s:ttl'));
  bad[5] ^= 0xff;
  await assert.rejects(d.restore('bad', 0, bad), /DUMP payload version or checksum are wrong/);
});

test('RDB stream types 15 (Redis 6.2) and 21 (Redis 7.2) load; re-saved as type 19 redis-server reads', { skip: skip || !fs.existsSync(SAMPLES) }, async () => {
  for (const f of ['small_types_v9_redis6216.rdb', 'handmade_stream_v9.rdb', 'handmade_stream2_v10.rdb', 'small_types_v11_redis726.rdb']) {
    const dir = tmpDir();
    fs.copyFileSync(path.join(SAMPLES, f), path.join(dir, 'dump.rdb'));
    const parsed = readRdb(fs.readFileSync(path.join(dir, 'dump.rdb')));
    const streams = parsed.records.filter((rec) => rec.value.type === 'stream');
    assert.ok(streams.length > 0, f);
    const { c: d } = await fleet.start('reddish', [], dir);
    const live = parsed.records.filter((rec) => rec.expireMs === null || rec.expireMs > Date.now());
    assert.equal(await digest(d), datasetDigest(live), f);
    await saveTo(d, true);
    const resaved = readRdb(fs.readFileSync(path.join(dir, 'dump.rdb')));
    for (const rec of resaved.records) if (rec.value.type === 'stream') assert.equal(rec.rdbType, 19);
    // Redis 7.0 reads the re-saved file (the v11 sample's other types included)
    const { c: r } = await fleet.start('redis', [], dir);
    assert.equal(await digest(r), await digest(d), f);
    for (const rec of streams) {
      const v = rec.value;
      if (v.type !== 'stream') continue;
      const full = (await xinfoFull(r, rec.key)) as unknown[];
      const groups = full[full.indexOf('groups') + 1] as unknown[][];
      assert.equal(groups.length, v.groups.length, `${f} ${rec.key} groups`);
      // type 15 has no entries-read: estimated on load as Redis does
      for (const g of groups) assert.notEqual(g[g.indexOf('entries-read') + 1], undefined);
    }
  }
});

/** A stream with groups as a plain record (no server needed to make its DUMP payload). */
const GROUP_STREAM: RdbStream = {
  type: 'stream',
  rdbType: 19,
  entries: Array.from({ length: 300 }, (_, i) => ({ id: `${i + 1}-0`, fields: ['f', String(i)] })),
  length: 300,
  lastId: '300-0',
  firstId: '1-0',
  maxDeletedId: '0-0',
  entriesAdded: 300,
  // in Redis's order (names sorted bytewise)
  groups: [
    { name: '42', lastId: '0-0', entriesRead: 0, pel: [], consumers: [] },
    {
      name: 'g',
      lastId: '5-0',
      entriesRead: 5,
      pel: [1, 2, 3, 4, 5].map((i) => ({ id: `${i}-0`, deliveryTime: 1700000000000 + i, deliveryCount: i })),
      consumers: [
        { name: 'a', seenTime: 1700000000100, activeTime: 1700000000100, pel: ['1-0', '3-0'] },
        { name: 'b', seenTime: 1700000000200, activeTime: 1700000000200, pel: ['2-0', '4-0', '5-0'] },
      ],
    },
  ],
};

test('offline: reader -> writer round trips keep every stream (types 15/19/21 samples, groups)', { skip: !fs.existsSync(SAMPLES) }, () => {
  for (const f of fs.readdirSync(SAMPLES).filter((x) => x.endsWith('.rdb'))) {
    let recs;
    try {
      recs = readRdb(fs.readFileSync(path.join(SAMPLES, f))).records;
    } catch {
      continue; // samples made to fail elsewhere
    }
    const streams = recs.filter((r) => r.value.type === 'stream');
    if (streams.length === 0) continue;
    const back = readRdb(writeRdb(streams)).records;
    assert.equal(back.length, streams.length, f);
    for (let i = 0; i < streams.length; i++) {
      const a = streams[i].value as RdbStream;
      const b = back[i].value as RdbStream;
      assert.equal(b.rdbType, 19);
      assert.deepEqual(b.entries, a.entries, f);
      assert.deepEqual(b.nodes, a.nodes, f);
      assert.deepEqual([b.length, b.lastId, b.maxDeletedId], [a.length, a.lastId, a.maxDeletedId], f);
      if (a.rdbType >= 19) assert.deepEqual([b.firstId, b.entriesAdded], [a.firstId, a.entriesAdded], f);
      const strip = (s: RdbStream) => s.groups.map((g) => ({ ...g, entriesRead: a.rdbType >= 19 ? g.entriesRead : null, consumers: g.consumers.map((c) => ({ ...c, activeTime: 0 })) }));
      assert.deepEqual(strip(b), strip(a), f);
    }
  }
  // a plain stream without stored nodes is packed into nodes and reads back the same
  const payload = RdbWriter.dumpPayload(GROUP_STREAM);
  const v = RdbReader.parseDumpPayload(payload) as RdbStream;
  assert.deepEqual(v.entries, GROUP_STREAM.entries);
  assert.deepEqual(v.groups, GROUP_STREAM.groups);
  assert.equal(v.nodes!.length, 3);
});

test('RESTORE refuses a stream whose group PEL has an entry no consumer owns', { skip }, async () => {
  const { c: d } = await fleet.start('reddish', [], tmpDir());
  const g = GROUP_STREAM.groups[1];
  const orphan: RdbStream = { ...GROUP_STREAM, groups: [{ ...g, consumers: [g.consumers[0]] }] };
  await assert.rejects(d.restore('bad', 0, RdbWriter.dumpPayload(orphan)), /ERR Bad data format/);
  assert.equal(await d.exists('bad'), 0);
  assert.equal(await d.restore('good', 0, RdbWriter.dumpPayload(GROUP_STREAM)), 'OK');
  assert.equal(await d.xlen('good'), 300);
});

test('BGSAVE keeps streams as they were at the snapshot point during XADD/XDEL/XTRIM', { skip }, async () => {
  const dir = tmpDir();
  const { c: d } = await fleet.start('reddish', [], dir);
  // Enough data that the snapshot runs over many event loop turns.
  for (let s = 0; s < 20; s++) {
    const p = d.pipeline();
    for (let i = 1; i <= 5000; i++) p.xadd(`st:${s}`, `${i}-0`, 'f', String(i), 'pad', 'p'.repeat(40));
    await p.exec();
  }
  await d.call('DEBUG', 'POPULATE', '200000', 'fill', '100');
  assert.equal(await d.restore('st:grp', 0, RdbWriter.dumpPayload(GROUP_STREAM)), 'OK');
  const grpDump = await d.dumpBuffer('st:grp');
  const before = await digest(d);
  const beforeVals = [];
  for (let s = 0; s < 20; s++) beforeVals.push(await d.call('DEBUG', 'DIGEST-VALUE', `st:${s}`));

  const p = d.pipeline();
  p.bgsave();
  for (let s = 19; s >= 0; s--) {
    p.xadd(`st:${s}`, '9000-0', 'new', 'entry');
    p.xdel(`st:${s}`, '1-0', '2500-0', '5000-0');
    p.xtrim(`st:${s}`, 'MAXLEN', '1000');
  }
  p.xadd('st:grp', '301-0', 'f', 'new');
  p.xdel('st:grp', '1-0', '150-0');
  p.xtrim('st:grp', 'MAXLEN', '10');
  p.xadd('st:new', '1-1', 'a', 'b');
  p.del('st:0');
  p.info('persistence');
  const res = await p.exec();
  assert.equal(res![0][1], 'Background saving started');
  // the writes happened while the snapshot was running
  assert.match(res![res!.length - 1][1] as string, /rdb_bgsave_in_progress:1/);
  await waitFor('BGSAVE done', async () => (await info(d, 'persistence')).rdb_bgsave_in_progress === '0');
  assert.equal((await info(d, 'persistence')).rdb_last_bgsave_status, 'ok');
  assert.notEqual(await digest(d), before);

  const file = readRdb(fs.readFileSync(path.join(dir, 'dump.rdb')));
  assert.equal(datasetDigest(file.records), before);
  const byKey = new Map(file.records.map((rec) => [rec.key, rec]));
  assert.equal(byKey.has('st:new'), false);
  for (let s = 0; s < 20; s++) {
    const v = byKey.get(`st:${s}`)!.value;
    assert.ok(v.type === 'stream');
    assert.equal(v.length, 5000);
    assert.equal(v.lastId, '5000-0');
    assert.equal(v.maxDeletedId, '0-0');
  }
  const grp = byKey.get('st:grp')!.value as RdbStream;
  assert.deepEqual(grp.groups, GROUP_STREAM.groups);
  assert.deepEqual(grp.entries, GROUP_STREAM.entries);
  // and redis-server loading that file has the streams as they were
  const { c: r } = await fleet.start('redis', [], dir);
  assert.equal(await digest(r), before);
  for (let s = 0; s < 20; s++) assert.deepEqual(await r.call('DEBUG', 'DIGEST-VALUE', `st:${s}`), beforeVals[s]);
  await r.config('SET', 'rdbcompression', ((await d.config('GET', 'rdbcompression')) as string[])[1]);
  assert.deepEqual(await r.dumpBuffer('st:grp'), grpDump);
});

/**
 * Rewrites a small uncompressed type-19 DUMP payload as type 15 (Redis 5/6: no first ID, max
 * deleted ID, entries-added nor group entries-read) with RDB version 9. Every length in the
 * payload must fit 32 bits (64-bit ones only for IDs and counters).
 */
function toType15(p19: Buffer): Buffer {
  const body = p19.subarray(0, p19.length - 10);
  let p = 1;
  const len = (): number => {
    const b = body[p];
    if (b < 64) return (p++, b);
    if (b < 128) return ((p += 2), ((b & 63) << 8) | body[p - 1]);
    if (b === 0x80) return ((p += 5), body.readUInt32BE(p - 4));
    if (b === 0x81) return ((p += 9), -1); // only for IDs and counters
    throw new Error(`length encoding 0x${b.toString(16)} not handled`);
  };
  const parts: Buffer[] = [Buffer.from([15])];
  let from = 1;
  const skip = (start: number, end: number): void => {
    parts.push(body.subarray(from, start));
    from = end;
  };
  // (`p += len()` would add to p's value from before len() moved it)
  const advance = (n: number): void => {
    p += n;
  };
  const nodes = len();
  for (let i = 0; i < nodes * 2; i++) advance(len());
  len(); len(); len(); // length, last ID
  const metaStart = p;
  for (let i = 0; i < 5; i++) len(); // first ID, max deleted ID, entries added
  skip(metaStart, p);
  const groups = len();
  for (let g = 0; g < groups; g++) {
    advance(len()); // name
    len(); len(); // last ID
    const erStart = p;
    len();
    skip(erStart, p);
    const pel = len();
    for (let i = 0; i < pel; i++) {
      p += 24;
      len();
    }
    const consumers = len();
    for (let c = 0; c < consumers; c++) {
      advance(len());
      p += 8;
      advance(16 * len());
    }
  }
  parts.push(body.subarray(from, p), Buffer.from([9, 0]));
  const out = Buffer.concat(parts);
  const crc = Buffer.alloc(8);
  new Crc64().update(out).writeLE(crc, 0);
  return Buffer.concat([out, crc]);
}

test('RESTORE of type 15 payloads derives the 7.0 metadata as redis-server does', { skip }, async () => {
  const { c: r } = await fleet.start('redis', [], tmpDir());
  const { c: d } = await fleet.start('reddish', [], tmpDir());
  await r.config('SET', 'rdbcompression', 'no');
  await d.config('SET', 'rdbcompression', 'no');
  for (let i = 1; i <= 120; i++) await r.xadd('src', `${i}-${i % 3}`, 'f', String(i));
  await r.xdel('src', '1-1', '50-2', '120-0');
  await r.xgroup('CREATE', 'src', 'before-deleted', '40-0');
  await r.xgroup('CREATE', 'src', 'at-start', '0');
  await r.xgroup('CREATE', 'src', 'at-end', '$');
  await r.xreadgroup('GROUP', 'at-start', 'c', 'COUNT', 2, 'STREAMS', 'src', '>');
  await r.xadd('empty', '7-7', 'a', 'b');
  await r.xdel('empty', '7-7');
  await r.xgroup('CREATE', 'empty', 'g', '$');
  for (const k of ['src', 'empty']) {
    const p15 = toType15(await r.dumpBuffer(k));
    assert.equal(p15[0], 15);
    assert.equal(await r.restore(`${k}:15`, 0, p15), 'OK');
    assert.equal(await d.restore(`${k}:15`, 0, p15), 'OK');
    assert.deepEqual(await d.dumpBuffer(`${k}:15`), await r.dumpBuffer(`${k}:15`), k);
    assert.deepEqual(await d.call('DEBUG', 'DIGEST-VALUE', `${k}:15`), await r.call('DEBUG', 'DIGEST-VALUE', `${k}:15`));
  }
});
