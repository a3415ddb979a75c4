/**
 * RDB persistence wired into the server: SAVE, BGSAVE (fork-less snapshot in time slices),
 * save points, loading at startup, the final save at shutdown, INFO persistence,
 * stop-writes-on-bgsave-error, DEBUG RELOAD / DIGEST / DIGEST-VALUE.
 *
 *   idle ──BGSAVE / save point──▶ saving (slices between client commands) ──▶ rename ──▶ idle
 *                                    │ write error                              │
 *                                    └──────────▶ status err (MISCONF) ◀────────┘
 *
 * Files are written to temp-<pid>-<n>.rdb in `dir`, fsynced and renamed over `dbfilename`, so
 * a crash never leaves a half-written dump.rdb.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../server.js';
import type { Client } from '../net/client.js';
import type { CommandSpec } from '../commands/registry.js';
import { NOTIFY, type SavePoint } from '../config/config.js';
import { E, is, parseInt64 } from '../commands/util.js';
import { Snapshot } from './snapshot.js';
import { RdbReader } from './rdb-reader.js';
import { RdbWriter } from './rdb-writer.js';
import { fromRdbValue, toWriteValue } from './values.js';
import { DatasetDigest, digestValue } from './digest.js';
import { REDIS_VERSION } from '../version.js';
import { lfuInitial } from '../store/keyspace.js';

const MB = 1024 * 1024;
/** Redis retries a failed background save after this many seconds (CONFIG_BGSAVE_RETRY_DELAY). */
const BGSAVE_RETRY_DELAY = 5;
/**
 * Traversal slice between two turns of the event loop (ms): clients wait at most about this
 * long for a BGSAVE, so it bounds the latency a snapshot adds.
 */
const SLICE_MS = 0.1;
/**
 * The slice when clients kept the loop busy since the previous one (more than BUSY_GAP_MS of
 * other work in between; an otherwise idle loop comes back in a few microseconds). A server
 * near saturation then gives the snapshot only what it needs least, instead of queueing every
 * client behind a full slice per turn; the snapshot takes longer under load, as Redis's child
 * would on a busy machine. (The deadline is checked every 16 keys, about 25 µs.)
 */
const BUSY_SLICE_MS = 0.02;
const BUSY_GAP_MS = 0.03;
/** Pause the traversal while the file's write queue holds more than this. */
const HIGH_WATER = 8 * MB;

interface RunningSave {
  snapshot: Snapshot;
  /** disk: a file renamed over dbfilename; socket: streamed to replicas (diskless sync). */
  target: 'disk' | 'socket';
  /** Started to feed replicas (a user's BGSAVE or a save point can never serve a SYNC). */
  forReplication: boolean;
  tmp: string;
  fd: number;
  queued: number;
  peakQueued: number;
  error: Error | null;
  writing: Promise<void>;
}

export class Persistence {
  private running: RunningSave | null = null;
  private tmpCounter = 0;
  lastBgsaveOk = true;
  lastBgsaveTimeSec = -1;
  lastBgsaveTry = 0;
  rdbSaves = 0;
  lastCowBytes = 0;
  loadKeysLoaded = 0;
  loadKeysExpired = 0;
  private dirtyBeforeBgsave = 0;
  /** DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE payloads and RDB files are taken unchecked. */
  skipChecksumValidation = false;
  /**
   * The AOF module, when installed: it decides the startup dataset when appendonly is yes,
   * reports its INFO fields, and its rewrite's snapshot traversal must be complete before
   * another snapshot starts (two traversals cannot share the values' epoch stamps).
   */
  aof: {
    loadAtStartup(loadRdb: (path: string) => number | null): boolean;
    infoLines(): string[];
    rewriting(): boolean;
    completeTraversal(): void;
    /** A replica's full sync replaces the dataset: the AOF stops before and restarts (with a rewrite) after. */
    stopForSync(): void;
    restartAfterSync(): void;
  } | null = null;
  /** BGSAVE SCHEDULE while an AOF rewrite runs: started by the cron once it ends. */
  bgsaveScheduled = false;
  /** Called when a background save ends (after its log lines): replication serves waiting replicas. */
  readonly onBgsaveDone: ((ok: boolean, target: 'disk' | 'socket') => void)[] = [];

