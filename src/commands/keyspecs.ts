/**
 * Redis 7.0 key specifications: where a command's keys are and how it touches them. They drive
 * COMMAND INFO's key_specs, the legacy (first, last, step) triple and the movablekeys flag, and
 * COMMAND GETKEYS / GETKEYSANDFLAGS, following the same search rules as redis-server so that
 * malformed or partial argument lists yield the same keys (or the same error).
 *
 * The per-command data is written in a short text form (see `parseKeySpec`).
 */
import type { ReplyWriter } from '../protocol/reply-writer.js';

/** Key flags, in the order Redis prints them. */
export const KEY_FLAG_ORDER = ['RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags'] as const;
export type KeyFlag = (typeof KEY_FLAG_ORDER)[number];

export type BeginSearch = { type: 'index'; index: number } | { type: 'keyword'; keyword: string; startfrom: number } | { type: 'unknown' };
export type FindKeys =
  | { type: 'range'; lastkey: number; keystep: number; limit: number }
  | { type: 'keynum'; keynumidx: number; firstkey: number; keystep: number }
  | { type: 'unknown' };

export interface KeySpec {
  notes?: string;
  flags: KeyFlag[];
  begin: BeginSearch;
  find: FindKeys;
}

/** A key found in an argv: its index and the flags of the spec (or native rule) that found it. */
export interface KeyRef {
  pos: number;
  flags: readonly KeyFlag[];
}

const FLAG_SET = new Set<string>(KEY_FLAG_ORDER);

/**
 * Parses one key spec written as `FLAGS... BEGIN [FIND] [# notes]`:
 * BEGIN is an index (`1`), a keyword search (`STREAMS@1`, the start may be negative) or `?`;
 * FIND is `r<lastkey>,<keystep>,<limit>`, `n<keynumidx>,<firstkey>,<keystep>` or `?`, and
 * defaults to `r0,1,0` (exactly one key).
 */
export function parseKeySpec(text: string): KeySpec {
  const hash = text.indexOf(' # ');
  const notes = hash >= 0 ? text.slice(hash + 3) : undefined;
  const words = (hash >= 0 ? text.slice(0, hash) : text).split(' ');
  const flags: KeyFlag[] = [];
  let i = 0;
  while (i < words.length && FLAG_SET.has(words[i])) flags.push(words[i++] as KeyFlag);
  flags.sort((a, b) => KEY_FLAG_ORDER.indexOf(a) - KEY_FLAG_ORDER.indexOf(b));
  const b = words[i++];
  let begin: BeginSearch;
  if (b === '?') begin = { type: 'unknown' };
  else if (b.includes('@')) {
    const at = b.lastIndexOf('@');
    begin = { type: 'keyword', keyword: b.slice(0, at), startfrom: Number(b.slice(at + 1)) };
  } else begin = { type: 'index', index: Number(b) };
  const f = i < words.length ? words[i++] : 'r0,1,0';
  let find: FindKeys;
  if (f === '?') find = { type: 'unknown' };
  else {
    const [x, y, z] = f.slice(1).split(',').map(Number);
    find = f[0] === 'n' ? { type: 'keynum', keynumidx: x, firstkey: y, keystep: z } : { type: 'range', lastkey: x, keystep: y, limit: z };
  }
  if (i !== words.length || Number.isNaN(begin.type === 'index' ? begin.index : 0)) throw new Error(`bad key spec: ${text}`);
  return { ...(notes !== undefined ? { notes } : {}), flags, begin, find };
}

/** The inverse of parseKeySpec (used to write the data tables). */
export function formatKeySpec(s: KeySpec): string {
  const parts: string[] = [...s.flags];
  parts.push(s.begin.type === 'unknown' ? '?' : s.begin.type === 'index' ? String(s.begin.index) : `${s.begin.keyword}@${s.begin.startfrom}`);
  const f = s.find;
  const find = f.type === 'unknown' ? '?' : f.type === 'keynum' ? `n${f.keynumidx},${f.firstkey},${f.keystep}` : `r${f.lastkey},${f.keystep},${f.limit}`;
  if (find !== 'r0,1,0') parts.push(find);
  return parts.join(' ') + (s.notes !== undefined ? ` # ${s.notes}` : '');
}

