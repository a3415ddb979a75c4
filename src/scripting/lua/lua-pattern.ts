/**
 * Lua 5.1 patterns (lstrlib.c's matcher) with the same results, the same search order and the
 * same error texts, raised at the same moment: C Lua parses a pattern item only when the matcher
 * reaches it, so `string.find("abc", "x%")` returns nil while `string.find("x", "x%")` fails.
 *
 * A pattern is compiled once into a list of items (a malformed item becomes an item that raises
 * its error when reached) and run by a backtracking loop with an explicit stack instead of C's
 * recursion, so long patterns cannot overflow the JS stack. Choice points and capture undo
 * records share that stack, which unwinds exactly as C's recursion returns NULL.
 *
 * Patterns are C strings in 5.1: matching stops at the first NUL byte of the pattern.
 */
import { LibError } from './types.js';

const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;
export const MAX_CAPTURES = 32;

const OP_END = 0;
const OP_DOLLAR = 1;
const OP_OPEN = 2;
const OP_CLOSE = 3;
const OP_BALANCE = 4;
const OP_FRONTIER = 5;
const OP_BACKREF = 6;
const OP_ERROR = 7;
const OP_SINGLE = 8;

/** Quantifiers of a single-character item. */
const Q_ONE = 0;
const Q_OPT = 1;
const Q_MAX = 2; // '*'
const Q_PLUS = 3; // '+'
const Q_MIN = 4; // '-'

class Item {
  /**
   * OP_SINGLE: the class of the next item when that item must consume a character right away
   * (a single with no quantifier or '+'): repetition counts after which it cannot match are
   * skipped without running it, which is what C ends up doing, only slower.
   */
  follow: Uint8Array | null = null;
  constructor(
    readonly op: number,
    readonly next: number,
    /** OP_SINGLE/OP_FRONTIER: which bytes the class matches (1) or not (0). */
    readonly set: Uint8Array | null,
    /** OP_SINGLE: quantifier; OP_OPEN: 1 for a position capture; OP_BACKREF: the digit's code; OP_BALANCE: open byte. */
    readonly a: number,
    /** OP_BALANCE: close byte. */
    readonly b: number,
    readonly message: string,
  ) {}
}

export class Program {
  constructor(
    readonly items: Item[],
    /**
     * When every match must begin with one character of this class (only captures come before
     * it), search loops skip start positions where it cannot match: those attempts fail at
     * their first item, before any side effect or error, in C too.
     */
    readonly first: Uint8Array | null,
  ) {}
}

/**
 * The class of the first character the items from i on must consume, looking through capture
 * opens and closes that cannot fail or raise (known statically: the items run in order, so the
 * capture level at each is fixed). null when unknown.
 */
function needsChar(items: Item[], i: number, safe: boolean[]): Uint8Array | null {
  while (i < items.length && (items[i].op === OP_OPEN || items[i].op === OP_CLOSE) && safe[i]) i++;
  const it = items[i];
  return it !== undefined && it.op === OP_SINGLE && (it.a === Q_ONE || it.a === Q_PLUS) ? it.set : null;
}

function link(items: Item[]): Program {
  // Which opens stay under the capture limit and which closes find an unfinished capture.
  const safe: boolean[] = new Array<boolean>(items.length).fill(false);
  let level = 0;
  const open: boolean[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it.op === OP_OPEN) {
      safe[i] = level < MAX_CAPTURES;
      level++;
      open.push(it.a === 0);
    } else if (it.op === OP_CLOSE) {
      const k = open.lastIndexOf(true);
      safe[i] = k >= 0;
      if (k >= 0) open[k] = false;
    }
  }
  for (const it of items) if (it.op === OP_SINGLE && it.a !== Q_ONE) it.follow = needsChar(items, it.next, safe);
  return new Program(items, needsChar(items, 0, safe));
}

// ── C-locale ctype (bytes above 127 are in no class) ────────────────────────────────────────

const isalpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isdigit = (c: number) => c >= 48 && c <= 57;
const islower = (c: number) => c >= 97 && c <= 122;
const isupper = (c: number) => c >= 65 && c <= 90;
const isspace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const iscntrl = (c: number) => c < 32 || c === 127;
const ispunct = (c: number) => c > 32 && c < 127 && !isalpha(c) && !isdigit(c);
const isxdigit = (c: number) => isdigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** match_class: `%<cl>` against byte c. */
function matchClass(c: number, cl: number): boolean {
  let res: boolean;
  switch (cl | (isupper(cl) ? 32 : 0)) {
    case 97: res = isalpha(c); break; // a
    case 99: res = iscntrl(c); break; // c
    case 100: res = isdigit(c); break; // d
    case 108: res = islower(c); break; // l
    case 112: res = ispunct(c); break; // p
    case 115: res = isspace(c); break; // s
    case 117: res = isupper(c); break; // u
    case 119: res = isalpha(c) || isdigit(c); break; // w
    case 120: res = isxdigit(c); break; // x
    case 122: res = c === 0; break; // z
    default: return cl === c;
  }
  return islower(cl) ? res : !res;
}

/** matchbracketclass over p[start..close) where p[start] is '[' and p[close] its ']'. */
function matchBracket(c: number, p: string, start: number, close: number): boolean {
  let sig = true;
  let i = start;
  if (p.charCodeAt(i + 1) === 94 /* ^ */) {
    sig = false;
    i++;
  }
  while (++i < close) {
    const pc = p.charCodeAt(i);
    if (pc === 37 /* % */) {
      i++;
      if (matchClass(c, p.charCodeAt(i))) return sig;
    } else if (p.charCodeAt(i + 1) === 45 /* - */ && i + 2 < close) {
      i += 2;
      if (pc <= c && c <= p.charCodeAt(i)) return sig;
    } else if (pc === c) return sig;
  }
  return !sig;
}

const tableCache = new Map<string, Uint8Array>();

/** The 256-entry membership table of the class p[start..end) (end: just past the class). */
function classTable(p: string, start: number, end: number): Uint8Array {
  const key = p.slice(start, end);
  let t = tableCache.get(key);
  if (t !== undefined) return t;
  t = new Uint8Array(256);
  const first = p.charCodeAt(start);
  for (let c = 0; c < 256; c++) {
    let m: boolean;
    if (first === 46 /* . */) m = true;
    else if (first === 37 /* % */) m = matchClass(c, p.charCodeAt(start + 1));
    else if (first === 91 /* [ */) m = matchBracket(c, p, start, end - 1);
    else m = first === c;
    t[c] = m ? 1 : 0;
  }
  if (tableCache.size > 4096) tableCache.clear();
  tableCache.set(key, t);
  return t;
}

/** classend: the index just past the class at i, or an error message. */
function classEnd(p: string, i: number): number | string {
  const len = p.length;
  const c = p.charCodeAt(i++);
  if (c === 37 /* % */) {
    if (i >= len) return "malformed pattern (ends with '%')";
    return i + 1;
  }
  if (c === 91 /* [ */) {
    if (p.charCodeAt(i) === 94) i++;
    do {
      if (i >= len) return "malformed pattern (missing ']')";
      const cc = p.charCodeAt(i++);
      if (cc === 37 && i < len) i++;
    } while (p.charCodeAt(i) !== 93 /* ] */);
    return i + 1;
  }
  return i;
}

function errorItem(message: string): Item {
  return new Item(OP_ERROR, -1, null, 0, 0, message);
}