  constructor(private readonly server: Server) {
    server.startupTasks.push(() => this.loadAtStartup());
    server.cronTasks.push((now) => this.cron(now));
    server.shutdownTasks.push((opts) => this.onShutdown(opts.save));
    server.hooks.infoSections.set('persistence', () => this.info());
    server.hooks.writeGuards.push(() => this.misconf());
    server.hooks.afterFlush.push((_c, db) => {
      // FLUSHALL with save points writes the (now empty) dataset at once, like Redis 7.0.
      if (db === -1 && this.savePoints().length > 0 && this.running === null) this.saveSync();
    });
    server.closeTasks.push(() => this.abort());
    server.debugSubcommands.set('reload', { usage: 'RELOAD [MERGE] [NOFLUSH] [NOSAVE]', help: 'Save the dataset, empty it and load it back.', handler: (c, argv) => this.debugReload(c, argv) });
    server.debugSubcommands.set('set-skip-checksum-validation', {
      usage: 'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
      help: 'Skip (1) or do (0) the checksum checks of RDB files and RESTORE payloads.',
      handler: (c, argv) => {
        this.skipChecksumValidation = (Number.parseInt(/^\s*[+-]?\d+/.exec(argv[2])?.[0] ?? '0', 10) | 0) !== 0;
        c.w.ok();
      },
    });
    server.debugSubcommands.set('digest', { usage: 'DIGEST', help: 'Output a hex signature of the whole dataset (same as Redis for the same data).', handler: (c) => c.w.simple(this.digest()) });
    server.debugSubcommands.set('digest-value', {
      usage: 'DIGEST-VALUE <key> [<key> ...]',
      help: 'Output a hex signature of the values of the given keys.',
      handler: (c, argv) => {
        c.w.array(argv.length - 2);
        for (let i = 2; i < argv.length; i++) {
          const v = c.db.peek(argv[i]);
          c.w.simple(v === undefined ? '0'.repeat(40) : digestValue(toWriteValue(v), c.db.expires.has(argv[i])));
        }
      },
    });
  }

  get path(): string {
    return join(this.server.config.str('dir'), this.server.config.str('dbfilename'));
  }

  get inProgress(): boolean {
    return this.running !== null;
  }

  /** The running background save's target, or null. */
  get runningTarget(): 'disk' | 'socket' | null {
    return this.running?.target ?? null;
  }

  /** The running background save's snapshot (progress for the replication sync forecast). */
  get runningSnapshot(): Snapshot | null {
    return this.running?.snapshot ?? null;
  }

  get runningForReplication(): boolean {
    return this.running?.forReplication ?? false;
  }

  private savePoints(): SavePoint[] {
    return this.server.config.get<SavePoint[]>('save');
  }

  private tmpPath(): string {
    return join(this.server.config.str('dir'), `temp-${process.pid}-${++this.tmpCounter}.rdb`);
  }

  private newSnapshot(onChunk: (b: Buffer) => void): Snapshot {
    const cfg = this.server.config;
    return new Snapshot(this.server, {
      compression: cfg.bool('rdbcompression'),
      checksum: cfg.bool('rdbchecksum'),
      aux: { redisVer: REDIS_VERSION, usedMem: process.memoryUsage().heapUsed, ...this.server.replicationAux?.() },
      onChunk,
    });
  }

  // ---------------------------------------------------------------- saving

  /** SAVE: the whole snapshot in this turn of the event loop. Returns false on error (logged). */
  saveSync(): boolean {
    if (this.running) this.abort();
    this.beforeSnapshot();
    const tmp = this.tmpPath();
    let fd = -1;
    try {
      fd = fs.openSync(tmp, 'w');
      const out = fd;
      const snap: Snapshot = this.newSnapshot((chunk) => {
        fs.writeSync(out, chunk);
        snap.recycle(chunk);
      });
      snap.step(Infinity);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = -1;
      fs.renameSync(tmp, this.path);
    } catch (e) {
      if (fd >= 0) fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      this.server.log.warning(`Failed opening the temp RDB file ${tmp} (in server root dir ${this.server.config.str('dir')}) for saving: ${(e as Error).message}`);
      this.lastBgsaveOk = false;
      return false;
    }
    this.server.log.notice('DB saved on disk');
    this.server.dirty = 0;
    this.server.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
    return true;
  }

