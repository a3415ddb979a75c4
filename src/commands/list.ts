/**
 * List commands of Redis 7.0: pushes and pops (with COUNT), LRANGE LINDEX LSET LINSERT LREM
 * LTRIM LPOS, LMOVE/RPOPLPUSH, LMPOP, and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP.
 *
 * Replies, error texts and the order of checks are Redis's. A list that becomes empty is
 * deleted. Blocking commands that find data act like their non-blocking forms and propagate as
 * them (BLPOP → LPOP, BLMOVE → LMOVE, BLMPOP → LPOP key count); otherwise they park the client
 * in the blocking manager, whose tryServe() pops for it later (and propagates the same way).
 * Inside EXEC they never block: they answer what a timeout would.
 */
import type { Client } from '../net/client.js';
import type { Database } from '../store/database.js';
import { ValueType, type RedisValue } from '../store/values.js';
import { ListValue } from '../store/list.js';
import { parseTimeout } from '../net/blocking.js';
import type { CommandSpec } from './registry.js';
import { E, parseInt64, checkType, rangeArg, longArg, parseMpop, rankRange, ranks } from './util.js';
import { NOTIFY } from '../config/config.js';

const LONG_MIN = -9223372036854775808;

// ---------------------------------------------------------------- helpers

/** LEFT / RIGHT (any case): true for LEFT (head), false for RIGHT; null after a syntax error. */
function whereArg(c: Client, s: string): boolean | null {
  const l = s.toLowerCase();
  if (l === 'left') return true;
  if (l === 'right') return false;
  c.error(E.SYNTAX);
  return null;
}

/**
 * After a pop: fires lpop/rpop, then deletes the key of a list that became empty (firing del),
 * otherwise signals the modification (Redis's listElementsRemoved).
 */
function afterRemove(db: Database, key: string, l: ListValue, head: boolean): void {
  db.notify(NOTIFY.LIST, head ? 'lpop' : 'rpop', key);
  if (l.length === 0) {
    db.delete(key);
    db.notify(NOTIFY.GENERIC, 'del', key);
  } else db.touched(key);
}

/** Replies the inclusive range start..end (negative = from the tail) of a list. */
function replyRange(c: Client, l: ListValue, start: number, end: number): void {
  if (!rankRange(start, end, l.length)) {
    c.w.raw('*0\r\n');
    return;
  }
  const { start: from, end: to } = ranks;
  const w = c.w;
  w.array(to - from + 1);
  for (let i = from; i <= to; i++) w.bulk(l.get(i));
}

/** Pops up to `count` elements from one end and replies [key, [elements]] (LMPOP's shape). */
function popRangeWithKey(c: Client, l: ListValue, key: string, head: boolean, count: number): number {
  const n = Math.min(count, l.length);
  const w = c.w;
  w.array(2);
  w.bulk(key);
  w.array(n);
  for (let i = 0; i < n; i++) w.bulk(head ? l.popHead()! : l.popTail()!);
  return n;
}

/** The list at key for writing: undefined when missing, null after a WRONGTYPE reply. */
function listForWrite(c: Client, key: string): ListValue | undefined | null {
  return checkType<ListValue>(c, c.db.lookupWrite(key), ValueType.List);
}

function listForRead(c: Client, key: string): ListValue | undefined | null {
  return checkType<ListValue>(c, c.db.lookupRead(key), ValueType.List);
}

function asList(v: RedisValue | undefined): ListValue | null {
  return v !== undefined && v.type === ValueType.List && (v as ListValue).length > 0 ? (v as ListValue) : null;
}

// ---------------------------------------------------------------- push / pop

function pushGeneric(c: Client, argv: string[], head: boolean, onlyIfExists: boolean): void {
  const key = argv[1];
  const db = c.db;
  const v = db.lookupWrite(key);
  let l: ListValue;
  if (v === undefined) {
    if (onlyIfExists) {
      c.w.raw(':0\r\n');
      return;
    }
    l = new ListValue();
    db.add(key, l);
  } else if (v.type !== ValueType.List) {
    c.error(E.WRONGTYPE);
    return;
  } else {
    l = v as ListValue;
  }
  const n = argv.length;
  if (head) for (let j = 2; j < n; j++) l.pushHead(argv[j]);
  else for (let j = 2; j < n; j++) l.pushTail(argv[j]);
  c.server.dirty += n - 2;
  c.w.int(l.length);
  if (v !== undefined) db.touched(key);
  db.notify(NOTIFY.LIST, head ? 'lpush' : 'rpush', key);
}

