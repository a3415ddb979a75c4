/**
 * The stream value: entries in nodes (see stream-node.ts) ordered by ID, the stream's metadata
 * (last generated ID, first live ID, max deleted ID, entries added) and its consumer groups
 * (stream-group.ts). Node boundaries follow Redis's rules so `~` trimming, XDEL of a node's last
 * live entry and XINFO's radix-tree-keys behave as in Redis.
 */
import { ValueType, type RedisValue } from './values.js';
import { StreamNode, type StreamEntry } from './stream-node.js';
import { ID_MAX, ID_MIN, U64_MAX, idMs, makeId, type StreamId } from './stream-id.js';
import { ConsumerGroup } from './stream-group.js';

/** Redis's STREAM_LISTPACK_MAX_SIZE: the node byte cap when the config is 0 or larger. */
const LISTPACK_MAX = 1 << 30;

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

  encoding(): string {
    return 'stream';
  }

  memoryUsage(): number {
    let b = 96;
    for (const n of this.nodes) b += n.bytes + 48;
    for (const g of this.groups.values()) b += g.memoryUsage();
    return b;
  }

  clone(): StreamValue {
    const s = new StreamValue();
    s.nodes = this.nodes.map((n) => n.clone());
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    for (const [name, g] of this.groups) s.groups.set(name, g.clone());
    return s;
  }

  /**
   * Adds an entry. `useId` null generates the ID from `nowMs`; with `seqGiven` false only the
   * ms part of `useId` is given and the sequence is generated.
   */
  append(kv: string[], useId: StreamId | null, seqGiven: boolean, nowMs: number, lim: NodeLimits): AppendResult {
    let id: StreamId;
    const last = this.lastId;
    if (useId !== null) {
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
    if (id <= last) return AppendResult.NotGreater;
    let tot = 0;
    for (const s of kv) tot += s.length;
    if (tot > LISTPACK_MAX) return AppendResult.TooLarge;

    let node = this.nodes.length > 0 ? this.nodes[this.nodes.length - 1] : null;
    if (node !== null) {
      let maxBytes = lim.maxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX) maxBytes = LISTPACK_MAX;
      if (node.bytes + tot >= maxBytes) node = null;
      else if (lim.maxEntries !== 0 && node.live + node.deleted >= lim.maxEntries) node = null;
    }
    let same = true;
    if (node === null) {
      const fields: string[] = [];
      for (let i = 0; i < kv.length; i += 2) fields.push(kv[i]);
      node = new StreamNode(id, fields);
      this.nodes.push(node);
    } else {
      same = node.sameFields(kv);
    }
    node.append({ id, kv, deleted: false, same });
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
    this.addedId = id;
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
    const n = this.nodes[ni];
    const i = n.lowerBound(id);
    const e = n.entries[i];
    return e !== undefined && e.id === id && !e.deleted ? e : undefined;
  }

  /** Live entries with start ≤ id ≤ end, ascending or (rev) descending, at most `count` (0 = all). */
  *range(start: StreamId, end: StreamId, rev = false): Generator<StreamEntry> {
    if (start > end) return;
    const nodes = this.nodes;
    if (!rev) {
      let ni = Math.max(0, this.nodeFor(start));
      for (; ni < nodes.length; ni++) {
        const n = nodes[ni];
        if (n.master > end) return;
        const es = n.entries;
        for (let i = n.lowerBound(start); i < es.length; i++) {
          const e = es[i];
          if (e.id > end) return;
          if (!e.deleted) yield e;
        }
      }
    } else {
      for (let ni = this.nodeFor(end); ni >= 0; ni--) {
        const n = nodes[ni];
        const es = n.entries;
        let i = n.lowerBound(end);
        if (i === es.length || es[i].id > end) i--;
        for (; i >= 0; i--) {
          const e = es[i];
          if (e.id < start) return;
          if (!e.deleted) yield e;
        }
      }
    }
  }

  /** First (or last) entry ID, tombstones included or not; ID_MAX (ID_MIN for last) when none. */
  edgeId(first: boolean, skipTombstones: boolean): StreamId {
    const nodes = this.nodes;
    if (first) {
      for (const n of nodes) for (const e of n.entries) if (!skipTombstones || !e.deleted) return e.id;
      return ID_MAX;
    }
    for (let ni = nodes.length - 1; ni >= 0; ni--) {
      const es = nodes[ni].entries;
      for (let i = es.length - 1; i >= 0; i--) if (!skipTombstones || !es[i].deleted) return es[i].id;
    }
    return ID_MIN;
  }

  /** The last live entry's ID (0-0 when empty). */
  lastValidId(): StreamId {
    return this.edgeId(false, true);
  }

  /** XDEL of one ID: true if a live entry was deleted. A node left with no live entry goes. */
  delete(id: StreamId): boolean {
    const ni = this.nodeFor(id);
    if (ni < 0) return false;
    const n = this.nodes[ni];
    const e = n.entries[n.lowerBound(id)];
    if (e === undefined || e.id !== id || e.deleted) return false;
    if (n.live === 1) this.nodes.splice(ni, 1);
    else n.markDeleted(e);
    e.deleted = true;
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
      const removeNode = a.strategy === Trim.MaxLen ? this.length - entries >= a.maxlen : n.last.id < a.minid;
      if (removeNode) {
        removeHead++;
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (a.approx) break;
      for (const e of n.entries) {
        const stop = a.strategy === Trim.MaxLen ? this.length <= a.maxlen : e.id >= a.minid;
        if (stop) break;
        if (!e.deleted) {
          n.markDeleted(e);
          this.length--;
          deleted++;
        }
      }
      break;
    }
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