function compile(p: string): Item[] {
  const prog: Item[] = [];
  const len = p.length;
  let i = 0;
  // Each item's continuation is the next item, so the list is linear; `next` is kept explicit.
  for (;;) {
    const at = prog.length;
    if (i >= len) {
      prog.push(new Item(OP_END, -1, null, 0, 0, ''));
      return prog;
    }
    const c = p.charCodeAt(i);
    if (c === 40 /* ( */) {
      const pos = p.charCodeAt(i + 1) === 41;
      prog.push(new Item(OP_OPEN, at + 1, null, pos ? 1 : 0, 0, ''));
      i += pos ? 2 : 1;
      continue;
    }
    if (c === 41 /* ) */) {
      prog.push(new Item(OP_CLOSE, at + 1, null, 0, 0, ''));
      i++;
      continue;
    }
    if (c === 36 /* $ */ && i + 1 === len) {
      prog.push(new Item(OP_DOLLAR, -1, null, 0, 0, ''));
      return prog;
    }
    if (c === 37 /* % */ && i + 1 < len) {
      const d = p.charCodeAt(i + 1);
      if (d === 98 /* b */) {
        if (i + 3 >= len) {
          prog.push(errorItem('unbalanced pattern'));
          return prog;
        }
        prog.push(new Item(OP_BALANCE, at + 1, null, p.charCodeAt(i + 2), p.charCodeAt(i + 3), ''));
        i += 4;
        continue;
      }
      if (d === 102 /* f */) {
        i += 2;
        if (p.charCodeAt(i) !== 91) {
          prog.push(errorItem("missing '[' after '%f' in pattern"));
          return prog;
        }
        const ep = classEnd(p, i);
        if (typeof ep === 'string') {
          prog.push(errorItem(ep));
          return prog;
        }
        prog.push(new Item(OP_FRONTIER, at + 1, classTable(p, i, ep), 0, 0, ''));
        i = ep;
        continue;
      }
      if (isdigit(d)) {
        prog.push(new Item(OP_BACKREF, at + 1, null, d, 0, ''));
        i += 2;
        continue;
      }
    }
    const ep = classEnd(p, i);
    if (typeof ep === 'string') {
      prog.push(errorItem(ep));
      return prog;
    }
    const set = classTable(p, i, ep);
    const q = p.charCodeAt(ep);
    let quant = Q_ONE;
    if (q === 63) quant = Q_OPT;
    else if (q === 42) quant = Q_MAX;
    else if (q === 43) quant = Q_PLUS;
    else if (q === 45) quant = Q_MIN;
    prog.push(new Item(OP_SINGLE, at + 1, set, quant, 0, ''));
    i = quant === Q_ONE ? ep : ep + 1;
  }
}

const programCache = new Map<string, Program>();

/** The compiled form of pattern p (already without a leading '^' anchor where that applies). */
export function program(p: string): Program {
  let prog = programCache.get(p);
  if (prog !== undefined) return prog;
  const nul = p.indexOf('\0');
  prog = link(compile(nul < 0 ? p : p.slice(0, nul)));
  if (programCache.size > 1024) programCache.clear();
  programCache.set(p, prog);
  return prog;
}

/** lstrlib.c's SPECIALS test for plain find: does the C string p hold a magic character? */
export function hasSpecials(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 0) return false;
    // ^ $ * + ? . ( [ % -
    if (c === 94 || c === 36 || c === 42 || c === 43 || c === 63 || c === 46 || c === 40 || c === 91 || c === 37 || c === 45) return true;
  }
  return false;
}

// ── the matcher ─────────────────────────────────────────────────────────────────────────────

const BT_UNDO_OPEN = 0;
const BT_UNDO_CLOSE = 1;
const BT_OPT = 2;
const BT_MAX = 3;
const BT_MIN = 4;

/**
 * One match state (the captures of the last successful match). Library functions read the
 * captures before they run any Lua code (gsub's replacement function), so one shared state is
 * enough: a match never calls back into Lua.
 */
export class MatchState {
  src = '';
  level = 0;
  readonly capInit = new Int32Array(MAX_CAPTURES);
  readonly capLen = new Int32Array(MAX_CAPTURES);
  private stack: number[] = [];

