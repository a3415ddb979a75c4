/**
 * The stream value: entries packed in listpack nodes (see stream-node.ts) kept in an array
 * sorted by master ID (binary search stands in for Redis's radix tree), the stream's metadata
 * (last generated ID, first live ID, max deleted ID, entries added) and its consumer groups
 * (stream-group.ts). Node boundaries follow Redis's rules so `~` trimming, XDEL of a node's last
 * live entry and XINFO's radix-tree-keys behave as in Redis.
 */
import { ValueType, type RedisValue } from './values.js';
import { StreamNode, target, type StreamEntry } from './stream-node.js';
import { ID_MAX, ID_MIN, U64_MAX, idMs, makeId, type StreamId } from './stream-id.js';
import { ConsumerGroup } from './stream-group.js';

/** Redis's STREAM_LISTPACK_MAX_SIZE: the node byte cap when the config is 0 or larger. */
const LISTPACK_MAX = 1 << 30;

const SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

const TARGET_MAX = target(ID_MAX);

/**
 * The last clock reading an ID was generated from, as an ID (ms-0) and as text: the streams
 * written in the same millisecond share them instead of converting the time again.
 */
let nowKey = -1;
let nowId: StreamId = 0n;
let nowText = '';

/** Per-node bytes besides its listpack: the node object, its master ID, the Buffer's objects. */
const NODE_OVERHEAD = 320;

/** First capacity of a tail node's buffer (it doubles as entries come, and is trimmed to fit when sealed). */
const INITIAL_NODE_BYTES = 256;
/** At most this much is reserved up front for a new tail node. */
const MAX_INITIAL_NODE_BYTES = 8192;

export interface NodeLimits {
  maxBytes: number;
  maxEntries: number;
}

export const enum Trim {
  None = 0,
  MaxLen = 1,
  MinId = 2,
}

export interface TrimArgs {
  strategy: Trim;
  approx: boolean;
  /** Maximum entries removed, 0 = no limit. */
  limit: number;
  maxlen: number;
  minid: StreamId;
}

export const enum AppendResult {
  Ok = 0,
  /** The ID is not greater than the stream's last ID. */
  NotGreater = 1,
  /** The elements exceed what one listpack holds. */
  TooLarge = 2,
}

export class StreamValue implements RedisValue {
  readonly type = ValueType.Stream;
  lru = 0;
  sv = 0;
  nodes: StreamNode[] = [];
  length = 0;
  lastId: StreamId = ID_MIN;
  firstId: StreamId = ID_MIN;
  maxDeletedId: StreamId = ID_MIN;
  entriesAdded = 0;
  /** Consumer groups by name (ordered by name where Redis's radix tree orders them). */
  groups = new Map<string, ConsumerGroup>();
  /** Set by append(): the ID just added. */
  addedId: StreamId = ID_MIN;
  /** addedId's text when append() had it at hand (else null: format addedId). */
  addedText: string | null = null;
  /** lastId split into numbers (-1 when beyond 2^53), valid while lastId === numKey. */
  private numKey: StreamId = -1n;
  private numMs = -1;
  private numSeq = -1;
  /** lastValidId() while the entries do not change; -1 when unknown. */
  private lastValid: StreamId = -1n;
  /** Sum of the nodes' buffer capacities (kept up to date by every change). */
  private packed = 0;

  encoding(): string {
    return 'stream';
  }

  /**
   * Approximate bytes held: the nodes' buffers plus a fixed cost per node (node object, master
   * ID, buffer objects) and the groups. O(groups + consumers), not O(entries).
   */
  sizeEstimate(): number {
    let b = 160 + this.packed + this.nodes.length * NODE_OVERHEAD;
    for (const g of this.groups.values()) b += g.memoryUsage();
    return b;
  }

  memoryUsage(): number {
    return this.sizeEstimate();
  }

  /** The nodes' listpack bytes (sealed nodes are trimmed to their length; the last may hold spare room). */
  get packedBytes(): number {
    return this.packed;
  }

  clone(): StreamValue {
    const s = new StreamValue();
    s.nodes = this.nodes.map((n) => n.clone());
    for (const n of s.nodes) s.packed += n.buf.length;
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    for (const [name, g] of this.groups) s.groups.set(name, g.clone());
    return s;
  }

  /** Adds a node built elsewhere (RDB loading) after the last one. */
  pushNode(n: StreamNode): void {
    n.seal();
    this.nodes.push(n);
    this.packed += n.buf.length;
    this.lastValid = -1n;
  }