function popGeneric(c: Client, argv: string[], head: boolean): void {
  if (argv.length > 3) {
    c.error(`ERR wrong number of arguments for '${head ? 'lpop' : 'rpop'}' command`);
    return;
  }
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const n = rangeArg(c, argv[2], 0, Infinity, 'value is out of range, must be positive');
    if (n === null) return;
    count = n;
  }
  const key = argv[1];
  const l = listForWrite(c, key);
  if (l === null) return;
  if (l === undefined) {
    if (hasCount) c.w.nilArray();
    else c.w.nil();
    return;
  }
  if (hasCount && count === 0) {
    c.w.raw('*0\r\n');
    return;
  }
  if (!hasCount) {
    c.w.bulk(head ? l.popHead()! : l.popTail()!);
    c.server.dirty++;
  } else {
    const n = Math.min(count, l.length);
    c.w.array(n);
    for (let i = 0; i < n; i++) c.w.bulk(head ? l.popHead()! : l.popTail()!);
    c.server.dirty += n;
  }
  afterRemove(c.db, key, l, head);
}

function llen(c: Client, argv: string[]): void {
  const l = listForRead(c, argv[1]);
  if (l === null) return;
  c.w.int(l === undefined ? 0 : l.length);
}

function lindex(c: Client, argv: string[]): void {
  const l = listForRead(c, argv[1]);
  if (l === null) return;
  if (l === undefined) {
    c.w.nil();
    return;
  }
  const index = longArg(c, argv[2]);
  if (index === null) return;
  const v = l.at(index);
  if (v === undefined) c.w.nil();
  else c.w.bulk(v);
}

function lset(c: Client, argv: string[]): void {
  const key = argv[1];
  const l = listForWrite(c, key);
  if (l === null) return;
  if (l === undefined) {
    c.error(E.NO_SUCH_KEY);
    return;
  }
  const index = longArg(c, argv[2]);
  if (index === null) return;
  if (!l.set(index, argv[3])) {
    c.error(E.OUT_OF_RANGE);
    return;
  }
  c.w.ok();
  c.db.touched(key);
  c.db.notify(NOTIFY.LIST, 'lset', key);
  c.server.dirty++;
}

function lrange(c: Client, argv: string[]): void {
  const start = longArg(c, argv[2]);
  if (start === null) return;
  const end = longArg(c, argv[3]);
  if (end === null) return;
  const l = listForRead(c, argv[1]);
  if (l === null) return;
  if (l === undefined) {
    c.w.raw('*0\r\n');
    return;
  }
  replyRange(c, l, start, end);
}

function ltrim(c: Client, argv: string[]): void {
  let start = longArg(c, argv[2]);
  if (start === null) return;
  let end = longArg(c, argv[3]);
  if (end === null) return;
  const key = argv[1];
  const l = listForWrite(c, key);
  if (l === null) return;
  if (l === undefined) {
    c.w.ok();
    return;
  }
  const len = l.length;
  let ltrimN: number;
  let rtrimN: number;
  if (!rankRange(start, end, len)) {
    ltrimN = len;
    rtrimN = 0;
  } else {
    ltrimN = ranks.start;
    rtrimN = len - ranks.end - 1;
  }
  l.deleteHead(ltrimN);
  l.deleteTail(rtrimN);
  c.db.notify(NOTIFY.LIST, 'ltrim', key);
  if (l.length === 0) {
    c.db.delete(key);
    c.db.notify(NOTIFY.GENERIC, 'del', key);
  } else c.db.touched(key);
  c.server.dirty += ltrimN + rtrimN;
  c.w.ok();
}

