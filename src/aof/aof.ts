/**
 * Redis 7.0's append-only file: a directory (appenddirname) holding a base file (an RDB, or
 * commands), incremental files of commands and the manifest naming them.
 *
 *   off ──CONFIG SET appendonly yes──▶ wait_rewrite ──rewrite done──▶ on ──appendonly no──▶ off
 *   on: every propagated write ─▶ buffer ─▶ write(2) before any reply leaves ─▶ fsync per appendfsync
 *
 * The buffer is written at the end of the event-loop turn, or as soon as a client's reply is
 * about to be sent (the output gate), so a reply never leaves before its write reached the
 * file. With appendfsync always the replies wait for the fsync too (fdatasync right after the
 * write, on the event loop, as Redis); everysec fsyncs in libuv's thread pool once a second. A rewrite is the fork-less snapshot
 * of the persistence module: at its start a new incr file receives every later write, and
 * the snapshot (the dataset at that instant) becomes the new base.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../server.js';
import type { Client } from '../net/client.js';
import { Snapshot } from '../persistence/snapshot.js';
import { REDIS_VERSION } from '../version.js';
import { Manifest, parseManifest, writeManifest, fsyncDir, strerror, ManifestError } from './manifest.js';
import { AofLoader } from './loader.js';
import { rdbToCommands } from './commands-base.js';
import { FatalLoadError } from '../persistence/persistence.js';

const MB = 1024 * 1024;
/** Traversal slice of a rewrite between event-loop turns (ms). */
const SLICE_MS = 0.5;
/** Pause the rewrite's traversal while its file's write queue holds more than this. */
const HIGH_WATER = 8 * MB;
/** Seconds between two logs of the same write error (AOF_WRITE_LOG_ERROR_RATE). */
const WRITE_ERROR_LOG_RATE = 30;
const REWRITE_LIMIT_THRESHOLD = 3;
const REWRITE_LIMIT_MAX_MINUTES = 60;

type State = 'off' | 'on' | 'wait_rewrite';

interface Rewrite {
  snapshot: Snapshot;
  tmp: string;
  tmpName: string;
  fd: number;
  queued: number;
  peakQueued: number;
  error: Error | null;
  writing: Promise<void>;
  startedAt: number;
  stopped: boolean;
  /** aof-use-rdb-preamble no: the snapshot's RDB bytes, turned into commands at the end. */
  collected: Buffer[] | null;
}

export class Aof {
  state: State = 'off';
  manifest = new Manifest();
  private fd = -1;
  private buf: Buffer[] = [];
  private bufLen = 0;
  private selectedDb = -1;
  /** Byte counters over the server's life: appended to the buffer, written, known durable. */
  private appended = 0;
  private written = 0;
  private synced = 0;
  private fsyncInFlight = 0;
  /** fds whose close waits for an fsync in flight. */
  private closeAfterFsync = new Set<number>();
  currentSize = 0;
  baseSize = 0;
  private lastIncrSize = 0;
  private lastIncrFsyncOffset = 0;
  private lastFsyncSec = 0;
  lastWriteOk = true;
  private lastWriteErr = '';
  private bioFsyncOk = true;
  private bioFsyncErr = '';
  private lastWriteErrorLog = 0;
  private flushScheduled = false;
  private curTimestamp = 0;
  /** Clients whose replies wait for the fsync of everything appended before them (always). */
  private readonly held = new Map<Client, number>();
  private releasing: Client | null = null;
  // rewrite state and INFO counters
  private rewrite: Rewrite | null = null;
  rewriteScheduled = false;
  lastRewriteTimeSec = -1;
  lastBgrewriteOk = true;
  rewrites = 0;
  consecutiveFailures = 0;
  lastCowSize = 0;
  private nextDelayMinutes = 0;
  private nextRewriteTime = 0;

  constructor(private readonly server: Server) {}

  private get cfg() {
    return this.server.config;
  }

  get dirPath(): string {
    return join(this.cfg.str('dir'), this.cfg.str('appenddirname'));
  }

  private get filename(): string {
    return this.cfg.str('appendfilename');
  }

  get rewriting(): boolean {
    return this.rewrite !== null;
  }

  get bufferLength(): number {
    return this.bufLen;
  }

  get pendingFsync(): number {
    return this.fsyncInFlight;
  }

  /** What MISCONF reports: the last write error, or a background fsync error. */
  diskError(): string | null {
    if (this.state === 'off') return null;
    if (!this.lastWriteOk) return this.lastWriteErr;
    if (!this.bioFsyncOk) return this.bioFsyncErr;
    return null;
  }

  // ---------------------------------------------------------------- feeding

  /** feedAppendOnlyFile: a propagated write, SELECT first when the db changed. */
  feed(db: number, argv: string[]): void {
    if (this.state === 'off' || (this.state === 'wait_rewrite' && this.rewrite === null)) return;
    let out = '';
    if (this.cfg.bool('aof-timestamp-enabled')) {
      const now = Math.floor(Date.now() / 1000);
      if (this.curTimestamp < now) {
        this.curTimestamp = now;
        out += `#TS:${now}\r\n`;
      }
    }
    if (db !== this.selectedDb) {
      const d = String(db);
      out += `*2\r\n$6\r\nSELECT\r\n$${d.length}\r\n${d}\r\n`;
      this.selectedDb = db;
    }
    out += `*${argv.length}\r\n`;
    for (const a of argv) out += `$${a.length}\r\n${a}\r\n`;
    const b = Buffer.from(out, 'latin1');
    this.buf.push(b);
    this.bufLen += b.length;
    this.appended += b.length;
    this.scheduleFlush();
  }

