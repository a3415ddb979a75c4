/**
 * The AOF manifest of Redis 7.0's multi-part AOF: one line per file,
 * `file <name> seq <n> type b|h|i`, the base first, then history, then the incremental files in
 * sequence order. The manifest is the only truth about which files make up the dataset; it is
 * replaced atomically (temp file, fsync, rename, fsync of the directory).
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { splitArgs } from '../protocol/request-parser.js';
import { catRepr } from '../util/repr.js';

export type FileType = 'b' | 'h' | 'i';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: FileType;
}

export class Manifest {
  base: AofFileInfo | null = null;
  incr: AofFileInfo[] = [];
  history: AofFileInfo[] = [];
  baseSeq = 0;
  incrSeq = 0;

  clone(): Manifest {
    const m = new Manifest();
    m.base = this.base ? { ...this.base } : null;
    m.incr = this.incr.map((f) => ({ ...f }));
    m.history = this.history.map((f) => ({ ...f }));
    m.baseSeq = this.baseSeq;
    m.incrSeq = this.incrSeq;
    return m;
  }

  get empty(): boolean {
    return this.base === null && this.incr.length === 0;
  }

  /** The manifest text, as Redis writes it. */
  format(): string {
    let out = '';
    for (const f of [...(this.base ? [this.base] : []), ...this.history, ...this.incr]) {
      out += `file ${needsRepr(f.name) ? catRepr(f.name) : f.name} seq ${f.seq} type ${f.type}\n`;
    }
    return out;
  }

  /** A new base name (`<appendfilename>.<seq>.base.rdb|aof`); the old base becomes history. */
  newBase(appendfilename: string, rdbPreamble: boolean): string {
    if (this.base) {
      this.history.unshift({ ...this.base, type: 'h' });
    }
    this.baseSeq++;
    this.base = { name: `${appendfilename}.${this.baseSeq}.base.${rdbPreamble ? 'rdb' : 'aof'}`, seq: this.baseSeq, type: 'b' };
    return this.base.name;
  }

  newIncr(appendfilename: string): string {
    this.incrSeq++;
    const f: AofFileInfo = { name: `${appendfilename}.${this.incrSeq}.incr.aof`, seq: this.incrSeq, type: 'i' };
    this.incr.push(f);
    return f.name;
  }

  /** The last incremental file, or a new one when there is none. */
  lastIncr(appendfilename: string): string {
    return this.incr.length > 0 ? this.incr[this.incr.length - 1].name : this.newIncr(appendfilename);
  }

  /** After a rewrite: the incr files it covers become history (the open one stays, if any). */
  markRewrittenIncrAsHistory(keepLast: boolean): void {
    const keep = keepLast && this.incr.length > 0 ? this.incr.splice(this.incr.length - 1, 1) : [];
    for (const f of this.incr.reverse()) this.history.unshift({ ...f, type: 'h' });
    this.incr = keep;
  }
}

/** Redis's sdsneedsrepr: a name with spaces, quotes or non-printables is written quoted. */
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c || c === 0x22 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x07 || c === 0x08 || c <= 32 || c >= 127) return true;
  }
  return false;
}

/** A fatal manifest problem, with Redis's log lines. */
export class ManifestError extends Error {
  constructor(
    message: string,
    readonly lines: string[],
  ) {
    super(message);
  }
}

const MAX_LINE = 1024;

/** Parses a manifest file's text; throws ManifestError with Redis's wording. */
export function parseManifest(text: string): Manifest {
  const m = new Manifest();
  let maxSeq = 0;
  let lineNum = 0;
  let pos = 0;
  const fail = (err: string, line: string | null): never => {
    const lines = ['\n*** FATAL AOF MANIFEST FILE ERROR ***\n'];
    if (line !== null) lines.push(`Reading the manifest file, at line ${lineNum}\n`, `>>> '${line}'\n`);
    lines.push(`${err}\n`);
    throw new ManifestError(err, lines);
  };
  if (text.length === 0) fail('Found an empty AOF manifest', null);
  while (pos < text.length) {
    // fgets with a MAX_LINE+1 buffer: at most MAX_LINE characters per read.
    let end = text.indexOf('\n', pos);
    let raw: string;
    if (end < 0 || end - pos + 1 > MAX_LINE) {
      raw = text.slice(pos, Math.min(text.length, pos + MAX_LINE));
      end = pos + raw.length - 1;
    } else {
      raw = text.slice(pos, end + 1);
    }
    pos = end + 1;
    lineNum++;
    if (raw[0] === '#') continue;
    if (!raw.includes('\n')) fail('The AOF manifest file contains too long line', null);
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line.length === 0) fail('Invalid AOF manifest file format', line);
    const argv = splitArgs(line);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) fail('Invalid AOF manifest file format', line);
    let name: string | null = null;
    let seq = 0;
    let type = '';
    for (let i = 0; i < argv!.length; i += 2) {
      const k = argv![i].toLowerCase();
      if (k === 'file') {
        name = argv![i + 1];
        if (name.includes('/')) fail("File can't be a path, just a filename", line);
      } else if (k === 'seq') {
        seq = atoll(argv![i + 1]);
      } else if (k === 'type') {
        type = argv![i + 1][0] ?? '';
      }
    }
    if (!name || !seq || !type) fail('Invalid AOF manifest file format', line);
    const info = { name: name!, seq, type: type as FileType };
    if (type === 'b') {
      if (m.base) fail('Found duplicate base file information', line);
      m.base = info;
      m.baseSeq = seq;
    } else if (type === 'h') {
      m.history.push(info);
    } else if (type === 'i') {
      if (seq <= maxSeq) fail('Found a non-monotonic sequence number', line);
      m.incr.push(info);
      m.incrSeq = seq;
      maxSeq = seq;
    } else {
      fail('Unknown AOF file type', line);
    }
  }
  return m;
}

/** C's atoll: optional spaces and sign, then digits; anything else stops it (0 if none). */
function atoll(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** Writes the manifest atomically into `dir` as `<appendfilename>.manifest`; throws with a log line. */
export function writeManifest(dir: string, appendfilename: string, m: Manifest): void {
  const name = `${appendfilename}.manifest`;
  const tmpName = `temp-${name}`;
  const tmp = join(dir, tmpName);
  let fd = -1;
  try {
    try {
      fd = fs.openSync(tmp, 'w', 0o644);
    } catch (e) {
      throw new Error(`Can't open the AOF manifest file ${tmpName}: ${strerror(e)}`);
    }
    try {
      fs.writeSync(fd, m.format());
    } catch (e) {
      throw new Error(`Error trying to write the temporary AOF manifest file ${tmpName}: ${strerror(e)}`);
    }
    try {
      fs.fsyncSync(fd);
    } catch (e) {
      throw new Error(`Fail to fsync the temp AOF file ${tmpName}: ${strerror(e)}.`);
    }
    try {
      fs.renameSync(tmp, join(dir, name));
    } catch (e) {
      throw new Error(`Error trying to rename the temporary AOF manifest file ${tmpName} into ${name}: ${strerror(e)}`);
    }
    fsyncDir(dir);
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/** fsync of a directory, so a rename or a new file in it survives a crash. */
export function fsyncDir(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EIO: 'Input/output error',
  EBADF: 'Bad file descriptor',
  EDQUOT: 'Disk quota exceeded',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  EFBIG: 'File too large',
  EINVAL: 'Invalid argument',
};

/** C's strerror text for a Node fs error. */
export function strerror(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return (err?.code && ERRNO_TEXT[err.code]) || (err?.message ?? String(e));
}
