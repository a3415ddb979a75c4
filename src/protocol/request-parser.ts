/**
 * Resumable parser for client requests: RESP multibulk (`*N\r\n$len\r\n...`) and inline commands.
 *
 * Arguments come out as latin1 strings (one char per byte, binary-safe, compact in V8).
 * The parser keeps an offset into the current chunk and only copies the unconsumed tail when a
 * command straddles two chunks; a large bulk argument that arrives over many chunks is gathered
 * as a list of pieces and joined once, so input is never re-concatenated per chunk.
 *
 * Error texts are those Redis 7.0 replies with before closing the connection.
 */

export class ProtocolError extends Error {
  /** Short reason, as Redis puts it in its verbose log ("invalid bulk length"). */
  constructor(message: string, readonly reason: string) {
    super(message);
  }
}

const INLINE_MAX = 64 * 1024; // PROTO_INLINE_MAX_SIZE
const BIG_ARG = 32 * 1024; // past this a bulk is gathered in pieces instead of re-buffered
const EMPTY = Buffer.alloc(0);
const CR = 13;
const LF = 10;

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** true while the client must still authenticate: Redis then refuses big lengths early */
  authRequired: boolean;
}

export class RequestParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  // State of a multibulk request that is partially read.
  private argv: string[] | null = null;
  private argi = 0;
  private bulkLen = -1;
  // Pieces of a big bulk argument being gathered across chunks.
  private pieces: Buffer[] | null = null;
  private piecesLen = 0;
  /** Set when the last call to next() produced an inline request (lets replicas' empty-line pings be seen). */
  lastWasInline = false;

  constructor(readonly limits: ParserLimits) {}

  /** Bytes received but not yet consumed as complete commands (the `qbuf` of CLIENT LIST). */
  pending(): number {
    return this.buf.length - this.pos + this.piecesLen;
  }

  /** The first `n` unconsumed bytes (for log lines about an oversized query buffer). */
  peek(n: number): string {
    if (this.pieces !== null) return this.pieces[0].latin1Slice(0, Math.min(n, this.pieces[0].length));
    return this.buf.latin1Slice(this.pos, Math.min(this.buf.length, this.pos + n));
  }

  /**
   * The unconsumed bytes as Redis's protocol-error log line samples them: all of them up to
   * the first NUL when under 128 bytes, else the first and last 64 with the count between.
   * Unprintable bytes show as '.'.
   */
  errorSample(): string {
    const rest = this.pieces !== null ? Buffer.concat(this.pieces) : this.buf.subarray(this.pos);
    // Redis prints these parts with %s: each ends at its first NUL.
    const show = (b: Buffer) => {
      const nul = b.indexOf(0);
      return b.latin1Slice(0, nul >= 0 ? nul : b.length).replace(/[^\x20-\x7e]/g, '.');
    };
    let text: string;
    if (rest.length < 128) {
      text = `Query buffer during protocol error: '${show(rest)}'`;
    } else {
      text = `Query buffer during protocol error: '${show(rest.subarray(0, 64))}' (... more ${rest.length - 128} bytes ...) '${show(rest.subarray(rest.length - 64))}'`;
    }
    return text.slice(0, 255);
  }

  /**
   * Stops referencing memory the caller is about to reuse (the socket's shared read buffer):
   * unconsumed bytes that live in `shared` are copied out.
   */
  detach(shared: ArrayBufferLike): void {
    if (this.pieces !== null) {
      for (let i = 0; i < this.pieces.length; i++) if (this.pieces[i].buffer === shared) this.pieces[i] = Buffer.from(this.pieces[i]);
      return;
    }
    if (this.pos >= this.buf.length) {
      this.release();
    } else if (this.buf.buffer === shared) {
      this.buf = Buffer.from(this.buf.subarray(this.pos));
      this.pos = 0;
    }
  }

  /** Capacity held for the query buffer (for `qbuf-free`). */
  capacity(): number {
    return this.buf.length;
  }

  feed(chunk: Buffer): void {
    if (this.pieces !== null) {
      // Gathering a big bulk: keep the piece, no copy.
      this.pieces.push(chunk);
      this.piecesLen += chunk.length;
      return;
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      const rest = this.buf.length - this.pos;
      const merged = Buffer.allocUnsafe(rest + chunk.length);
      this.buf.copy(merged, 0, this.pos);
      chunk.copy(merged, rest);
      this.buf = merged;
    }
    this.pos = 0;
  }

  /**
   * Returns the next complete command, or null when more input is needed.
   * Throws ProtocolError on malformed input (the connection must then be closed).
   * An empty inline line yields an empty array (the caller ignores it).
   */
  next(): string[] | null {
    if (this.pieces !== null && !this.finishPieces()) return null;
    if (this.argv === null) {
      if (this.pos >= this.buf.length) {
        this.release();
        return null;
      }
      if (this.buf[this.pos] !== 0x2a /* '*' */) return this.inline();
      this.lastWasInline = false;
      // On an error the header line stays unconsumed: Redis's log line samples the buffer from it.
      const start = this.pos;
      const n = this.readHeaderLine(0x2a, 'too big mbulk count string');
      if (n === null) return null;
      if (n === -2) throw this.rewind(start, new ProtocolError('Protocol error: invalid multibulk length', 'invalid mbulk count'));
      if (n > 10 && this.limits.authRequired) {
        throw this.rewind(start, new ProtocolError('Protocol error: unauthenticated multibulk length', 'unauth mbulk count'));
      }
      if (n <= 0) return [];
      this.argv = new Array<string>(n);
      this.argi = 0;
    }
    const argv = this.argv;
    while (this.argi < argv.length) {
      if (this.bulkLen < 0) {
        if (this.pos >= this.buf.length) return null;
        if (this.buf[this.pos] !== 0x24 /* '$' */) {
          // Redis checks for the line first, then the type byte.
          if (this.buf.indexOf(LF, this.pos) < 0) {
            if (this.buf.length - this.pos > INLINE_MAX) {
              throw new ProtocolError('Protocol error: too big bulk count string', 'too big bulk count string');
            }
            return null;
          }
          throw new ProtocolError(
            `Protocol error: expected '$', got '${String.fromCharCode(this.buf[this.pos])}'`,
            'expected $ but got something else',
          );
        }
        const start = this.pos;
        const len = this.readHeaderLine(0x24, 'too big bulk count string');
        if (len === null) return null;
        if (len < 0 || len > this.limits.maxBulkLen) {
          throw this.rewind(start, new ProtocolError('Protocol error: invalid bulk length', 'invalid bulk length'));
        }
        if (len > 16384 && this.limits.authRequired) {
          throw this.rewind(start, new ProtocolError('Protocol error: unauthenticated bulk length', 'unauth bulk length'));
        }
        this.bulkLen = len;
      }
      const need = this.bulkLen + 2;
      const avail = this.buf.length - this.pos;
      if (avail < need) {
        if (this.bulkLen >= BIG_ARG) {
          // Start gathering this argument in pieces.
          this.pieces = [this.buf.subarray(this.pos)];
          this.piecesLen = avail;
          this.buf = EMPTY;
          this.pos = 0;
        }
        return null;
      }
      argv[this.argi++] = this.buf.latin1Slice(this.pos, this.pos + this.bulkLen);
      this.pos += need;
      this.bulkLen = -1;
    }
    this.argv = null;
    return argv;
  }

  private rewind(pos: number, e: ProtocolError): ProtocolError {
    this.pos = pos;
    return e;
  }

  /** Joins a gathered big bulk once all of it is here. */
  private finishPieces(): boolean {
    const need = this.bulkLen + 2;
    if (this.piecesLen < need) return false;
    const pieces = this.pieces!;
    const all = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, this.piecesLen);
    this.pieces = null;
    this.piecesLen = 0;
    this.argv![this.argi++] = all.latin1Slice(0, this.bulkLen);
    this.bulkLen = -1;
    this.buf = all;
    this.pos = need;
    if (this.argi === this.argv!.length) {
      // next() will return the completed argv on its loop's exit path
    }
    return true;
  }

  /**
   * Reads `<type><integer>\r\n` at pos. Returns the integer, -2 when it is not a valid integer
   * (or exceeds INT_MAX), or null when the line is not complete yet.
   */
  private readHeaderLine(type: number, tooBig: string): number | null {
    const buf = this.buf;
    const nl = buf.indexOf(LF, this.pos);
    if (nl < 0) {
      if (buf.length - this.pos > INLINE_MAX) {
        throw new ProtocolError(`Protocol error: ${tooBig}`, tooBig);
      }
      return null;
    }
    // Redis wants the "\r\n" pair; a lone "\n" with nothing after the line waits for more.
    const end = nl > this.pos && buf[nl - 1] === CR ? nl - 1 : nl;
    const value = parseInteger(buf, this.pos + 1, end);
    this.pos = nl + 1;
    if (value === null) return -2;
    if (type === 0x2a && value > 2147483647) return -2;
    return value;
  }

  private inline(): string[] | null {
    this.lastWasInline = true;
    const buf = this.buf;
    const nl = buf.indexOf(LF, this.pos);
    if (nl < 0) {
      if (buf.length - this.pos > INLINE_MAX) {
        throw new ProtocolError('Protocol error: too big inline request', 'too big inline request');
      }
      return null;
    }
    const end = nl > this.pos && buf[nl - 1] === CR ? nl - 1 : nl;
    const line = buf.latin1Slice(this.pos, end);
    const args = splitArgs(line);
    if (args === null) {
      throw new ProtocolError('Protocol error: unbalanced quotes in request', 'unbalanced quotes in inline request');
    }
    this.pos = nl + 1;
    return args;
  }

  private release(): void {
    this.buf = EMPTY;
    this.pos = 0;
  }
}

