/**
 * Stream IDs as one unsigned 128-bit bigint, (ms << 64) | seq, so comparing two IDs is one
 * bigint comparison and the ordering is Redis's (ms first, then seq). Parsing follows Redis's
 * rules for client-given IDs: "<ms>-<seq>", "<ms>" (seq filled in by the caller's default),
 * "-" and "+", and "<ms>-*" where XADD allows it; each part is read as string2ull does.
 */

export type StreamId = bigint;

export const U64_MAX = (1n << 64n) - 1n;
export const ID_MIN: StreamId = 0n;
export const ID_MAX: StreamId = (1n << 128n) - 1n;

export function makeId(ms: bigint, seq: bigint): StreamId {
  return (ms << 64n) | seq;
}

export function idMs(id: StreamId): bigint {
  return id >> 64n;
}

export function idSeq(id: StreamId): bigint {
  return id & U64_MAX;
}

const SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

export function formatId(id: StreamId): string {
  const ms = id >> 64n;
  const seq = BigInt.asUintN(64, id);
  // Numbers print faster than bigints.
  if (ms <= SAFE_BIG && seq <= SAFE_BIG) return `${Number(ms)}-${Number(seq)}`;
  return `${ms}-${seq}`;
}

const I64_MAX = (1n << 63n) - 1n;

/**
 * Redis's string2ull: a canonical non-negative int64, else what strtoull accepts in full
 * (leading spaces, a sign, leading zeros; a '-' negates modulo 2^64), else null.
 */
export function parseU64(s: string): bigint | null {
  if (/^-?[1-9][0-9]{0,19}$|^0$/.test(s)) {
    const v = BigInt(s);
    if (v >= -(I64_MAX + 1n) && v <= I64_MAX) return v < 0n ? null : v;
  }
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(s);
  if (m === null) return null;
  const v = BigInt(m[2]);
  if (v > U64_MAX) return null;
  return m[1] === '-' ? (U64_MAX + 1n - v) & U64_MAX : v;
}

export interface ParsedId {
  id: StreamId;
  /** False for the "<ms>-*" form (only when `allowSeqStar`). */
  seqGiven: boolean;
}

/**
 * Parses a client-given ID; null when invalid (the caller replies Redis's error). `strict`
 * refuses "-" and "+"; `missingSeq` fills the sequence of a bare "<ms>".
 */
export function parseId(s: string, missingSeq: bigint, strict: boolean, allowSeqStar = false): ParsedId | null {
  if (s.length > 127) return null;
  // C strings end at a NUL byte.
  const z = s.indexOf('\0');
  if (z >= 0) s = s.slice(0, z);
  if (s === '-' || s === '+') {
    if (strict) return null;
    return { id: s === '-' ? ID_MIN : ID_MAX, seqGiven: true };
  }
  const dash = s.indexOf('-');
  const ms = parseU64(dash < 0 ? s : s.slice(0, dash));
  if (ms === null) return null;
  if (dash < 0) return { id: makeId(ms, missingSeq), seqGiven: true };
  const rest = s.slice(dash + 1);
  if (allowSeqStar && rest === '*') return { id: makeId(ms, 0n), seqGiven: false };
  const seq = parseU64(rest);
  if (seq === null) return null;
  return { id: makeId(ms, seq), seqGiven: true };
}

export const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';