/**
 * The legacy (first, last, step) triple and whether the command has movable keys, derived from
 * the specs the way Redis does: glue consecutive plain range specs; anything else is "movable".
 */
export function legacyRange(specs: readonly KeySpec[]): { keys: [number, number, number]; movable: boolean } {
  if (specs.length === 0) return { keys: [0, 0, 0], movable: false };
  const s0 = specs[0];
  if (specs.length === 1 && s0.begin.type === 'index' && s0.find.type === 'range') {
    const step = s0.find.keystep;
    const last = s0.find.lastkey >= 0 ? s0.begin.index + s0.find.lastkey : s0.find.lastkey;
    return { keys: [s0.begin.index, last, step], movable: s0.flags.includes('incomplete') };
  }
  let movable = false;
  let first = Infinity;
  // Redis compares lastkey as unsigned, so a negative (relative to the end) one always wins.
  let last = 0;
  let prevLast = 0;
  const unsigned = (n: number) => (n < 0 ? 2 ** 32 + n : n);
  for (const s of specs) {
    if (s.begin.type !== 'index' || s.find.type !== 'range') {
      movable = true;
      continue;
    }
    if (s.find.keystep !== 1 || (prevLast && prevLast !== s.begin.index - 1)) {
      movable = true;
      continue;
    }
    if (s.flags.includes('incomplete')) movable = true;
    first = Math.min(first, s.begin.index);
    const abs = s.find.lastkey >= 0 ? s.find.lastkey + s.begin.index : s.find.lastkey;
    last = unsigned(abs) > unsigned(last) ? abs : last;
    prevLast = last;
  }
  if (first === Infinity) return { keys: [0, 0, 0], movable: true };
  return { keys: [first, last, 1], movable };
}

/** Redis's string2ll: a canonical decimal 64-bit integer, nothing else. */
function strictInt(s: string): bigint | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(s) || s.length > 20) return null;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
  return n;
}

/** C's atoi: optional blanks and sign, then digits; anything else ends the number (0 if none). */
function atoi(s: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?[0-9]+)/.exec(s);
  if (!m) return 0;
  // glibc: strtol saturates at the 64-bit limits, then the int conversion keeps the low 32 bits.
  let n = BigInt(m[1]);
  if (n > 9223372036854775807n) n = 9223372036854775807n;
  if (n < -9223372036854775808n) n = -9223372036854775808n;
  return Number(BigInt.asIntN(32, n));
}

/** Keys found by the specs, or null when a spec cannot be applied (Redis then tries native rules). */
export function keysFromSpecs(specs: readonly KeySpec[], argv: readonly string[], arity: number): KeyRef[] | null {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const spec of specs) {
    if (spec.flags.includes('not_key')) continue;
    let first = 0;
    const b = spec.begin;
    if (b.type === 'index') first = b.index;
    else if (b.type === 'keyword') {
      const start = b.startfrom > 0 ? b.startfrom : argc + b.startfrom;
      const end = b.startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === b.keyword.toLowerCase()) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue; // keyword absent: this spec has no keys
    } else return null;
    let last: number;
    let step: number;
    const f = spec.find;
    if (f.type === 'range') {
      step = f.keystep;
      if (f.lastkey >= 0) last = first + f.lastkey;
      else if (!f.limit) last = argc + f.lastkey;
      else last = first + (Math.trunc((argc - first) / f.limit) + f.lastkey);
    } else if (f.type === 'keynum') {
      step = f.keystep;
      if (f.keynumidx >= argc || first + f.keynumidx >= argc) return null;
      const numkeys = strictInt(argv[first + f.keynumidx]);
      if (numkeys === null || numkeys < 0n) return null;
      first += f.firstkey;
      // Redis narrows the count to an int here.
      last = first + Number(BigInt.asIntN(32, numkeys)) - 1;
    } else return null;
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) {
      // Only reachable for variadic commands (fixed arities were checked by the caller).
      if (i >= argc || i < first) {
        if (arity < 0) continue;
        return null;
      }
      out.push({ pos: i, flags: spec.flags });
    }
    if (spec.flags.includes('incomplete')) return null;
  }
  return out;
}

