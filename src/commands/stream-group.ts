/**
 * Consumer groups of Redis 7.0 streams: XGROUP (CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER/
 * HELP), XREADGROUP (">" and history reads, COUNT, BLOCK, NOACK), XACK, XPENDING, XCLAIM,
 * XAUTOCLAIM and XINFO (STREAM [FULL], GROUPS, CONSUMERS, HELP).
 *
 * Replies, errors, keyspace events and dirty counts are 7.0's. So is replication: these commands
 * never propagate themselves; each PEL change goes out as an idempotent
 * `XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last`, a group last-ID
 * change not covered by one as `XGROUP SETID key group id ENTRIESREAD n`, and a consumer created
 * by a NOACK read as `XGROUP CREATECONSUMER`. Like Redis, XREADGROUP/XACK/XCLAIM do not signal
 * the key as modified (WATCH and client tracking do not see them).
 */
import type { Client } from '../net/client.js';
import type { Database } from '../store/database.js';
import { ValueType } from '../store/values.js';
import { StreamValue } from '../store/stream.js';
import type { StreamEntry } from '../store/stream-node.js';
import { Consumer, ConsumerGroup, type Nack, type Pel } from '../store/stream-group.js';
import { ID_MAX, ID_MIN, INVALID_ID, formatId, parseId, type StreamId } from '../store/stream-id.js';
import type { CommandSpec } from './registry.js';
import { E, checkType, parseInt64 } from './util.js';
import { NOTIFY } from '../config/config.js';
import { XREAD_BLOCKED_DEFAULT_COUNT, idArg, llArg, parseReadArgs, replyEntry, streamForRead, streamForWrite, xreadKeyPositions } from './stream.js';

/** Redis's SCG_INVALID_ENTRIES_READ. */
const INVALID_ENTRIES_READ = -1;

/** streamIncrID: the next ID, wrapping to 0-0 after the last one. */
function incrId(id: StreamId): StreamId {
  return id === ID_MAX ? ID_MIN : id + 1n;
}

function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
}

