/**
 * Throughput of the RDB layer on the integration's reference workload: many small hashes
 * (4 fields each, like `HSET user:N name … email … age … city …`), written with Redis 7.0's
 * encodings (listpack + LZF attempt per hash) and read back. Defaults to 200 000 keys so the
 * suite stays quick; RDB_PERF_KEYS=2000000 reproduces the integration target. The test checks
 * that every path writes the same bytes and reads every key back; the timings are only printed
 * (speed is measured against redis-server by `npm run bench -- --only rdb`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RdbWriter, type HashSource } from '../../src/persistence/rdb-writer.js';
import { RdbReader } from '../../src/persistence/rdb-reader.js';
import { Crc64 } from '../../src/persistence/crc64.js';
import type { RdbValue } from '../../src/persistence/rdb-types.js';

const N = Number(process.env.RDB_PERF_KEYS ?? 200000);

test(`write and read ${N} small hashes`, () => {
  const keys: string[] = new Array(N);
  const values: RdbValue[] = new Array(N);
  for (let i = 0; i < N; i++) {
    keys[i] = `user:${i}`;
    values[i] = { type: 'hash', encoding: 'listpack', pairs: ['name', `name${i}`, 'email', `user${i}@example.com`, 'age', String(i % 90), 'city', `city${i % 1000}`] };
  }
  const sources: HashSource[] = values.map((v) => {
    const p = (v as { pairs: string[] }).pairs;
    return { kind: 'hash', size: p.length / 2, forEach: (fn) => { for (let i = 0; i < p.length; i += 2) fn(p[i], p[i + 1]); } };
  });
  /** Writes all keys; chunks are dropped as a file/socket sink would (kept only when asked). */
  const write = (vals: (RdbValue | HashSource)[], compression: boolean, keep = false): { ms: number; chunks: Buffer[]; bytes: number } => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const t0 = performance.now();
    const w = new RdbWriter({
      compression,
      onChunk: (c) => {
        bytes += c.length;
        if (keep) chunks.push(c);
      },
    });
    w.writeHeader({ ctime: 1700000000 });
    w.selectDb(0);
    w.resizeDb(vals.length, 0);
    for (let i = 0; i < vals.length; i++) w.writeKey(keys[i], vals[i]);
    w.finish();
    return { ms: performance.now() - t0, chunks, bytes };
  };
  write(values.slice(0, 20000), true); // warm up
  const plain = write(values, true);
  const adapter = write(sources, true);
  const nocomp = write(values, false);
  const kept = write(sources, true, true);
  const bytes = plain.bytes;
  const file = Buffer.concat(kept.chunks);
  assert.equal(file.length, bytes);
  assert.equal(adapter.bytes, bytes);

  let n = 0;
  let t0 = performance.now();
  const r = new RdbReader({ onRecord: () => n++ });
  r.parseAll(file);
  const readMs = performance.now() - t0;
  assert.equal(n, N);

  n = 0;
  t0 = performance.now();
  const rc = new RdbReader({ onRecord: () => n++ });
  for (const c of kept.chunks) rc.feed(c);
  rc.end();
  const readChunkedMs = performance.now() - t0;
  assert.equal(n, N);

  t0 = performance.now();
  new Crc64().update(file);
  const crcMs = performance.now() - t0;

  const perM = (ms: number) => ((ms / N) * 1e6).toFixed(0);
  console.log(
    [
      `${N} hashes, RDB ${(bytes / 1e6).toFixed(1)} MB (${(nocomp.bytes / 1e6).toFixed(1)} MB without compression)`,
      `write plain records ${plain.ms.toFixed(0)} ms (${perM(plain.ms)} ms per million keys)`,
      `write via HashSource ${adapter.ms.toFixed(0)} ms (${perM(adapter.ms)} ms per million)`,
      `write rdbcompression no ${nocomp.ms.toFixed(0)} ms`,
      `read (whole buffer) ${readMs.toFixed(0)} ms (${perM(readMs)} ms per million)`,
      `read (64 KiB chunks) ${readChunkedMs.toFixed(0)} ms`,
      `crc64 alone ${crcMs.toFixed(0)} ms (${(bytes / 1e6 / (crcMs / 1000)).toFixed(0)} MB/s)`,
    ].join('\n'),
  );
});
