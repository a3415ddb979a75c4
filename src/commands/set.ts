/**
 * Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
 * SINTERCARD SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SSCAN, with Redis 7.0's replies,
 * encodings (intset → hashtable) and propagation (SPOP becomes SREM / DEL). The value class is
 * src/store/set.ts.
 */
import type { Client } from '../net/client.js';
import type { CommandSpec } from './registry.js';
import { E, checkType, is, parseBigInt64, removeMembers } from './util.js';
import { SetValue } from '../store/set.js';
import { ValueType } from '../store/values.js';
import { globMatch } from '../store/glob.js';
import { NOTIFY } from '../config/config.js';
import {
  collectionCursors,
  distinctIndexes,
  parseCollectionScanOptions,
  randomCountArg,
  rangeLongArg,
  replyOverflow,
  scanLookup,
} from './hash.js';

const LONG_MAX = 9223372036854775807n;

function maxIntset(c: Client): number {
  return c.server.config.num('set-max-intset-entries');
}

function readSet(c: Client, key: string): SetValue | undefined | null {
  return checkType<SetValue>(c, c.db.lookupRead(key), ValueType.Set);
}

// ---------------------------------------------------------------- single-set commands

function saddCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const cur = checkType<SetValue>(c, c.db.lookupWrite(key), ValueType.Set);
  if (cur === null) return;
  const s = cur ?? SetValue.forMember(argv[2]);
  const max = maxIntset(c);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (s.add(argv[i], max)) added++;
  if (cur === undefined) c.db.add(key, s);
  else if (added > 0) c.db.touched(key);
  if (added > 0) c.db.notify(NOTIFY.SET, 'sadd', key);
  c.server.dirty += added;
  c.w.int(added);
}

function sremCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const s = checkType<SetValue>(c, c.db.lookupWrite(key), ValueType.Set);
  if (s === null) return;
  if (s === undefined) {
    c.w.int(0);
    return;
  }
  const n = removeMembers(c, key, argv, (m) => s.remove(m), () => s.size === 0);
  c.w.int(n);
  if (n > 0) {
    c.db.notify(NOTIFY.SET, 'srem', key);
    if (s.size === 0) c.db.notify(NOTIFY.GENERIC, 'del', key);
  }
}

function smoveCommand(c: Client, argv: string[]): void {
  const [, srcKey, dstKey, member] = argv;
  const src = c.db.lookupWrite(srcKey);
  const dst = c.db.lookupWrite(dstKey);
  if (src === undefined) {
    c.w.int(0);
    return;
  }
  if (src.type !== ValueType.Set || (dst !== undefined && dst.type !== ValueType.Set)) {
    c.error(E.WRONGTYPE);
    return;
  }
  const from = src as SetValue;
  if (src === dst) {
    c.w.int(from.has(member) ? 1 : 0);
    return;
  }
  if (!from.remove(member)) {
    c.w.int(0);
    return;
  }
  c.db.notify(NOTIFY.SET, 'srem', srcKey);
  if (from.size === 0) {
    c.db.delete(srcKey);
    c.db.notify(NOTIFY.GENERIC, 'del', srcKey);
  } else c.db.touched(srcKey);
  let to = dst as SetValue | undefined;
  const isNew = to === undefined;
  if (to === undefined) to = SetValue.forMember(member);
  c.server.dirty++;
  if (to.add(member, maxIntset(c))) {
    c.server.dirty++;
    if (isNew) c.db.add(dstKey, to);
    else c.db.touched(dstKey);
    c.db.notify(NOTIFY.SET, 'sadd', dstKey);
  }
  c.w.int(1);
}

function sismemberCommand(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  c.w.int(s && s.has(argv[2]) ? 1 : 0);
}

function smismemberCommand(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  c.w.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.w.int(s && s.has(argv[i]) ? 1 : 0);
}

function scardCommand(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  c.w.int(s ? s.size : 0);
}

