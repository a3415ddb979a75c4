/**
 * The ordered index of large sorted sets: a skiplist ordered by (score, member) whose forward
 * links carry spans (how many level-0 steps each link jumps), so rank queries and access by
 * rank are O(log n) like searches, as in Redis's zskiplist.
 *
 *   level 2  head ─────────────4────────────▶ c ──────────1──────────▶ nil
 *   level 1  head ──1──▶ a ─────3─────────▶ c ──1──▶ d ───────────────▶ nil
 *   level 0  head ──1──▶ a ──1──▶ b ──1──▶ c ──1──▶ d ──1──▶ e ──────▶ nil
 *
 * The rank of a node is the sum of the spans followed to reach it. Members compare as latin1
 * strings, which orders them like memcmp on their bytes.
 */

export const SKIPLIST_MAXLEVEL = 32;
const P = 0.25;

import { DICT_ENTRY, sdsBytes, zslNodeBytes } from './memsize.js';

/** What Redis allocates per member of a skiplist sorted set: the node, the member's sds and its dictEntry. */
function memberBytes(level: number, ele: string): number {
  return zslNodeBytes(level) + sdsBytes(ele.length) + DICT_ENTRY;
}

export class SkipNode {
  backward: SkipNode | null = null;
  readonly next: (SkipNode | null)[];
  readonly span: number[];

  constructor(
    public ele: string,
    public score: number,
    level: number,
  ) {
    // Exact-size arrays: growing empty arrays by push reserves ~17 slots, which for the
    // typical one-level node multiplies its memory (and garbage-collection work) by three.
    this.next = new Array<SkipNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }

  get level(): number {
    return this.next.length;
  }
}

/** A score interval; `minex`/`maxex` make an end exclusive ("(1.5"). */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** Bound kinds of a lex range: an ordinary string, or the "-" / "+" infinities. */
export const enum LexKind {
  Str = 0,
  Min = -1,
  Max = 1,
}

/** A lexicographic interval as ZRANGEBYLEX takes it ("[a", "(b", "-", "+"). */
export interface LexRange {
  min: string;
  minKind: LexKind;
  minex: boolean;
  max: string;
  maxKind: LexKind;
  maxex: boolean;
}

export function scoreGteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}

export function scoreLteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}

/** True when no score can be in the range (min > max, or an empty half-open point). */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares a member with a lex bound. */
function cmpBound(v: string, bound: string, kind: LexKind): number {
  if (kind === LexKind.Min) return 1;
  if (kind === LexKind.Max) return -1;
  return cmpStr(v, bound);
}

export function lexGteMin(v: string, r: LexRange): boolean {
  const c = cmpBound(v, r.min, r.minKind);
  return r.minex ? c > 0 : c >= 0;
}

export function lexLteMax(v: string, r: LexRange): boolean {
  const c = cmpBound(v, r.max, r.maxKind);
  return r.maxex ? c < 0 : c <= 0;
}

/** True when no string can be in the range ("(a" "(a", "[b" "[a", "+" "-", "-" "-"...). */
export function lexRangeEmpty(r: LexRange): boolean {
  let c: number;
  if (r.minKind !== LexKind.Str && r.minKind === r.maxKind) c = 0;
  else if (r.minKind === LexKind.Min || r.maxKind === LexKind.Max) c = -1;
  else if (r.minKind === LexKind.Max || r.maxKind === LexKind.Min) c = 1;
  else c = cmpStr(r.min, r.max);
  return c > 0 || (c === 0 && (r.minex || r.maxex));
}

/** (score, ele) ordering of the skiplist: true if a node with (s1, e1) sorts before (s2, e2). */
function before(s1: number, e1: string, s2: number, e2: string): boolean {
  return s1 < s2 || (s1 === s2 && e1 < e2);
}

function randomLevel(): number {
  let level = 1;
  while (level < SKIPLIST_MAXLEVEL && Math.random() < P) level++;
  return level;
}

// Scratch arrays for insert/delete paths (one command runs at a time).
const UPDATE: SkipNode[] = new Array<SkipNode>(SKIPLIST_MAXLEVEL);
const RANK: number[] = new Array<number>(SKIPLIST_MAXLEVEL).fill(0);