  /**
   * Adds an entry. `useId` null generates the ID from `nowMs`; with `seqGiven` false only the
   * ms part of `useId` is given and the sequence is generated.
   */
  append(kv: string[], useId: StreamId | null, seqGiven: boolean, nowMs: number, lim: NodeLimits): AppendResult {
    let id: StreamId;
    const last = this.lastId;
    // The generated-ID path with plain numbers (no bigint arithmetic) while they are exact.
    if (last !== this.numKey) {
      this.numKey = last;
      const ms = last >> 64n;
      const seq = last & U64_MAX;
      this.numMs = ms <= SAFE_BIG && seq < SAFE_BIG ? Number(ms) : -1;
      this.numSeq = this.numMs >= 0 ? Number(seq) : -1;
    }
    let ms = -1;
    let seq = -1;
    if (useId === null && this.numMs >= 0 && nowMs >= 0) {
      // Greater than `last` by construction.
      if (nowMs > this.numMs) {
        ms = nowMs;
        seq = 0;
        if (nowMs !== nowKey) {
          nowKey = nowMs;
          nowId = BigInt(nowMs) << 64n;
          nowText = String(nowMs);
        }
        id = nowId;
      } else {
        ms = this.numMs;
        seq = this.numSeq + 1;
        id = last + 1n;
      }
    } else if (useId !== null) {
      if (seqGiven) id = useId;
      else if (idMs(last) === idMs(useId)) {
        // Redis fails here without setting errno, so it reports the size error.
        if ((last & U64_MAX) === U64_MAX) return AppendResult.TooLarge;
        id = last + 1n;
      } else id = useId;
    } else {
      const ms = BigInt(nowMs);
      id = ms > idMs(last) ? makeId(ms, 0n) : last === ID_MAX ? ID_MIN : last + 1n;
    }
    if (ms < 0 && id <= last) return AppendResult.NotGreater;
    let tot = 0;
    for (const s of kv) tot += s.length;
    if (tot > LISTPACK_MAX) return AppendResult.TooLarge;

    const nodes = this.nodes;
    let node = nodes.length > 0 ? nodes[nodes.length - 1] : null;
    if (node !== null) {
      let maxBytes = lim.maxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX) maxBytes = LISTPACK_MAX;
      if (node.bytes + tot >= maxBytes) node = null;
      else if (lim.maxEntries !== 0 && node.live + node.deleted >= lim.maxEntries) node = null;
    }
    let same = true;
    if (node === null) {
      // The new node's buffer is sized like the last one ended (entries tend to look alike)
      // plus room for an append's worst-case estimate: no doublings from INITIAL_NODE_BYTES.
      let capacity = INITIAL_NODE_BYTES;
      if (nodes.length > 0) {
        const prev = nodes[nodes.length - 1];
        this.packed -= prev.buf.length;
        prev.seal();
        this.packed += prev.buf.length;
        capacity = Math.min(Math.max(prev.bytes + 128, INITIAL_NODE_BYTES), MAX_INITIAL_NODE_BYTES);
      }
      const fields: string[] = [];
      for (let i = 0; i < kv.length; i += 2) fields.push(kv[i]);
      node = StreamNode.create(id, fields, capacity);
      nodes.push(node);
      this.packed += node.buf.length;
    } else {
      same = node.sameFields(kv);
    }
    const before = node.buf.length;
    node.append(id, kv, same, 0, ms, seq);
    this.packed += node.buf.length - before;
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
    this.addedId = id;
    this.lastValid = id;
    this.addedText = ms < 0 ? null : (ms === nowKey ? nowText : String(ms)) + '-' + seq;
    if (ms >= 0) {
      this.numKey = id;
      this.numMs = ms;
      this.numSeq = seq;
    }
    return AppendResult.Ok;
  }

  /** Index of the node that may hold `id` (the last node whose master ≤ id), -1 if none. */
  private nodeFor(id: StreamId): number {
    const a = this.nodes;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid].master <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The live entry with this ID, if any. */
  get(id: StreamId): StreamEntry | undefined {
    const ni = this.nodeFor(id);
    if (ni < 0) return undefined;
    return this.nodes[ni].get(id);
  }

  /** Live entries with start ≤ id ≤ end, ascending or (rev) descending. */
  *range(start: StreamId, end: StreamId, rev = false): Generator<StreamEntry> {
    if (start > end) return;
    const nodes = this.nodes;
    const ts = target(start);
    const te = target(end);
    if (!rev) {
      for (let ni = Math.max(0, this.nodeFor(start)); ni < nodes.length; ni++) {
        const n = nodes[ni];
        if (n.master > end) return;
        if (!(yield* n.ascending(ts, te))) return;
      }
    } else {
      for (let ni = this.nodeFor(end); ni >= 0; ni--) {
        if (!(yield* nodes[ni].descending(ts, te))) return;
      }
    }
  }

  /**
   * range() into an array, at most `max` entries (0: all): what XRANGE, XREAD and XREADGROUP
   * reply, without the two generators per call.
   */
  rangeArray(start: StreamId, end: StreamId, max: number): StreamEntry[] {
    const out: StreamEntry[] = [];
    if (start > end) return out;
    const nodes = this.nodes;
    const ts = target(start);
    const te = end === ID_MAX ? TARGET_MAX : target(end);
    for (let ni = Math.max(0, this.nodeFor(start)); ni < nodes.length; ni++) {
      const n = nodes[ni];
      if (n.master > end) break;
      if (!n.collect(ts, te, out, max)) break;
    }
    return out;
  }

  /** First (or last) entry ID, tombstones included or not; ID_MAX (ID_MIN for last) when none. */
  edgeId(first: boolean, skipTombstones: boolean): StreamId {
    const nodes = this.nodes;
    if (first) {
      for (const n of nodes) {
        const id = n.edgeId(true, skipTombstones);
        if (id !== null) return id;
      }
      return ID_MAX;
    }
    for (let ni = nodes.length - 1; ni >= 0; ni--) {
      const id = nodes[ni].edgeId(false, skipTombstones);
      if (id !== null) return id;
    }
    return ID_MIN;
  }

  /** The last live entry's ID (0-0 when empty). */
  lastValidId(): StreamId {
    if (this.lastValid < 0n) this.lastValid = this.edgeId(false, true);
    return this.lastValid;
  }

  /** XDEL of one ID: true if a live entry was deleted. A node left with no live entry goes. */
  delete(id: StreamId): boolean {
    const ni = this.nodeFor(id);
    if (ni < 0) return false;
    const n = this.nodes[ni];
    const before = n.buf.length;
    if (!n.delete(id)) return false;
    this.lastValid = -1n;
    if (n.live === 0) {
      this.nodes.splice(ni, 1);
      this.packed -= before;
    } else this.packed += n.buf.length - before;
    this.length--;
    return true;
  }

  /** Redis's streamTrim: returns how many entries were removed. */
  trim(a: TrimArgs): number {
    if (a.strategy === Trim.None) return 0;
    let deleted = 0;
    let removeHead = 0;
    const nodes = this.nodes;
    for (let ni = 0; ni < nodes.length; ni++) {
      if (a.strategy === Trim.MaxLen && this.length <= a.maxlen) break;
      const n = nodes[ni];
      const entries = n.live;
      if (a.limit !== 0 && deleted + entries > a.limit) break;
      const removeNode = a.strategy === Trim.MaxLen ? this.length - entries >= a.maxlen : n.lastEntryId() < a.minid;
      if (removeNode) {
        removeHead++;
        this.length -= entries;
        deleted += entries;
        this.packed -= n.buf.length;
        continue;
      }
      if (a.approx) break;
      const before = n.buf.length;
      const k = a.strategy === Trim.MaxLen ? n.trimHead(this.length - a.maxlen, null) : n.trimHead(Infinity, a.minid);
      this.length -= k;
      deleted += k;
      this.packed += n.buf.length - before;
      break;
    }
    if (deleted > 0) this.lastValid = -1n;
    if (removeHead > 0) nodes.splice(0, removeHead);
    if (this.length === 0) this.firstId = ID_MIN;
    else if (deleted > 0) this.firstId = this.edgeId(true, true);
    return deleted;
  }

  /** XDEL bookkeeping after deletions (first ID). */
  afterDelete(firstDeleted: boolean): void {
    if (this.length === 0) this.firstId = ID_MIN;
    else if (firstDeleted) this.firstId = this.edgeId(true, true);
  }

  /** Redis's streamRangeHasTombstones. */
  rangeHasTombstones(start: StreamId, end: StreamId): boolean {
    if (this.length === 0 || this.maxDeletedId === ID_MIN) return false;
    if (this.firstId > this.maxDeletedId) return false;
    return start <= this.maxDeletedId && this.maxDeletedId <= end;
  }

  /**
   * Redis's streamEstimateDistanceFromFirstEverEntry: how many entries were added up to `id`,
   * or -1 when it cannot be known (tombstones in the way).
   */
  estimateDistance(id: StreamId): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && id < this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return -1;
    if (this.maxDeletedId === ID_MIN || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length;
      if (id === this.firstId) return this.entriesAdded - this.length + 1;
    }
    return -1;
  }
}