const NO_FLAGS: readonly KeyFlag[] = [];
const RO_ACCESS: readonly KeyFlag[] = ['RO', 'access'];
const RW_ACCESS_UPDATE: readonly KeyFlag[] = ['RW', 'access', 'update'];
const OW_UPDATE: readonly KeyFlag[] = ['OW', 'update'];

/** numkeys-style commands: the keys, then the destination (flags are not reported on this path). */
function numkeysRule(store: number, count: number, firstKey: number) {
  return (argv: readonly string[]): KeyRef[] => {
    const num = atoi(argv[count]);
    if (num < 1 || num > argv.length - firstKey) return [];
    const out: KeyRef[] = [];
    for (let i = 0; i < num; i++) out.push({ pos: firstKey + i, flags: NO_FLAGS });
    if (store) out.push({ pos: store, flags: NO_FLAGS });
    return out;
  };
}

const eq = (a: string, b: string) => a.toLowerCase() === b;

/**
 * Commands whose keys Redis finds with dedicated code when the specs cannot (variable flags,
 * incomplete or unknown specs, bad numkeys). Keyed by command name; used only for commands
 * this server has.
 */
export const NATIVE_KEYS: Record<string, (argv: readonly string[]) => KeyRef[]> = {
  set(argv) {
    for (let i = 3; i < argv.length; i++) if (eq(argv[i], 'get')) return [{ pos: 1, flags: RW_ACCESS_UPDATE }];
    return [{ pos: 1, flags: OW_UPDATE }];
  },
  bitfield(argv) {
    let readonly = true;
    for (let i = 2; i < argv.length; i++) {
      const rem = argv.length - i - 1;
      const a = argv[i];
      if (eq(a, 'get') && rem >= 2) i += 2;
      else if ((eq(a, 'set') || eq(a, 'incrby')) && rem >= 3) {
        readonly = false;
        break;
      } else if (eq(a, 'overflow') && rem >= 1) i += 1;
      else {
        readonly = false; // a syntax error: assume it writes
        break;
      }
    }
    return [{ pos: 1, flags: readonly ? RO_ACCESS : RW_ACCESS_UPDATE }];
  },
  sort(argv) {
    const out: KeyRef[] = [{ pos: 1, flags: RO_ACCESS }];
    let store = 0;
    const skip: Record<string, number> = { limit: 2, get: 1, by: 1 };
    for (let i = 2; i < argv.length; i++) {
      const a = argv[i].toLowerCase();
      if (a in skip) i += skip[a];
      else if (a === 'store' && i + 1 < argv.length) store = i + 1; // the last STORE wins
    }
    if (store) out.push({ pos: store, flags: OW_UPDATE });
    return out;
  },
  sort_ro: () => [{ pos: 1, flags: RO_ACCESS }],
  migrate(argv) {
    let first = 3;
    let num = 1;
    const skip: Record<string, number> = { copy: 0, replace: 0, auth: 1, auth2: 2 };
    if (argv.length > 6) {
      for (let i = 6; i < argv.length; i++) {
        const a = argv[i].toLowerCase();
        if (a === 'keys') {
          if (argv[3].length > 0) num = 0; // a syntax error, left to MIGRATE itself
          else {
            first = i + 1;
            num = argv.length - first;
          }
          break;
        }
        if (a in skip) i += skip[a];
      }
    }
    const out: KeyRef[] = [];
    for (let i = 0; i < num; i++) out.push({ pos: first + i, flags: ['RW', 'access', 'delete'] });
    return out;
  },
  georadius: geoRadiusKeys,
  georadiusbymember: geoRadiusKeys,
  xread: xreadKeys,
  xreadgroup: xreadKeys,
  eval: numkeysRule(0, 2, 3),
  evalsha: numkeysRule(0, 2, 3),
  eval_ro: numkeysRule(0, 2, 3),
  evalsha_ro: numkeysRule(0, 2, 3),
  fcall: numkeysRule(0, 2, 3),
  fcall_ro: numkeysRule(0, 2, 3),
  sintercard: numkeysRule(0, 1, 2),
  zunion: numkeysRule(0, 1, 2),
  zinter: numkeysRule(0, 1, 2),
  zdiff: numkeysRule(0, 1, 2),
  zintercard: numkeysRule(0, 1, 2),
  zunionstore: numkeysRule(1, 2, 3),
  zinterstore: numkeysRule(1, 2, 3),
  zdiffstore: numkeysRule(1, 2, 3),
  lmpop: numkeysRule(0, 1, 2),
  zmpop: numkeysRule(0, 1, 2),
  blmpop: numkeysRule(0, 2, 3),
  bzmpop: numkeysRule(0, 2, 3),
};