function lpos(c: Client, argv: string[]): void {
  const ele = argv[2];
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toUpperCase();
    const more = argv.length - 1 - j;
    if (opt === 'RANK' && more) {
      const r = longArg(c, argv[++j]);
      if (r === null) return;
      if (r === 0) {
        c.error(
          'ERR RANK can\'t be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list',
        );
        return;
      }
      rank = r;
    } else if (opt === 'COUNT' && more) {
      const n = rangeArg(c, argv[++j], 0, Infinity, "COUNT can't be negative");
      if (n === null) return;
      count = n;
    } else if (opt === 'MAXLEN' && more) {
      const n = rangeArg(c, argv[++j], 0, Infinity, "MAXLEN can't be negative");
      if (n === null) return;
      maxlen = n;
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }
  let fromTail = false;
  if (rank < 0) {
    fromTail = true;
    // Redis negates in C, where LONG_MIN stays negative and so matches the first hit.
    rank = rank <= LONG_MIN ? 1 : -rank;
  }
  const l = listForRead(c, argv[1]);
  if (l === null) return;
  if (l === undefined) {
    if (count !== -1) c.w.raw('*0\r\n');
    else c.w.nil();
    return;
  }
  const len = l.length;
  const limit = maxlen === 0 ? len : Math.min(maxlen, len);
  let matches = 0;
  if (count === -1) {
    for (let i = 0; i < limit; i++) {
      const pos = fromTail ? len - 1 - i : i;
      if (l.get(pos) === ele && ++matches >= rank) {
        c.w.int(pos);
        return;
      }
    }
    c.w.nil();
    return;
  }
  const found: number[] = [];
  for (let i = 0; i < limit; i++) {
    const pos = fromTail ? len - 1 - i : i;
    if (l.get(pos) === ele && ++matches >= rank) {
      found.push(pos);
      if (count !== 0 && matches - rank + 1 >= count) break;
    }
  }
  c.w.array(found.length);
  for (const p of found) c.w.int(p);
}

function linsert(c: Client, argv: string[]): void {
  const where = argv[2].toLowerCase();
  let after: boolean;
  if (where === 'after') after = true;
  else if (where === 'before') after = false;
  else {
    c.error(E.SYNTAX);
    return;
  }
  const key = argv[1];
  const l = listForWrite(c, key);
  if (l === null) return;
  if (l === undefined) {
    c.w.raw(':0\r\n');
    return;
  }
  const i = l.indexOf(argv[3]);
  if (i < 0) {
    c.w.int(-1);
    return;
  }
  l.insert(after ? i + 1 : i, argv[4]);
  c.db.touched(key);
  c.db.notify(NOTIFY.LIST, 'linsert', key);
  c.server.dirty++;
  c.w.int(l.length);
}

function lrem(c: Client, argv: string[]): void {
  const toRemove = longArg(c, argv[2]);
  if (toRemove === null) return;
  const key = argv[1];
  const l = listForWrite(c, key);
  if (l === null) return;
  if (l === undefined) {
    c.w.raw(':0\r\n');
    return;
  }
  const removed = l.removeMatching(argv[3], Math.abs(toRemove), toRemove < 0);
  c.server.dirty += removed;
  if (removed > 0) c.db.notify(NOTIFY.LIST, 'lrem', key);
  if (l.length === 0) {
    c.db.delete(key);
    c.db.notify(NOTIFY.GENERIC, 'del', key);
  } else if (removed > 0) c.db.touched(key);
  c.w.int(removed);
}

// ---------------------------------------------------------------- LMOVE family

/** Pushes a moved element to the destination (creating it), signals it and fires lpush/rpush. */
function pushMoved(db: Database, dstKey: string, dst: ListValue | undefined, value: string, head: boolean): void {
  if (dst === undefined) {
    const l = new ListValue();
    if (head) l.pushHead(value);
    else l.pushTail(value);
    db.add(dstKey, l);
  } else {
    if (head) dst.pushHead(value);
    else dst.pushTail(value);
    db.touched(dstKey);
  }
  db.notify(NOTIFY.LIST, head ? 'lpush' : 'rpush', dstKey);
}

/** The source side of a move: lpop/rpop, then del when the list became empty. */
function popMoved(db: Database, srcKey: string, src: ListValue, head: boolean): void {
  db.notify(NOTIFY.LIST, head ? 'lpop' : 'rpop', srcKey);
  if (src.length === 0) {
    db.delete(srcKey);
    db.notify(NOTIFY.GENERIC, 'del', srcKey);
  }
}