// ---------------------------------------------------------------- SPOP / SRANDMEMBER

function spopCommand(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    spopWithCount(c, argv);
    return;
  }
  if (argv.length > 3) {
    c.error(E.SYNTAX);
    return;
  }
  const key = argv[1];
  const s = checkType<SetValue>(c, c.db.lookupWrite(key), ValueType.Set);
  if (s === null) return;
  if (s === undefined) {
    c.w.nil();
    return;
  }
  const m = s.popRandom();
  c.db.notify(NOTIFY.SET, 'spop', key);
  // Replicas must remove the same member: SPOP propagates as SREM.
  c.propagateArgv = ['SREM', key, m];
  c.w.bulk(m);
  if (s.size === 0) {
    c.db.delete(key);
    c.db.notify(NOTIFY.GENERIC, 'del', key);
  } else c.db.touched(key);
  c.server.dirty++;
}

/** When the members left are few compared to those popped, rebuild the set from them instead. */
const SPOP_MOVE_STRATEGY_MUL = 5;

function spopWithCount(c: Client, argv: string[]): void {
  const l = rangeLongArg(c, argv[2], 0n, LONG_MAX, 'value is out of range, must be positive');
  if (l === null) return;
  const key = argv[1];
  const s = checkType<SetValue>(c, c.db.lookupWrite(key), ValueType.Set);
  if (s === null) return;
  const w = c.w;
  if (s === undefined || l === 0n) {
    w.set(0);
    return;
  }
  const size = s.size;
  const count = l >= BigInt(size) ? size : Number(l);
  c.db.notify(NOTIFY.SET, 'spop', key);
  c.server.dirty += count;
  if (count === size) {
    // Everything goes: reply with the whole set, delete the key, replicas get a DEL.
    w.set(size);
    s.forEach((m) => w.bulk(m));
    c.db.delete(key);
    c.db.notify(NOTIFY.GENERIC, 'del', key);
    c.propagateArgv = ['DEL', key];
    return;
  }
  w.set(count);
  const remaining = size - count;
  const dbId = c.db.id;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) {
      const m = s.popRandom();
      w.bulk(m);
      c.server.exec.alsoPropagate(dbId, ['SREM', key, m]);
    }
    c.db.touched(key);
  } else {
    // Move the few survivors to a new set; what stays in the old one is the reply.
    const max = maxIntset(c);
    let survivors: SetValue | null = null;
    for (let i = 0; i < remaining; i++) {
      const m = s.popRandom();
      if (survivors === null) survivors = SetValue.forMember(m);
      survivors.add(m, max);
    }
    s.forEach((m) => {
      w.bulk(m);
      c.server.exec.alsoPropagate(dbId, ['SREM', key, m]);
    });
    c.db.set(key, survivors!, true);
  }
  c.preventPropagation = true;
}

function srandmemberCommand(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    srandmemberWithCount(c, argv);
    return;
  }
  if (argv.length > 3) {
    c.error(E.SYNTAX);
    return;
  }
  const s = readSet(c, argv[1]);
  if (s === null) return;
  if (s === undefined) c.w.nil();
  else c.w.bulk(s.random());
}

function srandmemberWithCount(c: Client, argv: string[]): void {
  const l = randomCountArg(c, argv[2]);
  if (l === null) return;
  const s = readSet(c, argv[1]);
  if (s === null) return;
  const w = c.w;
  if (s === undefined || l === 0n) {
    w.array(0);
    return;
  }
  const unique = l > 0n;
  const big = unique ? l : -l;
  const count = Number(big);
  const size = s.size;
  if (!unique || count === 1) {
    w.raw(`*${big}\r\n`);
    for (let i = 0; i < count; i++) {
      w.bulk(s.random());
      if ((i & 1023) === 1023 && replyOverflow(c)) return;
    }
    return;
  }
  if (count >= size) {
    w.array(size);
    s.forEach((m) => w.bulk(m));
    return;
  }
  w.array(count);
  for (const i of distinctIndexes(size, count)) w.bulk(s.at(i));
}

