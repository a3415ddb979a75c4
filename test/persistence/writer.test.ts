/**
 * RDB writer: Redis 7.0 encoding choices at every threshold, string encodings (INT, LZF only
 * when it pays), write → read round trips of edge-case and random datasets (compression on and
 * off), adapter sources producing the same bytes as plain records, chunked output with CRC,
 * DUMP payloads, and sizes against files written by Redis 7.0.15.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readRdb, RdbReader } from '../../src/persistence/rdb-reader.js';
import { RdbWriter, writeRdb, type HashSource, type ListSource, type SetSource, type ZSetSource } from '../../src/persistence/rdb-writer.js';
import { crc64 } from '../../src/persistence/crc64.js';
import { datasetDigest } from '../../src/persistence/digest.js';
import type { RdbRecord, RdbValue } from '../../src/persistence/rdb-types.js';
import { edgeDataset, normalize, randomDataset } from './datasets.js';

const SAMPLES = '/work/shared/spec/rdb-samples';

function one(key: string, value: RdbValue, opts: { compression?: boolean } = {}): { rec: RdbRecord; bytes: Buffer } {
  const w = new RdbWriter({ compression: opts.compression });
  w.writeHeader({ ctime: 0 });
  w.selectDb(0);
  w.writeKey(key, value);
  w.finish();
  const bytes = Buffer.concat(w.takeChunks());
  const f = readRdb(bytes);
  assert.equal(f.records.length, 1);
  return { rec: f.records[0], bytes };
}

const typeOf = (key: string, value: RdbValue) => one(key, value).rec.rdbType;

test('encoding choice follows Redis 7.0 defaults (listpack / intset / quicklist thresholds)', () => {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const hash = (pairs: string[]): RdbValue => ({ type: 'hash', pairs, encoding: 'hashtable' });
  assert.equal(typeOf('h', hash(['f', 'v'])), 16);
  assert.equal(typeOf('h', hash(range(512).flatMap((i) => [`f${i}`, 'v']))), 16);
  assert.equal(typeOf('h', hash(range(513).flatMap((i) => [`f${i}`, 'v']))), 4);
  assert.equal(typeOf('h', hash(['f', 'v'.repeat(64)])), 16);
  assert.equal(typeOf('h', hash(['f', 'v'.repeat(65)])), 4);
  assert.equal(typeOf('h', hash(['f'.repeat(65), 'v'])), 4);

  const set = (members: string[]): RdbValue => ({ type: 'set', members, intset: false, encoding: 'hashtable' });
  assert.equal(typeOf('s', set(['1', '2'])), 11);
  assert.equal(typeOf('s', set(range(512).map(String))), 11);
  assert.equal(typeOf('s', set(range(513).map(String))), 2);
  assert.equal(typeOf('s', set(['1', 'a'])), 2);
  assert.equal(typeOf('s', set(['01'])), 2);
  assert.equal(typeOf('s', set(['9223372036854775807'])), 11);
  assert.equal(typeOf('s', set(['9223372036854775808'])), 2);

  const zset = (members: string[], scores: number[]): RdbValue => ({ type: 'zset', members, scores, encoding: 'skiplist' });
  assert.equal(typeOf('z', zset(['a'], [1])), 17);
  assert.equal(typeOf('z', zset(range(128).map((i) => `m${i}`), range(128))), 17);
  assert.equal(typeOf('z', zset(range(129).map((i) => `m${i}`), range(129))), 5);
  assert.equal(typeOf('z', zset(['m'.repeat(64)], [1])), 17);
  assert.equal(typeOf('z', zset(['m'.repeat(65)], [1])), 5);

  assert.equal(typeOf('l', { type: 'list', items: ['a'], encoding: 'linkedlist' }), 18);
  assert.equal(typeOf('s', { type: 'string', value: 'x' }), 0);
});

test('custom limits are honoured', () => {
  const w = new RdbWriter({ limits: { hashMaxListpackEntries: 1, setMaxIntsetEntries: 1, zsetMaxListpackEntries: 1 } });
  w.writeHeader();
  w.selectDb(0);
  w.writeKey('h', { type: 'hash', pairs: ['a', '1', 'b', '2'], encoding: 'listpack' });
  w.writeKey('s', { type: 'set', members: ['1', '2'], intset: true, encoding: 'intset' });
  w.writeKey('z', { type: 'zset', members: ['a', 'b'], scores: [1, 2], encoding: 'listpack' });
  w.finish();
  assert.deepEqual(
    readRdb(Buffer.concat(w.takeChunks())).records.map((r) => r.rdbType),
    [4, 2, 5],
  );
});

test('string encodings: INT8/16/32 for canonical ints, LZF only when it saves ≥ 4 bytes, plain otherwise', () => {
  const valueBytes = (v: string, compression = true): Buffer => {
    const { bytes } = one('k', { type: 'string', value: v }, { compression });
    // header "REDIS0010" + AUX… + SELECTDB 0 + type 0 + key "k": find "\x00\x01k"
    const at = bytes.indexOf(Buffer.from([0x00, 0x01, 0x6b]), 9) + 3;
    return bytes.subarray(at, bytes.length - 9);
  };
  assert.deepEqual([...valueBytes('-2')], [0xc0, 0xfe]);
  assert.deepEqual([...valueBytes('12345')], [0xc1, 0x39, 0x30]);
  assert.deepEqual([...valueBytes('-2147483648')], [0xc2, 0x00, 0x00, 0x00, 0x80]);
  assert.equal(valueBytes('2147483648')[0], 10); // text, 10 chars
  assert.equal(valueBytes('007')[0], 3);
  assert.equal(valueBytes('-0')[0], 2);
  assert.equal(valueBytes('a'.repeat(20))[0], 20); // ≤ 20 bytes: never compressed
  assert.equal(valueBytes('a'.repeat(74))[0], 0xc3);
  assert.deepEqual([...valueBytes('a'.repeat(74), false).subarray(0, 2)], [0x40, 74]);
  const incompressible = Array.from({ length: 50 }, (_, i) => String.fromCharCode((i * 97 + 13) % 256)).join('');
  assert.equal(valueBytes(incompressible)[0], 50);
});

test('round trip: edge-case dataset, compression on and off, reads back identical (and digests agree)', () => {
  const records = edgeDataset();
  for (const compression of [true, false]) {
    const buf = writeRdb(records, { compression });
    const back = readRdb(buf);
    assert.equal(back.checksum, 'verified');
    assert.equal(back.version, 10);
    assert.deepEqual(normalize(back.records), normalize(records));
    // -0 inside a listpack zset is stored as the integer 0, like Redis; otherwise digests match
    const noNegZero = (rs: RdbRecord[]) => rs.filter((r) => r.key !== 'z:special');
    assert.equal(datasetDigest(noNegZero(back.records)), datasetDigest(noNegZero(records)));
  }
  // list order and hash pair order are preserved exactly
  const back = new Map(readRdb(writeRdb(records)).records.map((r) => [r.key, r.value]));
  for (const r of records) {
    if (r.value.type === 'list' || r.value.type === 'hash') assert.deepEqual(back.get(r.key), { ...r.value, encoding: back.get(r.key)!.type === 'list' ? 'quicklist' : (back.get(r.key) as { encoding: string }).encoding });
  }
});

test('round trip: random datasets (sizes around every threshold)', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const records = randomDataset(seed, 400);
    const compression = seed % 2 === 0;
    const back = readRdb(writeRdb(records, { compression }));
    assert.deepEqual(normalize(back.records), normalize(records), `seed ${seed}`);
  }
});

test('expire, LRU idle and LFU freq are written per key and read back', () => {
  const w = new RdbWriter();
  w.writeHeader();
  w.selectDb(3);
  w.writeKey('a', 'x', 4102444800123, { idle: 99 });
  w.writeKey('b', 'y', null, { freq: 7 });
  w.writeKey('c', 'z');
  w.finish();
  const f = readRdb(Buffer.concat(w.takeChunks()));
  assert.deepEqual(
    f.records.map((r) => [r.db, r.key, r.expireMs, r.idle, r.freq]),
    [
      [3, 'a', 4102444800123, 99, null],
      [3, 'b', null, null, 7],
      [3, 'c', null, null, null],
    ],
  );
});

test('header AUX fields in Redis 7.0 order, replication info, functions, RESIZEDB', () => {
  const w = new RdbWriter();
  w.writeHeader({ ctime: 1700000000, usedMem: 123456, replId: 'f'.repeat(40), replOffset: 103794551, replStreamDb: 2, extra: [['x-note', 'hi']] });
  w.writeFunction('#!lua name=lib\nredis.register_function("f", function() return 1 end)');
  w.selectDb(0);
  w.resizeDb(1, 0);
  w.writeKey('k', 'v');
  w.finish();
  const auxOrder: string[] = [];
  let resize: number[] = [];
  const r = new RdbReader({ onAux: (k) => auxOrder.push(k), onResizeDb: (a, b) => (resize = [a, b]) });
  r.parseAll(Buffer.concat(w.takeChunks()));
  assert.deepEqual(auxOrder, ['redis-ver', 'redis-bits', 'ctime', 'used-mem', 'repl-stream-db', 'repl-id', 'repl-offset', 'aof-base', 'x-note']);
  assert.deepEqual({ ...r.summary.aux }, {
    'redis-ver': '7.0.15',
    'redis-bits': '64',
    ctime: '1700000000',
    'used-mem': '123456',
    'repl-stream-db': '2',
    'repl-id': 'f'.repeat(40),
    'repl-offset': '103794551',
    'aof-base': '0',
    'x-note': 'hi',
  });
  assert.equal(r.summary.functions, 1);
  assert.deepEqual(resize, [1, 0]);
});

test('adapter sources produce byte-identical output to plain records', () => {
  const records = edgeDataset().filter((r) => r.value.type !== 'string');
  const toSource = (v: RdbValue): HashSource | SetSource | ZSetSource | ListSource => {
    switch (v.type) {
      case 'hash':
        return { kind: 'hash', size: v.pairs.length / 2, forEach: (fn) => { for (let i = 0; i < v.pairs.length; i += 2) fn(v.pairs[i], v.pairs[i + 1]); } };
      case 'set':
        return { kind: 'set', size: v.members.length, forEach: (fn) => v.members.forEach((m) => fn(m)) };
      case 'list':
        return { kind: 'list', size: v.items.length, forEach: (fn) => v.items.forEach((m) => fn(m)) };
      case 'zset': {
        const order = v.members.map((m, i) => i).sort((a, b) => v.scores[a] - v.scores[b] || (v.members[a] < v.members[b] ? -1 : v.members[a] > v.members[b] ? 1 : 0));
        return {
          kind: 'zset',
          size: v.members.length,
          forEach: (fn, desc) => {
            const o = desc ? [...order].reverse() : order;
            for (const i of o) fn(v.members[i], v.scores[i]);
          },
        };
      }
      default:
        throw new Error('unexpected');
    }
  };
  const write = (useSources: boolean) => {
    const w = new RdbWriter();
    w.writeHeader({ ctime: 1 });
    for (const r of records) {
      if (r.db !== w.currentDb) w.selectDb(r.db);
      w.writeKey(r.key, useSources ? toSource(r.value) : r.value, r.expireMs);
    }
    w.finish();
    return Buffer.concat(w.takeChunks());
  };
  assert.ok(write(true).equals(write(false)));
});

test('empty collections are never written; field TTLs are refused clearly; streams are written', () => {
  const w = new RdbWriter();
  w.writeHeader();
  w.selectDb(0);
  assert.equal(w.writeKey('e', { type: 'list', items: [], encoding: 'quicklist' }), false);
  assert.equal(w.writeKey('e', { kind: 'hash', size: 0, forEach: () => undefined }), false);
  assert.equal(w.writeKey('ok', 'x'), true);
  assert.equal(
    w.writeKey('st', { type: 'stream', rdbType: 19, entries: [{ id: '1-1', fields: ['a', '1'] }], length: 1, lastId: '1-1', firstId: '1-1', maxDeletedId: '0-0', entriesAdded: 1, groups: [] }),
    true,
  );
  assert.throws(() => w.writeKey('h', { type: 'hash', pairs: ['f', 'v'], encoding: 'listpack', fieldExpires: [123] }), /field TTLs/);
  w.finish();
  assert.deepEqual(
    readRdb(Buffer.concat(w.takeChunks())).records.map((r) => r.key),
    ['ok', 'st'],
  );
});

/** Writes `records` through `w` exactly as writeRdb wrote `whole` (same header time, db order). */
function writeLikeWriteRdb(w: RdbWriter, records: RdbRecord[], whole: Buffer): void {
  w.writeHeader({ ctime: Number(readRdb(whole).aux.ctime) });
  const byDb = [...new Set(records.map((r) => r.db))].sort((a, b) => a - b);
  for (const db of byDb) {
    const list = records.filter((r) => r.db === db);
    w.selectDb(db);
    w.resizeDb(list.length, list.filter((r) => r.expireMs !== null).length);
    for (const r of list) w.writeKey(r.key, r.value, r.expireMs);
  }
  w.finish();
}