  /** BGSAVE: returns null when started, or the error to reply. */
  startBgsave(opts: { forReplication?: boolean } = {}): string | null {
    if (this.running) return 'Background save already in progress';
    this.beforeSnapshot();
    const tmp = this.tmpPath();
    this.lastBgsaveTry = Date.now();
    let fd: number;
    try {
      fd = fs.openSync(tmp, 'w');
    } catch (e) {
      // Redis's child fails after the fork: BGSAVE has already answered "started".
      this.rdbSaves++;
      this.server.log.notice(`Background saving started by pid ${process.pid}`);
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message;
      setImmediate(() => {
        this.server.log.warning(`Failed opening the temp RDB file ${tmp.slice(tmp.lastIndexOf('/') + 1)} (in server root dir ${this.server.config.str('dir')}) for saving: ${reason}`);
        this.server.log.warning('Background saving error');
        this.lastBgsaveOk = false;
        for (const fn of this.onBgsaveDone) fn(false, 'disk');
      });
      return null;
    }
    this.dirtyBeforeBgsave = this.server.dirty;
    const run: RunningSave = {
      snapshot: null as unknown as Snapshot,
      target: 'disk',
      forReplication: opts.forReplication ?? false,
      tmp,
      fd,
      queued: 0,
      peakQueued: 0,
      error: null,
      writing: Promise.resolve(),
    };
    // Chunks are written in order through one promise chain; the traversal waits when the
    // queue is above the high-water mark (the hook's output cannot wait and is queued anyway).
    run.snapshot = this.newSnapshot((chunk) => {
      run.queued += chunk.length;
      if (run.queued > run.peakQueued) run.peakQueued = run.queued;
      run.writing = run.writing.then(
        () =>
          new Promise<void>((resolve) => {
            if (run.error) return resolve();
            fs.write(run.fd, chunk, 0, chunk.length, null, (err) => {
              run.queued -= chunk.length;
              if (err) run.error = err;
              run.snapshot.recycle(chunk);
              resolve();
            });
          }),
      );
    });
    this.running = run;
    this.rdbSaves++;
    this.server.log.notice(`Background saving started by pid ${process.pid}`);
    this.traverse(
      run,
      () => (run.queued > HIGH_WATER ? run.writing : null),
      () => void run.writing.then(() => this.finishBgsave(run)),
    );
    return null;
  }

  /**
   * Runs a snapshot's traversal in SLICE_MS slices between event-loop turns, pausing while
   * `congested` returns a promise (the sink is full), then calls `done`. Stops if the save was
   * aborted meanwhile.
   */
  private traverse(run: RunningSave, congested: () => Promise<void> | null, done: () => void): void {
    let lastEnd = 0;
    const slice = () => {
      if (this.running !== run) return;
      const wait = congested();
      if (wait) {
        lastEnd = 0;
        void wait.then(() => setImmediate(slice));
        return;
      }
      const start = performance.now();
      const busy = lastEnd > 0 && start - lastEnd > BUSY_GAP_MS;
      const finished = run.snapshot.step(busy ? BUSY_SLICE_MS : SLICE_MS);
      lastEnd = performance.now();
      if (!finished) {
        setImmediate(slice);
        return;
      }
      done();
    };
    setImmediate(slice);
  }

  private finishBgsave(run: RunningSave): void {
    if (this.running !== run) return;
    if (!run.error) {
      // fsync off the event loop: on a big file it takes long enough to stall every client
      // (Redis's child does it, not the server).
      fs.fsync(run.fd, (e) => {
        if (this.running !== run) return;
        if (e) run.error = e;
        this.completeBgsave(run);
      });
      return;
    }
    this.completeBgsave(run);
  }

  private completeBgsave(run: RunningSave): void {
    let err = run.error;
    if (!err) {
      try {
        fs.closeSync(run.fd);
        fs.renameSync(run.tmp, this.path);
      } catch (e) {
        err = e as Error;
      }
    } else {
      try {
        fs.closeSync(run.fd);
      } catch {
        // already closed
      }
    }
    this.running = null;
    const snap = run.snapshot;
    this.lastBgsaveTimeSec = Math.round((Date.now() - snap.startedAt) / 1000);
    if (err) {
      fs.rmSync(run.tmp, { force: true });
      this.server.log.warning(`Write error saving DB on disk: ${err.message}`);
      this.server.log.warning('Background saving error');
      this.lastBgsaveOk = false;
      for (const fn of this.onBgsaveDone) fn(false, 'disk');
      return;
    }
    this.lastCowBytes = snap.hookBytes;
    this.server.log.notice('DB saved on disk');
    // The counterpart of Redis's "Fork CoW for RDB" line: what writes forced us to keep.
    this.server.log.notice(
      `Snapshot CoW for RDB: ${Math.round(snap.hookBytes / MB)} MB written early for ${snap.hookKeys} keys changed during the save, peak ${Math.round(run.peakQueued / MB)} MB buffered`,
    );
    this.server.log.notice('Background saving terminated with success');
    this.server.dirty -= this.dirtyBeforeBgsave;
    this.server.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
    for (const fn of this.onBgsaveDone) fn(true, 'disk');
  }