// ---------------------------------------------------------------- algebra

/** Looks up sets for reading; null after a WRONGTYPE reply. Missing keys are undefined. */
function loadSets(c: Client, keys: string[]): (SetValue | undefined)[] | null {
  const out: (SetValue | undefined)[] = [];
  let wrong = false;
  for (const k of keys) {
    const v = c.db.lookupRead(k);
    if (v !== undefined && v.type !== ValueType.Set) wrong = true;
    out.push(v as SetValue | undefined);
    if (wrong) break;
  }
  if (wrong) {
    c.error(E.WRONGTYPE);
    return null;
  }
  return out;
}

/** Stores a computed set at dst (replacing any value, dropping its TTL) or deletes dst when empty. */
function store(c: Client, dst: string, result: SetValue, event: string): void {
  if (result.size > 0) {
    c.db.set(dst, result);
    c.w.int(result.size);
    c.db.notify(NOTIFY.SET, event, dst);
    c.server.dirty++;
  } else {
    c.w.int(0);
    if (c.db.deleteUnchecked(dst)) {
      c.server.dirty++;
      c.db.notify(NOTIFY.GENERIC, 'del', dst);
    }
  }
}

function sinterGeneric(c: Client, keys: string[], dst: string | null, cardOnly: boolean, limit: number): void {
  const loaded = loadSets(c, keys);
  if (loaded === null) return;
  if (loaded.some((s) => s === undefined)) {
    if (dst !== null) {
      if (c.db.deleteUnchecked(dst)) {
        c.server.dirty++;
        c.db.notify(NOTIFY.GENERIC, 'del', dst);
      }
      c.w.int(0);
    } else if (cardOnly) c.w.int(0);
    else c.w.set(0);
    return;
  }
  const sets = (loaded as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const first = sets[0];
  const n = first.size;
  const result = dst !== null ? new SetValue() : null;
  const max = result ? maxIntset(c) : 0;
  const out: string[] = [];
  let card = 0;
  for (let i = 0; i < n; i++) {
    const m = first.at(i);
    let all = true;
    for (let j = 1; j < sets.length; j++) {
      if (sets[j] === first) continue;
      if (!sets[j].has(m)) {
        all = false;
        break;
      }
    }
    if (!all) continue;
    card++;
    if (cardOnly) {
      if (limit > 0 && card >= limit) break;
    } else if (result) result.add(m, max);
    else out.push(m);
  }
  if (cardOnly) c.w.int(card);
  else if (result) store(c, dst!, result, 'sinterstore');
  else {
    c.w.set(out.length);
    for (const m of out) c.w.bulk(m);
  }
}

function sunionDiffGeneric(c: Client, keys: string[], dst: string | null, diff: boolean): void {
  const sets = loadSets(c, keys);
  if (sets === null) return;
  const result = new SetValue();
  const max = maxIntset(c);
  if (!diff) {
    for (const s of sets) if (s) s.forEach((m) => result.add(m, max));
  } else {
    const first = sets[0];
    const same = first !== undefined && sets.some((s, j) => j > 0 && s === first);
    if (first !== undefined && !same) {
      // The two strategies Redis weighs; they differ only in cost (and so in which encoding
      // an SDIFFSTORE result ends up with), so the choice is made the same way.
      let oneWork = 0;
      let twoWork = 0;
      for (const s of sets) {
        if (!s) continue;
        oneWork += first.size;
        twoWork += s.size;
      }
      oneWork = Math.floor(oneWork / 2);
      const others = sets.slice(1).filter((s): s is SetValue => s !== undefined);
      if (oneWork <= twoWork) {
        others.sort((a, b) => b.size - a.size);
        first.forEach((m) => {
          for (const o of others) if (o.has(m)) return;
          result.add(m, max);
        });
      } else {
        first.forEach((m) => result.add(m, max));
        for (const o of others) {
          o.forEach((m) => result.remove(m));
          if (result.size === 0) break;
        }
      }
    }
  }
  if (dst !== null) {
    store(c, dst, result, diff ? 'sdiffstore' : 'sunionstore');
    return;
  }
  c.w.set(result.size);
  result.forEach((m) => c.w.bulk(m));
}

function sintercardCommand(c: Client, argv: string[]): void {
  const numkeys = rangeLongArg(c, argv[1], 1n, LONG_MAX, 'numkeys should be greater than 0');
  if (numkeys === null) return;
  if (numkeys > BigInt(argv.length - 2)) {
    c.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  const nk = Number(numkeys);
  let limit = 0;
  for (let j = 2 + nk; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], 'LIMIT') && more > 0) {
      j++;
      const l = rangeLongArg(c, argv[j], 0n, LONG_MAX, "LIMIT can't be negative");
      if (l === null) return;
      limit = Number(l);
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }
  sinterGeneric(c, argv.slice(2, 2 + nk), null, true, limit);
}

