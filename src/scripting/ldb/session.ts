/**
 * One Lua debugging session (Redis 7.0's LDB, eval.c): a script compiled for debugging runs
 * while the server talks only to the debugging client, reading its commands synchronously from
 * the socket and writing the debugger's log lines there, as Redis does in SYNC mode:
 *
 *   EVAL ─▶ line event ─▶ stop? ─yes─▶ "* Stopped at N" + source line ─▶ read a command ─▶ ...
 *                          │                                               │ step/next/continue
 *                          └──────── no: keep running ◀─────────────────────┘
 *   script ends ─▶ "<endsession>" ─▶ the EVAL's reply ─▶ the connection is closed
 *
 * Commands, texts and their quirks follow eval.c (ldbRepl and the ldb* functions). A client
 * that goes away lets the script run to its end without stopping (unless it runs into the
 * time limit, which then ends it with an error).
 */
import { readSync, writeSync } from 'node:fs';
import { LuaError, type LuaValue } from '../lua/types.js';
import { errorTable } from '../lua/convert.js';
import { luaRepr, respToHuman } from './format.js';
import { DebugRuntime, type Frame } from './frames.js';

/** What the session needs from the scripting engine. */
export interface LdbEngine {
  /** `eval <code>`: compiles (as "return <code>", else as is) and runs a chunk named '@ldb_eval'. */
  evalChunk(code: string): { value: LuaValue } | { error: string };
  /** `redis <cmd...>`: calls redis.call with these arguments (errors are caught). */
  redisCall(args: string[]): void;
  /** The global KEYS or ARGV of the running script. */
  global(name: 'KEYS' | 'ARGV'): LuaValue;
  /** busy-reply-threshold in ms (0: the debugger uses 5000). */
  timeLimitMs(): number;
  /** The script resumes after a stop: the command clock moves on (7.0 resets the script's times). */
  resumed?(): void;
}

const BREAKPOINTS_MAX = 64;
const MAXLEN_DEFAULT = 256;
const BUFFER_MAX = 1 << 20;

const HELP = [
  'Redis Lua debugger help:',
  '[h]elp               Show this help.',
  '[s]tep               Run current line and stop again.',
  '[n]ext               Alias for step.',
  '[c]ontinue           Run till next breakpoint.',
  '[l]ist               List source code around current line.',
  '[l]ist [line]        List source code around [line].',
  '                     line = 0 means: current position.',
  '[l]ist [line] [ctx]  In this form [ctx] specifies how many lines',
  '                     to show before/after [line].',
  "[w]hole              List all source code. Alias for 'list 1 1000000'.",
  '[p]rint              Show all the local variables.',
  '[p]rint <var>        Show the value of the specified variable.',
  '                     Can also show global vars KEYS and ARGV.',
  '[b]reak              Show all breakpoints.',
  '[b]reak <line>       Add a breakpoint to the specified line.',
  '[b]reak -<line>      Remove breakpoint from the specified line.',
  '[b]reak 0            Remove all breakpoints.',
  '[t]race              Show a backtrace.',
  '[e]val <code>        Execute some Lua code (in a different callframe).',
  '[r]edis <cmd>        Execute a Redis command.',
  '[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.',
  '                     Specifying zero as <len> means unlimited.',
  '[a]bort              Stop the execution of the script. In sync',
  '                     mode dataset changes will be retained.',
  '',
  'Debugger functions you can call from Lua scripts:',
  'redis.debug()        Produce logs in the debugger console.',
  'redis.breakpoint()   Stop execution like if there was a breakpoint in the',
  '                     next line of code.',
];

/** C's atoi: optional blanks and sign, then digits; 0 when there are none. */
function atoi(s: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = Number.parseInt(m[1], 10);
  return n | 0;
}

/** string2l: the strict integer syntax (no blanks, no '+', no leading zeros) within 64 bits. */
function string2l(s: string): number | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  const b = BigInt(s);
  if (b > 9223372036854775807n || b < -9223372036854775808n) return null;
  return Number(b);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