/** Parses a decimal integer the way Redis's string2ll does (no spaces, no '+', no leading zeros). */
export function parseInteger(buf: Buffer, start: number, end: number): number | null {
  const len = end - start;
  if (len <= 0 || len > 20) return null;
  let i = start;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
    if (i === end) return null;
  }
  if (buf[i] === 0x30) return len === 1 ? 0 : null;
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  if (v > Number.MAX_SAFE_INTEGER) return null;
  return neg ? -v : v;
}

function isHex(c: string): boolean {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f';
}

/**
 * Splits a line into arguments with the quoting rules of redis.conf and inline commands
 * (Redis's sdssplitargs): "double quotes" with \n \r \t \b \a \xHH escapes, 'single quotes'
 * with only \' escaped, and a closing quote must be followed by a space or the end.
 * Returns null for unbalanced quotes.
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    let inq = false; // double quotes
    let insq = false; // single quotes
    let current = '';
    for (;;) {
      const c = line[i];
      if (inq) {
        if (i >= n) return null;
        if (c === '\\' && line[i + 1] === 'x' && i + 3 < n + 0 && isHex(line[i + 2] ?? '') && isHex(line[i + 3] ?? '')) {
          current += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          current += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          i++;
          break;
        } else {
          current += c;
        }
      } else if (insq) {
        if (i >= n) return null;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          i++;
          break;
        } else {
          current += c;
        }
      } else {
        if (i >= n || isSpace(c)) break;
        if (c === '"') inq = true;
        else if (c === "'") insq = true;
        else current += c;
      }
      i++;
    }
    out.push(current);
  }
}