  /** Like beforeSleep: write (and fsync) what this turn of the event loop appended. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush(false);
      // everysec/no: the replies held for this turn's write(2) go now, written or not (a failed
      // write is retried and reported by MISCONF, as Redis sends its replies after a failed write).
      if (this.held.size > 0 && this.cfg.str('appendfsync') !== 'always') this.release(Infinity);
    });
  }

  /**
   * The output gate (called before a client's replies are written): under appendfsync always
   * replies wait until everything appended so far is on disk; otherwise they wait for the one
   * write(2) of everything this turn of the event loop appended, as Redis writes the AOF in
   * beforeSleep before any reply (one syscall for all clients, not one per client). Returns
   * true when the client's output is held.
   */
  gate(c: Client): boolean {
    if (this.state === 'off' || c.socket === null || this.releasing === c) return false;
    if (this.cfg.str('appendfsync') === 'always') {
      if (this.bufLen > 0 || this.written > this.synced) {
        const t = this.held.get(c) ?? 0;
        this.held.set(c, Math.max(t, this.appended));
        this.scheduleFlush();
        return true;
      }
      return false;
    }
    if (this.bufLen > 0) {
      this.held.set(c, this.appended);
      this.scheduleFlush();
      return true;
    }
    return false;
  }

  /** Writes the held clients' replies whose data is covered up to `upTo` (the fsynced offset by default). */
  private release(upTo = this.synced): void {
    for (const [c, target] of this.held) {
      if (target > upTo) continue;
      this.held.delete(c);
      if (c.isClosed) continue;
      this.releasing = c;
      try {
        c.flush();
      } finally {
        this.releasing = null;
      }
    }
  }

  /** Releases every held client (AOF turned off, shutdown). */
  private releaseAll(): void {
    this.synced = this.appended;
    this.release();
  }

  /** flushAppendOnlyFile. */
  flush(force: boolean): void {
    if (this.fd < 0) return;
    const policy = this.cfg.str('appendfsync');
    const nowSec = Math.floor(Date.now() / 1000);
    // appendfsync changed from always: nobody waits for an fsync any more.
    if (policy !== 'always' && this.held.size > 0 && this.bufLen === 0) this.releaseAll();
    if (this.bufLen === 0) {
      if (policy === 'everysec' && this.lastIncrFsyncOffset !== this.lastIncrSize && nowSec > this.lastFsyncSec && this.fsyncInFlight === 0) {
        this.tryFsync(policy, nowSec);
      } else if (policy === 'always' && (this.lastIncrFsyncOffset !== this.lastIncrSize || this.written > this.synced)) {
        this.tryFsync(policy, nowSec);
      }
      return;
    }
    void force;
    if (this.flushSleepUs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, this.flushSleepUs / 1000);
    const data = this.buf.length === 1 ? this.buf[0] : Buffer.concat(this.buf, this.bufLen);
    let n = 0;
    try {
      while (n < data.length) n += fs.writeSync(this.fd, data, n, data.length - n);
    } catch (e) {
      this.writeFailed(e, n, data, policy, nowSec);
      return;
    }
    if (!this.lastWriteOk) {
      this.server.log.warning('AOF write error looks solved, Redis can write again.');
      this.lastWriteOk = true;
    }
    this.buf = [];
    this.bufLen = 0;
    this.written += n;
    this.currentSize += n;
    this.lastIncrSize += n;
    this.tryFsync(policy, nowSec);
  }