function sintercardKeys(argv: string[]): number[] {
  const n = argv.length > 1 ? parseBigInt64(argv[1]) : null;
  if (n === null || n < 1n || n > BigInt(argv.length - 2)) return [];
  const out: number[] = [];
  for (let i = 0; i < Number(n); i++) out.push(2 + i);
  return out;
}

// ---------------------------------------------------------------- SSCAN

function sscanCommand(c: Client, argv: string[]): void {
  const found = scanLookup(c, argv, ValueType.Set);
  if (found === null) return;
  const opts = parseCollectionScanOptions(c, argv);
  if (opts === null) return;
  const s = found.value as SetValue;
  const { pattern } = opts;
  const out: string[] = [];
  let cursor = '0';
  const src = s.scanSource();
  if (src === null) {
    s.forEach((m) => {
      if (pattern === null || globMatch(pattern, m)) out.push(m);
    });
  } else {
    const step = collectionCursors(c).step(src, found.cursor, opts.count);
    cursor = step.cursor;
    for (const m of step.keys) if (pattern === null || globMatch(pattern, m)) out.push(m);
  }
  c.w.array(2);
  c.w.bulk(cursor);
  c.w.bulks(out);
}

// ---------------------------------------------------------------- table

export function setCommands(): CommandSpec[] {
  const group = 'set';
  const one: [number, number, number] = [1, 1, 1];
  const all: [number, number, number] = [1, -1, 1];
  const store: [number, number, number] = [1, -1, 1];
  const order = ['nondeterministic_output_order'];
  const random = ['nondeterministic_output'];
  return [
    {
      name: 'sadd',
      arity: -3,
      flags: ['write', 'denyoom', 'fast'],
      keys: one,
      group,
      since: '1.0.0',
      summary: 'Add one or more members to a set',
      complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
      handler: saddCommand,
    },
    { name: 'srem', arity: -3, flags: ['write', 'fast'], keys: one, group, since: '1.0.0', summary: 'Remove one or more members from a set', complexity: 'O(N) where N is the number of members to be removed.', handler: sremCommand },
    {
      name: 'smembers',
      arity: 2,
      flags: ['readonly'],
      keys: one,
      group,
      since: '1.0.0',
      summary: 'Get all the members in a set',
      complexity: 'O(N) where N is the set cardinality.',
      tips: order,
      handler: (c, argv) => sinterGeneric(c, [argv[1]], null, false, 0),
    },
    { name: 'sismember', arity: 3, flags: ['readonly', 'fast'], keys: one, group, since: '1.0.0', summary: 'Determine if a given value is a member of a set', complexity: 'O(1)', handler: sismemberCommand },
    {
      name: 'smismember',
      arity: -3,
      flags: ['readonly', 'fast'],
      keys: one,
      group,
      since: '6.2.0',
      summary: 'Returns the membership associated with the given elements for a set',
      complexity: 'O(N) where N is the number of elements being checked for membership',
      handler: smismemberCommand,
    },
    { name: 'scard', arity: 2, flags: ['readonly', 'fast'], keys: one, group, since: '1.0.0', summary: 'Get the number of members in a set', complexity: 'O(1)', handler: scardCommand },
    {
      name: 'spop',
      arity: -2,
      flags: ['write', 'fast'],
      keys: one,
      group,
      since: '1.0.0',
      summary: 'Remove and return one or multiple random members from a set',
      complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
      tips: random,
      handler: spopCommand,
    },
    {
      name: 'srandmember',
      arity: -2,
      flags: ['readonly'],
      keys: one,
      group,
      since: '1.0.0',
      summary: 'Get one or multiple random members from a set',
      complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
      tips: random,
      handler: srandmemberCommand,
    },
    { name: 'smove', arity: 4, flags: ['write', 'fast'], keys: [1, 2, 1], group, since: '1.0.0', summary: 'Move a member from one set to another', complexity: 'O(1)', handler: smoveCommand },
    {
      name: 'sinter',
      arity: -2,
      flags: ['readonly'],
      keys: all,
      group,
      since: '1.0.0',
      summary: 'Intersect multiple sets',
      complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
      tips: order,
      handler: (c, argv) => sinterGeneric(c, argv.slice(1), null, false, 0),
    },
    {
      name: 'sintercard',
      arity: -3,
      flags: ['readonly'],
      getKeys: sintercardKeys,
      group,
      since: '7.0.0',
      summary: 'Intersect multiple sets and return the cardinality of the result',
      complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
      handler: sintercardCommand,
    },
    {
      name: 'sinterstore',
      arity: -3,
      flags: ['write', 'denyoom'],
      keys: store,
      group,
      since: '1.0.0',
      summary: 'Intersect multiple sets and store the resulting set in a key',
      complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
      handler: (c, argv) => sinterGeneric(c, argv.slice(2), argv[1], false, 0),
    },
    {
      name: 'sunion',
      arity: -2,
      flags: ['readonly'],
      keys: all,
      group,
      since: '1.0.0',
      summary: 'Add multiple sets',
      complexity: 'O(N) where N is the total number of elements in all given sets.',
      tips: order,
      handler: (c, argv) => sunionDiffGeneric(c, argv.slice(1), null, false),
    },
    {
      name: 'sunionstore',
      arity: -3,
      flags: ['write', 'denyoom'],
      keys: store,
      group,
      since: '1.0.0',
      summary: 'Add multiple sets and store the resulting set in a key',
      complexity: 'O(N) where N is the total number of elements in all given sets.',
      handler: (c, argv) => sunionDiffGeneric(c, argv.slice(2), argv[1], false),
    },
    {
      name: 'sdiff',
      arity: -2,
      flags: ['readonly'],
      keys: all,
      group,
      since: '1.0.0',
      summary: 'Subtract multiple sets',
      complexity: 'O(N) where N is the total number of elements in all given sets.',
      tips: order,
      handler: (c, argv) => sunionDiffGeneric(c, argv.slice(1), null, true),
    },
    {
      name: 'sdiffstore',
      arity: -3,
      flags: ['write', 'denyoom'],
      keys: store,
      group,
      since: '1.0.0',
      summary: 'Subtract multiple sets and store the resulting set in a key',
      complexity: 'O(N) where N is the total number of elements in all given sets.',
      handler: (c, argv) => sunionDiffGeneric(c, argv.slice(2), argv[1], true),
    },
    {
      name: 'sscan',
      arity: -3,
      flags: ['readonly'],
      keys: one,
      group,
      since: '2.8.0',
      summary: 'Incrementally iterate Set elements',
      complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
      tips: random,
      handler: sscanCommand,
    },
  ];
}
