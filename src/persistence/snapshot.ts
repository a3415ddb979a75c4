/**
 * Fork-less point-in-time snapshot (spec: shared/spec/rdb.md §10).
 *
 *   start() ── cut = epoch+1, epoch += 2 ──▶ traversal slices (setImmediate) ──▶ finish(): EOF + CRC
 *                  │                              ▲
 *                  └─ beforeWrite(db, key) hook ──┘  a value not yet written (sv < cut) is
 *                                                    written first, then stamped sv = cut
 *
 * Every value carries `sv`, the epoch at which it was stored. At the cut every existing value
 * has sv < cut; values stored afterwards get sv > cut and are never written. A value is written
 * exactly once, either by the traversal or by the hook that runs before a command changes or
 * deletes it, so the file holds the dataset exactly as it was at the cut while clients keep
 * writing. FLUSHDB/FLUSHALL/SWAPDB replace or exchange whole dictionaries: the snapshot keeps
 * references to the dictionaries of the cut (and their T0 database numbers), so it still
 * traverses detached ones and writes every key under the database it had at the cut.
 */
import type { Server } from '../server.js';
import type { Database } from '../store/database.js';
import type { KeyspaceListener } from '../store/keyspace.js';
import type { RedisValue } from '../store/values.js';
import { RdbWriter, type RdbAuxOptions } from './rdb-writer.js';
import { toSnapshotValue } from './values.js';

interface ViewEntry {
  index: number;
  dict: Map<string, RedisValue>;
  expires: Map<string, number>;
}

export interface SnapshotOptions {
  compression: boolean;
  checksum: boolean;
  aux: RdbAuxOptions;
  /** Receives the RDB bytes in order. */
  onChunk: (chunk: Buffer) => void;
}

export class Snapshot {
  readonly cut: number;
  readonly startedAt = Date.now();
  private readonly view: ViewEntry[];
  private readonly indexOf = new Map<Map<string, RedisValue>, number>();
  private readonly writer: RdbWriter;
  private readonly listener: KeyspaceListener;
  private pos = 0;
  private it: Iterator<[string, RedisValue]> | null = null;
  private finished = false;
  /** Keys in the dataset at the cut (progress denominator). */
  readonly keysTotal: number;
  keysWritten = 0;
  /** Keys and bytes written by the hook: data preserved because a command was about to change it. */
  hookKeys = 0;
  hookBytes = 0;
  /** Longest synchronous traversal slice and hook write, in ms. */
  maxSliceMs = 0;
  maxHookMs = 0;

  constructor(
    private readonly server: Server,
    opts: SnapshotOptions,
  ) {
    const ks = server.keyspace;
    this.cut = ks.epoch + 1;
    ks.epoch += 2;
    this.view = ks.dbs.map((db) => ({ index: db.id, dict: db.dict, expires: db.expires }));
    let total = 0;
    for (const v of this.view) {
      this.indexOf.set(v.dict, v.index);
      total += v.dict.size;
    }
    this.keysTotal = total;
    this.writer = new RdbWriter({
      compression: opts.compression,
      checksum: opts.checksum,
      limits: {
        hashMaxListpackEntries: server.config.num('hash-max-listpack-entries'),
        hashMaxListpackValue: server.config.num('hash-max-listpack-value'),
        zsetMaxListpackEntries: server.config.num('zset-max-listpack-entries'),
        zsetMaxListpackValue: server.config.num('zset-max-listpack-value'),
        setMaxIntsetEntries: server.config.num('set-max-intset-entries'),
      },
      onChunk: opts.onChunk,
    });
    this.writer.writeHeader(opts.aux);
    // 7.0 writes the function libraries after the AUX fields, before the first database.
    for (const code of server.rdbFunctions?.codes() ?? []) this.writer.writeFunction(code);
    this.listener = { beforeWrite: (db, key) => this.beforeWrite(db, key) };
    ks.addListener(this.listener);
  }

  get done(): boolean {
    return this.finished;
  }

  get bytesWritten(): number {
    return this.writer.bytesWritten;
  }

  /** The sink is done with a chunk it was given (see RdbWriter.recycle). */
  recycle(chunk: Buffer): void {
    this.writer.recycle(chunk);
  }

  /** The pre-write hook: preserves a value of the cut before a command changes or deletes it. */
  private beforeWrite(db: Database, key: string): void {
    if (this.finished) return;
    const index = this.indexOf.get(db.dict);
    if (index === undefined) return; // a dictionary created after the cut (FLUSHDB)
    const v = db.dict.get(key);
    if (v === undefined || v.sv >= this.cut) return;
    const t0 = performance.now();
    const before = this.writer.bytesWritten + this.writer.pendingBytes;
    this.write(index, key, v, db.expires.get(key));
    this.hookKeys++;
    this.hookBytes += this.writer.bytesWritten + this.writer.pendingBytes - before;
    const ms = performance.now() - t0;
    if (ms > this.maxHookMs) this.maxHookMs = ms;
  }

  private write(index: number, key: string, v: RedisValue, expire: number | undefined): void {
    this.writer.ensureDb(index);
    this.writer.writeKey(key, toSnapshotValue(v), expire ?? null);
    v.sv = this.cut;
    this.keysWritten++;
  }

  /**
   * Runs the traversal for about `budgetMs` (Infinity: to the end). Returns true once every
   * key of the cut has been written and the file is complete.
   */
  step(budgetMs: number): boolean {
    if (this.finished) return true;
    const t0 = performance.now();
    const deadline = t0 + budgetMs;
    let n = 0;
    while (this.pos < this.view.length) {
      const entry = this.view[this.pos];
      if (this.it === null) this.it = entry.dict.entries();
      for (;;) {
        const r = this.it.next();
        if (r.done) break;
        const [key, v] = r.value;
        if (v.sv < this.cut) this.write(entry.index, key, v, entry.expires.get(key));
        if ((++n & 15) === 0 && performance.now() > deadline) {
          this.noteSlice(t0);
          return false;
        }
      }
      this.it = null;
      this.pos++;
    }
    this.writer.finish();
    this.stop();
    this.noteSlice(t0);
    return true;
  }

  private noteSlice(t0: number): void {
    const ms = performance.now() - t0;
    if (ms > this.maxSliceMs) this.maxSliceMs = ms;
  }

  /** Detaches the hook (after finishing, or to abandon the snapshot). */
  stop(): void {
    if (this.finished) return;
    this.finished = true;
    this.server.keyspace.removeListener(this.listener);
  }
}
