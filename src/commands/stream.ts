/**
 * Stream commands of Redis 7.0 without consumer groups: XADD (NOMKSTREAM, MAXLEN/MINID with
 * = or ~ and LIMIT, explicit, "<ms>-*" and automatic IDs), XRANGE/XREVRANGE (exclusive "("
 * bounds, COUNT), XLEN, XDEL, XTRIM, XREAD (COUNT, BLOCK, "$") and XSETID. Consumer groups
 * are in ./stream-group.ts. Errors, reply shapes, notifications and what is propagated are
 * Redis 7.0's: XADD propagates the ID it generated, and `~` trimming propagates as `=` with
 * the length (or first ID) the stream was left with, so replicas trim exactly alike.
 */
import type { Client } from '../net/client.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import { ValueType } from '../store/values.js';
import { StreamValue, Trim, AppendResult, type TrimArgs, type NodeLimits } from '../store/stream.js';
import type { StreamEntry } from '../store/stream-node.js';
import { ID_MAX, ID_MIN, INVALID_ID, formatId, parseId, type StreamId } from '../store/stream-id.js';
import type { CommandSpec } from './registry.js';
import { E, checkType, parseInt64 } from './util.js';
import { NOTIFY, type Config } from '../config/config.js';

// ---------------------------------------------------------------- shared helpers

export function streamForWrite(c: Client, key: string): StreamValue | undefined | null {
  return checkType<StreamValue>(c, c.db.lookupWrite(key), ValueType.Stream);
}

export function streamForRead(c: Client, key: string): StreamValue | undefined | null {
  return checkType<StreamValue>(c, c.db.lookupRead(key), ValueType.Stream);
}