export class LdbSession {
  readonly rt: DebugRuntime;
  private readonly logs: string[] = [];
  private readonly src: string[];
  /** Breakpoint lines as 7.0 stores them (its removal moves bytes, not ints: see delBreakpoint). */
  private readonly bp = new Int32Array(BREAKPOINTS_MAX);
  private readonly bpBytes = new Uint8Array(this.bp.buffer);
  private bpcount = 0;
  /** Stop at the next line event (a session starts stepping). */
  step = true;
  /** redis.breakpoint() was called: stop at the next line event. */
  private luabp = false;
  currentLine = 0;
  private maxlen = MAXLEN_DEFAULT;
  private maxlenHintSent = false;
  /** Unparsed input from the client (latin1). */
  private cbuf = '';
  private inRepl = false;
  /** The session is over (the script ended): redis.debug/breakpoint are no-ops again. */
  active = true;
  /** Start of the current run between stops (the time limit counts from there). */
  private runStart = Date.now();
  private readonly readBuf = Buffer.allocUnsafe(1024);

  constructor(
    private readonly fd: number,
    source: string,
    private readonly engine: LdbEngine,
  ) {
    // The source as the debugger lists it: trailing newlines dropped, split on '\n'.
    let end = source.length;
    while (end > 0 && (source[end - 1] === '\n' || source[end - 1] === '\r')) end--;
    this.src = end === 0 ? [] : source.slice(0, end).split('\n');
    this.rt = new DebugRuntime((f) => this.lineEvent(f));
  }

  // ── hooks the script reaches ────────────────────────────────────────────────────────────

  /** Whether redis.call should log the command and its reply (7.0's ldbIsEnabled: stepping). */
  logsCalls(): boolean {
    return this.active && this.step;
  }

  /** `<redis> cmd args...` (at most 10 arguments shown). */
  logCommand(argv: string[]): void {
    let s = '<redis>';
    for (let j = 0; j < argv.length; j++) {
      if (j === 10) {
        s += ` ... (${argv.length - j - 1} more)`;
        break;
      }
      s += ' ' + argv[j];
    }
    this.log(s);
  }

  /** A refusal of the command by the script checks (scriptCall's error, as luaPushError logs it). */
  logRefusal(text: string): void {
    this.log('<error> ' + (text.startsWith('ERR ') ? text.slice(4) : `-${text}  `));
  }

  /** An error redis.call raised before running anything (its arguments), logged while stepping. */
  logError(text: string): void {
    if (this.logsCalls()) this.log('<error> ' + text);
  }

  /** The command's reply (RESP bytes from `start`): an error first as `<error>`, then `<reply>`. */
  logReply(buf: Buffer, start: number): void {
    if (buf[start] === 0x2d) this.log('<error> ' + buf.latin1Slice(start, buf.indexOf('\r\n', start, 'latin1')));
    const out = ['<reply> '];
    respToHuman(buf, start, out);
    this.logWithMaxLen(out[0]);
  }

  /** redis.breakpoint(): true in a session (stop at the next line). */
  breakpoint(): boolean {
    if (!this.active) return false;
    this.luabp = true;
    return true;
  }

  /** redis.debug(...): a `<debug>` line with the values. */
  debug(args: LuaValue[]): void {
    if (!this.active) return;
    this.log(`<debug> line ${this.currentLine}: ` + args.map((v) => luaRepr(v)).join(', '));
  }

  /** The engine's periodic hook: a script running past the time limit stops as if stepping. */
  tick(): void {
    if (!this.active || this.inRepl || this.step) return;
    const top = this.rt.visible()[0];
    if (top === undefined) return;
    if (this.isBreakpoint(top.line) || this.luabp) return;
    const limit = this.engine.timeLimitMs() || 5000;
    if (Date.now() - this.runStart < limit) return;
    this.currentLine = top.line;
    this.stop('timeout reached, infinite loop?', true);
  }

  private lineEvent(f: Frame): void {
    if (!this.active || this.inRepl) return;
    this.currentLine = f.line;
    const bp = this.isBreakpoint(f.line) || this.luabp;
    if (!this.step && !bp) return;
    this.stop(bp ? (this.luabp ? 'redis.breakpoint() called' : 'break point') : 'step over', false);
  }

