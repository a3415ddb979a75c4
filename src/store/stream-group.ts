/**
 * Consumer groups of a stream: the group's last delivered ID and entries-read counter, its
 * pending entries list (PEL: ID → NACK) and its consumers, each with its own view of the NACKs
 * it owns. PELs are kept sorted by ID (see Pel).
 */
import type { StreamId } from './stream-id.js';

export interface Nack {
  id: StreamId;
  consumer: Consumer;
  deliveryTime: number;
  deliveryCount: number;
}

/** Most NACKs one chunk holds after appends; out-of-order inserts split a chunk at twice this. */
const CHUNK = 128;

/** Index of the first NACK of `a` (sorted by ID) whose ID is ≥ `id`. */
function lowerBound(a: Nack[], id: StreamId): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * ID → NACK, ordered by ID as Redis's radix tree is: chunks of NACKs sorted by ID, found by
 * binary search. Deliveries add IDs above every pending one (an append to the last chunk, no
 * hashing: a Map keyed by ID text cost more than the rest of XREADGROUP); XCLAIM of older IDs
 * inserts into one chunk, which splits when it grows past 2 × CHUNK.
 */
export class Pel {
  private chunks: Nack[][] = [];
  private n = 0;
  /** Bumped when NACKs move inside the chunks (insert, delete, split), for range()'s iterators. */
  private version = 0;

  get size(): number {
    return this.n;
  }

  /** The chunk that may hold `id`: the last whose first ID is ≤ id (0 when id is below all). */
  private chunkFor(id: StreamId): number {
    const cs = this.chunks;
    let lo = 0;
    let hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cs[mid][0].id <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? lo - 1 : 0;
  }

  get(id: StreamId): Nack | undefined {
    if (this.n === 0) return undefined;
    const c = this.chunks[this.chunkFor(id)];
    const i = lowerBound(c, id);
    return i < c.length && c[i].id === id ? c[i] : undefined;
  }

  has(id: StreamId): boolean {
    return this.get(id) !== undefined;
  }

  /** False when `id` is certainly absent (above every pending ID): no lookup needed. */
  mayHave(id: StreamId): boolean {
    return this.n > 0 && id <= this.last();
  }

  /** Adds the NACK, or replaces the one with its ID. */
  set(nk: Nack): void {
    const cs = this.chunks;
    const id = nk.id;
    if (this.n === 0) {
      cs.push([nk]);
      this.n = 1;
      return;
    }
    const tail = cs[cs.length - 1];
    if (tail[tail.length - 1].id < id) {
      if (tail.length >= CHUNK) cs.push([nk]);
      else tail.push(nk);
      this.n++;
      return;
    }
    const ci = this.chunkFor(id);
    const c = cs[ci];
    const i = lowerBound(c, id);
    if (i < c.length && c[i].id === id) {
      c[i] = nk;
      return;
    }
    c.splice(i, 0, nk);
    this.n++;
    this.version++;
    if (c.length > 2 * CHUNK) cs.splice(ci + 1, 0, c.splice(c.length >>> 1));
  }

  delete(id: StreamId): boolean {
    if (this.n === 0) return false;
    const cs = this.chunks;
    const ci = this.chunkFor(id);
    const c = cs[ci];
    const i = lowerBound(c, id);
    if (i >= c.length || c[i].id !== id) return false;
    if (c.length === 1) cs.splice(ci, 1);
    else c.splice(i, 1);
    this.n--;
    this.version++;
    return true;
  }

  /** Pending IDs in ascending order (a new array). */
  ids(): StreamId[] {
    const out: StreamId[] = [];
    for (const c of this.chunks) for (const nk of c) out.push(nk.id);
    return out;
  }

  /** Lowest pending ID (the PEL must not be empty). */
  first(): StreamId {
    return this.chunks[0][0].id;
  }

  /** Highest pending ID (the PEL must not be empty). */
  last(): StreamId {
    const tail = this.chunks[this.chunks.length - 1];
    return tail[tail.length - 1].id;
  }

  /**
   * NACKs with start ≤ id ≤ end in ascending order. The PEL may change while iterating: the
   * iterator goes on after the last ID it yielded.
   */
  *range(start: StreamId, end: StreamId): Generator<Nack> {
    if (this.n === 0) return;
    const cs = this.chunks;
    let ci = this.chunkFor(start);
    let i = lowerBound(cs[ci], start);
    for (;;) {
      if (ci >= cs.length) return;
      const c = cs[ci];
      if (i >= c.length) {
        ci++;
        i = 0;
        continue;
      }
      const nk = c[i];
      if (nk.id > end) return;
      const v = this.version;
      yield nk;
      if (this.version === v) i++;
      else {
        if (this.n === 0) return;
        const after = nk.id + 1n;
        ci = this.chunkFor(after);
        i = lowerBound(cs[ci], after);
      }
    }
  }
}

export class Consumer {
  readonly pel = new Pel();
  constructor(
    readonly name: string,
    public seenTime: number,
  ) {}
}

export class ConsumerGroup {
  readonly pel = new Pel();
  readonly consumers = new Map<string, Consumer>();
  constructor(
    readonly name: string,
    public lastId: StreamId,
    /** Logical reads counter; -1 when unknown (Redis's SCG_INVALID_ENTRIES_READ). */
    public entriesRead: number,
  ) {}

  memoryUsage(): number {
    let b = 64 + this.name.length;
    b += this.pel.size * 48;
    for (const c of this.consumers.values()) b += 64 + c.name.length + c.pel.size * 16;
    return b;
  }

  clone(): ConsumerGroup {
    const g = new ConsumerGroup(this.name, this.lastId, this.entriesRead);
    for (const [name, c] of this.consumers) g.consumers.set(name, new Consumer(name, c.seenTime));
    for (const id of this.pel.ids()) {
      const n = this.pel.get(id)!;
      const owner = g.consumers.get(n.consumer.name)!;
      const copy: Nack = { id, consumer: owner, deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount };
      g.pel.set(copy);
      owner.pel.set(copy);
    }
    return g;
  }

  /** Consumers in Redis's order (its radix tree sorts names bytewise). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
