/**
 * RDB reader against the spec samples (every file in rdb-samples/, compared with its
 * decoded/*.txt), chunked feeding, truncated and bit-flipped copies (always an error with an
 * offset, never partial data), opcode edge cases and clear errors for unsupported content.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RdbReader, readRdb, RdbError } from '../../src/persistence/rdb-reader.js';
import { Crc64 } from '../../src/persistence/crc64.js';
import type { RdbRecord } from '../../src/persistence/rdb-types.js';
import { actualAtoms, compareAtoms, parseDecoded, type DecodedEvent } from './sample-decode.js';

const SAMPLES = '/work/shared/spec/rdb-samples';
const haveSamples = fs.existsSync(SAMPLES);
const sampleFiles = haveSamples ? fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.rdb')).sort() : [];

type Ev =
  | { kind: 'aux'; key: string; value: string }
  | { kind: 'selectdb'; db: number }
  | { kind: 'resizedb'; size: number; expires: number }
  | { kind: 'function'; code: string }
  | { kind: 'slotinfo'; slot: number; size: number; expires: number }
  | { kind: 'record'; rec: RdbRecord };

function readEvents(buf: Buffer, chunk?: number): { events: Ev[]; reader: RdbReader } {
  const events: Ev[] = [];
  const reader = new RdbReader({
    onAux: (key, value) => events.push({ kind: 'aux', key, value }),
    onSelectDb: (db) => events.push({ kind: 'selectdb', db }),
    onResizeDb: (size, expires) => events.push({ kind: 'resizedb', size, expires }),
    onFunction: (code) => events.push({ kind: 'function', code }),
    onSlotInfo: (slot, size, expires) => events.push({ kind: 'slotinfo', slot, size, expires }),
    onRecord: (rec) => events.push({ kind: 'record', rec }),
  });
  if (chunk === undefined) {
    reader.parseAll(buf);
  } else {
    for (let i = 0; i < buf.length; i += chunk) reader.feed(buf.subarray(i, Math.min(buf.length, i + chunk)));
    reader.end();
  }
  return { events, reader };
}

function compareWithDecoded(name: string, buf: Buffer, events: Ev[], decodedEvents: DecodedEvent[]): void {
  const exp = decodedEvents.filter((e) => e.kind !== 'eof');
  assert.equal(events.length, exp.length, `${name}: event count`);
  for (let i = 0; i < exp.length; i++) {
    const e = exp[i];
    const a = events[i];
    const where = `${name} event ${i} (${e.kind})`;
    assert.equal(a.kind, e.kind, where);
    switch (e.kind) {
      case 'aux':
        assert.deepEqual(a, e, where);
        break;
      case 'selectdb':
      case 'resizedb':
      case 'slotinfo':
        assert.deepEqual(a, e, where);
        break;
      case 'function':
        assert.ok(a.kind === 'function' && a.code.startsWith(e.prefix), where);
        break;
      case 'record': {
        assert.ok(a.kind === 'record');
        const r = a.rec;
        assert.equal(r.offset, e.offset, `${where} offset`);
        assert.equal(r.key, e.key, `${where} key`);
        assert.equal(r.expireMs, e.expireMs, `${where} expire`);
        assert.equal(r.idle, e.idle, `${where} idle`);
        assert.equal(r.freq, e.freq, `${where} freq`);
        const diff = compareAtoms(e.value, actualAtoms(r.value));
        assert.equal(diff, null, `${where} key ${e.key} (${e.typeName}): ${diff}`);
        break;
      }
    }
  }
}

test('every sample loads and matches its decoded/*.txt (records, offsets, AUX, DB switches, checksum)', { skip: !haveSamples }, () => {
  assert.ok(sampleFiles.length >= 25);
  for (const f of sampleFiles) {
    const buf = fs.readFileSync(path.join(SAMPLES, f));
    const decoded = parseDecoded(fs.readFileSync(path.join(SAMPLES, 'decoded', f.replace(/\.rdb$/, '.txt')), 'utf8'));
    const { events, reader } = readEvents(buf);
    const s = reader.summary;
    assert.equal(s.version, decoded.version, f);
    assert.equal(s.bytes, decoded.size, `${f}: whole file consumed`);
    assert.equal(s.storedChecksum, decoded.storedChecksum, f);
    assert.ok(decoded.checksumOk, f);
    assert.equal(s.checksum, decoded.storedChecksum === '0000000000000000' ? 'disabled' : 'verified', f);
    const eof = decoded.events.find((e) => e.kind === 'eof');
    assert.ok(eof && eof.kind === 'eof' && eof.offset === s.bytes - 9, `${f}: EOF offset`);
    compareWithDecoded(f, buf, events, decoded.events);
  }
});

test('samples: specific decoded values (types 9-25 paths, streams, HFE, LRU/LFU, functions)', { skip: !haveSamples }, () => {
  const load = (f: string) => readRdb(fs.readFileSync(path.join(SAMPLES, f)));
  const byKey = (f: string) => new Map(load(f).records.map((r) => [r.key, r]));

  const v10 = byKey('small_types_v10_redis7015.rdb');
  assert.deepEqual(v10.get('l:small')!.value, { type: 'list', items: ['a', 'b', '1', '-1', '300', '70000'], encoding: 'quicklist' });
  assert.deepEqual(v10.get('set:int')!.value, { type: 'set', members: ['1', '2', '3'], intset: true, encoding: 'intset' });
  assert.deepEqual(v10.get('z:small')!.value, { type: 'zset', members: ['a', 'b'], scores: [1, 2.5], encoding: 'listpack' });
  assert.deepEqual(v10.get('h:small')!.value, { type: 'hash', pairs: ['f1', 'v1', 'f2', '2'], encoding: 'listpack' });
  assert.equal(v10.get('e:key')!.expireMs, 4102444800000);
  assert.equal(v10.get('db2key')!.db, 2);
  assert.deepEqual(v10.get('s:long')!.value, { type: 'string', value: 'a'.repeat(74) });
  const st = v10.get('st')!.value;
  assert.equal(st.type, 'stream');
  if (st.type === 'stream') {
    assert.equal(st.rdbType, 19);
    assert.deepEqual(st.entries[0], { id: '1-1', fields: ['a', '1'] });
  }

  const v9 = byKey('small_types_v9_redis6216.rdb');
  assert.deepEqual(v9.get('z:small')!.value, { type: 'zset', members: ['c', 'a', 'b'], scores: [0.1, 1, 2.5], encoding: 'ziplist' });
  assert.deepEqual(v9.get('h:small')!.value, { type: 'hash', pairs: ['f1', 'v1', 'f2', '2'], encoding: 'ziplist' });
  const st9 = v9.get('st')!.value;
  if (st9.type !== 'stream') assert.fail('stream expected');
  assert.equal(st9.entriesAdded, st9.length);
  assert.equal(st9.maxDeletedId, '0-0');

  const hs = byKey('handmade_stream_v9.rdb').get('stream:s')!.value;
  if (hs.type !== 'stream') assert.fail('stream expected');
  assert.equal(hs.groups.length, 1);
  assert.equal(hs.groups[0].entriesRead, null);
  assert.ok(hs.groups[0].pel.length >= 1);
  assert.ok(hs.groups[0].consumers[0].pel.every((id) => hs.groups[0].pel.some((n) => n.id === id)));

  const v11 = byKey('small_types_v11_redis726.rdb');
  assert.deepEqual(v11.get('set:str')!.value, { type: 'set', members: ['a', 'b', 'c'], intset: false, encoding: 'listpack' });
  const st11 = v11.get('st')!.value;
  if (st11.type !== 'stream') assert.fail('stream expected');
  assert.equal(st11.rdbType, 21);

  const hfe = byKey('small_types_hfe_v12_redis741.rdb');
  const ttl = hfe.get('h:ttl')!.value;
  assert.deepEqual(ttl, { type: 'hash', pairs: ['f2', 'v2', 'f3', 'v3', 'f1', 'v1'], encoding: 'listpack', fieldExpires: [4102444800000, 4102444801000, 0] });
  const big = hfe.get('h:ttlbig')!.value;
  if (big.type !== 'hash') assert.fail('hash expected');
  assert.ok(big.fieldExpires && big.fieldExpires.length === big.pairs.length / 2);

  const plainNode = byKey('quicklist_plain_node.rdb').get('l:plain')!.value;
  if (plainNode.type !== 'list') assert.fail('list expected');
  assert.equal(plainNode.items.length, 3);
  assert.equal(plainNode.items[1], 'P'.repeat(150));

  const lru = load('lru_idle_and_function.rdb');
  assert.deepEqual(
    lru.records.map((r) => r.idle),
    [62, 62],
  );
  assert.equal(lru.functionCodes.length, 1);
  assert.match(lru.functionCodes[0], /^#!lua name=mylib\n/);
  assert.deepEqual(
    load('lfu_freq.rdb').records.map((r) => r.freq),
    [2, 0],
  );

  const big10 = byKey('large_types_v10_redis7015.rdb');
  const zs = big10.get('z:special')!.value;
  assert.deepEqual(zs, { type: 'zset', members: ['neg', 'tenth', 'pos'], scores: [-Infinity, 0.1, Infinity], encoding: 'listpack' });
  const lbig = big10.get('l:big')!.value;
  if (lbig.type !== 'list') assert.fail('list expected');
  assert.equal(lbig.items[0], 'item00000');

  const fs1 = load('fullsync_diskless_payload.rdb');
  assert.equal(fs1.aux['repl-id'], '0e7c55d5bc6401ddcdf0eccfd6c3682cfb91ee86');
  assert.equal(fs1.aux['repl-offset'], '0');
  assert.equal(fs1.aux['repl-stream-db'], '0');
});

test('chunked feeding (1, 2, 7, 64, 4096 bytes) gives exactly the records of a whole-buffer parse', { skip: !haveSamples }, () => {
  for (const f of sampleFiles) {
    const buf = fs.readFileSync(path.join(SAMPLES, f));
    const whole = readEvents(buf);
    for (const chunk of buf.length > 20000 ? [7, 64, 4096] : [1, 2, 7, 64, 4096]) {
      const got = readEvents(buf, chunk);
      assert.deepEqual(got.events, whole.events, `${f} chunk ${chunk}`);
      assert.deepEqual(got.reader.summary, whole.reader.summary, `${f} chunk ${chunk}`);
    }
  }
});

test('bytes after the checksum: remainder() in streaming mode, an error for readRdb unless allowed', { skip: !haveSamples }, () => {
  const buf = fs.readFileSync(path.join(SAMPLES, 'fullsync_diskless_payload.rdb'));
  const mark = Buffer.from('x'.repeat(40));
  const withMark = Buffer.concat([buf, mark, Buffer.from('*1\r\n$4\r\nPING\r\n')]);
  const r = new RdbReader();
  for (let i = 0; i < withMark.length; i += 13) r.feed(withMark.subarray(i, i + 13));
  assert.ok(r.done);
  assert.equal(r.summary.bytes, buf.length);
  assert.equal(r.remainder().toString('latin1'), mark.toString('latin1') + '*1\r\n$4\r\nPING\r\n');
  assert.throws(() => readRdb(withMark), /bytes after the end of the RDB at offset 272/);
  assert.equal(readRdb(withMark, { allowTrailing: true }).trailing, 40 + 14);
});

test('truncated copies always fail with "unexpected end of file at offset N" and return nothing', { skip: !haveSamples }, () => {
  for (const f of sampleFiles) {
    const buf = fs.readFileSync(path.join(SAMPLES, f));
    const step = buf.length > 5000 ? Math.ceil(buf.length / 600) : 1;
    for (let cut = 0; cut < buf.length; cut += step) {
      const part = buf.subarray(0, cut);
      let records: RdbRecord[] | null = null;
      assert.throws(
        () => {
          records = readRdb(part).records;
        },
        (e: unknown) => e instanceof RdbError && e.message === `Bad RDB: unexpected end of file at offset ${cut}` && e.offset === cut,
        `${f} cut at ${cut}`,
      );
      assert.equal(records, null);
      // streaming: feeding the truncated bytes then end() fails the same way
      const r = new RdbReader();
      r.feed(part);
      assert.throws(() => r.end(), /unexpected end of file at offset/, `${f} streamed cut at ${cut}`);
    }
  }
});

test('bit-flipped copies (checksummed files) always fail with an offset', { skip: !haveSamples }, () => {
  for (const f of sampleFiles) {
    const orig = fs.readFileSync(path.join(SAMPLES, f));
    if (readRdb(orig).checksum !== 'verified') continue; // nothing can detect flips in an unchecked file
    const step = orig.length > 3000 ? Math.ceil(orig.length / 400) : 1;
    for (let i = 0; i < orig.length; i += step) {
      const buf = Buffer.from(orig);
      buf[i] ^= 1 << (i % 8);
      assert.throws(
        () => readRdb(buf),
        (e: unknown) => e instanceof RdbError && / at offset \d+/.test(e.message),
        `${f} flip at ${i}`,
      );
    }
  }
});

test('bad CRC names the offset of the stored checksum; verifyChecksum:false skips the check', { skip: !haveSamples }, () => {
  const buf = Buffer.from(fs.readFileSync(path.join(SAMPLES, 'small_types_v10_redis7015.rdb')));
  buf[buf.length - 1] ^= 0xff;
  assert.throws(() => readRdb(buf), new RegExp(`RdbError: Bad RDB: bad CRC \\(stored [0-9a-f]{16}, computed 57d2d6f0d3a84123\\) at offset ${buf.length - 8}$`));
  assert.equal(readRdb(buf, { verifyChecksum: false }).checksum, 'skipped');
});

// ------------------------------------------------------------------ hand-made edge cases

function rdbString(s: string): Buffer {
  const b = Buffer.from(s, 'latin1');
  if (b.length >= 64) throw new Error('short strings only');
  return Buffer.concat([Buffer.from([b.length]), b]);
}

/** header + body + EOF + CRC */
function file(version: number, body: Buffer[]): Buffer {
  const head = Buffer.from(`REDIS${String(version).padStart(4, '0')}`, 'latin1');
  const content = Buffer.concat([head, ...body, Buffer.from([0xff])]);
  if (version < 5) return content;
  const crc = Buffer.alloc(8);
  new Crc64().update(content).writeLE(crc, 0);
  return Buffer.concat([content, crc]);
}

