/**
 * Sorted set values, in Redis's two encodings:
 *
 *   listpack  (≤ zset-max-listpack-entries members, each ≤ zset-max-listpack-value bytes)
 *             two parallel arrays sorted by (score, member): members[] and scores[].
 *             Three objects whatever the size; lookups by member scan like Redis's listpack.
 *   skiplist  SkipList ordered by (score, member) with spans + Map member → node.
 *             O(log n) insert/delete/rank/range, O(1) score lookup.
 *
 *   listpack ──(a new member past either limit)──▶ skiplist      (one way, like Redis)
 *   skiplist ──▶ listpack only when a command builds a new value (ZUNIONSTORE, ZRANGESTORE...)
 *
 * Like Redis's listpack, which stores an integral score as an integer, the listpack form
 * keeps -0 as 0; the skiplist form keeps -0.
 *
 * Also here: the score and range parsers with Redis's exact acceptance rules (strtod based).
 */
import { ValueType, type RedisValue } from './values.js';
import { LP_OVERHEAD, ROBJ, ZSET_SKIPLIST_BASE, dictBuckets, jemSize, lpEntryBytes, lpScoreBytes } from './memsize.js';
import { formatG17 } from '../protocol/reply-writer.js';
import {
  SkipList,
  type SkipNode,
  type ScoreRange,
  type LexRange,
  LexKind,
  scoreGteMin,
  scoreLteMax,
  scoreRangeEmpty,
  lexGteMin,
  lexLteMax,
  lexRangeEmpty,
} from './skiplist.js';

export { type ScoreRange, type LexRange, LexKind } from './skiplist.js';

/** Encoding thresholds (zset-max-listpack-entries / -value) read from the config per command. */
export interface ZLimits {
  maxEntries: number;
  maxValue: number;
}

// ZADD input flags.
export const ZADD_NX = 1;
export const ZADD_XX = 2;
export const ZADD_GT = 4;
export const ZADD_LT = 8;
export const ZADD_INCR = 16;
// ZADD output flags.
export const ZADD_ADDED = 1;
export const ZADD_UPDATED = 2;
export const ZADD_NOP = 4;
export const ZADD_NAN = 8;

export class ZSetValue implements RedisValue {
  readonly type = ValueType.ZSet;
  lru = 0;
  /** Snapshot stamp (see persistence/snapshot.ts): the epoch this value was last written at. */
  sv = 0;
  /** Listpack form: members and scores sorted by (score, member); null once converted. */
  lpEle: string[] | null = [];
  lpScore: number[] | null = [];
  /** Skiplist form. */
  zsl: SkipList | null = null;
  dict: Map<string, SkipNode> | null = null;
  /** Score produced by the last add() (ZADD INCR reply) or member/score of the last pop(). */
  lastScore = 0;
  lastEle = '';

  get size(): number {
    return this.lpEle !== null ? this.lpEle.length : this.zsl!.length;
  }

  get isListpack(): boolean {
    return this.lpEle !== null;
  }

  encoding(): string {
    return this.lpEle !== null ? 'listpack' : 'skiplist';
  }

  /** Builds a value from members already sorted by (score, member), choosing the encoding by size. */
  static fromSorted(eles: string[], scores: number[], limits: ZLimits): ZSetValue {
    const z = new ZSetValue();
    let maxLen = 0;
    for (const e of eles) if (e.length > maxLen) maxLen = e.length;
    if (eles.length <= limits.maxEntries && maxLen <= limits.maxValue) {
      z.lpEle = eles.slice();
      z.lpScore = scores.map((s) => (s === 0 ? 0 : s));
    } else {
      z.toSkiplist();
      const zsl = z.zsl!;
      const dict = z.dict!;
      for (let i = 0; i < eles.length; i++) dict.set(eles[i], zsl.insert(scores[i], eles[i]));
    }
    return z;
  }