  /**
   * A diskless-sync snapshot: the RDB goes to `write` (the replicas' sockets) instead of a file.
   * The traversal waits while `congested()` returns a promise (a slow replica holds everyone,
   * as with Redis's pipe). `finish` runs when the last byte was handed over. Counts as the
   * running background save, like Redis's socket-target child.
   */
  startSocketBgsave(write: (chunk: Buffer) => void, congested: () => Promise<void> | null, finish: () => void): Snapshot | null {
    if (this.running) return null;
    this.beforeSnapshot();
    const run: RunningSave = {
      snapshot: null as unknown as Snapshot,
      target: 'socket',
      forReplication: true,
      tmp: '',
      fd: -1,
      queued: 0,
      peakQueued: 0,
      error: null,
      writing: Promise.resolve(),
    };
    run.snapshot = this.newSnapshot(write);
    this.running = run;
    this.rdbSaves++;
    this.traverse(run, congested, () => {
      this.running = null;
      this.lastCowBytes = run.snapshot.hookBytes;
      finish();
      for (const fn of this.onBgsaveDone) fn(true, 'socket');
    });
    return run.snapshot;
  }

  /** Another snapshot (an AOF rewrite) must have finished its traversal before a new one starts. */
  beforeSnapshot(): void {
    this.aof?.completeTraversal();
  }

  /** Stops a running BGSAVE and removes its temp file. */
  abort(): void {
    const run = this.running;
    if (!run) return;
    this.running = null;
    run.snapshot.stop();
    if (run.target === 'socket') return;
    void run.writing.then(() => {
      try {
        fs.closeSync(run.fd);
      } catch {
        // already closed
      }
      fs.rmSync(run.tmp, { force: true });
    });
  }

  private cron(now: number): void {
    if (this.running || this.aof?.rewriting()) return;
    if (this.bgsaveScheduled && (this.lastBgsaveOk || now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY * 1000)) {
      this.bgsaveScheduled = false;
      this.startBgsave();
      return;
    }
    const points = this.savePoints();
    if (points.length === 0) return;
    const elapsed = Math.floor(now / 1000) - this.server.lastSave;
    const canRetry = this.lastBgsaveOk || now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY * 1000;
    for (const p of points) {
      if (this.server.dirty >= p.changes && elapsed > p.seconds && canRetry) {
        this.server.log.notice(`${p.changes} changes in ${p.seconds} seconds. Saving...`);
        this.startBgsave();
        return;
      }
    }
  }

  private onShutdown(save: boolean | null): string | null {
    if (this.running) this.abort();
    // Like Redis: never save while a dataset is being loaded (a replica's full sync): half-read data.
    if (this.server.loading) save = false;
    if ((this.savePoints().length > 0 && save !== false) || save === true) {
      this.server.log.notice('Saving the final RDB snapshot before exiting.');
      if (!this.saveSync()) {
        this.server.log.warning("Error trying to save the DB, can't exit.");
        return 'Errors trying to SHUTDOWN. Check logs.';
      }
    }
    return null;
  }

  private misconf(): string | null {
    if (this.lastBgsaveOk || !this.server.config.bool('stop-writes-on-bgsave-error') || this.savePoints().length === 0) return null;
    return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
  }

  // ---------------------------------------------------------------- loading