  /** match(ms, s, p): the end of a match of prog starting at s, or -1. */
  match(src: string, s: number, program: Program): number {
    const prog = program.items;
    this.src = src;
    this.level = 0;
    const len = src.length;
    const st = this.stack;
    const capInit = this.capInit;
    const capLen = this.capLen;
    let sp = 0;
    let pc = 0;
    for (;;) {
      let ok = true;
      const it = prog[pc];
      switch (it.op) {
        case OP_SINGLE: {
          const set = it.set!;
          switch (it.a) {
            case Q_ONE:
              if (s < len && set[src.charCodeAt(s)] === 1) {
                s++;
                pc = it.next;
              } else ok = false;
              break;
            case Q_MAX:
            case Q_PLUS: {
              if (it.a === Q_PLUS) {
                if (s < len && set[src.charCodeAt(s)] === 1) s++;
                else {
                  ok = false;
                  break;
                }
              }
              let i = 0;
              while (s + i < len && set[src.charCodeAt(s + i)] === 1) i++;
              const follow = it.follow;
              if (follow !== null) {
                while (i >= 0 && !(s + i < len && follow[src.charCodeAt(s + i)] === 1)) i--;
                if (i < 0) {
                  ok = false;
                  break;
                }
              }
              if (i > 0) {
                st[sp++] = BT_MAX;
                st[sp++] = pc;
                st[sp++] = s;
                st[sp++] = i;
              }
              s += i;
              pc = it.next;
              break;
            }
            case Q_OPT:
              if (s < len && set[src.charCodeAt(s)] === 1) {
                st[sp++] = BT_OPT;
                st[sp++] = pc;
                st[sp++] = s;
                st[sp++] = 0;
                s++;
              }
              pc = it.next;
              break;
            default: // Q_MIN: try the rest first, extend one repetition on failure
              st[sp++] = BT_MIN;
              st[sp++] = pc;
              st[sp++] = s;
              st[sp++] = 0;
              pc = it.next;
              // The rest cannot start here: go straight to extending.
              if (it.follow !== null && !(s < len && it.follow[src.charCodeAt(s)] === 1)) ok = false;
          }
          break;
        }
        case OP_END:
          return s;
        case OP_DOLLAR:
          if (s === len) return s;
          ok = false;
          break;
        case OP_OPEN: {
          const level = this.level;
          if (level >= MAX_CAPTURES) throw new LibError('too many captures');
          capInit[level] = s;
          capLen[level] = it.a === 1 ? CAP_POSITION : CAP_UNFINISHED;
          this.level = level + 1;
          st[sp++] = BT_UNDO_OPEN;
          st[sp++] = 0;
          st[sp++] = 0;
          st[sp++] = 0;
          pc = it.next;
          break;
        }
        case OP_CLOSE: {
          let l = this.level - 1;
          while (l >= 0 && capLen[l] !== CAP_UNFINISHED) l--;
          if (l < 0) throw new LibError('invalid pattern capture');
          capLen[l] = s - capInit[l];
          st[sp++] = BT_UNDO_CLOSE;
          st[sp++] = l;
          st[sp++] = 0;
          st[sp++] = 0;
          pc = it.next;
          break;
        }
        case OP_BALANCE: {
          if (s >= len || src.charCodeAt(s) !== it.a) {
            ok = false;
            break;
          }
          const b = it.a;
          const e = it.b;
          let cont = 1;
          let i = s;
          let found = -1;
          while (++i < len) {
            const c = src.charCodeAt(i);
            if (c === e) {
              if (--cont === 0) {
                found = i + 1;
                break;
              }
            } else if (c === b) cont++;
          }
          if (found < 0) ok = false;
          else {
            s = found;
            pc = it.next;
          }
          break;
        }
        case OP_FRONTIER: {
          const set = it.set!;
          const prev = s === 0 ? 0 : src.charCodeAt(s - 1);
          const cur = s < len ? src.charCodeAt(s) : 0;
          if (set[prev] === 1 || set[cur] === 0) ok = false;
          else pc = it.next;
          break;
        }
        case OP_BACKREF: {
          const l = it.a - 49;
          if (l < 0 || l >= this.level || capLen[l] === CAP_UNFINISHED) throw new LibError('invalid capture index');
          // A position capture's length (-2) reads as a huge size_t in C: it never matches.
          const n = capLen[l];
          if (n < 0 || len - s < n) {
            ok = false;
            break;
          }
          const from = capInit[l];
          for (let k = 0; k < n; k++) {
            if (src.charCodeAt(from + k) !== src.charCodeAt(s + k)) {
              ok = false;
              break;
            }
          }
          if (ok) {
            s += n;
            pc = it.next;
          }
          break;
        }
        default:
          throw new LibError(it.message);
      }
      if (ok) continue;
      // Backtrack: undo capture changes and resume the most recent choice point.
      let resumed = false;
      while (sp > 0) {
        sp -= 4;
        const kind = st[sp];
        if (kind === BT_UNDO_OPEN) {
          this.level--;
        } else if (kind === BT_UNDO_CLOSE) {
          capLen[st[sp + 1]] = CAP_UNFINISHED;
        } else if (kind === BT_OPT) {
          pc = prog[st[sp + 1]].next;
          s = st[sp + 2];
          resumed = true;
          break;
        } else if (kind === BT_MAX) {
          const item = prog[st[sp + 1]];
          const base = st[sp + 2];
          let i = st[sp + 3] - 1;
          const follow = item.follow;
          if (follow !== null) {
            while (i >= 0 && !(base + i < len && follow[src.charCodeAt(base + i)] === 1)) i--;
            if (i < 0) continue;
          }
          pc = item.next;
          s = base + i;
          if (i > 0) {
            st[sp + 3] = i;
            sp += 4;
          }
          resumed = true;
          break;
        } else {
          let at = st[sp + 2];
          const item = prog[st[sp + 1]];
          const set = item.set!;
          const follow = item.follow;
          while (at < len && set[src.charCodeAt(at)] === 1) {
            at++;
            if (follow === null || (at < len && follow[src.charCodeAt(at)] === 1)) {
              resumed = true;
              break;
            }
          }
          if (resumed) {
            s = at;
            st[sp + 2] = at;
            sp += 4;
            pc = item.next;
            break;
          }
        }
      }
      if (!resumed) return -1;
    }
  }