  /** Converts to the skiplist encoding (no-op if already). */
  toSkiplist(): void {
    if (this.lpEle === null) return;
    const eles = this.lpEle;
    const scores = this.lpScore!;
    const zsl = new SkipList();
    const dict = new Map<string, SkipNode>();
    for (let i = 0; i < eles.length; i++) dict.set(eles[i], zsl.insert(scores[i], eles[i]));
    this.zsl = zsl;
    this.dict = dict;
    this.lpEle = null;
    this.lpScore = null;
  }

  score(ele: string): number | undefined {
    if (this.lpEle !== null) {
      const i = this.lpEle.indexOf(ele);
      return i < 0 ? undefined : this.lpScore![i];
    }
    const n = this.dict!.get(ele);
    return n === undefined ? undefined : n.score;
  }

  has(ele: string): boolean {
    return this.lpEle !== null ? this.lpEle.indexOf(ele) >= 0 : this.dict!.has(ele);
  }

  /** Listpack position where (score, ele) belongs (first entry that sorts after it). */
  private lpPosition(score: number, ele: string): number {
    const scores = this.lpScore!;
    const eles = this.lpEle!;
    let lo = 0;
    let hi = scores.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = scores[mid];
      if (s < score || (s === score && eles[mid] < ele)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private lpInsert(score: number, ele: string): void {
    if (score === 0) score = 0; // -0 is stored as the integer 0
    const pos = this.lpPosition(score, ele);
    const eles = this.lpEle!;
    const scores = this.lpScore!;
    if (pos === eles.length) {
      eles.push(ele);
      scores.push(score);
    } else {
      eles.splice(pos, 0, ele);
      scores.splice(pos, 0, score);
    }
  }

  /**
   * Redis's zsetAdd: adds or updates one member under the ZADD_* input flags and returns the
   * ZADD_* output flags. The resulting score is left in `lastScore`.
   */
  add(score: number, ele: string, flags: number, limits: ZLimits): number {
    if (Number.isNaN(score)) return ZADD_NAN;
    const cur = this.score(ele);
    if (cur !== undefined) {
      if (flags & ZADD_NX) return ZADD_NOP;
      if (flags & ZADD_INCR) {
        score += cur;
        if (Number.isNaN(score)) return ZADD_NAN;
      }
      if ((flags & ZADD_LT && score >= cur) || (flags & ZADD_GT && score <= cur)) return ZADD_NOP;
      this.lastScore = score;
      if (score !== cur) {
        this.updateScore(ele, cur, score);
        return ZADD_UPDATED;
      }
      return 0;
    }
    if (flags & ZADD_XX) return ZADD_NOP;
    this.insertNew(score, ele, limits);
    this.lastScore = score;
    return ZADD_ADDED;
  }

  /** Adds a member known to be absent, converting to a skiplist when it would exceed the limits. */
  insertNew(score: number, ele: string, limits: ZLimits): void {
    if (this.lpEle !== null) {
      if (this.lpEle.length + 1 > limits.maxEntries || ele.length > limits.maxValue) {
        this.toSkiplist();
      } else {
        this.lpInsert(score, ele);
        return;
      }
    }
    this.dict!.set(ele, this.zsl!.insert(score, ele));
  }

  private updateScore(ele: string, cur: number, score: number): void {
    if (this.lpEle !== null) {
      const i = this.lpEle.indexOf(ele);
      this.lpEle.splice(i, 1);
      this.lpScore!.splice(i, 1);
      this.lpInsert(score, ele);
      return;
    }
    this.dict!.set(ele, this.zsl!.updateScore(cur, ele, score));
  }

  delete(ele: string): boolean {
    if (this.lpEle !== null) {
      const i = this.lpEle.indexOf(ele);
      if (i < 0) return false;
      this.lpDeleteRange(i, 1);
      return true;
    }
    const n = this.dict!.get(ele);
    if (n === undefined) return false;
    this.dict!.delete(ele);
    this.zsl!.delete(n.score, ele);
    return true;
  }

  private lpDeleteRange(start: number, count: number): void {
    if (start === 0 && count === 1) {
      this.lpEle!.shift();
      this.lpScore!.shift();
    } else if (start + count === this.lpEle!.length && count === 1) {
      this.lpEle!.pop();
      this.lpScore!.pop();
    } else {
      this.lpEle!.splice(start, count);
      this.lpScore!.splice(start, count);
    }
  }

  /** 0-based rank of a member (from the highest score when reverse), or -1. */
  rank(ele: string, reverse: boolean): number {
    let r: number;
    if (this.lpEle !== null) {
      r = this.lpEle.indexOf(ele);
      if (r < 0) return -1;
    } else {
      const n = this.dict!.get(ele);
      if (n === undefined) return -1;
      r = this.zsl!.rank(n.score, ele) - 1;
    }
    return reverse ? this.size - 1 - r : r;
  }

  /** Removes the lowest (or highest) member; its member and score go to lastEle/lastScore. */
  pop(max: boolean): boolean {
    if (this.lpEle !== null) {
      const n = this.lpEle.length;
      if (n === 0) return false;
      const i = max ? n - 1 : 0;
      this.lastEle = this.lpEle[i];
      this.lastScore = this.lpScore![i];
      this.lpDeleteRange(i, 1);
      return true;
    }
    const zsl = this.zsl!;
    const node = max ? zsl.tail : zsl.first();
    if (node === null) return false;
    this.lastEle = node.ele;
    this.lastScore = node.score;
    this.dict!.delete(node.ele);
    zsl.delete(node.score, node.ele);
    return true;
  }

  /** Member and score at a 0-based rank (ascending) into lastEle/lastScore; false if out of range. */
  atRank(rank: number): boolean {
    if (rank < 0 || rank >= this.size) return false;
    if (this.lpEle !== null) {
      this.lastEle = this.lpEle[rank];
      this.lastScore = this.lpScore![rank];
    } else {
      const n = this.zsl!.byRank(rank + 1)!;
      this.lastEle = n.ele;
      this.lastScore = n.score;
    }
    return true;
  }

  /** Removes ranks start..end (0-based, inclusive, already clamped); returns how many. */
  deleteRangeByRank(start: number, end: number): number {
    if (this.lpEle !== null) {
      const n = end - start + 1;
      this.lpDeleteRange(start, n);
      return n;
    }
    const dict = this.dict!;
    return this.zsl!.deleteRangeByRank(start + 1, end + 1, (e) => dict.delete(e));
  }

  deleteRangeByScore(r: ScoreRange): number {
    if (this.lpEle !== null) {
      const first = this.lpFirstInRange(r);
      if (first < 0) return 0;
      let end = first;
      const scores = this.lpScore!;
      while (end < scores.length && scoreLteMax(scores[end], r)) end++;
      this.lpDeleteRange(first, end - first);
      return end - first;
    }
    const dict = this.dict!;
    return this.zsl!.deleteRangeByScore(r, (e) => dict.delete(e));
  }

  deleteRangeByLex(r: LexRange): number {
    if (this.lpEle !== null) {
      const first = this.lpFirstInLex(r);
      if (first < 0) return 0;
      let end = first;
      const eles = this.lpEle;
      while (end < eles.length && lexLteMax(eles[end], r)) end++;
      this.lpDeleteRange(first, end - first);
      return end - first;
    }
    const dict = this.dict!;
    return this.zsl!.deleteRangeByLex(r, (e) => dict.delete(e));
  }

  /** ZCOUNT */
  countInRange(r: ScoreRange): number {
    if (this.lpEle !== null) {
      const first = this.lpFirstInRange(r);
      if (first < 0) return 0;
      const scores = this.lpScore!;
      let end = first;
      while (end < scores.length && scoreLteMax(scores[end], r)) end++;
      return end - first;
    }
    const zsl = this.zsl!;
    const f = zsl.firstInRange(r);
    if (f === null) return 0;
    const l = zsl.lastInRange(r)!;
    return zsl.rank(l.score, l.ele) - zsl.rank(f.score, f.ele) + 1;
  }

  /** ZLEXCOUNT */
  countInLex(r: LexRange): number {
    if (this.lpEle !== null) {
      const first = this.lpFirstInLex(r);
      if (first < 0) return 0;
      const eles = this.lpEle;
      let end = first;
      while (end < eles.length && lexLteMax(eles[end], r)) end++;
      return end - first;
    }
    const zsl = this.zsl!;
    const f = zsl.firstInLexRange(r);
    if (f === null) return 0;
    const l = zsl.lastInLexRange(r);
    if (l === null) return 0;
    return zsl.rank(l.score, l.ele) - zsl.rank(f.score, f.ele) + 1;
  }

  // ---- listpack range helpers (positions, -1 when nothing is in range)

  private lpFirstInRange(r: ScoreRange): number {
    const scores = this.lpScore!;
    const n = scores.length;
    if (n === 0 || scoreRangeEmpty(r) || !scoreGteMin(scores[n - 1], r) || !scoreLteMax(scores[0], r)) return -1;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (scoreGteMin(scores[mid], r)) hi = mid;
      else lo = mid + 1;
    }
    return lo < n && scoreLteMax(scores[lo], r) ? lo : -1;
  }

  private lpLastInRange(r: ScoreRange): number {
    const scores = this.lpScore!;
    const n = scores.length;
    if (n === 0 || scoreRangeEmpty(r) || !scoreGteMin(scores[n - 1], r) || !scoreLteMax(scores[0], r)) return -1;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (scoreLteMax(scores[mid], r)) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    return i >= 0 && scoreGteMin(scores[i], r) ? i : -1;
  }

  private lpLexNonEmpty(r: LexRange): boolean {
    const eles = this.lpEle!;
    const n = eles.length;
    return n > 0 && !lexRangeEmpty(r) && lexGteMin(eles[n - 1], r) && lexLteMax(eles[0], r);
  }

  // Lex lookups walk the listpack like Redis does (members are only ordered when scores tie).
  private lpFirstInLex(r: LexRange): number {
    if (!this.lpLexNonEmpty(r)) return -1;
    const eles = this.lpEle!;
    for (let i = 0; i < eles.length; i++) {
      if (lexGteMin(eles[i], r)) return lexLteMax(eles[i], r) ? i : -1;
    }
    return -1;
  }

  private lpLastInLex(r: LexRange): number {
    if (!this.lpLexNonEmpty(r)) return -1;
    const eles = this.lpEle!;
    for (let i = eles.length - 1; i >= 0; i--) {
      if (lexLteMax(eles[i], r)) return lexGteMin(eles[i], r) ? i : -1;
    }
    return -1;
  }

  // ---- cursors

  /** A cursor at 0-based rank `rank` counted in the iteration direction. */
  cursorAtRank(rank: number, reverse: boolean): ZCursor {
    const cur = new ZCursor(this, reverse);
    const n = this.size;
    if (rank < 0 || rank >= n) return cur;
    if (this.lpEle !== null) cur.seekIndex(reverse ? n - 1 - rank : rank);
    else cur.seekNode(this.zsl!.byRank(reverse ? n - rank : rank + 1));
    return cur;
  }

  /** A cursor at the first (or, reverse, the last) member with a score in range. */
  cursorInRange(r: ScoreRange, reverse: boolean): ZCursor {
    const cur = new ZCursor(this, reverse);
    if (this.lpEle !== null) cur.seekIndex(reverse ? this.lpLastInRange(r) : this.lpFirstInRange(r));
    else cur.seekNode(reverse ? this.zsl!.lastInRange(r) : this.zsl!.firstInRange(r));
    return cur;
  }

  cursorInLex(r: LexRange, reverse: boolean): ZCursor {
    const cur = new ZCursor(this, reverse);
    if (this.lpEle !== null) cur.seekIndex(reverse ? this.lpLastInLex(r) : this.lpFirstInLex(r));
    else cur.seekNode(reverse ? this.zsl!.lastInLexRange(r) : this.zsl!.firstInLexRange(r));
    return cur;
  }

  // ---- whole-value access

  /** [member, score] pairs in ascending order (RDB, DEBUG, COPY...). */
  *entries(): IterableIterator<[string, number]> {
    if (this.lpEle !== null) {
      const eles = this.lpEle;
      const scores = this.lpScore!;
      for (let i = 0; i < eles.length; i++) yield [eles[i], scores[i]];
      return;
    }
    for (let x = this.zsl!.first(); x !== null; x = x.next[0]) yield [x.ele, x.score];
  }

  /** Members in ascending order. */
  *members(): IterableIterator<string> {
    for (const [e] of this.entries()) yield e;
  }

  /** Calls fn for every member, from the highest score down (the order ZUNION & co. read inputs). */
  forEachReverse(fn: (ele: string, score: number) => void): void {
    if (this.lpEle !== null) {
      const eles = this.lpEle;
      const scores = this.lpScore!;
      for (let i = eles.length - 1; i >= 0; i--) fn(eles[i], scores[i]);
      return;
    }
    for (let x = this.zsl!.tail; x !== null; x = x.backward) fn(x.ele, x.score);
  }

  clone(): ZSetValue {
    const z = new ZSetValue();
    if (this.lpEle !== null) {
      z.lpEle = this.lpEle.slice();
      z.lpScore = this.lpScore!.slice();
      return z;
    }
    z.toSkiplist();
    const zsl = z.zsl!;
    const dict = z.dict!;
    for (let x = this.zsl!.first(); x !== null; x = x.next[0]) dict.set(x.ele, zsl.insert(x.score, x.ele));
    return z;
  }

  /**
   * Bytes Redis would hold (objectComputeSize with every element): the robj and the listpack of
   * member/score pairs, or the skiplist structures, the dict's buckets and per member a node,
   * an sds and a dictEntry (counted by the skiplist as it changes).
   */
  memoryUsage(): number {
    const eles = this.lpEle;
    if (eles !== null) {
      const scores = this.lpScore!;
      let b = LP_OVERHEAD;
      for (let i = 0; i < eles.length; i++) b += lpEntryBytes(eles[i]) + lpScoreBytes(scores[i]);
      return ROBJ + jemSize(b);
    }
    return ZSET_SKIPLIST_BASE + dictBuckets(this.zsl!.length) + this.zsl!.bytes;
  }
}

/**
 * Walks a sorted set from a starting position in one direction. Valid while `valid`; the
 * current member and score are in `ele` / `score`. The set must not change while walking.
 */
export class ZCursor {
  valid = false;
  ele = '';
  score = 0;
  private i = -1;
  private node: SkipNode | null = null;