function geoRadiusKeys(argv: readonly string[]): KeyRef[] {
  let stored = -1;
  for (let i = 5; i < argv.length; i++) {
    if ((eq(argv[i], 'store') || eq(argv[i], 'storedist')) && i + 1 < argv.length) {
      stored = i + 1;
      i++;
    }
  }
  const out: KeyRef[] = [{ pos: 1, flags: NO_FLAGS }];
  if (stored >= 0) out.push({ pos: stored, flags: NO_FLAGS });
  return out;
}

function xreadKeys(argv: readonly string[]): KeyRef[] {
  let streams = -1;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a === 'block' || a === 'count') i++;
    else if (a === 'group') i += 2;
    else if (a === 'noack') continue;
    else {
      if (a === 'streams') streams = i;
      break;
    }
  }
  const num = streams < 0 ? 0 : argv.length - streams - 1;
  if (streams < 0 || num === 0 || num % 2 !== 0) return [];
  const out: KeyRef[] = [];
  for (let i = streams + 1; i < argv.length - num / 2; i++) out.push({ pos: i, flags: NO_FLAGS });
  return out;
}

/** Redis's getKeysFromCommandWithSpecs: trusted specs first, then the native rule. */
export function keysWithFlags(specs: readonly KeySpec[], native: ((argv: readonly string[]) => KeyRef[]) | undefined, argv: readonly string[], arity: number): KeyRef[] {
  const hasSpec = specs.some((s) => !s.flags.includes('not_key'));
  const varFlags = specs.some((s) => s.flags.includes('variable_flags'));
  if (hasSpec && !varFlags) {
    const keys = keysFromSpecs(specs, argv, arity);
    if (keys) return keys;
  }
  return native ? native(argv) : [];
}

export function replyKeyFlags(w: ReplyWriter, flags: readonly KeyFlag[]): void {
  w.set(flags.length);
  for (const f of flags) w.simple(f);
}

export function replyKeySpecs(w: ReplyWriter, specs: readonly KeySpec[]): void {
  w.set(specs.length);
  for (const s of specs) {
    w.map(s.notes !== undefined ? 4 : 3);
    if (s.notes !== undefined) {
      w.bulk('notes');
      w.bulk(s.notes);
    }
    w.bulk('flags');
    replyKeyFlags(w, s.flags);
    w.bulk('begin_search');
    w.map(2);
    w.bulk('type');
    w.bulk(s.begin.type);
    w.bulk('spec');
    if (s.begin.type === 'index') {
      w.map(1);
      w.bulk('index');
      w.int(s.begin.index);
    } else if (s.begin.type === 'keyword') {
      w.map(2);
      w.bulk('keyword');
      w.bulk(s.begin.keyword);
      w.bulk('startfrom');
      w.int(s.begin.startfrom);
    } else w.map(0);
    w.bulk('find_keys');
    w.map(2);
    w.bulk('type');
    w.bulk(s.find.type);
    w.bulk('spec');
    const f = s.find;
    if (f.type === 'range') {
      w.map(3);
      w.bulk('lastkey');
      w.int(f.lastkey);
      w.bulk('keystep');
      w.int(f.keystep);
      w.bulk('limit');
      w.int(f.limit);
    } else if (f.type === 'keynum') {
      w.map(3);
      w.bulk('keynumidx');
      w.int(f.keynumidx);
      w.bulk('firstkey');
      w.int(f.firstkey);
      w.bulk('keystep');
      w.int(f.keystep);
    } else w.map(0);
  }
}