  /**
   * Loads `dbfilename` into the (empty) keyspace. A missing file is not an error; a bad one
   * throws after logging, and the caller stops the server: nothing half-loaded is ever served.
   */
  load(
    path = this.path,
    opts: { merge?: boolean; functions?: 'flush' | 'keep' | 'merge'; atStartup?: boolean; aofBase?: boolean; consumed?: { bytes: number } } = {},
  ): boolean {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    const s = this.server;
    const start = Date.now();
    const now = Date.now();
    // An AOF base keeps expired keys (later commands of the AOF may still refer to them).
    const dropExpired = s.masterHost === null && !opts.aofBase;
    // The access clock of a loaded key starts now (LRU seconds, or LFU's initial counter).
    const lru = s.keyspace.lfu ? lfuInitial() : Math.floor(now / 1000) & 0xffffff;
    let loaded = 0;
    let expired = 0;
    const functionCodes: string[] = [];
    const reader = new RdbReader(
      {
        onFunction: (code) => functionCodes.push(code),
        onAux: (k, v) => {
          if (k === 'redis-ver') s.log.notice(`Loading RDB produced by version ${v}`);
          else if (k === 'ctime') s.log.notice(`RDB age ${Math.max(0, Math.floor(now / 1000) - Number(v))} seconds`);
          else if (k === 'used-mem') s.log.notice(`RDB memory usage when created ${(Number(v) / MB).toFixed(2)} Mb`);
          else if (k === 'aof-base' && /^\s*[+-]?[1-9]/.test(v)) s.log.notice('RDB is base AOF');
          s.rdbAux?.(k, v);
        },
        onRecord: (r) => {
          if (r.expireMs !== null && r.expireMs < now && dropExpired) {
            expired++;
            return;
          }
          const v = fromRdbValue(r.value, s.config, r.key);
          v.lru = lru;
          const db = s.keyspace.dbs[r.db];
          // Only DEBUG RELOAD NOFLUSH loads into a non-empty keyspace: MERGE lets the file win.
          if (db.dict.has(r.key)) {
            if (!opts.merge) {
              s.log.warning(`RDB has duplicated key '${r.key}' in DB ${r.db}`);
              throw new Error('Duplicated key found in RDB file');
            }
            // loadEntry replaces the value (and its accounted bytes); the old TTL goes too.
            db.expires.delete(r.key);
          }
          db.loadEntry(r.key, v, r.expireMs);
          loaded++;
        },
      },
      {
        databases: s.keyspace.dbs.length,
        verifyChecksum: !this.skipChecksumValidation,
        packSmallHashes: { maxEntries: s.config.num('hash-max-listpack-entries'), maxValue: s.config.num('hash-max-listpack-value') },
      },
    );
    // Restored after: at startup the server stays loading until every startup task is done.
    const wasLoading = s.loading;
    s.loading = true;
    try {
      const summary = reader.parseAll(buf);
      // An AOF file with an RDB preamble goes on with commands after the RDB's last byte.
      if (opts.consumed) opts.consumed.bytes = summary.bytes;
      s.rdbFunctions?.load(functionCodes, opts.functions ?? 'flush');
    } catch (e) {
      s.keyspace.flushAll();
      s.log.warning(`${(e as Error).message}. Failure loading rdb format`);
      throw e;
    } finally {
      s.loading = wasLoading;
    }
    this.loadKeysLoaded = loaded;
    this.loadKeysExpired = expired;
    s.log.notice(`Done loading RDB, keys loaded: ${loaded}, keys expired: ${expired}.`);
    // Redis says this when loading at startup, not for DEBUG RELOAD.
    if (opts.atStartup) s.log.notice(`DB loaded from disk: ${((Date.now() - start) / 1000).toFixed(3)} seconds`);
    s.dirty = 0;
    return true;
  }

  private loadAtStartup(): void {
    if (
      this.aof?.loadAtStartup((path) => {
        const consumed = { bytes: 0 };
        try {
          return this.load(path, { aofBase: true, consumed }) ? consumed.bytes : null;
        } catch {
          return null;
        }
      })
    ) {
      return;
    }
    try {
      this.load(this.path, { atStartup: true });
    } catch (e) {
      this.server.log.warning('Terminating server after rdb file reading failure.');
      throw new FatalLoadError((e as Error).message);
    }
  }

