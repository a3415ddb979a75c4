/**
 * Encodes replies in RESP2 or RESP3 into one growing buffer, so a batch of pipelined commands
 * becomes one socket write. Strings are latin1 (one char per byte), which keeps them binary-safe.
 */

const CRLF = '\r\n';
const INITIAL = 16 * 1024;

/** Shortest round-trip text for a double, as Redis prints with "%.17g" then trims (RESP3 double / RESP2 bulk). */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  return formatG17(d);
}

/** C's printf("%.17g") for finite numbers: Redis replies with this for scores and INCRBYFLOAT-like values. */
export function formatG17(d: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(d)));
  let s: string;
  if (exp < -4 || exp >= 17) {
    s = d.toExponential(16);
    // strip trailing zeros of the mantissa, keep exponent with at least 2 digits like C
    let [mant, e] = s.split('e');
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const en = Number(e);
    const ea = Math.abs(en);
    s = `${mant}e${en < 0 ? '-' : '+'}${ea < 10 ? '0' + ea : ea}`;
  } else {
    s = d.toPrecision(17);
    if (s.includes('e')) {
      // toPrecision may still choose exponent form near the boundary; fall back to fixed
      s = d.toFixed(Math.max(0, 16 - exp));
    }
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  return s;
}

export class ReplyWriter {
  buf: Buffer = Buffer.allocUnsafe(INITIAL);
  len = 0;
  /** 2 or 3 */
  resp: 2 | 3 = 2;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /**
   * Takes the encoded bytes out, leaving the writer empty. Small outputs are copied (from
   * Node's pooled allocator) and the working buffer is kept: a socket that cannot send at once
   * holds on to what it was given, and a few bytes must not pin a 16 KB buffer each.
   */
  take(): Buffer {
    const n = this.len;
    this.len = 0;
    if (n * 2 <= this.buf.length) {
      const out = Buffer.allocUnsafe(n);
      this.buf.copy(out, 0, 0, n);
      return out;
    }
    const out = this.buf.subarray(0, n);
    this.buf = Buffer.allocUnsafe(INITIAL);
    return out;
  }

  /** Appends ASCII/latin1 text verbatim. */
  raw(s: string): void {
    const n = s.length;
    this.ensure(n);
    if (n < 48) {
      const b = this.buf;
      let p = this.len;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.len = p;
    } else {
      this.len += this.buf.latin1Write(s, this.len, n);
    }
  }

  rawBuffer(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }

  private intText(n: number): void {
    // Fast path for the common small non-negative integers.
    if (n >= 0 && n < 10) {
      this.ensure(1);
      this.buf[this.len++] = 0x30 + n;
    } else {
      this.raw(String(n));
    }
  }

  simple(s: string): void {
    this.raw('+' + s + CRLF);
  }

  ok(): void {
    this.raw('+OK\r\n');
  }

  /** An error line; `msg` must include its code ("ERR ...", "WRONGTYPE ..."). Newlines are made spaces. */
  error(msg: string): void {
    if (msg.includes('\r') || msg.includes('\n')) msg = msg.replace(/[\r\n]/g, ' ');
    this.raw('-' + msg + CRLF);
  }

  int(n: number | bigint): void {
    this.raw(':' + String(n) + CRLF);
  }

  bulk(s: string): void {
    const n = s.length;
    this.ensure(n + 16);
    const b = this.buf;
    b[this.len++] = 0x24;
    this.intText(n);
    b[this.len++] = 13;
    b[this.len++] = 10;
    if (n < 48) {
      let p = this.len;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.len = p;
    } else {
      this.len += b.latin1Write(s, this.len, n);
    }
    b[this.len++] = 13;
    b[this.len++] = 10;
  }

  bulkBuffer(data: Buffer, start = 0, end = data.length): void {
    const n = end - start;
    this.raw('$' + n + CRLF);
    this.ensure(n + 2);
    data.copy(this.buf, this.len, start, end);
    this.len += n;
    this.buf[this.len++] = 13;
    this.buf[this.len++] = 10;
  }

  /** Null bulk: `$-1` in RESP2, `_` in RESP3. */
  nil(): void {
    this.raw(this.resp === 3 ? '_\r\n' : '$-1\r\n');
  }

  /** Null array: `*-1` in RESP2, `_` in RESP3. */
  nilArray(): void {
    this.raw(this.resp === 3 ? '_\r\n' : '*-1\r\n');
  }

  array(n: number): void {
    this.raw('*' + n + CRLF);
  }

  /** A map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
  map(n: number): void {
    this.raw(this.resp === 3 ? '%' + n + CRLF : '*' + 2 * n + CRLF);
  }

  /** A set: `~n` in RESP3, an array in RESP2. */
  set(n: number): void {
    this.raw(this.resp === 3 ? '~' + n + CRLF : '*' + n + CRLF);
  }

  /** A push message (`>n`) in RESP3, an array in RESP2. */
  push(n: number): void {
    this.raw(this.resp === 3 ? '>' + n + CRLF : '*' + n + CRLF);
  }

  /** A double: `,d` in RESP3, a bulk string in RESP2. */
  double(d: number): void {
    const s = formatDouble(d);
    if (this.resp === 3) this.raw(',' + s + CRLF);
    else this.bulk(s);
  }

  /** A big number: `(n` in RESP3, a bulk string in RESP2. */
  bigNumber(digits: string): void {
    if (this.resp === 3) this.raw('(' + digits + CRLF);
    else this.bulk(digits);
  }

  bool(b: boolean): void {
    if (this.resp === 3) this.raw(b ? '#t\r\n' : '#f\r\n');
    else this.raw(b ? ':1\r\n' : ':0\r\n');
  }

  /** Verbatim text (`=len\r\ntxt:...`) in RESP3, bulk in RESP2 (used by INFO, CLIENT LIST...). */
  verbatim(s: string, format = 'txt'): void {
    if (this.resp === 3) {
      this.raw('=' + (s.length + 4) + CRLF + format + ':');
      this.raw(s);
      this.raw(CRLF);
    } else {
      this.bulk(s);
    }
  }

  bulks(items: readonly string[]): void {
    this.array(items.length);
    for (const s of items) this.bulk(s);
  }
}