function replyHelp(c: Client, argv0: string, lines: string[]): void {
  c.w.array(lines.length + 3);
  c.w.simple(`${argv0.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) c.w.simple(l);
  c.w.simple('HELP');
  c.w.simple('    Prints this help.');
}

/** Snapshot copy-on-write before changing a value found with lookupRead (Redis looks these up for reading). */
function willWrite(c: Client, key: string): void {
  c.server.keyspace.beforeWrite(c.db, key);
}

/** Sorted names: Redis keeps groups and consumers in radix trees (bytewise order). */
function byName<T extends { name: string }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function sortedGroups(s: StreamValue): [string, ConsumerGroup][] {
  return [...s.groups].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

// ---------------------------------------------------------------- consumers and PELs

/** streamCreateConsumer: null when it exists; counts dirty and fires the event. */
function createConsumer(c: Client, db: Database, g: ConsumerGroup, name: string, key: string): Consumer | null {
  if (g.consumers.has(name)) return null;
  const cons = new Consumer(name, Date.now());
  g.consumers.set(name, cons);
  c.server.dirty++;
  db.notify(NOTIFY.STREAM, 'xgroup-createconsumer', key);
  return cons;
}

/** streamLookupConsumer, refreshing the seen time unless `noRefresh`. */
function lookupConsumer(g: ConsumerGroup, name: string, noRefresh = false): Consumer | undefined {
  const cons = g.consumers.get(name);
  if (cons !== undefined && !noRefresh) cons.seenTime = Date.now();
  return cons;
}

function removeNack(g: ConsumerGroup, n: Nack): void {
  g.pel.delete(n.id);
  n.consumer.pel.delete(n.id);
}

/** Gives a NACK to `cons` (moving it out of its previous owner's PEL). */
function assignNack(n: Nack, cons: Consumer): void {
  if (n.consumer !== cons) {
    n.consumer.pel.delete(n.id);
    n.consumer = cons;
  }
  cons.pel.set(n);
}

/** The last delivery time propagated and its text (a read delivers many entries at one time). */
let timeNum = -1;
let timeText = '';

/** `lastIdText`: the group's last ID as text when the caller has it. */
function propagateXclaim(c: Client, dbId: number, key: string, g: ConsumerGroup, groupName: string, idText: string, n: Nack, lastIdText?: string): void {
  if (n.deliveryTime !== timeNum) {
    timeNum = n.deliveryTime;
    timeText = String(timeNum);
  }
  c.server.exec.alsoPropagate(dbId, [
    'XCLAIM', key, groupName, n.consumer.name, '0', idText,
    'TIME', timeText, 'RETRYCOUNT', String(n.deliveryCount),
    'FORCE', 'JUSTID', 'LASTID', lastIdText ?? formatId(g.lastId),
  ]);
}

function propagateGroupId(c: Client, dbId: number, key: string, g: ConsumerGroup, groupName: string): void {
  c.server.exec.alsoPropagate(dbId, ['XGROUP', 'SETID', key, groupName, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
}

/** streamReplyWithCGLag's value: the group's lag, or null when it cannot be known. */
function groupLag(s: StreamValue, g: ConsumerGroup): number | null {
  if (s.entriesAdded === 0) return 0;
  if (g.entriesRead !== INVALID_ENTRIES_READ && !s.rangeHasTombstones(g.lastId, ID_MAX)) return s.entriesAdded - g.entriesRead;
  const read = s.estimateDistance(g.lastId);
  return read !== INVALID_ENTRIES_READ ? s.entriesAdded - read : null;
}

function intOrNull(c: Client, v: number | null): void {
  if (v === null) c.w.nil();
  else c.w.int(v);
}

// ---------------------------------------------------------------- XGROUP

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

function xgroup(c: Client, argv: string[]): void {
  const opt = argv[1].toLowerCase();
  const argc = argv.length;
  if (opt === 'help') {
    replyHelp(c, argv[0], XGROUP_HELP);
    return;
  }
  const key = argv[2];
  const grpname = argv[3];
  const db = c.db;
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  const create = opt === 'create';
  const setid = opt === 'setid';
  for (let i = 5; i < argc; ) {
    const a = argv[i].toLowerCase();
    if (create && a === 'mkstream') {
      mkstream = true;
      i++;
    } else if ((create || setid) && a === 'entriesread' && i + 1 < argc) {
      const n = llArg(c, argv[i + 1]);
      if (n === null) return;
      if (n < 0 && n !== INVALID_ENTRIES_READ) {
        c.error('ERR value for ENTRIESREAD must be positive or -1');
        return;
      }
      entriesRead = n;
      i += 2;
    } else {
      subcommandSyntaxError(c, argv);
      return;
    }
  }
  let s = streamForWrite(c, key);
  if (s === null) return;
  let g: ConsumerGroup | undefined;
  if (!mkstream) {
    if (s === undefined) {
      c.error('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
      return;
    }
    g = s.groups.get(grpname);
    if (g === undefined && (setid || opt === 'createconsumer' || opt === 'delconsumer')) {
      c.error(`NOGROUP No such consumer group '${grpname}' for key name '${key}'`);
      return;
    }
  }
  if (create && argc >= 5 && argc <= 8) {
    let id: StreamId;
    if (argv[4] === '$') id = s !== undefined ? s.lastId : ID_MIN;
    else {
      const p = idArg(c, argv[4], 0n, true);
      if (p === null) return;
      id = p;
    }
    if (s === undefined) {
      s = new StreamValue();
      db.add(key, s);
    }
    if (s.groups.has(grpname)) {
      c.error('BUSYGROUP Consumer Group name already exists');
      return;
    }
    s.groups.set(grpname, new ConsumerGroup(grpname, id, entriesRead));
    c.w.ok();
    c.server.dirty++;
    db.notify(NOTIFY.STREAM, 'xgroup-create', key);
  } else if (setid && (argc === 5 || argc === 7)) {
    let id: StreamId;
    if (argv[4] === '$') id = s!.lastId;
    else {
      const p = idArg(c, argv[4], 0n, false);
      if (p === null) return;
      id = p;
    }
    g!.lastId = id;
    g!.entriesRead = entriesRead;
    c.w.ok();
    c.server.dirty++;
    db.notify(NOTIFY.STREAM, 'xgroup-setid', key);
  } else if (opt === 'destroy' && argc === 4) {
    if (g !== undefined) {
      s!.groups.delete(grpname);
      c.w.int(1);
      c.server.dirty++;
      db.notify(NOTIFY.STREAM, 'xgroup-destroy', key);
      // Clients blocked in XREADGROUP on this group get -NOGROUP.
      c.server.blocking.keyReady(db, key);
    } else c.w.int(0);
  } else if (opt === 'createconsumer' && argc === 5) {
    c.w.int(createConsumer(c, db, g!, argv[4], key) !== null ? 1 : 0);
  } else if (opt === 'delconsumer' && argc === 5) {
    let pending = 0;
    const cons = lookupConsumer(g!, argv[4], true);
    if (cons !== undefined) {
      pending = cons.pel.size;
      for (const id of cons.pel.ids()) g!.pel.delete(id);
      g!.consumers.delete(cons.name);
      c.server.dirty++;
      db.notify(NOTIFY.STREAM, 'xgroup-delconsumer', key);
    }
    c.w.int(pending);
  } else {
    subcommandSyntaxError(c, argv);
  }
}

// ---------------------------------------------------------------- XREADGROUP

/** One entry of a group read: its ID (and its text), its fields or null for a PEL entry no longer in the stream. */
type Delivered = [StreamId, string[] | null, string | null];

interface ReadCtx {
  c: Client;
  db: Database;
  key: string;
  groupName: string;
  noack: boolean;
}

/**
 * streamReplyWithRange with a group: delivers entries after `start`, advancing the group's last
 * ID and read counter, creating or taking over NACKs and propagating each as XCLAIM.
 */
function deliverNew(x: ReadCtx, s: StreamValue, g: ConsumerGroup, cons: Consumer, start: StreamId, count: number): Delivered[] {
  const out: Delivered[] = [];
  let propagateLastId = false;
  const now = Date.now();
  for (const e of s.rangeArray(start, ID_MAX, count)) {
    const id = e.id;
    if (id > g.lastId) {
      if (g.entriesRead !== INVALID_ENTRIES_READ && !s.rangeHasTombstones(id, ID_MAX)) g.entriesRead++;
      else if (s.entriesAdded !== 0) g.entriesRead = s.estimateDistance(id);
      g.lastId = id;
      if (x.noack) propagateLastId = true;
    }
    // The ID's text, made once for the reply and the XCLAIM.
    const idText = formatId(id);
    out.push([id, e.kv, idText]);
    if (!x.noack) {
      let n = g.pel.mayHave(id) ? g.pel.get(id) : undefined;
      if (n === undefined) {
        n = { id, consumer: cons, deliveryTime: now, deliveryCount: 1 };
        g.pel.set(n);
        cons.pel.set(n);
      } else {
        // Already pending (XGROUP SETID moved the group back): the reader takes it over.
        assignNack(n, cons);
        n.deliveryTime = now;
        n.deliveryCount = 1;
      }
      propagateXclaim(x.c, x.db.id, x.key, g, x.groupName, idText, n, g.lastId === id ? idText : undefined);
    }
  }
  if (propagateLastId) propagateGroupId(x.c, x.db.id, x.key, g, x.groupName);
  return out;
}

/** streamReplyWithRangeFromConsumerPEL: the consumer's own pending entries from `start`. */
function deliverHistory(s: StreamValue, cons: Consumer, start: StreamId, count: number): Delivered[] {
  const out: Delivered[] = [];
  const now = Date.now();
  for (const n of cons.pel.range(start, ID_MAX)) {
    if (count !== 0 && out.length >= count) break;
    const e = s.get(n.id);
    if (e === undefined) out.push([n.id, null, null]);
    else {
      out.push([n.id, e.kv, null]);
      n.deliveryTime = now;
      n.deliveryCount++;
    }
  }
  return out;
}

function writeDelivered(c: Client, items: Delivered[]): void {
  c.w.array(items.length);
  for (const [id, kv, text] of items) {
    c.w.array(2);
    c.w.bulk(text ?? formatId(id));
    if (kv === null) c.w.nilArray();
    else c.w.bulks(kv);
  }
}

/** Finds or creates the reading consumer (a NOACK read propagates the creation itself). */
function readerConsumer(x: ReadCtx, g: ConsumerGroup, name: string): Consumer {
  let cons = lookupConsumer(g, name);
  if (cons === undefined) {
    cons = createConsumer(x.c, x.db, g, name, x.key)!;
    if (x.noack) x.c.server.exec.alsoPropagate(x.db.id, ['XGROUP', 'CREATECONSUMER', x.key, x.groupName, name]);
  }
  return cons;
}

function xreadgroup(c: Client, argv: string[]): void {
  // Everything is propagated as XCLAIM / XGROUP by the lower levels, never the command itself.
  c.preventPropagation = true;
  const parsed = parseReadArgs(c, argv, true);
  if (parsed === null) return;
  const { deadline, count, streamsArg, n, noack, groupName, consumerName } = parsed;
  if (groupName === null) {
    c.error('ERR Missing GROUP option for XREADGROUP');
    return;
  }
  const db = c.db;
  const keys = argv.slice(streamsArg, streamsArg + n);
  const ids: StreamId[] = [];
  for (let k = 0; k < n; k++) {
    const key = keys[k];
    const s = streamForRead(c, key);
    if (s === null) return;
    if (s === undefined || !s.groups.has(groupName)) {
      c.error(`NOGROUP No such key '${key}' or consumer group '${groupName}' in XREADGROUP with GROUP option`);
      return;
    }
    const arg = argv[streamsArg + n + k];
    if (arg === '$') {
      c.error('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.');
      return;
    }
    // ">" is the maximum ID, as in Redis (so giving that ID literally means ">" too).
    if (arg === '>') {
      ids.push(ID_MAX);
      continue;
    }
    const id = idArg(c, arg, 0n, true);
    if (id === null) return;
    ids.push(id);
  }

  const served: [string, Delivered[]][] = [];
  for (let k = 0; k < n; k++) {
    const key = keys[k];
    const v = db.lookupRead(key);
    if (v === undefined) continue;
    const s = v as StreamValue;
    const g = s.groups.get(groupName)!;
    let gt = ids[k];
    const history = gt !== ID_MAX;
    if (!history) {
      if (s.length === 0 || s.lastValidId() <= g.lastId) continue;
      gt = g.lastId;
    }
    willWrite(c, key);
    const x: ReadCtx = { c, db, key, groupName, noack };
    const cons = readerConsumer(x, g, consumerName);
    const start = incrId(gt);
    served.push([key, history ? deliverHistory(s, cons, start, count) : deliverNew(x, s, g, cons, start, count)]);
    c.server.dirty++;
  }
  if (served.length > 0) {
    if (c.resp === 2) c.w.array(served.length);
    else c.w.map(served.length);
    for (const [key, items] of served) {
      if (c.resp === 2) c.w.array(2);
      c.w.bulk(key);
      writeDelivered(c, items);
    }
    return;
  }
  if (deadline === -1 || c.server.inExec) {
    c.w.nilArray();
    return;
  }
  const blockCount = count !== 0 ? count : XREAD_BLOCKED_DEFAULT_COUNT;
  // An error when woken counts as a failed call of the command (Redis's updateStatsOnUnblock).
  const cmd = c.cmd;
  const fail = (msg: string): boolean => {
    c.error(msg);
    if (cmd) cmd.failedCalls++;
    return true;
  };
  // What each key held when last looked at: Redis wakes these readers only for an XADD, the
  // key's deletion or replacement, or XGROUP DESTROY, not for other writes (XDEL, XTRIM...).
  const seen = new Map<string, { v: unknown; added: number; g: unknown }>();
  const look = (key: string) => {
    const v = db.peek(key);
    const s = v !== undefined && v.type === ValueType.Stream ? (v as StreamValue) : undefined;
    return { v, added: s?.entriesAdded ?? -1, g: s?.groups.get(groupName!) };
  };
  for (const key of keys) seen.set(key, look(key));
  const tryServe = (readyKey?: string): boolean => {
    for (const key of keys) {
      if (readyKey !== undefined && key !== readyKey) continue;
      const now = look(key);
      const was = seen.get(key)!;
      seen.set(key, now);
      if (now.v === was.v && now.added === was.added && now.g === was.g) continue;
      if (now.v === undefined || now.v.type !== ValueType.Stream) return fail('UNBLOCKED the stream key no longer exists');
      const s = now.v as StreamValue;
      const g = now.g as ConsumerGroup | undefined;
      if (g === undefined) return fail('NOGROUP the consumer group this client was blocked on no longer exists');
      if (s.lastId <= g.lastId) continue;
      c.server.keyspace.beforeWrite(db, key);
      const x: ReadCtx = { c, db, key, groupName: groupName!, noack };
      const cons = readerConsumer(x, g, consumerName);
      const items = deliverNew(x, s, g, cons, incrId(g.lastId), blockCount);
      if (c.resp === 2) {
        c.w.array(1);
        c.w.array(2);
      } else c.w.map(1);
      c.w.bulk(key);
      writeDelivered(c, items);
      return true;
    }
    return false;
  };
  c.server.blocking.block({ client: c, db, keys, deadline, tryServe, onTimeout: () => c.w.nilArray() });
}

// ---------------------------------------------------------------- XACK

function xack(c: Client, argv: string[]): void {
  const key = argv[1];
  const s = streamForRead(c, key);
  if (s === null) return;
  const g = s?.groups.get(argv[2]);
  if (g === undefined) {
    c.w.int(0);
    return;
  }
  const ids: StreamId[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = idArg(c, argv[j], 0n, true);
    if (id === null) return;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) {
    const n = g.pel.get(id);
    if (n === undefined) continue;
    if (acked === 0) willWrite(c, key);
    removeNack(g, n);
    acked++;
    c.server.dirty++;
  }
  c.w.int(acked);
}

// ---------------------------------------------------------------- XPENDING

/** streamParseIntervalIDOrReply plus the exclusive-bound adjustment; null after an error. */
function intervalArg(c: Client, arg: string, missingSeq: bigint, isStart: boolean): StreamId | null {
  const ex = arg.length > 1 && arg[0] === '(';
  const id = idArg(c, ex ? arg.slice(1) : arg, missingSeq, ex);
  if (id === null) return null;
  if (!ex) return id;
  if (isStart) {
    if (id === ID_MAX) {
      c.error('ERR invalid start ID for the interval');
      return null;
    }
    return id + 1n;
  }
  if (id === ID_MIN) {
    c.error('ERR invalid end ID for the interval');
    return null;
  }
  return id - 1n;
}

function xpending(c: Client, argv: string[]): void {
  const argc = argv.length;
  const key = argv[1];
  const groupName = argv[2];
  if (argc !== 3 && (argc < 6 || argc > 9)) {
    c.error(E.SYNTAX);
    return;
  }
  let start = ID_MIN;
  let end = ID_MAX;
  let count = 0;
  let minIdle = 0;
  let consumerName: string | null = null;
  if (argc >= 6) {
    let si = 3;
    if (argv[3].toLowerCase() === 'idle') {
      const v = llArg(c, argv[4]);
      if (v === null) return;
      minIdle = v;
      if (argc < 8) {
        c.error(E.SYNTAX);
        return;
      }
      si += 2;
    }
    const cnt = llArg(c, argv[si + 2]);
    if (cnt === null) return;
    count = cnt < 0 ? 0 : cnt;
    const st = intervalArg(c, argv[si], 0n, true);
    if (st === null) return;
    start = st;
    const en = intervalArg(c, argv[si + 1], (1n << 64n) - 1n, false);
    if (en === null) return;
    end = en;
    if (si + 3 < argc) consumerName = argv[si + 3];
  }
  const s = streamForRead(c, key);
  if (s === null) return;
  const g = s?.groups.get(groupName);
  if (g === undefined) {
    c.error(`NOGROUP No such key '${key}' or consumer group '${groupName}'`);
    return;
  }
  if (argc === 3) {
    c.w.array(4);
    c.w.int(g.pel.size);
    if (g.pel.size === 0) {
      c.w.nil();
      c.w.nil();
      c.w.nilArray();
      return;
    }
    c.w.bulk(formatId(g.pel.first()));
    c.w.bulk(formatId(g.pel.last()));
    const owners = byName(g.consumers.values()).filter((x) => x.pel.size > 0);
    c.w.array(owners.length);
    for (const o of owners) {
      c.w.array(2);
      c.w.bulk(o.name);
      c.w.bulk(String(o.pel.size));
    }
    return;
  }
  let pel: Pel = g.pel;
  if (consumerName !== null) {
    const cons = lookupConsumer(g, consumerName, true);
    if (cons === undefined) {
      c.w.array(0);
      return;
    }
    pel = cons.pel;
  }
  const now = Date.now();
  const out: Nack[] = [];
  if (count > 0) {
    for (const nk of pel.range(start, end)) {
      if (minIdle !== 0 && now - nk.deliveryTime < minIdle) continue;
      out.push(nk);
      if (out.length === count) break;
    }
  }
  c.w.array(out.length);
  for (const nk of out) {
    c.w.array(4);
    c.w.bulk(formatId(nk.id));
    c.w.bulk(nk.consumer.name);
    c.w.int(Math.max(0, now - nk.deliveryTime));
    c.w.int(nk.deliveryCount);
  }
}

// ---------------------------------------------------------------- XCLAIM / XAUTOCLAIM

function xclaim(c: Client, argv: string[]): void {
  const key = argv[1];
  const groupName = argv[2];
  const s = streamForRead(c, key);
  if (s === null) return;
  const g = s?.groups.get(groupName);
  if (s === undefined || g === undefined) {
    c.error(`NOGROUP No such key '${key}' or consumer group '${groupName}'`);
    return;
  }
  let minIdle = parseInt64(argv[4]);
  if (minIdle === null) {
    c.error('ERR Invalid min-idle-time argument for XCLAIM');
    return;
  }
  if (minIdle < 0) minIdle = 0;
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = parseId(argv[j], 0n, true);
    if (p === null) break;
    ids.push(p.id);
  }
  const lastIdArg = j - 1;
  const now = Date.now();
  let lastId = ID_MIN;
  let deliveryTime = -1;
  let retryCount = -1;
  let force = false;
  let justid = false;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const o = argv[j].toLowerCase();
    if (o === 'force') force = true;
    else if (o === 'justid') justid = true;
    else if (o === 'idle' && more > 0) {
      const v = parseInt64(argv[++j]);
      if (v === null) {
        c.error('ERR Invalid IDLE option argument for XCLAIM');
        return;
      }
      deliveryTime = now - v;
    } else if (o === 'time' && more > 0) {
      const v = parseInt64(argv[++j]);
      if (v === null) {
        c.error('ERR Invalid TIME option argument for XCLAIM');
        return;
      }
      deliveryTime = v;
    } else if (o === 'retrycount' && more > 0) {
      const v = parseInt64(argv[++j]);
      if (v === null) {
        c.error('ERR Invalid RETRYCOUNT option argument for XCLAIM');
        return;
      }
      retryCount = v;
    } else if (o === 'lastid' && more > 0) {
      const id = idArg(c, argv[++j], 0n, true);
      if (id === null) return;
      lastId = id;
    } else {
      c.error(`ERR Unrecognized XCLAIM option '${argv[j]}'`);
      return;
    }
  }
  willWrite(c, key);
  let propagateLastId = false;
  if (lastId > g.lastId) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  // A bogus time (negative, in the future) means now, rather than an error: clients may
  // compute it from their own clocks.
  if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  const db = c.db;
  let cons: Consumer | undefined;
  const out: (StreamId | StreamEntry)[] = [];
  for (let k = 5; k <= lastIdArg; k++) {
    const id = ids[k - 5];
    let nk = g.pel.get(id);
    const e = s.get(id);
    if (e === undefined) {
      // Deleted from the stream: the NACK goes too (and the replica is told the same way).
      if (nk !== undefined) {
        propagateXclaim(c, db.id, key, g, groupName, argv[k], nk);
        propagateLastId = false;
        c.server.dirty++;
        removeNack(g, nk);
      }
      continue;
    }
    const forced = force && nk === undefined;
    if (nk === undefined && !forced) continue;
    if (nk !== undefined && minIdle !== 0 && now - nk.deliveryTime < minIdle) continue;
    if (cons === undefined) cons = lookupConsumer(g, argv[3]) ?? createConsumer(c, db, g, argv[3], key)!;
    if (nk === undefined) {
      nk = { id, consumer: cons, deliveryTime: now, deliveryCount: 1 };
      g.pel.set(nk);
      cons.pel.set(nk);
    } else assignNack(nk, cons);
    nk.deliveryTime = deliveryTime;
    if (retryCount >= 0) nk.deliveryCount = retryCount;
    else if (!justid) nk.deliveryCount++;
    out.push(justid ? id : e);
    propagateXclaim(c, db.id, key, g, groupName, argv[k], nk);
    propagateLastId = false;
    c.server.dirty++;
  }
  if (propagateLastId) {
    propagateGroupId(c, db.id, key, g, groupName);
    c.server.dirty++;
  }
  c.w.array(out.length);
  for (const o of out) {
    if (typeof o === 'bigint') c.w.bulk(formatId(o));
    else replyEntry(c.w, o);
  }
  c.preventPropagation = true;
}

/** LONG_MAX / max(sizeof(streamID), attempts factor 10). */
const AUTOCLAIM_MAX_COUNT = 576460752303423487n;

function xautoclaim(c: Client, argv: string[]): void {
  const key = argv[1];
  const groupName = argv[2];
  // Redis looks the key up before parsing (hits/misses count even when an argument is bad).
  const found = c.db.lookupRead(key);
  let minIdle = parseInt64(argv[4]);
  if (minIdle === null) {
    c.error('ERR Invalid min-idle-time argument for XAUTOCLAIM');
    return;
  }
  if (minIdle < 0) minIdle = 0;
  const start = intervalArg(c, argv[5], 0n, true);
  if (start === null) return;
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const o = argv[j].toLowerCase();
    if (o === 'count' && more > 0) {
      const v = argv[j + 1];
      const big = /^-?\d+$/.test(v) && parseInt64(v) !== null ? BigInt(v) : null;
      if (big === null || big < 1n || big > AUTOCLAIM_MAX_COUNT) {
        c.error('ERR COUNT must be > 0');
        return;
      }
      count = Number(big);
      j++;
    } else if (o === 'justid') {
      justid = true;
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }
  const s = checkType<StreamValue>(c, found, ValueType.Stream);
  if (s === null) return;
  const g = s?.groups.get(groupName);
  if (s === undefined || g === undefined) {
    c.error(`NOGROUP No such key '${key}' or consumer group '${groupName}'`);
    return;
  }
  willWrite(c, key);
  const db = c.db;
  let attempts = count * 10;
  const now = Date.now();
  let cons: Consumer | undefined;
  const claimed: (StreamId | StreamEntry)[] = [];
  const deleted: StreamId[] = [];
  // Redis's loop: stop when out of attempts or count, or past the last pending entry; the cursor
  // is the pending entry after the last one looked at (0-0 when none).
  const it = g.pel.range(start, ID_MAX);
  let exhausted = false;
  while (attempts-- > 0 && count > 0) {
    const next = it.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    const nk = next.value;
    const id = nk.id;
    const e = s.get(id);
    if (e === undefined) {
      propagateXclaim(c, db.id, key, g, groupName, formatId(id), nk);
      c.server.dirty++;
      removeNack(g, nk);
      deleted.push(id);
      count--;
      continue;
    }
    if (minIdle !== 0 && now - nk.deliveryTime < minIdle) continue;
    if (cons === undefined) cons = lookupConsumer(g, argv[3]) ?? createConsumer(c, db, g, argv[3], key)!;
    assignNack(nk, cons);
    nk.deliveryTime = now;
    if (!justid) nk.deliveryCount++;
    claimed.push(justid ? id : e);
    count--;
    propagateXclaim(c, db.id, key, g, groupName, formatId(id), nk);
    c.server.dirty++;
  }
  let cursor = ID_MIN;
  if (!exhausted) {
    const next = it.next();
    if (!next.done) cursor = next.value.id;
  }
  c.w.array(3);
  c.w.bulk(formatId(cursor));
  c.w.array(claimed.length);
  for (const o of claimed) {
    if (typeof o === 'bigint') c.w.bulk(formatId(o));
    else replyEntry(c.w, o);
  }
  c.w.array(deleted.length);
  for (const id of deleted) c.w.bulk(formatId(id));
  c.preventPropagation = true;
}

// ---------------------------------------------------------------- XINFO

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

/** Nodes of Redis's radix tree holding the stream's node keys (16-byte big-endian IDs). */
export function radixTreeNodes(s: StreamValue): number {
  const keys = s.nodes.map((n) => n.master);
  if (keys.length === 0) return 1;
  const byteAt = (id: StreamId, d: number): number => Number((id >> BigInt(8 * (15 - d))) & 0xffn);
  // A compressed trie: a node per branching point, per run of single-child bytes, per leaf.
  const count = (lo: number, hi: number, d: number): number => {
    if (d === 16) return 1;
    let e = d;
    while (e < 16 && byteAt(keys[lo], e) === byteAt(keys[hi - 1], e)) e++;
    if (e > d) return 1 + count(lo, hi, e);
    let total = 1;
    let i = lo;
    while (i < hi) {
      const b = byteAt(keys[i], d);
      let j = i + 1;
      while (j < hi && byteAt(keys[j], d) === b) j++;
      total += count(i, j, d + 1);
      i = j;
    }
    return total;
  };
  return count(0, keys.length, 0);
}

function xinfoKey(c: Client, key: string): StreamValue | null {
  const v = c.db.lookupRead(key);
  if (v === undefined) {
    c.error(E.NO_SUCH_KEY);
    return null;
  }
  const s = checkType<StreamValue>(c, v, ValueType.Stream);
  return s ?? null;
}

function xinfoConsumers(c: Client, argv: string[]): void {
  const s = xinfoKey(c, argv[2]);
  if (s === null) return;
  const g = s.groups.get(argv[3]);
  if (g === undefined) {
    c.error(`NOGROUP No such consumer group '${argv[3]}' for key name '${argv[2]}'`);
    return;
  }
  const now = Date.now();
  const list = byName(g.consumers.values());
  c.w.array(list.length);
  for (const cons of list) {
    c.w.map(3);
    c.w.bulk('name');
    c.w.bulk(cons.name);
    c.w.bulk('pending');
    c.w.int(cons.pel.size);
    c.w.bulk('idle');
    c.w.int(Math.max(0, now - cons.seenTime));
  }
}

function xinfoGroups(c: Client, argv: string[]): void {
  const s = xinfoKey(c, argv[2]);
  if (s === null) return;
  const groups = sortedGroups(s);
  c.w.array(groups.length);
  for (const [name, g] of groups) {
    c.w.map(6);
    c.w.bulk('name');
    c.w.bulk(name);
    c.w.bulk('consumers');
    c.w.int(g.consumers.size);
    c.w.bulk('pending');
    c.w.int(g.pel.size);
    c.w.bulk('last-delivered-id');
    c.w.bulk(formatId(g.lastId));
    c.w.bulk('entries-read');
    intOrNull(c, g.entriesRead !== INVALID_ENTRIES_READ ? g.entriesRead : null);
    c.w.bulk('lag');
    intOrNull(c, groupLag(s, g));
  }
}

function xinfoStream(c: Client, argv: string[]): void {
  const s = xinfoKey(c, argv[2]);
  if (s === null) return;
  const optc = argv.length - 3;
  let full = false;
  let count = 10;
  if (optc !== 0) {
    if ((optc !== 1 && optc !== 3) || argv[3].toLowerCase() !== 'full' || (optc === 3 && argv[4].toLowerCase() !== 'count')) {
      subcommandSyntaxError(c, argv);
      return;
    }
    full = true;
    if (optc === 3) {
      const v = llArg(c, argv[5]);
      if (v === null) return;
      count = v < 0 ? 10 : v;
    }
  }
  const w = c.w;
  w.map(full ? 9 : 10);
  w.bulk('length');
  w.int(s.length);
  w.bulk('radix-tree-keys');
  w.int(s.nodes.length);
  w.bulk('radix-tree-nodes');
  w.int(radixTreeNodes(s));
  w.bulk('last-generated-id');
  w.bulk(formatId(s.lastId));
  w.bulk('max-deleted-entry-id');
  w.bulk(formatId(s.maxDeletedId));
  w.bulk('entries-added');
  w.int(s.entriesAdded);
  w.bulk('recorded-first-entry-id');
  w.bulk(formatId(s.firstId));
  if (!full) {
    w.bulk('groups');
    w.int(s.groups.size);
    for (const rev of [false, true]) {
      w.bulk(rev ? 'last-entry' : 'first-entry');
      const e = s.range(ID_MIN, ID_MAX, rev).next();
      if (e.done) w.nil();
      else replyEntry(w, e.value);
    }
    return;
  }
  w.bulk('entries');
  const entries: StreamEntry[] = [];
  for (const e of s.range(ID_MIN, ID_MAX)) {
    entries.push(e);
    if (count !== 0 && entries.length === count) break;
  }
  w.array(entries.length);
  for (const e of entries) replyEntry(w, e);
  w.bulk('groups');
  const groups = sortedGroups(s);
  w.array(groups.length);
  const upTo = <T>(it: Iterable<T>): T[] => {
    const out: T[] = [];
    for (const x of it) {
      if (count !== 0 && out.length >= count) break;
      out.push(x);
    }
    return out;
  };
  for (const [name, g] of groups) {
    w.map(7);
    w.bulk('name');
    w.bulk(name);
    w.bulk('last-delivered-id');
    w.bulk(formatId(g.lastId));
    w.bulk('entries-read');
    intOrNull(c, g.entriesRead !== INVALID_ENTRIES_READ ? g.entriesRead : null);
    w.bulk('lag');
    intOrNull(c, groupLag(s, g));
    w.bulk('pel-count');
    w.int(g.pel.size);
    w.bulk('pending');
    const pel = upTo(g.pel.range(ID_MIN, ID_MAX));
    w.array(pel.length);
    for (const nk of pel) {
      w.array(4);
      w.bulk(formatId(nk.id));
      w.bulk(nk.consumer.name);
      w.int(nk.deliveryTime);
      w.int(nk.deliveryCount);
    }
    w.bulk('consumers');
    const consumers = byName(g.consumers.values());
    w.array(consumers.length);
    for (const cons of consumers) {
      w.map(4);
      w.bulk('name');
      w.bulk(cons.name);
      w.bulk('seen-time');
      w.int(cons.seenTime);
      w.bulk('pel-count');
      w.int(cons.pel.size);
      w.bulk('pending');
      const cp = upTo(cons.pel.range(ID_MIN, ID_MAX));
      w.array(cp.length);
      for (const nk of cp) {
        w.array(3);
        w.bulk(formatId(nk.id));
        w.int(nk.deliveryTime);
        w.int(nk.deliveryCount);
      }
    }
  }
}

// ---------------------------------------------------------------- table

export function streamGroupCommands(): CommandSpec[] {
  const group = 'stream';
  const one: [number, number, number] = [1, 1, 1];
  const second: [number, number, number] = [2, 2, 1];
  const none: [number, number, number] = [0, 0, 0];
  const help = { name: 'help', arity: 2, flags: ['loading', 'stale'] as const, group, since: '5.0.0', summary: 'Show helpful text about the different subcommands' };
  return [
    {
      name: 'xgroup', arity: -2, flags: [], group, since: '5.0.0', summary: 'A container for consumer groups commands',
      subcommands: [
        { name: 'create', arity: -5, flags: ['write', 'denyoom'], keys: second, group, since: '5.0.0', summary: 'Create a consumer group.', handler: xgroup },
        { name: 'setid', arity: -5, flags: ['write'], keys: second, group, since: '5.0.0', summary: 'Set a consumer group to an arbitrary last delivered ID value.', handler: xgroup },
        { name: 'destroy', arity: 4, flags: ['write'], keys: second, group, since: '5.0.0', summary: 'Destroy a consumer group.', handler: xgroup },
        { name: 'createconsumer', arity: 5, flags: ['write', 'denyoom'], keys: second, group, since: '6.2.0', summary: 'Create a consumer in a consumer group.', handler: xgroup },
        { name: 'delconsumer', arity: 5, flags: ['write'], keys: second, group, since: '5.0.0', summary: 'Delete a consumer from a consumer group.', handler: xgroup },
        { ...help, handler: xgroup },
      ],
    },
    { name: 'xreadgroup', arity: -7, flags: ['write', 'blocking'], keys: none, getKeys: xreadKeyPositions, group, since: '5.0.0', summary: 'Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.', handler: xreadgroup },
    { name: 'xack', arity: -4, flags: ['write', 'fast'], keys: one, group, since: '5.0.0', summary: 'Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.', handler: xack },
    { name: 'xpending', arity: -3, flags: ['readonly'], keys: one, group, since: '5.0.0', summary: 'Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.', handler: xpending },
    { name: 'xclaim', arity: -6, flags: ['write', 'fast'], keys: one, group, since: '5.0.0', summary: 'Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.', handler: xclaim },
    { name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], keys: one, group, since: '6.2.0', summary: 'Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.', handler: xautoclaim },
    {
      name: 'xinfo', arity: -2, flags: [], group, since: '5.0.0', summary: 'A container for stream introspection commands',
      subcommands: [
        { name: 'consumers', arity: 4, flags: ['readonly'], keys: second, group, since: '5.0.0', summary: 'List the consumers in a consumer group', handler: xinfoConsumers },
        { name: 'groups', arity: 3, flags: ['readonly'], keys: second, group, since: '5.0.0', summary: 'List the consumer groups of a stream', handler: xinfoGroups },
        { name: 'stream', arity: -3, flags: ['readonly'], keys: second, group, since: '5.0.0', summary: 'Get information about a stream', handler: xinfoStream },
        { ...help, handler: (c, a) => replyHelp(c, a[0], XINFO_HELP) },
      ],
    },
  ];
}