  private stop(reason: string, timeout: boolean): void {
    this.step = false;
    this.luabp = false;
    this.log(`* Stopped at ${this.currentLine}, stop reason = ${reason}`);
    this.logSourceLine(this.currentLine);
    this.sendLogs();
    if (!this.repl() && timeout) {
      // Nobody is left to stop an endless loop: the script is ended.
      throw this.error('timeout during Lua debugging with client closing connection');
    }
    this.runStart = Date.now();
    this.engine.resumed?.();
  }

  /** An error raised into the script (luaPushError + luaError), positioned at the current line. */
  private error(msg: string): LuaError {
    const e = new LuaError(errorTable(msg, false)) as LuaError & { position?: unknown };
    e.position = { chunk: 'user_script', line: this.currentLine, name: undefined, method: false };
    return e;
  }

  // ── the end ─────────────────────────────────────────────────────────────────────────────

  /** The script is over: the remaining logs and the end mark go out before the EVAL's reply. */
  end(): void {
    this.log('<endsession>');
    this.sendLogs();
    this.active = false;
  }

  // ── logs and I/O ────────────────────────────────────────────────────────────────────────

  private log(entry: string): void {
    this.logs.push(entry);
  }

  /** ldbLogWithMaxLen: entries longer than maxlen are cut (and the first cut says how to avoid it). */
  private logWithMaxLen(entry: string): void {
    let trimmed = false;
    if (this.maxlen && entry.length > this.maxlen) {
      entry = entry.slice(0, this.maxlen) + ' ...';
      trimmed = true;
    }
    this.log(entry);
    if (trimmed && !this.maxlenHintSent) {
      this.maxlenHintSent = true;
      this.log("<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.");
    }
  }

  /** The logs as an array of status replies (newlines in them become spaces). */
  private sendLogs(): void {
    let proto = `*${this.logs.length}\r\n`;
    for (const entry of this.logs) proto += '+' + entry.replace(/[\r\n]/g, ' ') + '\r\n';
    this.logs.length = 0;
    this.write(Buffer.from(proto, 'latin1'));
  }

  /** Blocking write (Redis sets the socket blocking with a 5 s send timeout); errors are left to the next read. */
  private write(buf: Buffer): void {
    let off = 0;
    let waited = 0;
    while (off < buf.length) {
      try {
        off += writeSync(this.fd, buf, off, buf.length - off);
        waited = 0;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' || waited >= 5000) return;
        sleepMs(1);
        waited++;
      }
    }
  }