  /** The first position >= at where a match of prog may start (src.length + 1: none). */
  static skip(src: string, at: number, prog: Program): number {
    const first = prog.first;
    if (first === null) return at;
    const len = src.length;
    while (at < len && first[src.charCodeAt(at)] === 0) at++;
    return at < len ? at : len + 1;
  }

  /** push_onecapture: capture i (a string, or a position as a number) of the match [s, e). */
  capture(i: number, s: number, e: number): string | number {
    if (i >= this.level) {
      if (i === 0) return this.src.slice(s, e);
      throw new LibError('invalid capture index');
    }
    const l = this.capLen[i];
    if (l === CAP_UNFINISHED) throw new LibError('unfinished capture');
    if (l === CAP_POSITION) return this.capInit[i] + 1;
    const from = this.capInit[i];
    return this.src.slice(from, from + l);
  }

  /** push_captures: all captures, or the whole match when the pattern has none. */
  captures(s: number, e: number, wholeIfNone: boolean): (string | number)[] {
    const n = this.level === 0 && wholeIfNone ? 1 : this.level;
    const out = new Array<string | number>(n);
    for (let i = 0; i < n; i++) out[i] = this.capture(i, s, e);
    return out;
  }
}

/** lmemfind: plain search of p in s from init (p may be empty). */
export function plainFind(s: string, p: string, init: number): number {
  if (p.length === 0) return init;
  return s.indexOf(p, init);
}
