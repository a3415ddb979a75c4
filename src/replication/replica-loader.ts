/**
 * Loading a full-sync payload on a replica (spec: replication.md §1.5–1.6).
 *
 * The RDB is parsed incrementally (RdbReader.feed) so it can come either from the temp file
 * written during the transfer (read back in slices, the event loop runs between them and
 * clients get -LOADING) or straight from the master's socket (repl-diskless-load).
 *
 *   target = live databases (flushed before)      disabled / on-empty-db
 *          = staging databases, swapped on success swapdb
 *
 * The generic loader lines are those Redis prints for any RDB (Loading RDB produced by
 * version …, RDB age …, RDB memory usage when created …, Done loading RDB …). Expired keys are
 * kept: a replica waits for its master's DEL.
 */
import type { Server } from '../server.js';
import { Database, type KeyspaceHooks } from '../store/database.js';
import { RdbReader } from '../persistence/rdb-reader.js';
import { fromRdbValue } from '../persistence/values.js';
import { lfuInitial } from '../store/keyspace.js';

const MB = 1024 * 1024;

export class PayloadLoader {
  private readonly reader: RdbReader;
  /** Databases the records go to. */
  readonly dbs: Database[];
  keysLoaded = 0;
  /** repl-stream-db AUX field (-1 when absent). */
  streamDb = -1;
  replId: string | null = null;
  replOffset = -1;
  private readonly lru: number;
  /** Function libraries of the payload, installed when it has loaded (swapdb: when it is swapped in). */
  private readonly functionCodes: string[] = [];

  constructor(
    private readonly server: Server,
    private readonly staging: boolean,
  ) {
    const s = server;
    const now = Date.now();
    this.lru = s.keyspace.lfu ? lfuInitial() : Math.floor(now / 1000) & 0xffffff;
    this.dbs = staging
      ? s.keyspace.dbs.map((d) => new Database(d.id, s.keyspace as unknown as KeyspaceHooks))
      : s.keyspace.dbs;
    this.reader = new RdbReader(
      {
        onFunction: (code) => this.functionCodes.push(code),
        onAux: (k, v) => {
          if (k === 'redis-ver') s.log.notice(`Loading RDB produced by version ${v}`);
          else if (k === 'ctime') s.log.notice(`RDB age ${Math.max(0, Math.floor(now / 1000) - Number(v))} seconds`);
          else if (k === 'used-mem') s.log.notice(`RDB memory usage when created ${(Number(v) / MB).toFixed(2)} Mb`);
          else if (k === 'repl-stream-db') this.streamDb = Number(v);
          else if (k === 'repl-id') this.replId = v;
          else if (k === 'repl-offset') this.replOffset = Number(v);
        },
        onRecord: (r) => {
          const v = fromRdbValue(r.value, s.config, r.key);
          v.lru = this.lru;
          this.dbs[r.db].loadEntry(r.key, v, r.expireMs);
          this.keysLoaded++;
        },
      },
      {
        databases: s.keyspace.dbs.length,
        verifyChecksum: true,
        packSmallHashes: { maxEntries: s.config.num('hash-max-listpack-entries'), maxValue: s.config.num('hash-max-listpack-value') },
      },
    );
  }

  /** True once the RDB's EOF opcode and checksum were read. */
  get done(): boolean {
    return this.reader.done;
  }

  /** Bytes received after the end of the RDB. */
  remainder(): Buffer {
    return this.reader.remainder();
  }

  /** Throws RdbError on malformed input. */
  feed(chunk: Buffer): void {
    this.reader.feed(chunk);
  }

  /** Declares the input complete (throws if the RDB is truncated) and logs the summary line. */
  end(): void {
    this.reader.end();
    if (!this.staging) this.server.rdbFunctions?.load(this.functionCodes, 'flush');
    this.server.log.notice(`Done loading RDB, keys loaded: ${this.keysLoaded}, keys expired: 0.`);
    const p = this.server.persistence;
    p.loadKeysLoaded = this.keysLoaded;
    p.loadKeysExpired = 0;
  }

  /** swapdb: the staged databases replace the live ones' contents. */
  swapIntoLive(): void {
    this.server.rdbFunctions?.load(this.functionCodes, 'flush');
    const live = this.server.keyspace.dbs;
    for (let i = 0; i < live.length; i++) {
      live[i].dict = this.dbs[i].dict;
      live[i].expires = this.dbs[i].expires;
      live[i].avgTtl = 0;
    }
  }
}