  constructor(
    private readonly z: ZSetValue,
    private readonly reverse: boolean,
  ) {}

  /** @internal */
  seekIndex(i: number): void {
    const eles = this.z.lpEle!;
    this.i = i;
    if (i < 0 || i >= eles.length) {
      this.valid = false;
      return;
    }
    this.valid = true;
    this.ele = eles[i];
    this.score = this.z.lpScore![i];
  }

  /** @internal */
  seekNode(n: SkipNode | null): void {
    this.node = n;
    if (n === null) {
      this.valid = false;
      return;
    }
    this.valid = true;
    this.ele = n.ele;
    this.score = n.score;
  }

  next(): void {
    if (!this.valid) return;
    if (this.z.lpEle !== null) this.seekIndex(this.reverse ? this.i - 1 : this.i + 1);
    else this.seekNode(this.reverse ? this.node!.backward : this.node!.next[0]);
  }
}

// ---------------------------------------------------------------- parsing

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Result of strtod: the value, how many characters were consumed, and C's ERANGE. */
export interface StrtodResult {
  value: number;
  end: number;
  erange: boolean;
}

function matchWord(s: string, i: number, w: string): boolean {
  return s.length - i >= w.length && s.slice(i, i + w.length).toLowerCase() === w;
}

/**
 * C's strtod (glibc) on a JS latin1 string: leading white space, sign, decimal with optional
 * exponent, hexadecimal (0x...p...), inf/infinity, nan/nan(...). `end` is 0 when nothing was
 * converted. Decimal conversion is correctly rounded, as glibc's is.
 */
export function strtod(s: string): StrtodResult {
  const n = s.length;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) {
    neg = s.charCodeAt(i) === 45;
    i++;
  }
  const sign = neg ? -1 : 1;
  if (matchWord(s, i, 'inf')) {
    const end = matchWord(s, i, 'infinity') ? i + 8 : i + 3;
    return { value: sign * Infinity, end, erange: false };
  }
  if (matchWord(s, i, 'nan')) {
    let end = i + 3;
    if (end < n && s.charCodeAt(end) === 40) {
      let j = end + 1;
      while (j < n && /[0-9A-Za-z_]/.test(s[j])) j++;
      if (j < n && s.charCodeAt(j) === 41) end = j + 1;
    }
    return { value: NaN, end, erange: false };
  }
  if (i + 1 < n && s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
    // Hexadecimal float: needs at least one hex digit, else only the "0" is converted.
    let j = i + 2;
    let mant = 0n;
    let digits = 0;
    let fracDigits = 0;
    let nonzero = false;
    while (j < n && hexVal(s.charCodeAt(j)) >= 0) {
      mant = mant * 16n + BigInt(hexVal(s.charCodeAt(j)));
      digits++;
      j++;
    }
    if (j < n && s.charCodeAt(j) === 46) {
      let k = j + 1;
      while (k < n && hexVal(s.charCodeAt(k)) >= 0) {
        mant = mant * 16n + BigInt(hexVal(s.charCodeAt(k)));
        digits++;
        fracDigits++;
        k++;
      }
      if (digits > 0) j = k;
    }
    if (digits === 0) return { value: 0 * sign, end: i + 1, erange: false };
    nonzero = mant !== 0n;
    let exp = 0;
    if (j < n && (s.charCodeAt(j) | 32) === 112) {
      let k = j + 1;
      let eneg = false;
      if (k < n && (s.charCodeAt(k) === 43 || s.charCodeAt(k) === 45)) {
        eneg = s.charCodeAt(k) === 45;
        k++;
      }
      if (k < n && isDigit(s.charCodeAt(k))) {
        let e = 0;
        while (k < n && isDigit(s.charCodeAt(k))) {
          if (e < 100000) e = e * 10 + (s.charCodeAt(k) - 48);
          k++;
        }
        exp = eneg ? -e : e;
        j = k;
      }
    }
    const v = Number(mant) * Math.pow(2, exp - 4 * fracDigits);
    const value = sign * v;
    return { value, end: j, erange: (nonzero && v === 0) || !Number.isFinite(v) };
  }
  // Decimal.
  const start = i;
  let digits = 0;
  let nonzero = false;
  while (i < n && isDigit(s.charCodeAt(i))) {
    if (s.charCodeAt(i) !== 48) nonzero = true;
    digits++;
    i++;
  }
  if (i < n && s.charCodeAt(i) === 46) {
    let k = i + 1;
    let frac = 0;
    while (k < n && isDigit(s.charCodeAt(k))) {
      if (s.charCodeAt(k) !== 48) nonzero = true;
      frac++;
      k++;
    }
    if (digits + frac > 0) {
      digits += frac;
      i = k;
    }
  }
  if (digits === 0) return { value: 0, end: 0, erange: false };
  if (i < n && (s.charCodeAt(i) | 32) === 101) {
    let k = i + 1;
    if (k < n && (s.charCodeAt(k) === 43 || s.charCodeAt(k) === 45)) k++;
    if (k < n && isDigit(s.charCodeAt(k))) {
      while (k < n && isDigit(s.charCodeAt(k))) k++;
      i = k;
    }
  }
  const v = Number(s.slice(start, i)); // JS accepts the same shapes: "1.", ".5", "1.e3"