test('chunked output: bounded chunks, same bytes as one buffer, CRC over the stream, no checksum → zeros', () => {
  const records = edgeDataset();
  const whole = writeRdb(records);
  const chunks: Buffer[] = [];
  const w = new RdbWriter({ chunkSize: 4096, onChunk: (c) => chunks.push(c) });
  writeLikeWriteRdb(w, records, whole);
  const joined = Buffer.concat(chunks);
  assert.ok(joined.equals(whole));
  assert.ok(chunks.length > 10, `${chunks.length} chunks`);
  // chunks are cut at ~chunkSize (also inside big values); a chunk overshoots by at most one element or list node
  assert.ok(chunks.every((c) => c.length <= 4096 + 16384), chunks.map((c) => c.length).join(' '));
  assert.equal(crc64(joined, 0, joined.length - 8), joined.readBigUInt64LE(joined.length - 8));
  assert.equal(w.bytesWritten, joined.length);
  const nock = writeRdb(records, { checksum: false });
  assert.equal(nock.readBigUInt64LE(nock.length - 8), 0n);
  assert.equal(readRdb(nock).checksum, 'disabled');
});

test('recycled chunks become later output buffers without changing a byte', () => {
  const records = edgeDataset();
  const whole = writeRdb(records);
  const copies: Buffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  let reused = 0;
  const foreign = Buffer.alloc(4096 + 1024);
  const w: RdbWriter = new RdbWriter({
    chunkSize: 4096,
    onChunk: (c) => {
      if (seen.has(c.buffer)) reused++;
      seen.add(c.buffer);
      copies.push(Buffer.from(c)); // the sink's copy; the chunk's memory is handed back at once
      c.fill(0xee);
      w.recycle(c);
      w.recycle(c); // a second release of the same chunk must not hand its memory out twice
      foreign.fill(0xee); // memory the writer never owned must never become its buffer
      w.recycle(foreign);
    },
  });
  writeLikeWriteRdb(w, records, whole);
  assert.ok(Buffer.concat(copies).equals(whole));
  assert.ok(reused > 5, `${reused} of ${copies.length} chunks reused an earlier buffer`);
});