/** LMOVE's body once the directions are known; true if an element moved. */
function lmoveGeneric(c: Client, src: string, dst: string, fromHead: boolean, toHead: boolean): boolean {
  const s = listForWrite(c, src);
  if (s === null) return false;
  if (s === undefined || s.length === 0) {
    c.w.nil();
    return false;
  }
  const d = listForWrite(c, dst);
  if (d === null) return false;
  const value = fromHead ? s.popHead()! : s.popTail()!;
  pushMoved(c.db, dst, d, value, toHead);
  c.w.bulk(value);
  // When source and destination are the same list the element went back into it.
  popMoved(c.db, src, s, fromHead);
  if (s.length !== 0 && src !== dst) c.db.touched(src);
  c.server.dirty++;
  return true;
}

function lmove(c: Client, argv: string[]): void {
  const from = whereArg(c, argv[3]);
  if (from === null) return;
  const to = whereArg(c, argv[4]);
  if (to === null) return;
  lmoveGeneric(c, argv[1], argv[2], from, to);
}

function rpoplpush(c: Client, argv: string[]): void {
  lmoveGeneric(c, argv[1], argv[2], false, true);
}

// ---------------------------------------------------------------- LMPOP

function lmpop(c: Client, argv: string[]): void {
  const a = parseMpop(c, argv, 1, 'LEFT', 'RIGHT');
  if (a === null) return;
  for (const key of a.keys) {
    const l = listForWrite(c, key);
    if (l === null) return;
    if (l === undefined || l.length === 0) continue;
    const n = popRangeWithKey(c, l, key, a.first, a.count);
    c.server.dirty += n;
    afterRemove(c.db, key, l, a.first);
    c.propagateArgv = [a.first ? 'LPOP' : 'RPOP', key, String(n)];
    return;
  }
  c.w.nilArray();
}

// ---------------------------------------------------------------- blocking

/**
 * BLPOP / BRPOP / BLMPOP: `count` is -1 for the single-element forms (reply [key, element]),
 * else the LMPOP shape [key, [elements]].
 */
function blockingPop(c: Client, keys: string[], head: boolean, timeoutArg: string, count: number): void {
  const deadline = parseTimeout(c, timeoutArg);
  if (deadline === null) return;
  const db = c.db;
  for (const key of keys) {
    const l = listForWrite(c, key);
    if (l === null) return;
    if (l === undefined || l.length === 0) continue;
    const op = head ? 'LPOP' : 'RPOP';
    if (count !== -1) {
      const n = popRangeWithKey(c, l, key, head, count);
      c.server.dirty += n;
      c.propagateArgv = [op, key, String(n)];
    } else {
      const value = head ? l.popHead()! : l.popTail()!;
      c.w.array(2);
      c.w.bulk(key);
      c.w.bulk(value);
      c.server.dirty++;
      c.propagateArgv = [op, key];
    }
    afterRemove(db, key, l, head);
    return;
  }
  if (c.server.inExec) {
    c.w.nilArray();
    return;
  }
  // Served later from the key that became ready (or, without one, the first non-empty key).
  const tryServe = (readyKey?: string): boolean => {
    const candidates = readyKey !== undefined ? [readyKey] : keys;
    for (const key of candidates) {
      const l = asList(db.lookupWrite(key));
      if (l === null) continue;
      const op = head ? 'LPOP' : 'RPOP';
      if (count !== -1) {
        const n = Math.min(count, l.length);
        c.server.exec.alsoPropagate(db.id, [op, key, String(n)]);
        popRangeWithKey(c, l, key, head, count);
        c.server.dirty += n;
      } else {
        c.server.exec.alsoPropagate(db.id, [op, key]);
        const value = head ? l.popHead()! : l.popTail()!;
        c.w.array(2);
        c.w.bulk(key);
        c.w.bulk(value);
        c.server.dirty++;
      }
      // The push that woke us already signalled the key.
      db.notify(NOTIFY.LIST, head ? 'lpop' : 'rpop', key);
      if (l.length === 0) {
        db.delete(key);
        db.notify(NOTIFY.GENERIC, 'del', key);
      }
      return true;
    }
    return false;
  };
  c.server.blocking.block({ client: c, db, keys, deadline, tryServe, onTimeout: () => c.w.nilArray() });
}

function blpop(c: Client, argv: string[]): void {
  blockingPop(c, argv.slice(1, -1), true, argv[argv.length - 1], -1);
}

function brpop(c: Client, argv: string[]): void {
  blockingPop(c, argv.slice(1, -1), false, argv[argv.length - 1], -1);
}