  /** Blocking read: the bytes read, or 0 when the client closed the connection (or it failed). */
  private read(): number {
    let idle = 1;
    for (;;) {
      try {
        return readSync(this.fd, this.readBuf, 0, this.readBuf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return 0;
        sleepMs(idle);
        if (idle < 10) idle++;
      }
    }
  }

  /**
   * ldbReplParseCommand: one multi-bulk command from the buffer, or null to read more (`bad`
   * says the input is not a command at all). As forgiving as Redis's: text before the '*' is
   * skipped, and empty or over-long arguments are protocol errors.
   */
  private parseCommand(): { argv: string[] | null; bad: boolean } {
    const b = this.cbuf;
    const more = { argv: null, bad: false };
    const bad = { argv: null, bad: true };
    if (b.length === 0) return more;
    let p = b.indexOf('*');
    if (p < 0) return bad;
    let lenAt = p + 1;
    p = b.indexOf('\r\n', p);
    if (p < 0) return more;
    const argc = atoi(b.slice(lenAt, p));
    p += 2;
    if (argc <= 0 || argc > 1024) return bad;
    const argv: string[] = [];
    while (argv.length < argc) {
      if (p >= b.length) return more;
      if (b[p] !== '$') return bad;
      lenAt = p + 1;
      p = b.indexOf('\r\n', p);
      if (p < 0) return more;
      const slen = atoi(b.slice(lenAt, p));
      p += 2;
      if (slen <= 0 || slen > 1024) return bad;
      if (p + slen + 2 > b.length) return more;
      argv.push(b.slice(p, p + slen));
      p += slen;
      if (b[p] !== '\r' || b[p + 1] !== '\n') return bad;
      p += 2;
    }
    return { argv, bad: false };
  }

  // ── the command loop ────────────────────────────────────────────────────────────────────

  /** ldbRepl: runs debugger commands until one resumes the script; false when the client is gone. */
  private repl(): boolean {
    this.inRepl = true;
    try {
      for (;;) {
        let argv: string[] | null;
        for (;;) {
          const parsed = this.parseCommand();
          if (parsed.argv !== null) {
            argv = parsed.argv;
            break;
          }
          if (parsed.bad) throw this.error('protocol error');
          const n = this.read();
          if (n <= 0) {
            // The client is gone: the script goes on without stopping (Redis does the same).
            this.step = false;
            this.bpcount = 0;
            return false;
          }
          this.cbuf += this.readBuf.latin1Slice(0, n);
          if (this.cbuf.length > BUFFER_MAX) {
            this.cbuf = '';
            throw this.error('max client buffer reached');
          }
        }
        this.cbuf = '';
        // strcasecmp compares C strings: a NUL ends the name.
        const nul = argv[0].indexOf('\0');
        const cmd = (nul >= 0 ? argv[0].slice(0, nul) : argv[0]).toLowerCase();
        const argc = argv.length;
        if (cmd === 'h' || cmd === 'help') {
          for (const line of HELP) this.log(line);
        } else if (cmd === 's' || cmd === 'step' || cmd === 'n' || cmd === 'next') {
          this.step = true;
          return true;
        } else if (cmd === 'c' || cmd === 'continue') {
          return true;
        } else if (cmd === 't' || cmd === 'trace') {
          this.trace();
        } else if (cmd === 'm' || cmd === 'maxlen') {
          this.maxlenCommand(argv);
        } else if (cmd === 'b' || cmd === 'break') {
          this.breakCommand(argv);
        } else if (cmd === 'e' || cmd === 'eval') {
          this.evalCommand(argv);
        } else if (cmd === 'a' || cmd === 'abort') {
          throw this.error('script aborted for user request');
        } else if (argc > 1 && (cmd === 'r' || cmd === 'redis')) {
          this.step = true; // so that redis.call logs the command and its reply
          try {
            this.engine.redisCall(argv.slice(1));
          } finally {
            this.step = false;
          }
        } else if (cmd === 'p' || cmd === 'print') {
          if (argc === 2) this.print(argv[1]);
          else this.printAll();
        } else if (cmd === 'l' || cmd === 'list') {
          let around = this.currentLine;
          let ctx = 5;
          if (argc > 1) {
            const num = atoi(argv[1]);
            if (num > 0) around = num;
          }
          if (argc > 2) ctx = atoi(argv[2]);
          this.list(around, ctx);
        } else if (cmd === 'w' || cmd === 'whole') {
          this.list(1, 1000000);
        } else {
          this.log('<error> Unknown Redis Lua debugger command or wrong number of arguments.');
        }
        this.sendLogs();
      }
    } finally {
      this.inRepl = false;
    }
  }

  // ── commands ────────────────────────────────────────────────────────────────────────────

  private sourceLine(line: number): string {
    const i = line - 1;
    return i < 0 || i >= this.src.length ? '<out of range source code line>' : this.src[i];
  }

  private logSourceLine(lnum: number): void {
    const bp = this.isBreakpoint(lnum);
    const current = this.currentLine === lnum;
    const prefix = current && bp ? '->#' : current ? '-> ' : bp ? '  #' : '   ';
    this.log(`${prefix}${String(lnum).padEnd(3)} ${this.sourceLine(lnum)}`);
  }

  private list(around: number, context: number): void {
    for (let j = 1; j <= this.src.length; j++) {
      if (around !== 0 && Math.abs(around - j) > context) continue;
      this.logSourceLine(j);
    }
  }

  private isBreakpoint(line: number): boolean {
    for (let j = 0; j < this.bpcount; j++) if (this.bp[j] === line) return true;
    return false;
  }

  /** ldbAddBreakpoint: false for a line outside the script or one that already has a breakpoint. */
  private addBreakpoint(line: number): boolean {
    if (line <= 0 || line > this.src.length) return false;
    if (!this.isBreakpoint(line) && this.bpcount !== BREAKPOINTS_MAX) {
      this.bp[this.bpcount++] = line;
      return true;
    }
    return false;
  }

  /**
   * ldbDelBreakpoint. 7.0 moves (count - j) bytes, not ints, over the removed entry: with more
   * breakpoints after it, the list keeps 7.0's resulting (partly duplicated) entries.
   */
  private delBreakpoint(line: number): boolean {
    for (let j = 0; j < this.bpcount; j++) {
      if (this.bp[j] === line) {
        this.bpcount--;
        const n = this.bpcount - j;
        this.bpBytes.copyWithin(j * 4, (j + 1) * 4, (j + 1) * 4 + n);
        return true;
      }
    }
    return false;
  }

  private breakCommand(argv: string[]): void {
    if (argv.length === 1) {
      if (this.bpcount === 0) {
        this.log("No breakpoints set. Use 'b <line>' to add one.");
        return;
      }
      this.log(`${this.bpcount} breakpoints set:`);
      for (let j = 0; j < this.bpcount; j++) this.logSourceLine(this.bp[j]);
      return;
    }
    for (let j = 1; j < argv.length; j++) {
      const arg = argv[j];
      const line = string2l(arg);
      if (line === null) {
        this.log(`Invalid argument:'${arg}'`);
      } else if (line === 0) {
        this.bpcount = 0;
        this.log('All breakpoints removed.');
      } else if (line > 0) {
        if (this.bpcount === BREAKPOINTS_MAX) this.log('Too many breakpoints set.');
        else if (this.addBreakpoint(line)) this.list(line, 1);
        else this.log('Wrong line number.');
      } else {
        this.log(this.delBreakpoint(-line) ? 'Breakpoint removed.' : 'No breakpoint in the specified line.');
      }
    }
  }

  private maxlenCommand(argv: string[]): void {
    if (argv.length === 2) {
      let n = atoi(argv[1]);
      this.maxlenHintSent = true; // the user knows about the command
      if (n !== 0 && n <= 60) n = 60;
      this.maxlen = n;
    }
    this.log(this.maxlen ? `<value> replies are truncated at ${this.maxlen} bytes.` : '<value> replies are unlimited.');
  }

  private evalCommand(argv: string[]): void {
    const r = this.engine.evalChunk(argv.slice(1).join(' '));
    if ('error' in r) this.log('<error> ' + r.error);
    else this.logWithMaxLen('<retval> ' + luaRepr(r.value));
  }

  private trace(): void {
    const frames = this.rt.visible();
    frames.forEach((f, level) => {
      this.log(`${level === 0 ? 'In' : 'From'} ${f.name ?? 'top level'}:`);
      this.logSourceLine(f.line);
    });
    if (frames.length === 0) this.log("<error> Can't retrieve Lua stack.");
  }

  /** `print <var>`: the first local of that name from the current frame outwards, else KEYS/ARGV. */
  private print(name: string): void {
    for (const f of this.rt.visible()) {
      const l = f.locals();
      for (let i = 0; i < l.length; i += 2) {
        if (l[i] === name) {
          this.logWithMaxLen('<value> ' + luaRepr(l[i + 1]));
          return;
        }
      }
    }
    if (name === 'ARGV' || name === 'KEYS') this.logWithMaxLen('<value> ' + luaRepr(this.engine.global(name)));
    else this.log('No such variable.');
  }

  /** `print`: every local of the current frame. */
  private printAll(): void {
    const top = this.rt.visible()[0];
    const l = top?.locals() ?? [];
    let vars = 0;
    for (let i = 0; i < l.length; i += 2) {
      this.logWithMaxLen(`<value> ${l[i] as string} = ` + luaRepr(l[i + 1]));
      vars++;
    }
    if (vars === 0) this.log('No local variables in the current context.');
  }
}