  /**
   * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load back, with Redis's replies. A key
   * both in memory and in the file without MERGE is fatal in Redis (it panics); here the load
   * fails as a bad file does: the dataset is emptied and the error is the reply.
   */
  private debugReload(c: Client, argv: string[]): void {
    let merge = false;
    let flush = true;
    let save = true;
    for (let j = 2; j < argv.length; j++) {
      if (is(argv[j], 'MERGE')) merge = true;
      else if (is(argv[j], 'NOFLUSH')) flush = false;
      else if (is(argv[j], 'NOSAVE')) save = false;
      else {
        c.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
        return;
      }
    }
    if (save && !this.saveSync()) {
      c.error('ERR');
      return;
    }
    if (flush) this.server.keyspace.flushAll();
    let loaded = false;
    try {
      // Redis empties functions with the keys; without that, the file's libraries join them.
      loaded = this.load(this.path, { merge, functions: flush ? 'flush' : merge ? 'merge' : 'keep' });
    } catch {
      loaded = false;
    }
    if (!loaded) {
      c.error('ERR Error trying to load the RDB dump');
      return;
    }
    this.server.log.warning('DB reloaded by DEBUG RELOAD');
    c.w.ok();
  }

  /** DEBUG DIGEST: the same hex signature Redis computes for the same data (zeros when empty). */
  digest(): string {
    const dd = new DatasetDigest();
    let any = false;
    for (const db of this.server.keyspace.dbs) {
      // Like Redis: every key still in the dictionary counts, even if logically expired.
      for (const [key, v] of db.dict) {
        dd.add(db.id, key, toWriteValue(v), db.expires.has(key));
        any = true;
      }
    }
    return any ? dd.hex() : '0'.repeat(40);
  }

  private info(): string[] {
    const s = this.server;
    const run = this.running;
    const snap = run?.snapshot;
    return [
      `loading:${s.loading ? 1 : 0}`,
      'async_loading:0',
      `current_cow_peak:${run ? run.peakQueued : 0}`,
      `current_cow_size:${run ? run.queued : 0}`,
      `current_cow_size_age:0`,
      'current_fork_perc:0.00',
      `current_save_keys_processed:${snap ? snap.keysWritten : 0}`,
      `current_save_keys_total:${snap ? snap.keysTotal : 0}`,
      `rdb_changes_since_last_save:${s.dirty}`,
      `rdb_bgsave_in_progress:${run ? 1 : 0}`,
      `rdb_last_save_time:${s.lastSave}`,
      `rdb_last_bgsave_status:${this.lastBgsaveOk ? 'ok' : 'err'}`,
      `rdb_last_bgsave_time_sec:${this.lastBgsaveTimeSec}`,
      `rdb_current_bgsave_time_sec:${snap ? Math.round((Date.now() - snap.startedAt) / 1000) : -1}`,
      `rdb_saves:${this.rdbSaves}`,
      `rdb_last_cow_size:${this.lastCowBytes}`,
      `rdb_last_load_keys_expired:${this.loadKeysExpired}`,
      `rdb_last_load_keys_loaded:${this.loadKeysLoaded}`,
      ...(this.aof?.infoLines() ?? [
        'aof_enabled:0',
        'aof_rewrite_in_progress:0',
        'aof_rewrite_scheduled:0',
        'aof_last_rewrite_time_sec:-1',
        'aof_current_rewrite_time_sec:-1',
        'aof_last_bgrewrite_status:ok',
        'aof_rewrites:0',
        'aof_rewrites_consecutive_failures:0',
        'aof_last_write_status:ok',
        'aof_last_cow_size:0',
        'module_fork_in_progress:0',
        'module_fork_last_cow_size:0',
      ]),
    ];
  }

  private dump(c: Client, argv: string[]): void {
    const v = c.db.lookupRead(argv[1]);
    if (v === undefined) {
      c.w.nil();
      return;
    }
    c.w.bulkBuffer(RdbWriter.dumpPayload(toWriteValue(v), { compression: this.server.config.bool('rdbcompression') }));
  }

