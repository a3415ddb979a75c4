/**
 * The replication buffer as Redis 7.0 shares it: one list of blocks holding the stream, read
 * by the backlog and by every replica (spec: replication.md §2.5, §4.5, §5.3).
 *
 *   head ─▶ [block] ─▶ [block] ─▶ ... ─▶ [tail block: used ≤ size]
 *      ▲ backlog ref       ▲ replica A ref (next unsent byte)      ◀─ feed() appends here
 *
 * Every byte is stored once. A block's refcount counts the backlog and the replicas whose next
 * unsent byte is in it; the head is trimmed (whole blocks only) when the backlog holds more than
 * repl-backlog-size without it and nobody else references it, so a lagging replica keeps the
 * history it needs — and keeps it counted in its own `omem`, which is what
 * client-output-buffer-limit checks. Block sizes follow 7.0: at least 16 KB, at most
 * repl-backlog-size/16, rounded up to jemalloc's size class (a 16 KB block holds 20440 bytes
 * and counts 20504 bytes with its list node), so `omem` numbers match a real Redis.
 */

/** Redis's PROTO_REPLY_CHUNK_BYTES: the smallest block. */
const MIN_BLOCK = 16 * 1024;
/** sizeof(replBufBlock): refcount, id, repl_offset, size, used. */
const BLOCK_HEADER = 40;
/** sizeof(listNode). */
const LIST_NODE = 24;
/** One offset-index entry every this many blocks created (REPL_BACKLOG_INDEX_PER_BLOCKS). */
const INDEX_PER_BLOCKS = 64;
/** Blocks trimmed per call at most (REPL_BACKLOG_TRIM_BLOCKS_PER_CALL). */
const TRIM_PER_CALL = 64;

export interface Block {
  readonly id: number;
  /** Stream offset of the block's first byte. */
  readonly start: number;
  /** Usable bytes (the allocation's size class minus the header). */
  readonly size: number;
  used: number;
  refcount: number;
  readonly buf: Buffer;
}

/** Something that reads the stream from the shared blocks: a replica connection. */
export interface BufferReader {
  /** Block holding the next unsent byte, null until the reader is first fed. */
  refBlock: Block | null;
  refPos: number;
  /** Whether writes are retained for it now (not while waiting for a snapshot to start). */
  canFeed(): boolean;
  /** A new block was allocated while this reader holds data: check its output limits. */
  onNewBlock(): void;
}

/** jemalloc's size class for an allocation of `n` bytes (n ≥ 16 KB here): four steps per doubling. */
export function allocationSize(n: number): number {
  if (n <= MIN_BLOCK) return MIN_BLOCK;
  const k = Math.floor(Math.log2(n - 1));
  const step = 2 ** (k - 2);
  return Math.ceil(n / step) * step;
}

export class ReplBuffer {
  readonly blocks: Block[] = [];
  /** Memory of all blocks with their list nodes (repl_buffer_mem). */
  mem = 0;
  /** Bytes of history the backlog holds, and the block where it starts. */
  histlen = 0;
  private backlogRef: Block | null = null;
  private nextId = 0;
  /**
   * Redis's estimate of its offset index's memory (a rax with an entry for every 64th block
   * created, REPL_BACKLOG_INDEX_PER_BLOCKS), which INFO adds to mem_replication_backlog: a
   * 4-byte header per rax node and 8 bytes per entry. An empty rax is one node and one entry
   * makes two; past that the node count depends on the offsets' bytes, about two per entry
   * (Redis 7.0.15 showed 34 nodes for 15 entries), so this is an estimate there.
   */
  indexMemory(): number {
    let k = 0;
    for (const b of this.blocks) if ((b.id + 1) % INDEX_PER_BLOCKS === 0) k++;
    const nodes = k <= 1 ? k + 1 : 2 * k + 4;
    return nodes * 4 + k * 8;
  }

