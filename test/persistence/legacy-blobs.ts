/**
 * Test helper: builders for the legacy blob formats Redis ≤ 6.2 wrote (ziplist, zipmap), used to
 * hand-make RDB values of types 9, 10, 12, 13 and 14.
 */
/** Test-side ziplist builder (Redis ≤ 6.2 layout). */
export function ziplist(items: (string | { int: number | bigint; enc: 'c0' | 'd0' | 'e0' | 'f0' | 'fe' | 'imm' })[]): Buffer {
  const entries: Buffer[] = [];
  let prev = 0;
  for (const it of items) {
    const prevlen = prev < 254 ? Buffer.from([prev]) : Buffer.concat([Buffer.from([0xfe]), u32le(prev)]);
    let enc: Buffer;
    if (typeof it === 'string') {
      const data = Buffer.from(it, 'latin1');
      const n = data.length;
      const h = n < 64 ? Buffer.from([n]) : n < 16384 ? Buffer.from([0x40 | (n >> 8), n & 0xff]) : Buffer.concat([Buffer.from([0x80]), u32be(n)]);
      enc = Buffer.concat([h, data]);
    } else {
      const v = it.int;
      const b = Buffer.alloc(9);
      switch (it.enc) {
        case 'c0':
          b[0] = 0xc0;
          b.writeInt16LE(Number(v), 1);
          enc = b.subarray(0, 3);
          break;
        case 'd0':
          b[0] = 0xd0;
          b.writeInt32LE(Number(v), 1);
          enc = b.subarray(0, 5);
          break;
        case 'e0':
          b[0] = 0xe0;
          b.writeBigInt64LE(BigInt(v), 1);
          enc = b;
          break;
        case 'f0':
          b[0] = 0xf0;
          b.writeIntLE(Number(v), 1, 3);
          enc = b.subarray(0, 4);
          break;
        case 'fe':
          b[0] = 0xfe;
          b.writeInt8(Number(v), 1);
          enc = b.subarray(0, 2);
          break;
        case 'imm':
          enc = Buffer.from([0xf1 + Number(v)]);
          break;
      }
    }
    const e = Buffer.concat([prevlen, enc]);
    entries.push(e);
    prev = e.length;
  }
  const body = Buffer.concat(entries);
  const total = 10 + body.length + 1;
  const tail = entries.length ? 10 + body.length - entries[entries.length - 1].length : 10;
  return Buffer.concat([u32le(total), u32le(tail), u16le(Math.min(entries.length, 65535)), body, Buffer.from([0xff])]);
}
function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function u16le(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

export function zipmap(pairs: [string, string, number?][], zmlen?: number): Buffer {
  const parts: Buffer[] = [Buffer.from([zmlen ?? Math.min(pairs.length, 254)])];
  const len = (n: number) => (n < 254 ? Buffer.from([n]) : Buffer.concat([Buffer.from([254]), u32le(n)]));
  for (const [k, v, free = 0] of pairs) {
    parts.push(len(k.length), Buffer.from(k, 'latin1'), len(v.length), Buffer.from([free]), Buffer.from(v, 'latin1'), Buffer.alloc(free, 0x55));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