test('DUMP payloads round trip for every type', () => {
  for (const r of edgeDataset()) {
    const payload = RdbWriter.dumpPayload(r.value);
    assert.equal(payload.readUInt16LE(payload.length - 10), 10);
    const back = RdbReader.parseDumpPayload(payload);
    assert.ok(back);
    assert.deepEqual(normalize([{ ...r, value: back }]), normalize([r]), r.key);
  }
});

test('sizes are within 10% of the files Redis 7.0.15 wrote for the same data', { skip: !fs.existsSync(SAMPLES) }, () => {
  for (const [f, compression] of [
    ['large_types_v10_redis7015.rdb', true],
    ['large_types_v10_nocompress.rdb', false],
    ['debug_populate_1000x10.rdb', true],
    ['debug_populate_50x100_compress_yes.rdb', true],
    ['debug_populate_50x100_compress_no.rdb', false],
    ['small_types_v10_redis7015.rdb', true],
  ] as const) {
    const theirs = fs.readFileSync(path.join(SAMPLES, f));
    const src = readRdb(theirs);
    const records = src.records.filter((r) => r.value.type !== 'stream');
    const w = new RdbWriter({ compression });
    const aux = src.aux;
    w.writeHeader({ ctime: Number(aux.ctime), usedMem: Number(aux['used-mem']), replId: aux['repl-id'], replOffset: Number(aux['repl-offset'] ?? 0) });
    let db = -1;
    for (const r of records) {
      if (r.db !== db) {
        db = r.db;
        const n = records.filter((x) => x.db === db);
        w.selectDb(db);
        w.resizeDb(n.length, n.filter((x) => x.expireMs !== null).length);
      }
      w.writeKey(r.key, r.value, r.expireMs);
    }
    w.finish();
    const ours = Buffer.concat(w.takeChunks());
    // streams we cannot write: subtract their share of Redis's file
    let streamBytes = 0;
    const all = src.records;
    for (let i = 0; i < all.length; i++) {
      if (all[i].value.type === 'stream') streamBytes += (all[i + 1]?.offset ?? src.bytes - 9) - all[i].offset!;
    }
    const ratio = ours.length / (theirs.length - streamBytes);
    console.log(`${f}: ours ${ours.length} B, Redis ${theirs.length - streamBytes} B (ratio ${ratio.toFixed(4)})`);
    // never more than 10% bigger; smaller is fine (our LZF can find more matches than Redis's)
    assert.ok(ratio > 0.85 && ratio < 1.1, `${f}: ratio ${ratio}`);
    assert.deepEqual(normalize(readRdb(ours).records), normalize(records));
  }
});