test('versions: 1-12 accepted, newer refused, maxVersion option, bad magic', () => {
  const body = [Buffer.from([0xfe, 0x00, 0x00]), rdbString('k'), rdbString('v')];
  for (let v = 1; v <= 12; v++) {
    const r = readRdb(file(v, body));
    assert.equal(r.version, v);
    assert.equal(r.records[0].key, 'k');
    assert.equal(r.checksum, v < 5 ? 'absent' : 'verified');
  }
  assert.throws(() => readRdb(file(13, body)), /RdbError: Bad RDB: can't handle RDB format version 13 at offset 5$/);
  assert.throws(() => readRdb(file(11, body), { maxVersion: 10 }), /can't handle RDB format version 11/);
  assert.throws(() => readRdb(Buffer.from('REDIX0010\xff', 'latin1')), /wrong signature/);
  assert.throws(() => readRdb(Buffer.from('VALKEY080\xff', 'latin1')), /unsupported Valkey RDB format "VALKEY080"/);
  assert.throws(() => readRdb(Buffer.from('REDIS00a0\xff', 'latin1')), /wrong signature/);
});

test('opcodes: old EXPIRETIME (seconds), 64-bit lengths, RESIZEDB absent, AUX mid-file, SELECTDB bounds', () => {
  const expSec = Buffer.alloc(5);
  expSec[0] = 0xfd;
  expSec.writeInt32LE(2000000000, 1);
  const len64 = Buffer.from([0x81, 0, 0, 0, 0, 0, 0, 0, 2]); // 64-bit big-endian length 2
  const len32 = Buffer.from([0x80, 0, 0, 0, 1]);
  const body = [
    Buffer.from([0xfe, 0x05]),
    expSec,
    Buffer.from([0x00]),
    rdbString('old'),
    rdbString('x'),
    Buffer.from([0xfa]),
    rdbString('mid'),
    rdbString('aux'),
    Buffer.from([0x01]),
    rdbString('lst'),
    len64,
    len32,
    Buffer.from('a'),
    rdbString('b'),
  ];
  const r = readRdb(file(6, body));
  assert.equal(r.records[0].expireMs, 2000000000 * 1000);
  assert.equal(r.records[0].db, 5);
  assert.deepEqual(r.records[1].value, { type: 'list', items: ['a', 'b'], encoding: 'linkedlist' });
  assert.equal(r.records[1].expireMs, null, 'expire applies to one key only');
  assert.equal(r.aux.mid, 'aux');
  assert.throws(() => readRdb(file(9, [Buffer.from([0xfe, 0x10])])), /RdbError: Bad RDB: SELECTDB 16 but only 16 databases are configured at offset 9$/);
  assert.equal(readRdb(file(9, [Buffer.from([0xfe, 0x10])]), { databases: 32 }).keys, 0);
});

test('integer and LZF string encodings; old ZSET (type 3) ascii scores; empty collections skipped', () => {
  const body = [
    Buffer.from([0x00]),
    rdbString('i8'),
    Buffer.from([0xc0, 0xfe]),
    Buffer.from([0x00]),
    rdbString('i16'),
    Buffer.from([0xc1, 0x39, 0x30]),
    Buffer.from([0x00]),
    rdbString('i32'),
    Buffer.from([0xc2, 0x00, 0x00, 0x00, 0x80]),
    Buffer.from([0x00]),
    rdbString('lzf'),
    Buffer.from([0xc3, 0x09, 0x40, 0x4a, 0x01, 0x61, 0x61, 0xe0, 0x3d, 0x00, 0x01, 0x61, 0x61]),
    Buffer.from([0x03]),
    rdbString('z3'),
    Buffer.from([0x04]),
    rdbString('a'),
    rdbString('1.5'),
    rdbString('b'),
    Buffer.from([0xfe]),
    rdbString('c'),
    Buffer.from([0xff]),
    rdbString('d'),
    rdbString('-3e2'),
    Buffer.from([0x02]),
    rdbString('emptyset'),
    Buffer.from([0x00]),
    Buffer.from([0x00]),
    rdbString('after'),
    rdbString('ok'),
  ];
  const r = readRdb(file(7, body));
  const m = new Map(r.records.map((x) => [x.key, x.value]));
  assert.deepEqual(m.get('i8'), { type: 'string', value: '-2' });
  assert.deepEqual(m.get('i16'), { type: 'string', value: '12345' });
  assert.deepEqual(m.get('i32'), { type: 'string', value: '-2147483648' });
  assert.deepEqual(m.get('lzf'), { type: 'string', value: 'a'.repeat(74) });
  assert.deepEqual(m.get('z3'), { type: 'zset', members: ['a', 'b', 'c', 'd'], scores: [1.5, Infinity, -Infinity, -300], encoding: 'skiplist' });
  assert.equal(m.has('emptyset'), false);
  assert.equal(r.emptyKeysSkipped, 1);
  assert.equal(r.keys, 6);
});

test('clear errors: unknown type, modules, module aux, NaN score, bad quicklist container, corrupt blob', () => {
  assert.throws(() => readRdb(file(10, [Buffer.from([0xfe, 0x00, 42]), rdbString('k')])), /RdbError: Bad RDB: unknown type 42 at offset 11$/);
  assert.throws(() => readRdb(file(10, [Buffer.from([8]), rdbString('k')])), /RdbError: Bad RDB: unknown type 8 at offset 9$/);
  // module id for "ReJSON-RL" encver 3: 9 chars × 6 bits, then 10 bits of version
  const charset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let id = 0n;
  for (const ch of 'ReJSON-RL') id = (id << 6n) | BigInt(charset.indexOf(ch));
  id = (id << 10n) | 3n;
  const idBytes = Buffer.alloc(9);
  idBytes[0] = 0x81;
  idBytes.writeBigUInt64BE(id, 1);
  assert.throws(() => readRdb(file(10, [Buffer.from([0x07]), rdbString('doc'), idBytes])), /RdbError: Bad RDB: key "doc" holds a value of module "ReJSON-RL" \(encoding version 3\), modules are not supported at offset 9$/);
  assert.throws(() => readRdb(file(10, [Buffer.from([0xf7]), idBytes])), /RdbError: Bad RDB: module auxiliary data for module "ReJSON-RL" \(encoding version 3\) is not supported \(no modules loaded\) at offset 9$/);
  const nan = Buffer.alloc(8);
  nan.writeDoubleLE(NaN);
  assert.throws(() => readRdb(file(10, [Buffer.from([0x05]), rdbString('z'), Buffer.from([1]), rdbString('m'), nan])), /zset "z" has a NaN score at offset/);
  assert.throws(() => readRdb(file(10, [Buffer.from([0x12]), rdbString('l'), Buffer.from([1, 3]), rdbString('x')])), /quicklist node of key "l" has unknown container 3 at offset 13/);
  // listpack hash whose listpack claims a wrong size
  assert.throws(
    () => readRdb(file(10, [Buffer.from([0x10]), rdbString('h'), Buffer.from([7, 8, 0, 0, 0, 0, 0, 0xff])])),
    /RdbError: Bad RDB: corrupt listpack in key "h" \(listpack header says 8 bytes, blob has 7\) at offset 13$/,
  );
  // LZF that cannot expand that much
  assert.throws(() => readRdb(file(10, [Buffer.from([0x00]), rdbString('s'), Buffer.from([0xc3, 0x01, 0x80, 0x00, 0x10, 0x00, 0x00, 0x00])])), /LZF string of 1 bytes cannot expand/);
  // bad length encoding
  assert.throws(() => readRdb(file(10, [Buffer.from([0x01]), rdbString('l'), Buffer.from([0x85])])), /bad length encoding 0x85 at offset 12/);
});

test('functions: FUNCTION2 and the 7.0-RC form are reported to onFunction (and can be refused there)', () => {
  const code = '#!lua name=lib\nredis.register_function("f", function() return 1 end)';
  const codeStr = Buffer.concat([Buffer.from([0x40 | (code.length >> 8), code.length & 0xff]), Buffer.from(code)]);
  const pre = [Buffer.from([0xf6]), rdbString('lib'), rdbString('LUA'), Buffer.from([1]), rdbString('desc'), codeStr];
  const r = readRdb(file(10, [Buffer.from([0xf5]), codeStr, ...pre]));
  assert.deepEqual(r.functionCodes, [code, code]);
  assert.equal(r.functions, 2);
  const refusing = new RdbReader({
    onFunction: () => {
      throw new Error('functions are not supported');
    },
  });
  assert.throws(() => refusing.parseAll(file(10, [Buffer.from([0xf5]), codeStr])), /functions are not supported/);
});

test('DUMP payloads: the spec example parses; version and CRC are checked', () => {
  const payload = Buffer.from([0x00, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a, 0x00, 0x63, 0x72, 0xdf, 0x76, 0x65, 0x34, 0x20, 0x0a]);
  assert.deepEqual(RdbReader.parseDumpPayload(payload), { type: 'string', value: 'hello' });
  const bad = Buffer.from(payload);
  bad[3] ^= 1;
  assert.throws(() => RdbReader.parseDumpPayload(bad), /DUMP payload version or checksum are wrong/);
  const v11 = Buffer.from(payload);
  v11[7] = 11;
  assert.throws(() => RdbReader.parseDumpPayload(v11), /DUMP payload version or checksum are wrong/);
});

test('streaming a single huge value in small chunks stays linear (no re-parse per chunk)', async () => {
  const { writeRdb } = await import('../../src/persistence/rdb-writer.js');
  const items = Array.from({ length: 400000 }, (_, i) => `element-${i}-${'x'.repeat(i % 50)}`);
  const pairs = Array.from({ length: 200000 }, (_, i) => [`f${i}`, `v${i}`]).flat();
  const buf = writeRdb(
    [
      { db: 0, key: 'big-list', expireMs: null, idle: null, freq: null, value: { type: 'list', items, encoding: 'quicklist' } },
      { db: 0, key: 'big-hash', expireMs: null, idle: null, freq: null, value: { type: 'hash', pairs, encoding: 'hashtable' } },
    ],
    { compression: false },
  );
  assert.ok(buf.length > 10_000_000);
  const t0 = performance.now();
  let n = 0;
  const r = new RdbReader({ onRecord: () => n++ });
  for (let i = 0; i < buf.length; i += 1024) r.feed(buf.subarray(i, i + 1024));
  const ms = performance.now() - t0;
  assert.ok(r.done, 'done as soon as the last chunk arrived');
  assert.equal(n, 2);
  console.log(`${(buf.length / 1e6).toFixed(1)} MB in 1 KiB chunks: ${ms.toFixed(0)} ms`);
});