  private restore(c: Client, argv: string[]): void {
    let replace = false;
    let absttl = false;
    let idle = -1;
    let freq = -1;
    for (let j = 4; j < argv.length; j++) {
      const more = argv.length - j - 1;
      if (is(argv[j], 'REPLACE')) replace = true;
      else if (is(argv[j], 'ABSTTL')) absttl = true;
      else if (is(argv[j], 'IDLETIME') && more >= 1 && freq === -1) {
        const n = parseInt64(argv[++j]);
        if (n === null) return c.error(E.NOT_INTEGER);
        if (n < 0) return c.error('ERR Invalid IDLETIME value, must be >= 0');
        idle = n;
      } else if (is(argv[j], 'FREQ') && more >= 1 && idle === -1) {
        const n = parseInt64(argv[++j]);
        if (n === null) return c.error(E.NOT_INTEGER);
        if (n < 0 || n > 255) return c.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
        freq = n;
      } else return c.error(E.SYNTAX);
    }
    const key = argv[1];
    if (!replace && c.db.lookupWrite(key) !== undefined) return c.error('BUSYKEY Target key name already exists.');
    let ttl = parseInt64(argv[2]);
    if (ttl === null) return c.error(E.NOT_INTEGER);
    if (ttl < 0) return c.error('ERR Invalid TTL value, must be >= 0');
    let rv;
    try {
      rv = RdbReader.parseDumpPayload(Buffer.from(argv[3], 'latin1'), { verifyChecksum: !this.skipChecksumValidation });
    } catch (e) {
      if (/version or checksum/.test((e as Error).message)) return c.error('ERR DUMP payload version or checksum are wrong');
      return c.error('ERR Bad data format');
    }
    if (rv === null) return c.error('ERR Bad data format');
    let value;
    try {
      value = fromRdbValue(rv, this.server.config, key);
    } catch {
      return c.error('ERR Bad data format');
    }
    const deleted = replace ? c.db.deleteUnchecked(key) : false;
    if (ttl !== 0 && !absttl) ttl += this.server.keyspace.now();
    if (ttl !== 0 && ttl <= this.server.keyspace.now() && this.server.masterHost === null) {
      // Already expired: nothing to create; a replaced key is gone (propagated as DEL).
      if (deleted) {
        c.propagateArgv = ['DEL', key];
        c.db.notify(NOTIFY.GENERIC, 'del', key);
        this.server.dirty++;
      }
      c.w.ok();
      return;
    }
    c.db.add(key, value);
    if (ttl !== 0) {
      c.db.setExpire(key, ttl);
      if (!absttl) {
        const rewritten = argv.slice();
        rewritten[2] = String(ttl);
        rewritten.push('ABSTTL');
        c.propagateArgv = rewritten;
      }
    }
    if (freq >= 0) value.lru = (Math.floor(Date.now() / 60000) & 0xffff) * 256 + freq;
    else if (idle >= 0) value.lru = (Math.floor(Date.now() / 1000) - idle) & 0xffffff;
    c.db.notify(NOTIFY.GENERIC, 'restore', key);
    this.server.dirty++;
    c.w.ok();
  }

  commands(): CommandSpec[] {
    const g = { group: 'server' };
    return [
      {
        group: 'generic',
        name: 'dump',
        arity: 2,
        flags: ['readonly'],
        keys: [1, 1, 1],
        since: '2.6.0',
        summary: 'Returns a serialized representation of the value stored at a key.',
        tips: ['nondeterministic_output'],
        handler: (c, argv) => this.dump(c, argv),
      },
      {
        group: 'generic',
        name: 'restore',
        arity: -4,
        flags: ['write', 'denyoom'],
        keys: [1, 1, 1],
        since: '2.6.0',
        summary: 'Creates a key from the serialized representation of a value.',
        acl: ['dangerous'],
        handler: (c, argv) => this.restore(c, argv),
      },
      {
        ...g,
        name: 'save',
        arity: 1,
        flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
        since: '1.0.0',
        summary: 'Synchronously saves the database(s) to disk.',
        handler: (c) => {
          if (this.running) {
            c.error('ERR Background save already in progress');
            return;
          }
          if (this.saveSync()) c.w.ok();
          else c.error('ERR');
        },
      },
      {
        ...g,
        name: 'bgsave',
        arity: -1,
        flags: ['admin', 'noscript', 'no_async_loading'],
        since: '1.0.0',
        summary: 'Asynchronously saves the database(s) to disk.',
        handler: (c, argv) => {
          if (argv.length > 2 || (argv.length === 2 && !is(argv[1], 'SCHEDULE'))) {
            c.error(E.SYNTAX);
            return;
          }
          if (this.running) {
            c.error('ERR Background save already in progress');
            return;
          }
          if (this.aof?.rewriting()) {
            // Redis's single child: BGSAVE waits for the AOF rewrite only when asked to.
            if (argv.length === 2) {
              this.bgsaveScheduled = true;
              c.w.simple('Background saving scheduled');
            } else {
              c.error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
            }
            return;
          }
          const err = this.startBgsave();
          if (err) c.error(`ERR ${err}`);
          else c.w.simple('Background saving started');
        },
      },
    ];
  }
}

/** The RDB at startup could not be loaded: the server must not start. */
export class FatalLoadError extends Error {}