function blmpop(c: Client, argv: string[]): void {
  const a = parseMpop(c, argv, 2, 'LEFT', 'RIGHT');
  if (a === null) return;
  blockingPop(c, a.keys, a.first, argv[1], a.count);
}

/** BLMOVE / BRPOPLPUSH once arguments are parsed. */
function blmoveGeneric(c: Client, argv: string[], fromHead: boolean, toHead: boolean, deadline: number, brpoplpush: boolean): void {
  const src = argv[1];
  const dst = argv[2];
  const s = listForWrite(c, src);
  if (s === null) return;
  if (s !== undefined) {
    if (lmoveGeneric(c, src, dst, fromHead, toHead)) {
      c.propagateArgv = brpoplpush ? ['RPOPLPUSH', src, dst] : ['LMOVE', src, dst, argv[3], argv[4]];
    }
    return;
  }
  if (c.server.inExec) {
    c.w.nil();
    return;
  }
  const db = c.db;
  const tryServe = (): boolean => {
    const l = asList(db.lookupWrite(src));
    if (l === null) return false;
    const dv = db.lookupWrite(dst);
    if (dv !== undefined && dv.type !== ValueType.List) {
      // The waiter gets the error and is unblocked; the source keeps its elements.
      c.error(E.WRONGTYPE);
      return true;
    }
    const value = fromHead ? l.popHead()! : l.popTail()!;
    pushMoved(db, dst, dv as ListValue | undefined, value, toHead);
    c.w.bulk(value);
    c.server.exec.alsoPropagate(
      db.id,
      brpoplpush ? ['RPOPLPUSH', src, dst] : ['LMOVE', src, dst, fromHead ? 'left' : 'right', toHead ? 'left' : 'right'],
    );
    c.server.dirty++;
    popMoved(db, src, l, fromHead);
    return true;
  };
  // A timeout answers a null array, as Redis 7.0 does for every list wait.
  c.server.blocking.block({ client: c, db, keys: [src], deadline, tryServe, onTimeout: () => c.w.nilArray() });
}

function blmove(c: Client, argv: string[]): void {
  const from = whereArg(c, argv[3]);
  if (from === null) return;
  const to = whereArg(c, argv[4]);
  if (to === null) return;
  const deadline = parseTimeout(c, argv[5]);
  if (deadline === null) return;
  blmoveGeneric(c, argv, from, to, deadline, false);
}

function brpoplpush(c: Client, argv: string[]): void {
  const deadline = parseTimeout(c, argv[3]);
  if (deadline === null) return;
  blmoveGeneric(c, argv, false, true, deadline, true);
}

// ---------------------------------------------------------------- key extraction

/**
 * Keys of `numkeys key...` commands (LMPOP, BLMPOP, ZUNION...): the indexes after
 * argv[numkeysIdx]. Empty (COMMAND GETKEYS then errors, like Redis) when numkeys is not a
 * positive integer or names more keys than there are arguments.
 */
export function numkeysKeys(argv: string[], numkeysIdx: number): number[] {
  const n = parseInt64(argv[numkeysIdx] ?? '');
  if (n === null || n < 1 || numkeysIdx + n >= argv.length) return [];
  const out: number[] = [];
  for (let i = numkeysIdx + 1; i <= numkeysIdx + n; i++) out.push(i);
  return out;
}

// ---------------------------------------------------------------- table

