/**
 * Redis's memory model, for used_memory, MEMORY USAGE and eviction.
 *
 * V8 decides how big a JS object is and frees it only when it collects, so the process's heap
 * says little about the data and does not shrink when keys go. What reddish reports instead is
 * what Redis 7.0 would have allocated for the same data: jemalloc size classes applied to the
 * structures Redis keeps (dictEntry, robj, sds headers, listpacks, intsets, skiplist nodes,
 * quicklist nodes, dict bucket arrays). Each value computes its share from counters it keeps up
 * to date on mutation (see hash.ts, set.ts, skiplist.ts, list.ts), so the figure is cheap to read
 * and moves exactly with the data.
 */

/** jemalloc's size class for an allocation of n bytes (x86-64: 8, then 16-byte steps to 128, then four classes per doubling). */
export function jemSize(n: number): number {
  if (n <= 8) return n <= 0 ? 0 : 8;
  if (n <= 128) return (n + 15) & ~15;
  // For 2^k < n <= 2^(k+1) the classes are 2^(k-2) apart.
  if (n > 0x40000000) {
    const step = 2 ** (29 - Math.clz32(n - 1));
    return Math.ceil(n / step) * step;
  }
  const shift = 29 - Math.clz32(n - 1); // log2 of the spacing: 2^(k-2) for 2^k < n <= 2^(k+1)
  return (((n - 1) >> shift) + 1) << shift;
}

/** sds header bytes for a string of length n (sdsReqType: type5 below 32, then 8/16/32-bit headers). */
function sdsHeader(n: number): number {
  return n < 32 ? 1 : n < 256 ? 3 : n < 65536 ? 5 : 9;
}

/** Allocation of an sds string of n bytes (header, bytes, terminator). */
export function sdsBytes(n: number): number {
  return jemSize(sdsHeader(n) + n + 1);
}

/** sizeof(robj), sizeof(dictEntry) rounded to its size class, sizeof(dict) in 7.0. */
export const ROBJ = 16;
export const DICT_ENTRY = 32;
export const DICT_STRUCT = 64;

/** Bucket array of a dict holding n entries: a power of two at least n (none while empty), 8 bytes each. */
export function dictBuckets(n: number): number {
  if (n === 0) return 0;
  let slots = 4;
  while (slots < n) slots *= 2;
  return slots * 8;
}

/** Slots of a dict holding n entries (MEMORY STATS reports bucket bytes from them). */
export function dictSlots(n: number): number {
  return dictBuckets(n) / 8;
}

/** A key's own cost in the main dict: its dictEntry and its sds name (the value's robj is the value's). */
export function keyBytes(key: string): number {
  return DICT_ENTRY + sdsBytes(key.length);
}

/** True if s is what Redis's string2ll accepts (listpacks and intsets store such strings as integers). */
function intText(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  if (s.charCodeAt(i) === 48) return n === 1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return n < 19 || (n === 19 && s <= '9223372036854775807') || (n === 20 && s.charCodeAt(0) === 45 && s <= '-9223372036854775808');
}

/** Bytes one integer takes in a listpack: encoding plus the one-byte backlen. */
function lpIntBytes(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** Bytes of a listpack entry's back-length field for an entry of n bytes. */
function backlen(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : n < 268435456 ? 4 : 5;
}

/** Bytes one string element takes in a listpack (integers are stored as integers). */
export function lpEntryBytes(s: string): number {
  const n = s.length;
  if (n <= 20 && intText(s)) return lpIntBytes(Number(s));
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + backlen(enc);
}

/** Bytes a score takes in a sorted set's listpack (integral scores as integers, others as %.17g text). */
export function lpScoreBytes(score: number): number {
  if (Number.isInteger(score) && Math.abs(score) < 2 ** 53) return lpIntBytes(score);
  const t = String(score);
  // %.17g prints short binary fractions (1.5) as they are, most others with 17 digits.
  const n = t.length <= 8 ? t.length : 19;
  return n + 2;
}

/** Listpack header (total bytes, count) and end byte. */
export const LP_OVERHEAD = 7;

/** sizeof(quicklistNode), sizeof(quicklist) in their size classes; the node byte cap of list-max-listpack-size -2. */
const QL_NODE = 32;
const QL_STRUCT = 48;
const QL_NODE_MAX = 8192;

/** A quicklist holding `entryBytes` of listpack entries: nodes of at most 8 KB, each a node struct and a listpack. */
export function quicklistBytes(entryBytes: number, count: number): number {
  let total = ROBJ + QL_STRUCT;
  if (count === 0) return total;
  const cap = QL_NODE_MAX - LP_OVERHEAD;
  const nodes = Math.max(1, Math.ceil(entryBytes / cap));
  const per = Math.ceil(entryBytes / nodes) + LP_OVERHEAD;
  total += nodes * (QL_NODE + jemSize(per));
  return total;
}

/** sizeof(zskiplistNode) with `level` levels, in its size class. */
export function zslNodeBytes(level: number): number {
  return jemSize(24 + 16 * level);
}

/** Fixed part of a skiplist-encoded sorted set: robj, zset, zskiplist, dict and the 32-level header. */
export const ZSET_SKIPLIST_BASE = ROBJ + 16 + 32 + DICT_STRUCT + zslNodeBytes(32);

/**
 * A stream as Redis allocates it: robj and stream struct, a radix-tree node and key per listpack
 * node, and the listpacks themselves — the same bytes as Redis's (reddish packs nodes in
 * Redis's listpack layout), plus jemalloc's size-class rounding, about 1/16 on average.
 * Consumer groups are left out: their pending lists change on reads, which do not mark the value.
 */
export function streamBytes(v: { packedBytes: number; nodes: { length: number } }): number {
  return ROBJ + 64 + v.nodes.length * (4 + 240 + 16) + Math.round(v.packedBytes * (17 / 16));
}