export class SkipList {
  readonly head = new SkipNode('', 0, SKIPLIST_MAXLEVEL);
  tail: SkipNode | null = null;
  length = 0;
  level = 1;
  /** Redis's allocations for the members (see memberBytes), kept on every insert and unlink. */
  bytes = 0;

  /** Inserts a member that is not present yet. */
  insert(score: number, ele: string): SkipNode {
    const update = UPDATE;
    const rank = RANK;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let nx = x.next[i];
      while (nx !== null && before(nx.score, nx.ele, score, ele)) {
        rank[i] += x.span[i];
        x = nx;
        nx = x.next[i];
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        update[i].span[i] = this.length;
      }
      this.level = level;
    }
    const node = new SkipNode(ele, score, level);
    for (let i = 0; i < level; i++) {
      const u = update[i];
      node.next[i] = u.next[i];
      u.next[i] = node;
      node.span[i] = u.span[i] - (rank[0] - rank[i]);
      u.span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    node.backward = update[0] === this.head ? null : update[0];
    const n0 = node.next[0];
    if (n0 !== null) n0.backward = node;
    else this.tail = node;
    this.length++;
    this.bytes += memberBytes(level, ele);
    return node;
  }

  /** Unlinks x given the update vector of its predecessors. */
  private unlink(x: SkipNode, update: SkipNode[]): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i];
      if (u.next[i] === x) {
        u.span[i] += x.span[i] - 1;
        u.next[i] = x.next[i];
      } else {
        u.span[i] -= 1;
      }
    }
    const n0 = x.next[0];
    if (n0 !== null) n0.backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && this.head.next[this.level - 1] === null) this.level--;
    this.length--;
    this.bytes -= memberBytes(x.next.length, x.ele);
  }

  /** Deletes the node with exactly this (score, ele); returns it, or null if absent. */
  delete(score: number, ele: string): SkipNode | null {
    const update = UPDATE;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && before(nx.score, nx.ele, score, ele)) {
        x = nx;
        nx = x.next[i];
      }
      update[i] = x;
    }
    const found = x.next[0];
    if (found !== null && found.score === score && found.ele === ele) {
      this.unlink(found, update);
      return found;
    }
    return null;
  }

  /**
   * Changes the score of an existing member. When the node keeps its position it is updated
   * in place, otherwise it is removed and reinserted. Returns the node now holding it.
   */
  updateScore(curScore: number, ele: string, newScore: number): SkipNode {
    const update = UPDATE;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && before(nx.score, nx.ele, curScore, ele)) {
        x = nx;
        nx = x.next[i];
      }
      update[i] = x;
    }
    const node = x.next[0]!;
    const prev = node.backward;
    const next = node.next[0];
    if ((prev === null || prev.score < newScore) && (next === null || next.score > newScore)) {
      node.score = newScore;
      return node;
    }
    this.unlink(node, update);
    return this.insert(newScore, node.ele);
  }

  /** 1-based rank of (score, ele), 0 when absent. */
  rank(score: number, ele: string): number {
    let rank = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && (before(nx.score, nx.ele, score, ele) || (nx.score === score && nx.ele === ele))) {
        rank += x.span[i];
        x = nx;
        nx = x.next[i];
      }
      if (x !== this.head && x.score === score && x.ele === ele) return rank;
    }
    return 0;
  }

  /** Node at a 1-based rank, or null. */
  byRank(rank: number): SkipNode | null {
    if (rank < 1 || rank > this.length) return null;
    let traversed = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && traversed + x.span[i] <= rank) {
        traversed += x.span[i];
        x = nx;
        nx = x.next[i];
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  first(): SkipNode | null {
    return this.head.next[0];
  }

  private inRange(r: ScoreRange): boolean {
    if (scoreRangeEmpty(r)) return false;
    const t = this.tail;
    if (t === null || !scoreGteMin(t.score, r)) return false;
    const f = this.head.next[0];
    return f !== null && scoreLteMax(f.score, r);
  }

  firstInRange(r: ScoreRange): SkipNode | null {
    if (!this.inRange(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && !scoreGteMin(nx.score, r)) {
        x = nx;
        nx = x.next[i];
      }
    }
    const f = x.next[0];
    return f !== null && scoreLteMax(f.score, r) ? f : null;
  }

  lastInRange(r: ScoreRange): SkipNode | null {
    if (!this.inRange(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && scoreLteMax(nx.score, r)) {
        x = nx;
        nx = x.next[i];
      }
    }
    return x !== this.head && scoreGteMin(x.score, r) ? x : null;
  }

  private inLexRange(r: LexRange): boolean {
    if (lexRangeEmpty(r)) return false;
    const t = this.tail;
    if (t === null || !lexGteMin(t.ele, r)) return false;
    const f = this.head.next[0];
    return f !== null && lexLteMax(f.ele, r);
  }

  firstInLexRange(r: LexRange): SkipNode | null {
    if (!this.inLexRange(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && !lexGteMin(nx.ele, r)) {
        x = nx;
        nx = x.next[i];
      }
    }
    const f = x.next[0];
    return f !== null && lexLteMax(f.ele, r) ? f : null;
  }

  lastInLexRange(r: LexRange): SkipNode | null {
    if (!this.inLexRange(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && lexLteMax(nx.ele, r)) {
        x = nx;
        nx = x.next[i];
      }
    }
    return x !== this.head && lexGteMin(x.ele, r) ? x : null;
  }

  /** Deletes the nodes with scores in range; `removed` is called with each member. */
  deleteRangeByScore(r: ScoreRange, removed: (ele: string) => void): number {
    const update = UPDATE;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && !scoreGteMin(nx.score, r)) {
        x = nx;
        nx = x.next[i];
      }
      update[i] = x;
    }
    let cur = x.next[0];
    let n = 0;
    while (cur !== null && scoreLteMax(cur.score, r)) {
      const next = cur.next[0];
      this.unlink(cur, update);
      removed(cur.ele);
      n++;
      cur = next;
    }
    return n;
  }

  deleteRangeByLex(r: LexRange, removed: (ele: string) => void): number {
    const update = UPDATE;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && !lexGteMin(nx.ele, r)) {
        x = nx;
        nx = x.next[i];
      }
      update[i] = x;
    }
    let cur = x.next[0];
    let n = 0;
    while (cur !== null && lexLteMax(cur.ele, r)) {
      const next = cur.next[0];
      this.unlink(cur, update);
      removed(cur.ele);
      n++;
      cur = next;
    }
    return n;
  }

  /** Deletes nodes with 1-based ranks start..end inclusive. */
  deleteRangeByRank(start: number, end: number, removed: (ele: string) => void): number {
    const update = UPDATE;
    let traversed = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && traversed + x.span[i] < start) {
        traversed += x.span[i];
        x = nx;
        nx = x.next[i];
      }
      update[i] = x;
    }
    traversed++;
    let cur = x.next[0];
    let n = 0;
    while (cur !== null && traversed <= end) {
      const next = cur.next[0];
      this.unlink(cur, update);
      removed(cur.ele);
      n++;
      traversed++;
      cur = next;
    }
    return n;
  }

  /** Checks every invariant (order, spans, backward links, length); for tests. */
  check(): void {
    let prev: SkipNode | null = null;
    let n = 0;
    for (let x = this.head.next[0]; x !== null; x = x.next[0]) {
      if (x.backward !== prev) throw new Error(`bad backward link at ${x.ele}`);
      if (prev !== null && !before(prev.score, prev.ele, x.score, x.ele)) throw new Error(`order broken at ${x.ele}`);
      prev = x;
      n++;
    }
    if (n !== this.length) throw new Error(`length ${this.length} but ${n} nodes`);
    if (this.tail !== prev) throw new Error('bad tail');
    // Spans: following level i from any node must land on the node span[i] ranks ahead.
    const rankOf = new Map<SkipNode, number>();
    let r = 0;
    for (let x = this.head.next[0]; x !== null; x = x.next[0]) rankOf.set(x, ++r);
    rankOf.set(this.head, 0);
    for (const [node, rank] of rankOf) {
      for (let i = 0; i < (node === this.head ? this.level : node.level); i++) {
        const nx = node.next[i];
        const target = nx === null ? this.length + 1 : rankOf.get(nx)!;
        if (nx !== null && node.span[i] !== target - rank) throw new Error(`bad span at level ${i}`);
      }
    }
  }
}
