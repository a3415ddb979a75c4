/**
 * Consumer groups of a stream: the group's last delivered ID and entries-read counter, its
 * pending entries list (PEL: ID → NACK) and its consumers, each with its own view of the NACKs
 * it owns. PELs are kept in maps and sorted by ID when a range is asked for.
 */
import { formatId, type StreamId } from './stream-id.js';

export interface Nack {
  id: StreamId;
  consumer: Consumer;
  deliveryTime: number;
  deliveryCount: number;
}

/**
 * V8 hashes a BigInt by its low 64 bits, which for stream IDs is the sequence (mostly 0): a Map
 * keyed by the IDs themselves degrades to linear probing. Keyed by their "ms-seq" text instead,
 * which the commands also need for replies and propagation (getByKey/setByKey reuse it).
 */
const k = formatId;

/** ID → NACK with ordered iteration (sorted lazily after out-of-order inserts). */
export class Pel {
  private readonly map = new Map<string, Nack>();
  private order: StreamId[] = [];
  private sorted = true;
  /** Greatest ID ever added (an upper bound of the IDs present). */
  private maxId: StreamId = -1n;

  get size(): number {
    return this.map.size;
  }

  get(id: StreamId): Nack | undefined {
    return this.map.get(k(id));
  }

  has(id: StreamId): boolean {
    return this.map.has(k(id));
  }

  /** False when `id` is certainly absent (above every ID ever added): no lookup needed. */
  mayHave(id: StreamId): boolean {
    return id <= this.maxId;
  }

  /** get() with the ID's text (formatId) at hand. */
  getByKey(key: string): Nack | undefined {
    return this.map.get(key);
  }

  set(n: Nack): void {
    this.setByKey(k(n.id), n);
  }

  /** set() with the ID's text (formatId) at hand. */
  setByKey(key: string, n: Nack): void {
    const m = this.map;
    const size = m.size;
    m.set(key, n);
    if (m.size !== size) {
      if (n.id > this.maxId) this.maxId = n.id;
      const o = this.order;
      if (o.length > 0 && o[o.length - 1] > n.id) this.sorted = false;
      o.push(n.id);
    }
  }

  delete(id: StreamId): boolean {
    if (!this.map.delete(k(id))) return false;
    // Removed lazily from `order` (skipped while iterating, dropped at the next sort).
    if (this.order.length > this.map.size * 2 + 16) this.sorted = false;
    return true;
  }

  /** `order` sorted (it may still hold deleted IDs, and an ID deleted and re-added twice in a row). */
  private sortedOrder(): StreamId[] {
    if (!this.sorted) {
      this.order = [...this.map.values()].map((n) => n.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.sorted = true;
    }
    return this.order;
  }

  /** Pending IDs in ascending order (a new array). */
  ids(): StreamId[] {
    const out: StreamId[] = [];
    for (const n of this.range(0n, (1n << 128n) - 1n)) out.push(n.id);
    return out;
  }

  /** Lowest pending ID (the PEL must not be empty). */
  first(): StreamId {
    const o = this.sortedOrder();
    let i = 0;
    while (!this.has(o[i])) i++;
    if (i > 64) this.order = o.slice(i);
    return o[i];
  }

  /** Highest pending ID (the PEL must not be empty). */
  last(): StreamId {
    const o = this.sortedOrder();
    while (!this.has(o[o.length - 1])) o.pop();
    return o[o.length - 1];
  }

  /**
   * NACKs with start ≤ id ≤ end in ascending order. NACKs deleted while iterating are skipped;
   * the PEL must not get out-of-order inserts meanwhile.
   */
  *range(start: StreamId, end: StreamId): Generator<Nack> {
    const ids = this.sortedOrder();
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    let prev = -1n;
    for (let i = lo; i < ids.length; i++) {
      const id = ids[i];
      if (id > end) return;
      if (id === prev) continue;
      const n = this.get(id);
      if (n !== undefined) {
        prev = id;
        yield n;
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