  /**
   * @param offset master_repl_offset when the backlog is created: the next byte is offset+1.
   * @param readers the replicas (kept by the owner: they outlive a backlog that is recreated).
   */
  constructor(
    public offset: number,
    private backlogSize: () => number,
    readonly readers: Set<BufferReader>,
  ) {
    // References into a previous backlog are meaningless here.
    for (const r of readers) {
      r.refBlock = null;
      r.refPos = 0;
    }
  }

  /** First offset the backlog holds (repl_backlog_first_byte_offset). */
  get firstByteOffset(): number {
    return this.offset - this.histlen + 1;
  }

  /** Appends stream bytes; returns the new master_repl_offset. */
  feed(data: Buffer): number {
    let s = 0;
    let len = data.length;
    while (len > 0) {
      let startBlock: Block | null = null;
      let startPos = 0;
      let added = false;
      let tail = this.blocks.length > 0 ? this.blocks[this.blocks.length - 1] : null;
      if (tail !== null && tail.size > tail.used) {
        startBlock = tail;
        startPos = tail.used;
        const copy = Math.min(tail.size - tail.used, len);
        data.copy(tail.buf, tail.used, s, s + copy);
        tail.used += copy;
        s += copy;
        len -= copy;
        this.offset += copy;
        this.histlen += copy;
      }
      if (len > 0) {
        const limit = Math.max(Math.floor(this.backlogSize() / 16), MIN_BLOCK);
        const want = Math.min(Math.max(len, MIN_BLOCK), limit);
        const alloc = allocationSize(want + BLOCK_HEADER);
        const size = alloc - BLOCK_HEADER;
        const copy = Math.min(size, len);
        tail = { id: this.nextId++, start: this.offset + 1, size, used: copy, refcount: 0, buf: Buffer.allocUnsafe(size) };
        data.copy(tail.buf, 0, s, s + copy);
        this.blocks.push(tail);
        this.mem += alloc + LIST_NODE;
        added = true;
        if (startBlock === null) {
          startBlock = tail;
          startPos = 0;
        }
        s += copy;
        len -= copy;
        this.offset += copy;
        this.histlen += copy;
      }
      for (const r of this.readers) {
        if (!r.canFeed()) continue;
        if (r.refBlock === null) {
          r.refBlock = startBlock;
          r.refPos = startPos;
          startBlock!.refcount++;
        }
        if (added) r.onNewBlock();
      }
      if (this.backlogRef === null) {
        this.backlogRef = startBlock;
        startBlock!.refcount++;
      }
      if (added) this.trim();
    }
    return this.offset;
  }

