/**
 * One node of a stream: the entries Redis would keep in one listpack of its radix tree, with the
 * node's master entry (the field names of its first entry). Entries are kept decoded, but the
 * node tracks how many bytes Redis's listpack would take, because that size decides when Redis
 * starts a new node (stream-node-max-bytes), and node boundaries decide what `~` trimming removes.
 */
import { canonicalInt, lpBacklenSize } from '../persistence/encodings.js';
import { idMs, idSeq, type StreamId } from './stream-id.js';

export interface StreamEntry {
  id: StreamId;
  /** Flat field, value, field, value, … */
  kv: string[];
  deleted: boolean;
  /** The entry's fields equal the master entry's (Redis's SAMEFIELDS flag). */
  same: boolean;
}

/** Bytes a listpack integer element takes (encoding + backlen). */
export function lpIntBytes(v: number | bigint): number {
  let n: number;
  if (v >= 0 && v <= 127) n = 1;
  else if (v >= -4096 && v <= 4095) n = 2;
  else if (v >= -32768 && v <= 32767) n = 3;
  else if (v >= -8388608 && v <= 8388607) n = 4;
  else if (v >= -2147483648 && v <= 2147483647) n = 5;
  else n = 9;
  return n + 1;
}

/** Bytes a listpack element holding `s` takes; integer-looking strings are stored as integers. */
export function lpStrBytes(s: string): number {
  const iv = s.length <= 20 ? canonicalInt(s) : null;
  if (iv !== null) return lpIntBytes(iv);
  const len = s.length;
  const enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return enc + lpBacklenSize(enc);
}

const asI64 = (v: bigint): bigint => BigInt.asIntN(64, v);

export class StreamNode {
  /** ID of the first entry added to the node (its radix tree key); kept after that entry dies. */
  readonly master: StreamId;
  readonly fields: string[];
  entries: StreamEntry[] = [];
  live = 0;
  deleted = 0;
  /** Listpack bytes of everything but the live/deleted counters, header and terminator. */
  private rest: number;

  constructor(master: StreamId, fields: string[]) {
    this.master = master;
    this.fields = fields;
    let b = lpIntBytes(fields.length) + 1; // num-fields … and the 0 terminator
    for (const f of fields) b += lpStrBytes(f);
    this.rest = b;
  }

  /** What lpBytes() of Redis's listpack for this node would return. */
  get bytes(): number {
    return 7 + lpIntBytes(this.live) + lpIntBytes(this.deleted) + this.rest;
  }

  get first(): StreamEntry {
    return this.entries[0];
  }

  get last(): StreamEntry {
    return this.entries[this.entries.length - 1];
  }

  sameFields(kv: string[]): boolean {
    const f = this.fields;
    if (kv.length !== f.length * 2) return false;
    for (let i = 0; i < f.length; i++) if (kv[i * 2] !== f[i]) return false;
    return true;
  }

  append(e: StreamEntry): void {
    const n = e.kv.length / 2;
    let b = 2; // flags
    b += lpIntBytes(asI64(idMs(e.id) - idMs(this.master)));
    b += lpIntBytes(asI64(idSeq(e.id) - idSeq(this.master)));
    let count = 3 + n;
    if (!e.same) {
      b += lpIntBytes(n);
      count += n + 1;
      for (let i = 0; i < e.kv.length; i++) b += lpStrBytes(e.kv[i]);
    } else {
      for (let i = 1; i < e.kv.length; i += 2) b += lpStrBytes(e.kv[i]);
    }
    b += lpIntBytes(count);
    this.rest += b;
    this.entries.push(e);
    this.live++;
  }

  /** Index of the first entry with id ≥ `id` (entries.length when none). */
  lowerBound(id: StreamId): number {
    const a = this.entries;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid].id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  markDeleted(e: StreamEntry): void {
    e.deleted = true;
    this.live--;
    this.deleted++;
  }

  clone(): StreamNode {
    const n = new StreamNode(this.master, this.fields);
    n.rest = this.rest;
    n.live = this.live;
    n.deleted = this.deleted;
    n.entries = this.entries.map((e) => ({ id: e.id, kv: e.kv, deleted: e.deleted, same: e.same }));
    return n;
  }
}