  const value = sign * v;
  return { value, end: i, erange: (nonzero && v === 0) || !Number.isFinite(v) };
}

/**
 * Redis's string2d (getDoubleFromObject): a score / weight / increment. The whole string must
 * convert, no leading space, no NaN, no overflow or underflow to zero. Null when invalid.
 */
export function parseScore(s: string): number | null {
  const n = s.length;
  if (n === 0) return null;
  // Fast path: plain integers.
  if (n < 16) {
    let i = 0;
    let neg = false;
    const c0 = s.charCodeAt(0);
    if (c0 === 45) {
      neg = true;
      i = 1;
    } else if (c0 === 43) i = 1;
    if (i < n) {
      let v = 0;
      for (; i < n; i++) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (i === n) return neg ? -v : v;
    }
  }
  if (isSpace(s.charCodeAt(0))) return null;
  const r = strtod(s);
  if (r.end !== n || Number.isNaN(r.value)) return null;
  if (r.erange && (r.value === 0 || !Number.isFinite(r.value))) return null;
  return r.value;
}

/** C sees an sds with a NUL byte as ending there. */
function cString(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

function parseRangeItem(arg: string): [number, boolean] | null {
  let s = cString(arg);
  let ex = false;
  if (s.charCodeAt(0) === 40) {
    ex = true;
    s = s.slice(1);
  }
  const r = strtod(s);
  if (r.end !== s.length || Number.isNaN(r.value)) return null;
  return [r.value, ex];
}

/** ZRANGEBYSCORE-style bounds: "1.5", "(1.5", "-inf", "+inf". Null when not a float. */
export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const a = parseRangeItem(min);
  if (a === null) return null;
  const b = parseRangeItem(max);
  if (b === null) return null;
  return { min: a[0], minex: a[1], max: b[0], maxex: b[1] };
}