/** ASCII case-insensitive `s === lower` (Redis's strcasecmp), without making a lowercase copy. */
export function kw(s: string, lower: string): boolean {
  const n = lower.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) {
    let ch = s.charCodeAt(i);
    if (ch >= 65 && ch <= 90) ch |= 32;
    if (ch !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Parses an ID or replies Redis's error (null). */
export function idArg(c: Client, s: string, missingSeq: bigint, strict: boolean): StreamId | null {
  const p = parseId(s, missingSeq, strict);
  if (p === null) {
    c.error(INVALID_ID);
    return null;
  }
  return p.id;
}

/** getLongLongFromObjectOrReply. */
export function llArg(c: Client, s: string): number | null {
  const v = parseInt64(s);
  if (v === null) c.error(E.NOT_INTEGER);
  return v;
}

/** One entry: [id, [field, value, …]]. */
export function replyEntry(w: ReplyWriter, e: StreamEntry): void {
  w.array(2);
  w.bulk(formatId(e.id));
  const kv = e.kv;
  w.array(kv.length);
  for (let i = 0; i < kv.length; i++) w.bulk(kv[i]);
}

/** Replies live entries of [start, end] (rev: descending), at most `count` (0 = all). */
export function replyRange(c: Client, s: StreamValue, start: StreamId, end: StreamId, count: number, rev: boolean): number {
  let out: StreamEntry[];
  if (rev) {
    out = [];
    for (const e of s.range(start, end, true)) {
      out.push(e);
      if (count !== 0 && out.length === count) break;
    }
  } else out = s.rangeArray(start, end, count);
  c.w.array(out.length);
  for (const e of out) replyEntry(c.w, e);
  return out.length;
}

/** The stream-node-* settings, read once and kept up to date by a config listener. */
interface StreamSettings {
  limits: NodeLimits;
  /** LIMIT of `~` trimming when none is given: 100 × stream-node-max-entries, in [10000, 1000000]. */
  approxLimit: number;
}

const SETTINGS = Symbol('streamSettings');

function settings(c: Client): StreamSettings {
  const cfg = c.server.config as Config & { [SETTINGS]?: StreamSettings };
  let st = cfg[SETTINGS];
  if (st === undefined) {
    const s: StreamSettings = { limits: { maxBytes: 0, maxEntries: 0 }, approxLimit: 0 };
    const load = () => {
      // A new limits object: one handed out earlier stays as it was.
      s.limits = { maxBytes: cfg.num('stream-node-max-bytes'), maxEntries: cfg.num('stream-node-max-entries') };
      let lim = 100 * s.limits.maxEntries;
      if (lim <= 0) lim = 10000;
      if (lim > 1000000) lim = 1000000;
      s.approxLimit = lim;
    };
    load();
    cfg.onChange((name) => {
      if (name === 'stream-node-max-bytes' || name === 'stream-node-max-entries') load();
    });
    cfg[SETTINGS] = st = s;
  }
  return st;
}

export function nodeLimits(c: Client): NodeLimits {
  return settings(c).limits;
}

// ---------------------------------------------------------------- XADD / XTRIM arguments

interface AddTrimArgs extends TrimArgs {
  /** Index in argv of the MAXLEN/MINID threshold (the `~`/`=` is just before it, if given). */
  argIdx: number;
  opGiven: boolean;
  id: StreamId;
  idGiven: boolean;
  seqGiven: boolean;
  noMkStream: boolean;
}

/** Redis's streamParseAddOrTrimArgsOrReply: returns the index of the ID (XADD) or -1 on error. */
function parseAddTrim(c: Client, argv: string[], xadd: boolean, a: AddTrimArgs): number {
  let i = 2;
  let limitGiven = false;
  const argc = argv.length;
  for (; i < argc; i++) {
    const more = argc - 1 - i;
    const opt = argv[i];
    if (xadd && opt === '*') break;
    const isMaxlen = kw(opt, 'maxlen');
    if ((isMaxlen || kw(opt, 'minid')) && more > 0) {
      if (a.strategy !== Trim.None) {
        c.error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return -1;
      }
      a.approx = false;
      a.opGiven = false;
      const next = argv[i + 1];
      if (more >= 2 && next === '~') {
        a.approx = true;
        a.opGiven = true;
        i++;
      } else if (more >= 2 && next === '=') {
        a.opGiven = true;
        i++;
      }
      if (isMaxlen) {
        const n = llArg(c, argv[i + 1]);
        if (n === null) return -1;
        if (n < 0) {
          c.error('ERR The MAXLEN argument must be >= 0.');
          return -1;
        }
        a.maxlen = n;
        a.strategy = Trim.MaxLen;
      } else {
        const p = parseId(argv[i + 1], 0n, true);
        if (p === null) {
          c.error(INVALID_ID);
          return -1;
        }
        a.minid = p.id;
        a.strategy = Trim.MinId;
      }
      i++;
      a.argIdx = i;
    } else if (kw(opt, 'limit') && more > 0) {
      const n = llArg(c, argv[i + 1]);
      if (n === null) return -1;
      if (n < 0) {
        c.error('ERR The LIMIT argument must be >= 0.');
        return -1;
      }
      a.limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && kw(opt, 'nomkstream')) {
      a.noMkStream = true;
    } else if (xadd) {
      const p = parseId(opt, 0n, true, true);
      if (p === null) {
        c.error(INVALID_ID);
        return -1;
      }
      a.id = p.id;
      a.seqGiven = p.seqGiven;
      a.idGiven = true;
      break;
    } else {
      c.error(E.SYNTAX);
      return -1;
    }
  }
  if (a.limit !== 0 && a.strategy === Trim.None) {
    c.error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return -1;
  }
  if (!xadd && a.strategy === Trim.None) {
    c.error('ERR syntax error, XTRIM must be called with a trimming strategy');
    return -1;
  }
  if (c.isMaster) {
    // The master rewrote approximate trimming into exact arguments: apply them fully.
    a.limit = 0;
  } else if (limitGiven) {
    if (!a.approx) {
      c.error('ERR syntax error, LIMIT cannot be used without the special ~ option');
      return -1;
    }
  } else if (a.approx) {
    a.limit = settings(c).approxLimit;
  } else {
    a.limit = 0;
  }
  return i;
}

function newArgs(): AddTrimArgs {
  return { strategy: Trim.None, approx: false, limit: 0, maxlen: 0, minid: ID_MIN, argIdx: 0, opGiven: false, id: ID_MIN, idGiven: false, seqGiven: true, noMkStream: false };
}

/** After `~` trimming: propagate `= <length>` (MAXLEN) or `= <first id>` (MINID). */
function rewriteTrim(out: string[], s: StreamValue, a: AddTrimArgs): void {
  out[a.argIdx - 1] = '=';
  out[a.argIdx] = a.strategy === Trim.MaxLen ? String(s.length) : formatId(s.edgeId(true, false));
}

// ---------------------------------------------------------------- XADD

function xadd(c: Client, argv: string[]): void {
  const a = newArgs();
  const idpos = parseAddTrim(c, argv, true, a);
  if (idpos < 0) return;
  const fieldPos = idpos + 1;
  const n = argv.length - fieldPos;
  if (n < 2 || n % 2 === 1) {
    c.error("ERR wrong number of arguments for 'xadd' command");
    return;
  }
  if (a.idGiven && a.seqGiven && a.id === ID_MIN) {
    c.error('ERR The ID specified in XADD must be greater than 0-0');
    return;
  }
  const key = argv[1];
  const db = c.db;
  let s = streamForWrite(c, key);
  if (s === null) return;
  if (s === undefined) {
    if (a.noMkStream) {
      c.w.nil();
      return;
    }
    s = new StreamValue();
    db.add(key, s);
  }
  if (s.lastId === ID_MAX) {
    c.error('ERR The stream has exhausted the last possible ID, unable to add more items');
    return;
  }
  const r = s.append(argv.slice(fieldPos), a.idGiven ? a.id : null, a.seqGiven, Date.now(), nodeLimits(c));
  if (r !== AppendResult.Ok) {
    c.error(r === AppendResult.NotGreater ? 'ERR The ID specified in XADD is equal or smaller than the target stream top item' : 'ERR Elements are too large to be stored');
    return;
  }
  const idText = s.addedText ?? formatId(s.addedId);
  c.w.bulk(idText);
  db.touched(key);
  db.notify(NOTIFY.STREAM, 'xadd', key);
  c.server.dirty++;
  let out: string[] | null = null;
  if (a.strategy !== Trim.None) {
    if (s.trim(a) > 0) db.notify(NOTIFY.STREAM, 'xtrim', key);
    if (a.approx) {
      out = argv.slice();
      rewriteTrim(out, s, a);
    }
  }
  if (!a.idGiven || !a.seqGiven) {
    out ??= argv.slice();
    out[idpos] = idText;
  }
  if (out !== null) c.propagateArgv = out;
}

// ---------------------------------------------------------------- XTRIM

function xtrim(c: Client, argv: string[]): void {
  const a = newArgs();
  if (parseAddTrim(c, argv, false, a) < 0) return;
  const key = argv[1];
  const s = streamForWrite(c, key);
  if (s === null) return;
  if (s === undefined) {
    c.w.int(0);
    return;
  }
  const deleted = s.trim(a);
  if (deleted > 0) {
    c.db.notify(NOTIFY.STREAM, 'xtrim', key);
    if (a.approx) {
      const out = argv.slice();
      rewriteTrim(out, s, a);
      c.propagateArgv = out;
    }
    c.db.touched(key);
    c.server.dirty += deleted;
  }
  c.w.int(deleted);
}

// ---------------------------------------------------------------- XDEL / XLEN / XSETID

function xdel(c: Client, argv: string[]): void {
  const key = argv[1];
  const s = streamForWrite(c, key);
  if (s === null) return;
  if (s === undefined) {
    c.w.int(0);
    return;
  }
  const ids: StreamId[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = idArg(c, argv[j], 0n, true);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  let firstDeleted = false;
  for (const id of ids) {
    if (!s.delete(id)) continue;
    if (id === s.firstId) firstDeleted = true;
    if (id > s.maxDeletedId) s.maxDeletedId = id;
    deleted++;
  }
  if (deleted > 0) {
    s.afterDelete(firstDeleted);
    c.db.touched(key);
    c.db.notify(NOTIFY.STREAM, 'xdel', key);
    c.server.dirty += deleted;
  }
  c.w.int(deleted);
}

function xlen(c: Client, argv: string[]): void {
  const s = streamForRead(c, argv[1]);
  if (s === null) return;
  c.w.int(s === undefined ? 0 : s.length);
}

function xsetid(c: Client, argv: string[]): void {
  const id = idArg(c, argv[2], 0n, true);
  if (id === null) return;
  let entriesAdded = -1;
  let maxXdel = ID_MIN;
  for (let i = 3; i < argv.length; ) {
    const more = argv.length - 1 - i;
    const l = argv[i].toLowerCase();
    if (l === 'entriesadded' && more > 0) {
      const n = llArg(c, argv[i + 1]);
      if (n === null) return;
      if (n < 0) {
        c.error('ERR entries_added must be positive');
        return;
      }
      entriesAdded = n;
      i += 2;
    } else if (l === 'maxdeletedid' && more > 0) {
      const m = idArg(c, argv[i + 1], 0n, true);
      if (m === null) return;
      if (id < m) {
        c.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        return;
      }
      maxXdel = m;
      i += 2;
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }
  const key = argv[1];
  const s = streamForWrite(c, key);
  if (s === null) return;
  if (s === undefined) {
    c.error(E.NO_SUCH_KEY);
    return;
  }
  if (s.length > 0) {
    if (id < s.lastValidId()) {
      c.error('ERR The ID specified in XSETID is smaller than the target stream top item');
      return;
    }
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      c.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
      return;
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxXdel !== ID_MIN) s.maxDeletedId = maxXdel;
  c.w.ok();
  c.server.dirty++;
  c.db.notify(NOTIFY.STREAM, 'xsetid', key);
}

// ---------------------------------------------------------------- XRANGE / XREVRANGE

function xrange(c: Client, argv: string[], rev: boolean): void {
  const startArg = rev ? argv[3] : argv[2];
  const endArg = rev ? argv[2] : argv[3];
  const sx = startArg.length > 1 && startArg[0] === '(';
  let start = idArg(c, sx ? startArg.slice(1) : startArg, 0n, sx);
  if (start === null) return;
  if (sx) {
    if (start === ID_MAX) {
      c.error('ERR invalid start ID for the interval');
      return;
    }
    start++;
  }
  const ex = endArg.length > 1 && endArg[0] === '(';
  let end = idArg(c, ex ? endArg.slice(1) : endArg, (1n << 64n) - 1n, ex);
  if (end === null) return;
  if (ex) {
    if (end === ID_MIN) {
      c.error('ERR invalid end ID for the interval');
      return;
    }
    end--;
  }
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (argv[j].toLowerCase() === 'count' && j + 1 < argv.length) {
      const n = llArg(c, argv[j + 1]);
      if (n === null) return;
      count = n < 0 ? 0 : n;
      j++;
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }
  const s = streamForRead(c, argv[1]);
  if (s === null) return;
  if (s === undefined) {
    c.w.array(0);
    return;
  }
  if (count === 0) {
    c.w.nilArray();
    return;
  }
  replyRange(c, s, start, end, count === -1 ? 0 : count, rev);
}

// ---------------------------------------------------------------- XREAD

/** Keys of XREAD/XREADGROUP: the first half of the arguments after STREAMS. */
export function xreadKeyPositions(argv: string[]): number[] {
  for (let i = 1; i < argv.length; i++) {
    if (kw(argv[i], 'streams')) {
      const n = Math.floor((argv.length - i - 1) / 2);
      const out: number[] = [];
      for (let k = 0; k < n; k++) out.push(i + 1 + k);
      return out;
    }
  }
  return [];
}

/** Default COUNT of a blocked XREAD served later (Redis's XREAD_BLOCKED_DEFAULT_COUNT). */
export const XREAD_BLOCKED_DEFAULT_COUNT = 1000;

/** BLOCK <ms>: absolute deadline (0 = forever) or null after replying the error. */
export function blockArg(c: Client, s: string): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.error('ERR timeout is not an integer or out of range');
    return null;
  }
  if (v < 0) {
    c.error('ERR timeout is negative');
    return null;
  }
  return v > 0 ? Date.now() + v : 0;
}

export interface ReadArgs {
  /** Absolute ms deadline, 0 for BLOCK 0, -1 without BLOCK. */
  deadline: number;
  count: number;
  /** Index of the first key after STREAMS; n keys then n IDs follow. */
  streamsArg: number;
  n: number;
  noack: boolean;
  groupName: string | null;
  consumerName: string;
}

/**
 * The options of XREAD and XREADGROUP, checked in Redis's order by one parser as 7.0's
 * xreadCommand does; GROUP and NOACK are refused by XREAD where they appear. Null: replied.
 */
export function parseReadArgs(c: Client, argv: string[], xreadgroup: boolean): ReadArgs | null {
  const r: ReadArgs = { deadline: -1, count: 0, streamsArg: 0, n: 0, noack: false, groupName: null, consumerName: '' };
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i];
    if (kw(o, 'block') && more > 0) {
      // 7.0 refuses BLOCK from scripts outright (not only the blocking itself).
      if (c.luaClient) {
        c.error(`ERR ${argv[0]} command is not allowed with BLOCK option from scripts`);
        return null;
      }
      i++;
      const d = blockArg(c, argv[i]);
      if (d === null) return null;
      r.deadline = d;
    } else if (kw(o, 'count') && more > 0) {
      i++;
      const v = llArg(c, argv[i]);
      if (v === null) return null;
      r.count = v < 0 ? 0 : v;
    } else if (kw(o, 'streams') && more > 0) {
      r.streamsArg = i + 1;
      const n = argv.length - r.streamsArg;
      if (n % 2 !== 0) {
        c.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return null;
      }
      r.n = n / 2;
      break;
    } else if (kw(o, 'group') && more >= 2) {
      if (!xreadgroup) {
        c.error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      r.groupName = argv[i + 1];
      r.consumerName = argv[i + 2];
      i += 2;
    } else if (kw(o, 'noack')) {
      if (!xreadgroup) {
        c.error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      r.noack = true;
    } else {
      c.error(E.SYNTAX);
      return null;
    }
  }
  if (r.streamsArg === 0) {
    c.error(E.SYNTAX);
    return null;
  }
  return r;
}

function xread(c: Client, argv: string[]): void {
  const parsed = parseReadArgs(c, argv, false);
  if (parsed === null) return;
  const { deadline, count, streamsArg, n } = parsed;
  const db = c.db;
  const keys = argv.slice(streamsArg, streamsArg + n);
  const ids: StreamId[] = [];
  for (let k = 0; k < n; k++) {
    const s = streamForRead(c, keys[k]);
    if (s === null) return;
    const arg = argv[streamsArg + n + k];
    if (arg === '$') {
      ids.push(s !== undefined ? s.lastId : ID_MIN);
      continue;
    }
    if (arg === '>') {
      c.error('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      return;
    }
    const id = idArg(c, arg, 0n, true);
    if (id === null) return;
    ids.push(id);
  }
  // Serve at once every stream that has something after its ID.
  const served: [string, StreamValue, StreamId][] = [];
  for (let k = 0; k < n; k++) {
    const v = db.lookupRead(keys[k]);
    if (v === undefined) continue;
    const s = v as StreamValue;
    if (s.length > 0 && s.lastValidId() > ids[k]) served.push([keys[k], s, ids[k]]);
  }
  if (served.length > 0) {
    if (c.resp === 2) c.w.array(served.length);
    else c.w.map(served.length);
    for (const [key, s, gt] of served) {
      if (c.resp === 2) c.w.array(2);
      c.w.bulk(key);
      replyRange(c, s, gt + 1n, ID_MAX, count, false);
    }
    return;
  }
  if (deadline === -1 || c.server.inExec) {
    c.w.nilArray();
    return;
  }
  const blockCount = count !== 0 ? count : XREAD_BLOCKED_DEFAULT_COUNT;
  const tryServe = (readyKey?: string): boolean => {
    for (let k = 0; k < n; k++) {
      const key = keys[k];
      if (readyKey !== undefined && key !== readyKey) continue;
      const v = db.peek(key);
      if (v === undefined || v.type !== ValueType.Stream) continue;
      const s = v as StreamValue;
      if (s.lastId <= ids[k]) continue;
      if (c.resp === 2) {
        c.w.array(1);
        c.w.array(2);
      } else c.w.map(1);
      c.w.bulk(key);
      replyRange(c, s, ids[k] + 1n, ID_MAX, blockCount, false);
      return true;
    }
    return false;
  };
  c.server.blocking.block({ client: c, db, keys, deadline, tryServe, onTimeout: () => c.w.nilArray() });
}

// ---------------------------------------------------------------- table

export function streamCommands(): CommandSpec[] {
  const group = 'stream';
  const one: [number, number, number] = [1, 1, 1];
  const none: [number, number, number] = [0, 0, 0];
  return [
    { name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '5.0.0', summary: 'Appends a new entry to a stream', handler: xadd },
    { name: 'xrange', arity: -4, flags: ['readonly'], keys: one, group, since: '5.0.0', summary: 'Return a range of elements in a stream, with IDs matching the specified IDs interval', handler: (c, a) => xrange(c, a, false) },
    { name: 'xrevrange', arity: -4, flags: ['readonly'], keys: one, group, since: '5.0.0', summary: 'Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE', handler: (c, a) => xrange(c, a, true) },
    { name: 'xlen', arity: 2, flags: ['readonly', 'fast'], keys: one, group, since: '5.0.0', summary: 'Return the number of entries in a stream', handler: xlen },
    { name: 'xdel', arity: -3, flags: ['write', 'fast'], keys: one, group, since: '5.0.0', summary: 'Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.', handler: xdel },
    { name: 'xtrim', arity: -4, flags: ['write'], keys: one, group, since: '5.0.0', summary: 'Trims the stream to (approximately if \'~\' is passed) a certain size', handler: xtrim },
    { name: 'xread', arity: -4, flags: ['readonly', 'blocking'], keys: none, getKeys: xreadKeyPositions, group, since: '5.0.0', summary: 'Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.', handler: xread },
    { name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '5.0.0', summary: 'An internal command for replicating stream values', handler: xsetid },
  ];
}
