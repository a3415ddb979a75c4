/**
 * Loading an AOF directory as Redis 7.0 does: the base file (an RDB when it starts with
 * "REDIS", else commands), then every incremental file in manifest order. Commands run in a
 * client without a connection, MULTI/EXEC as one unit. A file that ends mid-command (or
 * inside a MULTI) is truncated to its last complete command when aof-load-truncated allows,
 * and only the last file may be truncated.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../server.js';
import type { Client } from '../net/client.js';
import type { Command } from '../commands/registry.js';
import type { Manifest } from './manifest.js';
import { Database } from '../store/database.js';
import { strerror } from './manifest.js';

export type LoadStatus = 'ok' | 'not_exist' | 'empty' | 'open_err' | 'failed' | 'truncated';

/** The RDB part of a file: the persistence module loads it; its length, or null for a bad file (logged). */
export type RdbLoad = (path: string) => number | null;

/** fgets over a buffer: a line up to and including '\n', at most max-1 bytes, or null at EOF. */
class LineReader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get eof(): boolean {
    return this.pos >= this.buf.length;
  }

  gets(max: number): string | null {
    if (this.pos >= this.buf.length) return null;
    const limit = Math.min(this.buf.length, this.pos + max - 1);
    let end = this.buf.indexOf(0x0a, this.pos);
    end = end < 0 || end >= limit ? limit : end + 1;
    const s = this.buf.latin1Slice(this.pos, end);
    this.pos = end;
    return s;
  }

  /** fread of n bytes: null (nothing consumed past EOF) when fewer remain. */
  read(n: number): string | null {
    if (this.pos + n > this.buf.length) {
      this.pos = this.buf.length;
      return null;
    }
    const s = this.buf.latin1Slice(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

/** AOF_ANNOTATION_LINE_MAX_LEN: fgets buffer size for the protocol lines. */
const LINE_MAX = 1024;

export class AofLoader {
  constructor(
    private readonly server: Server,
    private readonly dir: string,
    private readonly loadRdb: RdbLoad,
  ) {}

  private get log() {
    return this.server.log;
  }

  /** loadAppendOnlyFiles: every file of the manifest. */
  loadAll(m: Manifest, appendfilename: string): { status: LoadStatus; totalSize: number; baseSize: number } {
    if (m.empty) return { status: 'not_exist', totalSize: 0, baseSize: 0 };
    const files = [...(m.base ? [m.base] : []), ...m.incr];
    let total = 0;
    for (const f of files) {
      try {
        total += fs.statSync(join(this.dir, f.name)).size;
      } catch (e) {
        this.log.warning(`Unable to obtain the AOF file ${f.name} length. stat: ${strerror(e)}`);
        // A file the manifest names but the disk lacks is fatal.
        return { status: 'failed', totalSize: 0, baseSize: 0 };
      }
    }
    if (total === 0) return { status: 'empty', totalSize: 0, baseSize: 0 };
    let status: LoadStatus = 'ok';
    let baseSize = 0;
    const wasLoading = this.server.loading;
    this.server.loading = true;
    try {
      let n = 0;
      for (const f of files) {
        const isBase = f === m.base;
        if (isBase) baseSize = fs.statSync(join(this.dir, f.name)).size;
        const last = ++n === files.length;
        const start = performance.now();
        status = this.loadOne(f.name, f.name === appendfilename);
        if (status === 'ok' || (status === 'truncated' && last)) {
          this.log.notice(`DB loaded from ${isBase ? 'base' : 'incr'} file ${f.name}: ${((performance.now() - start) / 1000).toFixed(3)} seconds`);
        }
        if (!isBase && status === 'empty') status = 'ok';
        if (status === 'truncated' && !last) {
          status = 'failed';
          this.log.warning('Fatal error: the truncated file is not the last file');
        }
        if (status === 'open_err' || status === 'failed') break;
      }
    } finally {
      this.server.loading = wasLoading;
    }
    return { status, totalSize: total, baseSize };
  }

  /** loadSingleAppendOnlyFile; `oldStyle`: a pre-7.0 single file (RDB preamble and a tail). */
  loadOne(name: string, oldStyle = false): LoadStatus {
    const path = join(this.dir, name);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.log.warning(`The append log file ${name} doesn't exist: ${strerror(e)}`);
        return 'not_exist';
      }
      this.log.warning(`Fatal error: can't open the append log file ${name} for reading: ${strerror(e)}`);
      return 'open_err';
    }
    if (buf.length === 0) return 'empty';
    let start = 0;
    if (buf.length >= 5 && buf.latin1Slice(0, 5) === 'REDIS') {
      this.log.notice(oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
      const n = this.loadRdb(path);
      if (n === null) {
        this.log.warning(oldStyle ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted` : `Error reading the RDB base file ${name}, AOF loading aborted`);
        return 'failed';
      }
      if (oldStyle) this.log.notice('Reading the remaining AOF tail...');
      start = n;
    }
    return this.loadCommands(name, path, buf, start);
  }

  private loadCommands(name: string, path: string, buf: Buffer, start: number): LoadStatus {
    const s = this.server;
    const c = s.createClient(null);
    // Redis's AOF client must be obeyed like a master (mustObeyClient): scripts may write on a
    // read-only replica, string and stream limits are the writer's.
    c.isMaster = true;
    const r = new LineReader(buf);
    r.pos = start;
    let validUpTo = start;
    let validBeforeMulti = start;
    let multi: { cmd: Command; argv: string[] }[] | null = null;
    const truncatedOk = s.config.bool('aof-load-truncated');
    const outcome = (): LoadStatus | 'uxeof' | 'fmterr' => {
      for (;;) {
        const line = r.gets(LINE_MAX);
        if (line === null) break;
        if (line[0] === '#') continue;
        if (line[0] !== '*') return 'fmterr';
        if (line.length === 1) return 'uxeof';
        const argc = atoi(line.slice(1));
        if (argc < 1) return 'fmterr';
        const argv: string[] = [];
        for (let j = 0; j < argc; j++) {
          const l = r.gets(LINE_MAX);
          if (l === null) return 'uxeof';
          if (l[0] !== '$') return 'fmterr';
          const len = strtol(l.slice(1));
          const arg = len > 0 ? r.read(len) : '';
          if (arg === null) return 'uxeof';
          if (r.read(2) === null) return 'uxeof';
          argv.push(arg);
        }
        const cmd = s.commands.lookup(argv);
        if (cmd === undefined) {
          s.log.warning(`Unknown command '${argv[0]}' reading the append only file ${name}`);
          return 'failed';
        }
        if (cmd.name === 'multi') {
          validBeforeMulti = validUpTo;
          multi = [];
        } else if (multi !== null && cmd.name !== 'exec') {
          multi.push({ cmd, argv });
        } else if (cmd.name === 'exec') {
          const queued = multi ?? [];
          multi = null;
          const all = () => {
            for (const q of queued) {
              c.cmd = q.cmd;
              q.cmd.handler!(c, q.argv);
            }
          };
          if (!this.run(c, all, name)) return 'failed';
        } else if (
          !this.run(
            c,
            () => {
              c.cmd = cmd;
              cmd.handler!(c, argv);
            },
            name,
          )
        ) {
          return 'failed';
        }
        if (truncatedOk) validUpTo = r.pos;
      }
      if (multi !== null) {
        // A MULTI without its EXEC is handled as a short read: the unfinished part goes.
        s.log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
        validUpTo = validBeforeMulti;
        return 'uxeof';
      }
      return 'ok';
    };
    let res: LoadStatus | 'uxeof' | 'fmterr';
    try {
      res = outcome();
    } finally {
      c.w.take();
      s.removeClient(c);
    }
    if (res === 'fmterr') {
      s.log.warning(`Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
      return 'failed';
    }
    if (res !== 'uxeof') return res;
    if (truncatedOk) {
      s.log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
      s.log.warning(`!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
      try {
        fs.truncateSync(path, validUpTo);
        s.log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
        return 'truncated';
      } catch (e) {
        s.log.warning(`Error truncating the AOF file ${name}: ${strerror(e)}`);
      }
    }
    s.log.warning(
      `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
    );
    return 'failed';
  }

  /** Runs one command (or a transaction) as an execution unit; replies are dropped. */
  private run(c: Client, fn: () => void, name: string): boolean {
    // Nothing expires while loading (keyIsExpired during loading): a key whose PEXPIREAT is
    // past still takes the commands after it, and expires once the server runs.
    Database.applyingMasterStream = true;
    try {
      this.server.exec.runUnit(fn);
    } catch (e) {
      this.log.warning(`Error executing a command of the append only file ${name}: ${(e as Error).message}`);
      return false;
    } finally {
      Database.applyingMasterStream = false;
    }
    c.w.take();
    return true;
  }
}

function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

function strtol(s: string): number {
  return atoi(s);
}
