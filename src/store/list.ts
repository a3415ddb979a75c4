/**
 * List values: a ring buffer of strings (power-of-two capacity, head index + length).
 *
 *   slots:  [ d  e  .  .  .  a  b  c ]      head = 5, length = 5, logical order a b c d e
 *                        ▲ free ▲ head
 *
 * Push and pop at either end are O(1) (amortised: the buffer doubles when full and halves when
 * three quarters empty), indexing is O(1), inserting or removing in the middle moves the
 * shorter side. A small list is two objects (the value and one short array), which keeps it
 * about as compact as Redis's single listpack node.
 *
 * Redis 7.0 reports every list as "quicklist" (the small-list "listpack" encoding arrived in
 * 7.2), so encoding() does too.
 */
import { ValueType, type RedisValue } from './values.js';
import { lpEntryBytes, quicklistBytes } from './memsize.js';

const MIN_CAPACITY = 4;

function slots(n: number): string[] {
  // Built by push so V8 keeps a packed (not holey) elements kind.
  const a: string[] = [];
  for (let i = 0; i < n; i++) a.push('');
  return a;
}

function capacityFor(n: number): number {
  let cap = MIN_CAPACITY;
  while (cap < n) cap *= 2;
  return cap;
}

export class ListValue implements RedisValue {
  readonly type = ValueType.List;
  lru = 0;
  /** Snapshot stamp (see persistence/snapshot.ts): the epoch this value was last written at. */
  sv = 0;
  private buf: string[];
  private mask: number;
  private head = 0;
  private len = 0;
  /** Listpack bytes of the elements as Redis would store them (kept on every change, for memoryUsage). */
  private ebytes = 0;

  constructor(capacity = MIN_CAPACITY) {
    const cap = capacityFor(capacity);
    this.buf = slots(cap);
    this.mask = cap - 1;
  }

  static from(items: Iterable<string>): ListValue {
    const arr = Array.isArray(items) ? (items as string[]) : [...items];
    const l = new ListValue(arr.length);
    let b = 0;
    for (let i = 0; i < arr.length; i++) {
      l.buf[i] = arr[i];
      b += lpEntryBytes(arr[i]);
    }
    l.len = arr.length;
    l.ebytes = b;
    return l;
  }

  get length(): number {
    return this.len;
  }

  encoding(): string {
    return 'quicklist';
  }

  /** Element at logical position i (0 <= i < length). */
  get(i: number): string {
    return this.buf[(this.head + i) & this.mask];
  }

  /** Element at an index that may be negative (from the tail), or undefined when out of range. */
  at(index: number): string | undefined {
    if (index < 0) index += this.len;
    if (index < 0 || index >= this.len) return undefined;
    return this.buf[(this.head + index) & this.mask];
  }

  /** Replaces the element at a possibly negative index; false when out of range. */
  set(index: number, value: string): boolean {
    if (index < 0) index += this.len;
    if (index < 0 || index >= this.len) return false;
    const at = (this.head + index) & this.mask;
    this.ebytes += lpEntryBytes(value) - lpEntryBytes(this.buf[at]);
    this.buf[at] = value;
    return true;
  }

  pushTail(value: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.buf[(this.head + this.len) & this.mask] = value;
    this.len++;
    this.ebytes += lpEntryBytes(value);
  }

  pushHead(value: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = value;
    this.len++;
    this.ebytes += lpEntryBytes(value);
  }

  popHead(): string | undefined {
    if (this.len === 0) return undefined;
    const h = this.head;
    const v = this.buf[h];
    this.buf[h] = '';
    this.head = (h + 1) & this.mask;
    this.len--;
    this.ebytes -= lpEntryBytes(v);
    this.maybeShrink();
    return v;
  }

  popTail(): string | undefined {
    if (this.len === 0) return undefined;
    const i = (this.head + this.len - 1) & this.mask;
    const v = this.buf[i];
    this.buf[i] = '';
    this.len--;
    this.ebytes -= lpEntryBytes(v);
    this.maybeShrink();
    return v;
  }

  /** Removes n elements from the head. */
  deleteHead(n: number): void {
    if (n >= this.len) {
      this.clear();
      return;
    }
    for (let i = 0; i < n; i++) {
      const at = (this.head + i) & this.mask;
      this.ebytes -= lpEntryBytes(this.buf[at]);
      this.buf[at] = '';
    }
    this.head = (this.head + n) & this.mask;
    this.len -= n;
    this.maybeShrink();
  }