test('writer chunks piped straight into a streaming reader (a replica receiving a full sync)', async () => {
  const { readRdbStream } = await import('../../src/persistence/rdb-reader.js');
  const records = randomDataset(99, 300);
  const got: RdbRecord[] = [];
  const reader = new RdbReader({ onRecord: (r) => got.push(r) });
  const w = new RdbWriter({ chunkSize: 1024, onChunk: (c) => reader.feed(c) });
  w.writeHeader({ replId: 'a'.repeat(40), replOffset: 7 });
  for (const r of records) {
    w.ensureDb(r.db);
    w.writeKey(r.key, r.value, r.expireMs);
  }
  assert.ok(!reader.done);
  w.finish();
  assert.ok(reader.done);
  assert.equal(reader.summary.checksum, 'verified');
  assert.equal(reader.summary.aux['repl-offset'], '7');
  assert.deepEqual(normalize(got), normalize(records));

  // the same bytes from a file stream with tiny reads; a truncated file rejects
  const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'rdbstream-'));
  try {
    const file = path.join(dir, 'x.rdb');
    const bytes = writeRdb(records);
    fs.writeFileSync(file, bytes);
    const got2: RdbRecord[] = [];
    const s = await readRdbStream(fs.createReadStream(file, { highWaterMark: 100 }), { onRecord: (r) => got2.push(r) });
    assert.equal(s.checksum, 'verified');
    assert.equal(s.remainder.length, 0);
    assert.deepEqual(normalize(got2), normalize(records));
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 3));
    await assert.rejects(readRdbStream(fs.createReadStream(file, { highWaterMark: 100 }), {}), new RegExp(`unexpected end of file at offset ${bytes.length - 3}`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