export function listCommands(): CommandSpec[] {
  const group = 'list';
  const one: [number, number, number] = [1, 1, 1];
  const pushCx = 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';
  const blockedCx = 'O(N) where N is the number of provided keys.';
  return [
    { name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '1.0.0', summary: 'Prepend one or multiple elements to a list', complexity: pushCx, handler: (c, a) => pushGeneric(c, a, true, false) },
    { name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '1.0.0', summary: 'Append one or multiple elements to a list', complexity: pushCx, handler: (c, a) => pushGeneric(c, a, false, false) },
    { name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '2.2.0', summary: 'Prepend an element to a list, only if the list exists', complexity: pushCx, handler: (c, a) => pushGeneric(c, a, true, true) },
    { name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '2.2.0', summary: 'Append an element to a list, only if the list exists', complexity: pushCx, handler: (c, a) => pushGeneric(c, a, false, true) },
    { name: 'lpop', arity: -2, flags: ['write', 'fast'], keys: one, group, since: '1.0.0', summary: 'Remove and get the first elements in a list', complexity: 'O(N) where N is the number of elements returned', handler: (c, a) => popGeneric(c, a, true) },
    { name: 'rpop', arity: -2, flags: ['write', 'fast'], keys: one, group, since: '1.0.0', summary: 'Remove and get the last elements in a list', complexity: 'O(N) where N is the number of elements returned', handler: (c, a) => popGeneric(c, a, false) },
    { name: 'llen', arity: 2, flags: ['readonly', 'fast'], keys: one, group, since: '1.0.0', summary: 'Get the length of a list', complexity: 'O(1)', handler: llen },
    {
      name: 'lrange',
      arity: 4,
      flags: ['readonly'],
      keys: one,
      group,
      since: '1.0.0',
      summary: 'Get a range of elements from a list',
      complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
      handler: lrange,
    },
    {
      name: 'lindex',
      arity: 3,
      flags: ['readonly'],
      keys: one,
      group,
      since: '1.0.0',
      summary: 'Get an element from a list by its index',
      complexity: 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
      handler: lindex,
    },
    {
      name: 'lset',
      arity: 4,
      flags: ['write', 'denyoom'],
      keys: one,
      group,
      since: '1.0.0',
      summary: 'Set the value of an element in a list by its index',
      complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
      handler: lset,
    },
    {
      name: 'linsert',
      arity: 5,
      flags: ['write', 'denyoom'],
      keys: one,
      group,
      since: '2.2.0',
      summary: 'Insert an element before or after another element in a list',
      complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
      handler: linsert,
    },
    { name: 'lrem', arity: 4, flags: ['write'], keys: one, group, since: '1.0.0', summary: 'Remove elements from a list', complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.', handler: lrem },
    { name: 'ltrim', arity: 4, flags: ['write'], keys: one, group, since: '1.0.0', summary: 'Trim a list to the specified range', complexity: 'O(N) where N is the number of elements to be removed by the operation.', handler: ltrim },
    {
      name: 'lpos',
      arity: -3,
      flags: ['readonly'],
      keys: one,
      group,
      since: '6.0.6',
      summary: 'Return the index of matching elements on a list',
      complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
      handler: lpos,
    },
    { name: 'lmove', arity: 5, flags: ['write', 'denyoom'], keys: [1, 2, 1], group, since: '6.2.0', summary: 'Pop an element from a list, push it to another list and return it', complexity: 'O(1)', handler: lmove },
    { name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], keys: [1, 2, 1], group, since: '1.2.0', summary: 'Remove the last element in a list, prepend it to another list and return it', complexity: 'O(1)', handler: rpoplpush },
    {
      name: 'lmpop',
      arity: -4,
      flags: ['write'],
      keys: [0, 0, 0],
      getKeys: (argv) => numkeysKeys(argv, 1),
      group,
      since: '7.0.0',
      summary: 'Pop elements from a list',
      complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
      handler: lmpop,
    },
    { name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keys: [1, -2, 1], group, since: '2.0.0', summary: 'Remove and get the first element in a list, or block until one is available', complexity: blockedCx, handler: blpop },
    { name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keys: [1, -2, 1], group, since: '2.0.0', summary: 'Remove and get the last element in a list, or block until one is available', complexity: blockedCx, handler: brpop },
    {
      name: 'blmove',
      arity: 6,
      flags: ['write', 'denyoom', 'noscript', 'blocking'],
      keys: [1, 2, 1],
      group,
      since: '6.2.0',
      summary: 'Pop an element from a list, push it to another list and return it; or block until one is available',
      complexity: 'O(1)',
      handler: blmove,
    },
    {
      name: 'brpoplpush',
      arity: 4,
      flags: ['write', 'denyoom', 'noscript', 'blocking'],
      keys: [1, 2, 1],
      group,
      since: '2.2.0',
      summary: 'Pop an element from a list, push it to another list and return it; or block until one is available',
      complexity: 'O(1)',
      handler: brpoplpush,
    },
    {
      name: 'blmpop',
      arity: -5,
      flags: ['write', 'blocking'],
      keys: [0, 0, 0],
      getKeys: (argv) => numkeysKeys(argv, 2),
      group,
      since: '7.0.0',
      summary: 'Pop elements from a list, or block until one is available',
      complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
      handler: blmpop,
    },
  ];
}