  /**
   * Appends a command in RESP multibulk form. Written straight into the tail block when it
   * fits (the common case: no intermediate buffer); otherwise encoded and fed in pieces.
   */
  feedCommand(argv: string[]): number {
    let len = 1 + decimalLength(argv.length) + 2;
    for (let i = 0; i < argv.length; i++) {
      const n = argv[i].length;
      len += 1 + decimalLength(n) + 2 + n + 2;
    }
    const tail = this.blocks.length > 0 ? this.blocks[this.blocks.length - 1] : null;
    if (tail === null || tail.size - tail.used < len || this.backlogRef === null) return this.feed(encodeMultibulk(argv, len));
    const startPos = tail.used;
    const b = tail.buf;
    let p = startPos;
    p += b.latin1Write('*' + argv.length + '\r\n', p);
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      p += b.latin1Write('$' + a.length + '\r\n', p);
      p += b.latin1Write(a, p);
      b[p++] = 13;
      b[p++] = 10;
    }
    tail.used = p;
    this.offset += len;
    this.histlen += len;
    for (const r of this.readers) {
      if (r.refBlock === null && r.canFeed()) {
        r.refBlock = tail;
        r.refPos = startPos;
        tail.refcount++;
      }
    }
    return this.offset;
  }

  /** Drops head blocks the backlog no longer needs and no reader references. */
  trim(maxBlocks = TRIM_PER_CALL): void {
    let trimmed = 0;
    const limit = this.backlogSize();
    while (this.histlen > limit && trimmed < maxBlocks && this.blocks.length > 1) {
      const first = this.blocks[0];
      if (first.refcount !== 1) break;
      if (this.histlen - first.size <= limit) break;
      first.refcount--;
      trimmed++;
      this.histlen -= first.size;
      const next = this.blocks[1];
      this.backlogRef = next;
      next.refcount++;
      this.mem -= first.size + BLOCK_HEADER + LIST_NODE;
      this.blocks.shift();
    }
  }

  /** Bytes a reader has not yet sent (what its socket still has to receive). */
  pendingOf(r: BufferReader): number {
    if (r.refBlock === null) return 0;
    const tail = this.blocks[this.blocks.length - 1];
    return tail.start + tail.used - (r.refBlock.start + r.refPos);
  }

  /** 7.0's omem for a replica: whole blocks from its block to the tail, with node overhead. */
  memoryOf(r: BufferReader): number {
    if (r.refBlock === null) return 0;
    const tail = this.blocks[this.blocks.length - 1];
    return tail.start + tail.size - r.refBlock.start + (BLOCK_HEADER + LIST_NODE) * (tail.id - r.refBlock.id + 1);
  }

  /** 7.0's oll for a replica: blocks from its block to the tail. */
  blocksOf(r: BufferReader): number {
    if (r.refBlock === null) return 0;
    return this.blocks[this.blocks.length - 1].id - r.refBlock.id + 1;
  }

  /**
   * The next unsent slice for a reader (null when it is caught up). The slice never changes
   * afterwards (blocks are append-only), so it can be handed to a socket as is.
   */
  peek(r: BufferReader): Buffer | null {
    let b = r.refBlock;
    if (b === null) return null;
    if (r.refPos === b.used && b.used === b.size) {
      // The block is done: move on to the next one, if it exists yet.
      const i = this.indexOf(b);
      if (i < 0 || i + 1 >= this.blocks.length) return null;
      const next = this.blocks[i + 1];
      b.refcount--;
      next.refcount++;
      r.refBlock = b = next;
      r.refPos = 0;
      this.trim();
    }
    if (r.refPos < b.used) return b.buf.subarray(r.refPos, b.used);
    return null;
  }

  /** Marks `n` bytes of the reader's current slice as sent; moves it to the next block when done. */
  advance(r: BufferReader, n: number): void {
    r.refPos += n;
    // Moving to the next block (and releasing this one) happens in the next peek().
  }

  /** Makes a reader start at stream offset `off` (PSYNC continuation); false if not covered. */
  attachAt(r: BufferReader, off: number): boolean {
    if (this.histlen === 0 || off < this.firstByteOffset || off > this.offset + 1) return false;
    if (off === this.offset + 1) {
      // Nothing to send yet: the reader gets its reference with the next write.
      this.release(r);
      return true;
    }
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid].start <= off) lo = mid;
      else hi = mid - 1;
    }
    const b = this.blocks[lo];
    this.release(r);
    r.refBlock = b;
    r.refPos = off - b.start;
    b.refcount++;
    return true;
  }

  /** Drops a reader's reference (replica gone, or restarting a sync). */
  release(r: BufferReader): void {
    if (r.refBlock !== null) {
      r.refBlock.refcount--;
      r.refBlock = null;
      r.refPos = 0;
      this.trim();
    }
  }

  private indexOf(b: Block): number {
    // Blocks have consecutive ids from the head.
    const i = b.id - this.blocks[0].id;
    return this.blocks[i] === b ? i : -1;
  }
}

function decimalLength(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : String(n).length;
}

/** RESP multibulk encoding of a command (arguments are latin1 strings: one char per byte). */
export function encodeMultibulk(argv: string[], len = -1): Buffer {
  if (len < 0) {
    len = 1 + decimalLength(argv.length) + 2;
    for (const a of argv) len += 1 + decimalLength(a.length) + 2 + a.length + 2;
  }
  const buf = Buffer.allocUnsafe(len);
  let p = buf.latin1Write('*' + argv.length + '\r\n', 0);
  for (const a of argv) {
    p += buf.latin1Write('$' + a.length + '\r\n', p);
    p += buf.latin1Write(a, p);
    buf[p++] = 13;
    buf[p++] = 10;
  }
  return buf;
}