  private writeFailed(e: unknown, n: number, data: Buffer, policy: string, nowSec: number): void {
    const log = nowSec - this.lastWriteErrorLog > WRITE_ERROR_LOG_RATE;
    if (log) this.lastWriteErrorLog = nowSec;
    let err = strerror(e);
    if (n > 0) {
      if (log) this.server.log.warning(`Short write while writing to the AOF file: (nwritten=${n}, expected=${data.length})`);
      try {
        fs.ftruncateSync(this.fd, this.lastIncrSize);
        n = 0;
      } catch (te) {
        if (log) {
          this.server.log.warning(
            `Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: ${strerror(te)}`,
          );
        }
      }
      err = 'No space left on device';
    } else if (log) {
      this.server.log.warning(`Error writing to the AOF file: ${err}`);
    }
    if (policy === 'always') {
      // Replies of this turn are already computed and the data cannot be rolled back: a
      // write that is not on disk must not be acknowledged, so the server stops.
      this.fatal("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
      return;
    }
    this.lastWriteOk = false;
    this.lastWriteErr = err;
    if (n > 0) {
      this.currentSize += n;
      this.lastIncrSize += n;
      this.written += n;
      const rest = data.subarray(n);
      this.buf = [rest];
      this.bufLen = rest.length;
    } else {
      this.buf = [data];
    }
  }

  private tryFsync(policy: string, nowSec: number): void {
    if (this.cfg.bool('no-appendfsync-on-rewrite') && (this.rewrite !== null || this.server.persistence.inProgress)) {
      // No fsync while a snapshot is written: replies only wait for the write(2), as in Redis.
      if (this.held.size > 0) this.releaseAll();
      return;
    }
    if (policy === 'always') {
      this.fsyncInline();
      this.lastFsyncSec = nowSec;
    } else if (policy === 'everysec' && nowSec > this.lastFsyncSec) {
      if (this.fsyncInFlight === 0) this.startFsync();
      this.lastFsyncSec = nowSec;
    } else if (policy === 'no') {
      // Nothing waits for the disk; the kernel writes back on its own.
      if (this.held.size > 0) this.releaseAll();
    }
  }

  /**
   * appendfsync always: fdatasync on the event loop right after the write, before any reply of
   * this turn leaves, as Redis does in beforeSleep (a thread-pool round trip would add a loop
   * turn to every write's latency).
   */
  private fsyncInline(): void {
    try {
      fs.fdatasyncSync(this.fd);
    } catch (e) {
      this.fatal(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${strerror(e)}. Exiting...`);
      return;
    }
    this.synced = this.written;
    this.lastIncrFsyncOffset = this.lastIncrSize;
    if (!this.bioFsyncOk) this.bioFsyncOk = true;
    this.release();
  }

  /** fdatasync in libuv's thread pool (Redis's bio thread; Redis's redis_fsync is fdatasync on Linux). */
  private startFsync(): void {
    const fd = this.fd;
    const target = this.written;
    const incrSize = this.lastIncrSize;
    this.fsyncInFlight++;
    fs.fdatasync(fd, (err) => {
      this.fsyncInFlight--;
      if (this.closeAfterFsync.delete(fd)) fs.close(fd, () => {});
      const stale = fd !== this.fd;
      if (err && !stale) {
        this.bioFsyncOk = false;
        this.bioFsyncErr = strerror(err);
        return;
      }
      if (!err && !this.bioFsyncOk) this.bioFsyncOk = true;
      if (target > this.synced) this.synced = target;
      if (!stale) this.lastIncrFsyncOffset = incrSize;
      this.release();
      if (this.state !== 'off' && this.cfg.str('appendfsync') === 'always' && (this.bufLen > 0 || this.written > this.synced)) this.scheduleFlush();
    });
  }

  private fatal(msg: string): void {
    this.server.log.warning(msg);
    if (this.server.onShutdown) this.server.onShutdown(1);
    else process.exit(1);
  }

  /** Closes an fd after its pending data is fsynced (aof_background_fsync_and_close). */
  private backgroundClose(fd: number): void {
    if (fd < 0) return;
    if (this.fsyncInFlight > 0) {
      // An fsync may be running on it: close when done, after one more fsync of our own.
      this.fsyncInFlight++;
      fs.fsync(fd, () => {
        this.fsyncInFlight--;
        fs.close(fd, () => {});
      });
      return;
    }
    fs.fsync(fd, () => fs.close(fd, () => {}));
  }

  // ---------------------------------------------------------------- startup

  /**
   * Redis's aofLoadManifestFromDisk (even with appendonly no, a bad manifest is fatal), then,
   * with appendonly yes, loadAppendOnlyFiles and aofOpenIfNeededOnServerStart. Returns true
   * when the AOF decided the dataset (the RDB is then not read).
   */
  loadAtStartup(loadRdb: (path: string) => number | null): boolean {
    this.loadRdb = loadRdb;
    this.loadManifest();
    if (!this.cfg.bool('appendonly')) return false;
    this.upgradeIfNeeded();
    // Off while loading (Redis's aof_state during loadAppendOnlyFiles): nothing a loaded
    // command causes (an expired key's DEL) is appended again.
    const start = performance.now();
    const r = this.loadFiles();
    if (r.status === 'failed' || r.status === 'open_err') throw new FatalLoadError('AOF loading failed');
    if (r.status !== 'not_exist') {
      this.server.log.notice(`DB loaded from append only file: ${((performance.now() - start) / 1000).toFixed(3)} seconds`);
      this.currentSize = r.totalSize;
      this.baseSize = r.baseSize;
    }
    this.server.dirty = 0;
    this.openOnStart();
    this.deleteHistory();
    return true;
  }

  private loadRdb: (path: string) => number | null = () => null;

  /**
   * A pre-7.0 AOF (`appendfilename` in dir) becomes the base of a new AOF directory, as
   * Redis's aofUpgradePrepare: manifest first, then the file moves (a crash in between is
   * finished at the next start).
   */
  private upgradeIfNeeded(): void {
    const old = join(this.cfg.str('dir'), this.filename);
    if (!fs.existsSync(old)) return;
    const m = this.manifest;
    const dirExists = fs.existsSync(this.dirPath);
    const interrupted = m.base !== null && m.incr.length === 0 && m.base.name === this.filename && !fs.existsSync(join(this.dirPath, this.filename));
    if (dirExists && !m.empty && !interrupted) return;
    const log = this.server.log;
    try {
      fs.mkdirSync(this.dirPath, { recursive: true, mode: 0o755 });
    } catch (e) {
      log.warning(`Can't open or create append-only dir ${this.cfg.str('appenddirname')}: ${strerror(e)}`);
      throw new FatalLoadError('AOF dir');
    }
    m.base = { name: this.filename, seq: 1, type: 'b' };
    m.baseSeq = 1;
    this.persistManifest(m, true);
    try {
      fs.renameSync(old, join(this.dirPath, this.filename));
    } catch (e) {
      log.warning(`Error trying to move the old AOF file ${this.filename} into dir ${this.cfg.str('appenddirname')}: ${strerror(e)}`);
      throw new FatalLoadError('AOF upgrade');
    }
    log.notice(`Successfully migrated an old-style AOF file (${this.filename}) into the AOF directory (${this.cfg.str('appenddirname')}).`);
  }

  /** loadAppendOnlyFiles with the AOF off meanwhile: what loaded commands cause is not appended. */
  private loadFiles(): ReturnType<AofLoader['loadAll']> {
    const prev = this.state;
    this.state = 'off';
    try {
      return new AofLoader(this.server, this.dirPath, this.loadRdb).loadAll(this.manifest, this.filename);
    } finally {
      this.state = prev;
    }
  }

  /** DEBUG LOADAOF: flush, empty the dataset and load the AOF directory again. */
  debugLoadAof(): void {
    if (this.state !== 'off') this.flush(true);
    this.server.keyspace.flushAll();
    this.manifest = new Manifest();
    this.loadManifest();
    this.deleteHistory();
    const r = this.loadFiles();
    if (r.status !== 'ok' && r.status !== 'empty' && r.status !== 'truncated' && r.status !== 'not_exist') {
      this.fatal('AOF loading by DEBUG LOADAOF failed, exiting.');
      return;
    }
    this.server.dirty = 0;
    this.server.log.warning('Append Only File loaded by DEBUG LOADAOF');
  }

  /** DEBUG AOF-FLUSH-SLEEP: microseconds to sleep before each write of the buffer (tests). */
  flushSleepUs = 0;

  private loadManifest(): void {
    const path = join(this.dirPath, `${this.filename}.manifest`);
    let text: string;
    try {
      if (!fs.statSync(this.dirPath).isDirectory()) return;
      text = fs.readFileSync(path, 'latin1');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      this.server.log.warning(`Fatal error: can't open the AOF manifest file ${path} for reading: ${strerror(e)}`);
      throw new FatalLoadError('AOF manifest unreadable');
    }
    try {
      this.manifest = parseManifest(text);
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
      for (const l of e.lines) this.server.log.warning(l);
      throw new FatalLoadError(e.message);
    }
  }

  /** aofOpenIfNeededOnServerStart: a base for an empty start, the last incr file opened for appending. */
  private openOnStart(): void {
    const log = this.server.log;
    const dir = this.dirPath;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    } catch (e) {
      log.warning(`Can't open or create append-only dir ${this.cfg.str('appenddirname')}: ${strerror(e)}`);
      throw new FatalLoadError('AOF dir');
    }
    const hadIncr = this.manifest.incr.length > 0;
    if (this.manifest.empty) {
      const name = this.manifest.newBase(this.filename, this.cfg.bool('aof-use-rdb-preamble'));
      if (!this.rewriteSync(join(dir, name))) throw new FatalLoadError('AOF base');
      log.notice(`Creating AOF base file ${name} on server start`);
    }
    const name = this.manifest.lastIncr(this.filename);
    this.state = 'on';
    try {
      this.fd = fs.openSync(join(dir, name), fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644);
    } catch (e) {
      log.warning(`Can't open the append-only file ${name}: ${strerror(e)}`);
      throw new FatalLoadError('AOF open');
    }
    this.persistManifest(this.manifest, true);
    this.lastIncrSize = fs.fstatSync(this.fd).size;
    this.lastIncrFsyncOffset = this.lastIncrSize;
    log.notice(`${hadIncr ? 'Opening' : 'Creating'} AOF incr file ${name} on server start`);
  }

  /** persistAofManifest; logs and returns false on failure (fatal at startup). */
  private persistManifest(m: Manifest, fatal = false): boolean {
    try {
      writeManifest(this.dirPath, this.filename, m);
      return true;
    } catch (e) {
      this.server.log.warning((e as Error).message);
      if (fatal) throw new FatalLoadError('AOF manifest');
      return false;
    }
  }

  // ---------------------------------------------------------------- base files

  private newSnapshot(onChunk: (b: Buffer) => void): Snapshot {
    return new Snapshot(this.server, {
      compression: this.cfg.bool('rdbcompression'),
      checksum: this.cfg.bool('rdbchecksum'),
      // Like Redis's base files: no replication info, aof-base set.
      aux: { redisVer: REDIS_VERSION, usedMem: process.memoryUsage().heapUsed, aofBase: 1 },
      onChunk,
    });
  }

  /** rewriteAppendOnlyFile: the dataset now, written synchronously to `path` (temp + rename). */
  private rewriteSync(path: string): boolean {
    const tmpName = `temp-rewriteaof-${process.pid}.aof`;
    const tmp = join(this.cfg.str('dir'), tmpName);
    let fd = -1;
    try {
      fd = fs.openSync(tmp, 'w', 0o644);
    } catch (e) {
      this.server.log.warning(`Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ${strerror(e)}`);
      return false;
    }
    try {
      const out = fd;
      const collected: Buffer[] | null = this.cfg.bool('aof-use-rdb-preamble') ? null : [];
      const snap: Snapshot = this.newSnapshot((chunk) => {
        if (collected) collected.push(Buffer.from(chunk));
        else fs.writeSync(out, chunk);
        snap.recycle(chunk);
      });
      snap.step(Infinity);
      if (collected) fs.writeSync(fd, rdbToCommands(Buffer.concat(collected), this.timestampForBase()));
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = -1;
    } catch (e) {
      this.server.log.warning(`Write error writing append only file on disk: ${strerror(e)}`);
      if (fd >= 0) fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      return false;
    }
    try {
      fs.renameSync(tmp, path);
    } catch (e) {
      this.server.log.warning(`Error moving temp append only file on the final destination: ${strerror(e)}`);
      fs.rmSync(tmp, { force: true });
      return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- rewrite

  /** Another background job holds the snapshot machinery (Redis's hasActiveChildProcess). */
  private otherChildActive(): boolean {
    return this.server.persistence.inProgress;
  }

  /** BGREWRITEAOF's reply. */
  bgrewriteaof(inExec: boolean): { ok: boolean; text: string } {
    if (this.rewrite !== null) return { ok: false, text: 'ERR Background append only file rewriting already in progress' };
    if (this.otherChildActive() || inExec) {
      this.rewriteScheduled = true;
      this.consecutiveFailures = 0;
      return { ok: true, text: 'Background append only file rewriting scheduled' };
    }
    if (this.startRewrite()) return { ok: true, text: 'Background append only file rewriting started' };
    return { ok: false, text: "ERR Can't execute an AOF background rewriting. Please check the server logs for more information." };
  }

  /** rewriteAppendOnlyFileBackground. */
  startRewrite(): boolean {
    if (this.rewrite !== null || this.otherChildActive()) return false;
    const log = this.server.log;
    try {
      fs.mkdirSync(this.dirPath, { recursive: true, mode: 0o755 });
    } catch (e) {
      log.warning(`Can't open or create append-only dir ${this.cfg.str('appenddirname')}: ${strerror(e)}`);
      this.lastBgrewriteOk = false;
      return false;
    }
    this.selectedDb = -1;
    this.flush(true);
    if (!this.openNewIncr()) {
      this.lastBgrewriteOk = false;
      return false;
    }
    this.rewrites++;
    const tmpName = `temp-rewriteaof-bg-${process.pid}.aof`;
    const tmp = join(this.cfg.str('dir'), tmpName);
    let fd: number;
    try {
      fd = fs.openSync(tmp, 'w', 0o644);
    } catch (e) {
      // Redis's child fails after the fork: the rewrite has started and then fails.
      log.notice(`Background append only file rewriting started by pid ${process.pid}`);
      log.warning(`Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ${strerror(e)}`);
      this.rewriteScheduled = false;
      const startedAt = Date.now();
      setImmediate(() => this.rewriteFailed(startedAt));
      return true;
    }
    const rw: Rewrite = {
      snapshot: null as unknown as Snapshot,
      tmp,
      tmpName,
      fd,
      queued: 0,
      peakQueued: 0,
      error: null,
      writing: Promise.resolve(),
      startedAt: Date.now(),
      stopped: false,
      collected: this.cfg.bool('aof-use-rdb-preamble') ? null : [],
    };
    rw.snapshot = this.newSnapshot((chunk) => {
      if (rw.collected) {
        rw.collected.push(Buffer.from(chunk));
        rw.snapshot?.recycle(chunk);
        return;
      }
      rw.queued += chunk.length;
      if (rw.queued > rw.peakQueued) rw.peakQueued = rw.queued;
      rw.writing = rw.writing.then(
        () =>
          new Promise<void>((resolve) => {
            if (rw.error || rw.stopped) return resolve();
            fs.write(rw.fd, chunk, 0, chunk.length, null, (err) => {
              rw.queued -= chunk.length;
              if (err) rw.error = err;
              rw.snapshot.recycle(chunk);
              resolve();
            });
          }),
      );
    });
    this.rewrite = rw;
    log.notice(`Background append only file rewriting started by pid ${process.pid}`);
    this.rewriteScheduled = false;
    const slice = (): void => {
      if (this.rewrite !== rw || rw.stopped) return;
      if (rw.queued > HIGH_WATER) {
        void rw.writing.then(() => setImmediate(slice));
        return;
      }
      if (!rw.snapshot.step(SLICE_MS)) {
        setImmediate(slice);
        return;
      }
      if (rw.collected) this.writeCommandBase(rw);
      void rw.writing.then(() => this.finishRewriteFile(rw));
    };
    setImmediate(slice);
    return true;
  }

  /** The command-form base of a finished traversal, queued on the temp file's writes. */
  private writeCommandBase(rw: Rewrite): void {
    let data: Buffer;
    try {
      data = rdbToCommands(Buffer.concat(rw.collected!), this.timestampForBase());
    } catch (e) {
      rw.error = e as Error;
      return;
    }
    rw.collected = null;
    rw.writing = rw.writing.then(
      () =>
        new Promise<void>((resolve) => {
          const next = (off: number): void => {
            if (off >= data.length || rw.error || rw.stopped) return resolve();
            fs.write(rw.fd, data, off, data.length - off, null, (err, n) => {
              if (err) {
                rw.error = err;
                return resolve();
              }
              next(off + n);
            });
          };
          next(0);
        }),
    );
  }

  /** A rewrite in command form starts with a timestamp when aof-timestamp-enabled is yes. */
  private timestampForBase(): number | null {
    if (!this.cfg.bool('aof-timestamp-enabled')) return null;
    this.curTimestamp = Math.floor(Date.now() / 1000);
    return this.curTimestamp;
  }

  /** Completes the running rewrite's traversal now (another snapshot is about to start). */
  completeTraversal(): void {
    const rw = this.rewrite;
    if (rw && !rw.snapshot.done) rw.snapshot.step(Infinity);
  }

  /** openNewIncrAofForAppend. */
  private openNewIncr(): boolean {
    if (this.state === 'off') return true;
    let temp: Manifest | null = null;
    let name: string;
    if (this.state === 'wait_rewrite') {
      name = `temp-${this.filename}.incr`;
    } else {
      temp = this.manifest.clone();
      name = temp.newIncr(this.filename);
    }
    let fd: number;
    try {
      fd = fs.openSync(join(this.dirPath, name), fs.constants.O_WRONLY | fs.constants.O_TRUNC | fs.constants.O_CREAT, 0o644);
    } catch (e) {
      this.server.log.warning(`Can't open the append-only file ${name}: ${strerror(e)}`);
      return false;
    }
    if (temp && !this.persistManifest(temp)) {
      fs.closeSync(fd);
      return false;
    }
    this.server.log.notice(`Creating AOF incr file ${name} on background rewrite`);
    const old = this.fd;
    // Under `always` the old file is durable before it is left (replies held on it are released
    // then); otherwise its fsync and close go to the background, as 7.0 does.
    if (old >= 0 && this.cfg.str('appendfsync') === 'always' && this.synced < this.written) this.fsyncInline();
    this.fd = fd;
    if (old >= 0) {
      this.backgroundClose(old);
      this.lastFsyncSec = Math.floor(Date.now() / 1000);
    }
    this.lastIncrSize = 0;
    this.lastIncrFsyncOffset = 0;
    if (temp) this.manifest = temp;
    return true;
  }

  private finishRewriteFile(rw: Rewrite): void {
    if (this.rewrite !== rw || rw.stopped) return;
    const done = (err: Error | null): void => {
      if (this.rewrite !== rw || rw.stopped) return;
      try {
        fs.closeSync(rw.fd);
      } catch {
        // already closed
      }
      if (err) {
        this.server.log.warning(`Write error writing append only file on disk: ${strerror(err)}`);
        fs.rmSync(rw.tmp, { force: true });
        this.server.log.warning('Background AOF rewrite terminated with error');
        this.lastBgrewriteOk = false;
        this.consecutiveFailures++;
        this.endRewrite(rw);
        return;
      }
      this.server.log.notice(`Successfully created the temporary AOF base file ${rw.tmpName}`);
      this.server.log.notice(
        `Snapshot CoW for AOF rewrite: ${Math.round(rw.snapshot.hookBytes / MB)} MB written early for ${rw.snapshot.hookKeys} keys changed during the rewrite, peak ${Math.round(rw.peakQueued / MB)} MB buffered`,
      );
      this.lastCowSize = rw.snapshot.hookBytes;
      this.rewriteDone(rw);
    };
    if (rw.error) return done(rw.error);
    fs.fsync(rw.fd, (e) => done(e));
  }

  private rewriteFailed(startedAt: number): void {
    this.server.log.warning('Background AOF rewrite terminated with error');
    this.lastBgrewriteOk = false;
    this.consecutiveFailures++;
    this.cleanupAfterRewrite(startedAt);
  }

  /** backgroundRewriteDoneHandler, success path. */
  private rewriteDone(rw: Rewrite): void {
    const log = this.server.log;
    log.notice('Background AOF rewrite terminated with success');
    const temp = this.manifest.clone();
    const base = temp.newBase(this.filename, this.cfg.bool('aof-use-rdb-preamble'));
    const basePath = join(this.dirPath, base);
    const fail = (): void => {
      this.lastBgrewriteOk = false;
      this.consecutiveFailures++;
      this.endRewrite(rw);
    };
    try {
      fs.renameSync(rw.tmp, basePath);
    } catch (e) {
      log.warning(`Error trying to rename the temporary AOF base file ${rw.tmpName} into ${basePath}: ${strerror(e)}`);
      fs.rmSync(rw.tmp, { force: true });
      return fail();
    }
    log.notice(`Successfully renamed the temporary AOF base file ${rw.tmpName} into ${base}`);
    let newIncrPath: string | null = null;
    if (this.state === 'wait_rewrite') {
      const tempIncr = `temp-${this.filename}.incr`;
      const tempIncrPath = join(this.dirPath, tempIncr);
      const incr = temp.newIncr(this.filename);
      newIncrPath = join(this.dirPath, incr);
      try {
        fs.renameSync(tempIncrPath, newIncrPath);
      } catch (e) {
        log.warning(`Error trying to rename the temporary AOF incr file ${tempIncrPath} into ${newIncrPath}: ${strerror(e)}`);
        fs.rmSync(basePath, { force: true });
        return fail();
      }
      log.notice(`Successfully renamed the temporary AOF incr file ${tempIncr} into ${incr}`);
    }
    temp.markRewrittenIncrAsHistory(this.fd >= 0);
    if (!this.persistManifest(temp)) {
      fs.rmSync(basePath, { force: true });
      if (newIncrPath) fs.rmSync(newIncrPath, { force: true });
      return fail();
    }
    fsyncDir(this.dirPath);
    this.manifest = temp;
    if (this.state !== 'off') {
      let size = 0;
      try {
        size = fs.statSync(basePath).size;
      } catch {
        // counted as 0
      }
      this.currentSize = size + this.lastIncrSize;
      this.baseSize = this.currentSize;
    }
    this.deleteHistory();
    this.lastBgrewriteOk = true;
    this.consecutiveFailures = 0;
    log.notice('Background AOF rewrite finished successfully');
    if (this.state === 'wait_rewrite') this.state = 'on';
    this.endRewrite(rw);
  }

  private endRewrite(rw: Rewrite): void {
    this.rewrite = null;
    rw.stopped = true;
    this.cleanupAfterRewrite(rw.startedAt);
  }

  private cleanupAfterRewrite(startedAt: number): void {
    if (this.state === 'wait_rewrite') {
      // The temp incr file only served this attempt; the next one starts over.
      this.buf = [];
      this.bufLen = 0;
      const name = `temp-${this.filename}.incr`;
      this.server.log.notice(`Removing the temp incr aof file ${name} in the background`);
      if (this.fd >= 0) {
        fs.close(this.fd, () => {});
        this.fd = -1;
      }
      fs.rm(join(this.dirPath, name), { force: true }, () => {});
      this.rewriteScheduled = true;
    }
    this.lastRewriteTimeSec = Math.floor((Date.now() - startedAt) / 1000);
  }

  /** Stops a running rewrite and removes its temp file (killAppendOnlyChild). */
  killRewrite(): void {
    const rw = this.rewrite;
    if (!rw) return;
    this.server.log.notice(`Killing running AOF rewrite child: ${process.pid}`);
    this.rewrite = null;
    rw.stopped = true;
    rw.snapshot.stop();
    void rw.writing.then(() => {
      try {
        fs.closeSync(rw.fd);
      } catch {
        // already closed
      }
      fs.rmSync(rw.tmp, { force: true });
    });
    this.lastRewriteTimeSec = -1;
  }

  /** aofDelHistoryFiles. */
  private deleteHistory(): void {
    if (this.cfg.bool('aof-disable-auto-gc') || this.manifest.history.length === 0) return;
    for (const f of this.manifest.history) {
      this.server.log.notice(`Removing the history file ${f.name} in the background`);
      fs.rm(join(this.dirPath, f.name), { force: true }, () => {});
    }
    this.manifest.history = [];
    this.persistManifest(this.manifest);
  }

  // ---------------------------------------------------------------- runtime switches

  /** startAppendOnly (CONFIG SET appendonly yes). Returns false when it could not start. */
  start(inExec: boolean): boolean {
    this.state = 'wait_rewrite';
    const log = this.server.log;
    if (this.otherChildActive()) {
      this.rewriteScheduled = true;
      log.warning('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
    } else if (inExec) {
      this.rewriteScheduled = true;
      log.warning('AOF was enabled during a transaction. An AOF background was scheduled to start when possible.');
    } else {
      if (this.rewrite !== null) {
        log.warning('AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
        this.killRewrite();
      }
      if (!this.startRewrite()) {
        this.state = 'off';
        log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
        return false;
      }
    }
    this.lastFsyncSec = Math.floor(Date.now() / 1000);
    if (!this.bioFsyncOk) {
      log.warning('AOF reopen, just ignore the AOF fsync error in bio job');
      this.bioFsyncOk = true;
    }
    if (!this.lastWriteOk) {
      log.warning('AOF reopen, just ignore the last error.');
      this.lastWriteOk = true;
    }
    return true;
  }

  /** stopAppendOnly (CONFIG SET appendonly no). */
  stop(): void {
    this.flush(true);
    if (this.fd >= 0) {
      try {
        fs.fsyncSync(this.fd);
        this.lastFsyncSec = Math.floor(Date.now() / 1000);
      } catch (e) {
        this.server.log.warning(`Fail to fsync the AOF file: ${strerror(e)}`);
      }
      fs.close(this.fd, () => {});
    }
    this.fd = -1;
    this.selectedDb = -1;
    this.state = 'off';
    this.rewriteScheduled = false;
    this.lastIncrSize = 0;
    this.lastIncrFsyncOffset = 0;
    this.killRewrite();
    this.buf = [];
    this.bufLen = 0;
    this.releaseAll();
  }

  /** Shutdown: refuse while the first AOF is being written, else flush and fsync. */
  onShutdown(force: boolean): string | null {
    if (this.rewrite !== null) {
      if (this.state === 'wait_rewrite') {
        if (force) this.server.log.warning('Writing initial AOF. Exit anyway.');
        else {
          this.server.log.warning("Writing initial AOF, can't exit.");
          return 'Errors trying to SHUTDOWN. Check logs.';
        }
      }
      this.server.log.warning('There is a child rewriting the AOF. Killing it!');
      this.killRewrite();
    }
    if (this.state !== 'off') {
      this.server.log.notice('Calling fsync() on the AOF file.');
      this.flush(true);
      if (this.fd >= 0) {
        try {
          fs.fsyncSync(this.fd);
        } catch (e) {
          this.server.log.warning(`Fail to fsync the AOF file: ${strerror(e)}.`);
        }
      }
      this.releaseAll();
    }
    return null;
  }

  close(): void {
    if (this.rewrite) {
      this.rewrite.snapshot.stop();
      this.rewrite.stopped = true;
      this.rewrite = null;
    }
    if (this.fd >= 0) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = -1;
    }
  }

  // ---------------------------------------------------------------- cron

  /** serverCron's AOF duties: scheduled and automatic rewrites, retrying failed writes, everysec fsync. */
  cron(now: number): void {
    if (this.state === 'off') return;
    const nowSec = Math.floor(now / 1000);
    if (this.rewrite === null && !this.otherChildActive() && this.rewriteScheduled && !this.rewriteLimited(nowSec)) {
      this.startRewrite();
    }
    if (this.state === 'on' && this.rewrite === null && !this.otherChildActive()) {
      const perc = this.cfg.num('auto-aof-rewrite-percentage');
      if (perc > 0 && this.currentSize > this.cfg.num('auto-aof-rewrite-min-size')) {
        const base = this.baseSize > 0 ? this.baseSize : 1;
        const growth = Math.floor((this.currentSize * 100) / base) - 100;
        if (growth >= perc && !this.rewriteLimited(nowSec)) {
          this.server.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
          this.startRewrite();
        }
      }
    }
    if (!this.lastWriteOk && nowSec !== this.lastRetrySec) {
      this.lastRetrySec = nowSec;
      this.flush(false);
    } else {
      // everysec: the fsync of data written when the last second's fsync was still running.
      this.flush(false);
    }
  }

  private lastRetrySec = 0;

  /** aofRewriteLimited: back off after repeated failures (1, 2, 4 ... 60 minutes). */
  private rewriteLimited(nowSec: number): boolean {
    if (this.consecutiveFailures < REWRITE_LIMIT_THRESHOLD) {
      this.nextDelayMinutes = 0;
      this.nextRewriteTime = 0;
      return false;
    }
    if (this.nextRewriteTime !== 0) {
      if (nowSec < this.nextRewriteTime) return true;
      this.nextRewriteTime = 0;
      return false;
    }
    this.nextDelayMinutes = this.nextDelayMinutes === 0 ? 1 : Math.min(this.nextDelayMinutes * 2, REWRITE_LIMIT_MAX_MINUTES);
    this.nextRewriteTime = nowSec + this.nextDelayMinutes * 60;
    this.server.log.warning(`Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.nextDelayMinutes} minutes`);
    return true;
  }

  // ---------------------------------------------------------------- INFO

  infoLines(): string[] {
    const rw = this.rewrite;
    const lines = [
      `aof_enabled:${this.state !== 'off' ? 1 : 0}`,
      `aof_rewrite_in_progress:${rw ? 1 : 0}`,
      `aof_rewrite_scheduled:${this.rewriteScheduled ? 1 : 0}`,
      `aof_last_rewrite_time_sec:${this.lastRewriteTimeSec}`,
      `aof_current_rewrite_time_sec:${rw ? Math.floor((Date.now() - rw.startedAt) / 1000) : -1}`,
      `aof_last_bgrewrite_status:${this.lastBgrewriteOk ? 'ok' : 'err'}`,
      `aof_rewrites:${this.rewrites}`,
      `aof_rewrites_consecutive_failures:${this.consecutiveFailures}`,
      `aof_last_write_status:${this.lastWriteOk && this.bioFsyncOk ? 'ok' : 'err'}`,
      `aof_last_cow_size:${this.lastCowSize}`,
      'module_fork_in_progress:0',
      'module_fork_last_cow_size:0',
    ];
    if (this.cfg.bool('appendonly')) {
      lines.push(
        `aof_current_size:${this.currentSize}`,
        `aof_base_size:${this.baseSize}`,
        `aof_pending_rewrite:${this.rewriteScheduled ? 1 : 0}`,
        `aof_buffer_length:${this.bufLen}`,
        `aof_pending_bio_fsync:${this.fsyncInFlight}`,
        'aof_delayed_fsync:0',
      );
    }
    return lines;
  }
}