  /** Removes n elements from the tail. */
  deleteTail(n: number): void {
    if (n >= this.len) {
      this.clear();
      return;
    }
    const keep = this.len - n;
    for (let i = keep; i < this.len; i++) {
      const at = (this.head + i) & this.mask;
      this.ebytes -= lpEntryBytes(this.buf[at]);
      this.buf[at] = '';
    }
    this.len = keep;
    this.maybeShrink();
  }

  clear(): void {
    this.buf = slots(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.head = 0;
    this.len = 0;
    this.ebytes = 0;
  }

  /** Inserts `value` so that it ends up at logical position pos (0 = head, length = tail). */
  insert(pos: number, value: string): void {
    if (pos <= 0) return this.pushHead(value);
    if (pos >= this.len) return this.pushTail(value);
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    const b = this.buf;
    const m = this.mask;
    if (pos < this.len - pos) {
      // Move the head side one slot towards the front.
      const h = (this.head - 1) & m;
      for (let i = 0; i < pos; i++) b[(h + i) & m] = b[(h + i + 1) & m];
      this.head = h;
    } else {
      for (let i = this.len; i > pos; i--) b[(this.head + i) & m] = b[(this.head + i - 1) & m];
    }
    b[(this.head + pos) & m] = value;
    this.len++;
    this.ebytes += lpEntryBytes(value);
  }

  /** Position of the first element equal to value, scanning from the head; -1 if none. */
  indexOf(value: string): number {
    for (let i = 0; i < this.len; i++) if (this.buf[(this.head + i) & this.mask] === value) return i;
    return -1;
  }

  /**
   * LREM: removes up to `limit` elements equal to value (0 = all), scanning from the tail when
   * fromTail. Moves only the shorter side of the removed span. Returns how many were removed.
   */
  removeMatching(value: string, limit: number, fromTail: boolean): number {
    const found: number[] = [];
    if (fromTail) {
      for (let i = this.len - 1; i >= 0; i--) {
        if (this.get(i) === value) {
          found.push(i);
          if (found.length === limit) break;
        }
      }
      found.reverse();
    } else {
      for (let i = 0; i < this.len; i++) {
        if (this.get(i) === value) {
          found.push(i);
          if (found.length === limit) break;
        }
      }
    }
    if (found.length > 0) {
      this.removePositions(found);
      if (this.len > 0) this.ebytes -= found.length * lpEntryBytes(value);
    }
    return found.length;
  }

  /** Removes the elements at the given ascending logical positions. */
  private removePositions(pos: number[]): void {
    const k = pos.length;
    if (k === this.len) {
      this.clear();
      return;
    }
    const b = this.buf;
    const m = this.mask;
    const h = this.head;
    const first = pos[0];
    const last = pos[k - 1];
    if (this.len - first <= last) {
      // Compact the tail side towards the head.
      let w = first;
      let j = 0;
      for (let r = first; r < this.len; r++) {
        if (j < k && pos[j] === r) {
          j++;
          continue;
        }
        b[(h + w) & m] = b[(h + r) & m];
        w++;
      }
      for (let i = w; i < this.len; i++) b[(h + i) & m] = '';
      this.len = w;
    } else {
      // Compact the head side towards the tail and advance the head.
      let w = last;
      let j = k - 1;
      for (let r = last; r >= 0; r--) {
        if (j >= 0 && pos[j] === r) {
          j--;
          continue;
        }
        b[(h + w) & m] = b[(h + r) & m];
        w--;
      }
      for (let i = 0; i <= w; i++) b[(h + i) & m] = '';
      this.head = (h + k) & m;
      this.len -= k;
    }
    this.maybeShrink();
  }

  /** Elements in order, head to tail (for RDB, DEBUG, COPY...). */
  *values(): IterableIterator<string> {
    for (let i = 0; i < this.len; i++) yield this.buf[(this.head + i) & this.mask];
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.values();
  }

  toArray(): string[] {
    const out = new Array<string>(this.len);
    for (let i = 0; i < this.len; i++) out[i] = this.buf[(this.head + i) & this.mask];
    return out;
  }

  clone(): ListValue {
    const l = new ListValue(this.len);
    for (let i = 0; i < this.len; i++) l.buf[i] = this.get(i);
    l.len = this.len;
    l.ebytes = this.ebytes;
    return l;
  }

  /** Bytes Redis would hold: a quicklist of 8 KB listpack nodes holding the elements. */
  memoryUsage(): number {
    return quicklistBytes(this.ebytes, this.len);
  }

  private resize(cap: number): void {
    const next = slots(cap);
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) & this.mask];
    this.buf = next;
    this.mask = cap - 1;
    this.head = 0;
  }

  private maybeShrink(): void {
    const cap = this.buf.length;
    if (cap > 64 && this.len * 4 < cap) this.resize(capacityFor(this.len * 2));
  }
}