function parseLexItem(arg: string): [string, LexKind, boolean] | null {
  const c = arg.charCodeAt(0);
  if (c === 43 /* + */ || c === 45 /* - */) {
    if (arg.length !== 1 && arg.charCodeAt(1) !== 0) return null;
    return ['', c === 43 ? LexKind.Max : LexKind.Min, true];
  }
  if (c === 40 /* ( */) return [arg.slice(1), LexKind.Str, true];
  if (c === 91 /* [ */) return [arg.slice(1), LexKind.Str, false];
  return null;
}

/** ZRANGEBYLEX-style bounds: "[a", "(a", "-", "+". Null when invalid. */
export function parseLexRange(min: string, max: string): LexRange | null {
  const a = parseLexItem(min);
  if (a === null) return null;
  const b = parseLexItem(max);
  if (b === null) return null;
  return { min: a[0], minKind: a[1], minex: a[2], max: b[0], maxKind: b[1], maxex: b[2] };
}

/**
 * A score as Redis keeps it in a listpack and shows it in ZSCAN of a small set: an integer
 * when integral and within ±2^62, otherwise %.17g.
 */
export function formatListpackScore(d: number): string {
  if (Number.isInteger(d) && Math.abs(d) <= 4611686018427387903) return d === 0 ? '0' : BigInt(d).toString();
  return formatG17Like(d);
}

/** %.17Lg of a double as Redis prints a skiplist score in ZSCAN ("-0" kept, "inf", "-inf"). */
export function formatScanScore(d: number): string {
  if (Object.is(d, -0)) return '-0';
  return formatG17Like(d);
}

function formatG17Like(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  return formatG17(d);
}
