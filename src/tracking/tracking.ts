/**
 * Client-side caching (CLIENT TRACKING), as Redis 7.0 does it.
 *
 * Default mode: the keys a tracking client reads with read-only commands are remembered in one
 * table, key → client ids, shared by all databases (Redis tracks key names, not db+key). When a
 * key is modified its entry is dropped and every client in it gets one invalidation message.
 * BCAST mode: nothing is remembered; modified keys matching a client's prefixes are collected
 * and sent together once the current batch of commands is done (Redis's beforeSleep).
 *
 * Messages go to the client itself as RESP3 pushes (`>2 invalidate [keys]`), or to the redirect
 * client: pushes if it speaks RESP3, `message __redis__:invalidate` if it is a RESP2 client in
 * Pub/Sub mode, nothing otherwise. Messages meant for the client whose command is running are
 * held until its reply is written (after a whole EXEC), so they never interleave with replies.
 *
 * Divergence kept on purpose: Redis leaves a disconnected client's ids in the table until the
 * keys change; here a disconnecting client's entries are removed at once (no state is kept for
 * a client that is gone). CLIENT TRACKING OFF keeps them, as Redis, so a client that turns
 * tracking back on is still told about keys it read before.
 */
import type { Client } from '../net/client.js';
import type { Server } from '../server.js';
import type { Database } from '../store/database.js';
import { commandKeys, type Command } from '../commands/registry.js';

export interface TrackingState {
  /** Client id messages go to, 0 for the client itself. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (OPTIN) / NO (OPTOUT) given for the next command or transaction. */
  caching: boolean;
  /** The redirect client was gone when a message had to be sent ('R' flag). */
  brokenRedirect: boolean;
  /** BCAST prefixes of this client. */
  prefixes: Set<string>;
}

interface Broadcast {
  /** Keys modified since the last broadcast → the client that modified each last (NOLOOP). */
  keys: Map<string, Client | null>;
  clients: Set<Client>;
}

export interface TrackingOptions {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: string[];
}

const CHANNEL = '__redis__:invalidate';

/** A pending message for the running client: a key, or null for "everything" (flush). */
type Pending = string | null;

export class Tracking {
  /** key → ids of clients that may cache it. */
  private readonly table = new Map<string, Set<number>>();
  /** client id → keys it appears under in `table` (removal on disconnect). */
  private readonly byClient = new Map<number, Set<string>>();
  /** Ids stored across the whole table (INFO tracking_total_items). */
  private items = 0;
  private readonly prefixTable = new Map<string, Broadcast>();
  private readonly states = new Map<Client, TrackingState>();
  /** Clients whose disconnect is already hooked (tracking may be turned on and off many times). */
  private readonly watched = new WeakSet<Client>();
  /** Becomes true when a client first enables tracking (Redis allocates its tables then). */
  private active = false;
  /** The client whose command is running, and how deep inside nested calls (EXEC) we are. */
  private current: Client | null = null;
  private depth = 0;
  private pending: Pending[] = [];
  private broadcastScheduled = false;
  /** Rounds in a row trackingLimit found the table over the limit (effort grows with it). */
  private overLimitRounds = 0;
  /** Count of command calls (nested ones too), and the call that last signalled a flush (see onFlush). */
  private callSeq = 0;
  private flushedInCall = -1;
  private flushedOutside = false;
  /** Key whose expiry is being signalled (the modification that follows has no client). */
  private expiring: string | null = null;

  constructor(private readonly server: Server) {}

  get clientCount(): number {
    return this.states.size;
  }

  get totalKeys(): number {
    return this.table.size;
  }

  get totalItems(): number {
    return this.items;
  }

  get totalPrefixes(): number {
    return this.prefixTable.size;
  }

  stateOf(c: Client): TrackingState | undefined {
    return this.states.get(c);
  }

  /** Installs the keyspace listeners, the hooks and the call() wrapper. */
  install(): void {
    const server = this.server;
    server.keyspace.addListener({
      // Redis signals an expired key without a client: even the client whose read found it
      // expired is told in BCAST NOLOOP mode.
      expired: (_db: Database, key: string) => (this.expiring = key),
      modified: (_db: Database, key: string) => {
        const by = this.expiring === key ? null : this.current;
        this.expiring = null;
        this.invalidateKey(by, key, true);
      },
      beforeFlush: () => this.onFlush(),
    });
    server.hooks.clientReset.push((c) => this.disable(c));
    // Redis bounds the table before every command and from the cron.
    server.hooks.commandGuards.push(() => {
      if (this.states.size > 0) this.limitTable();
      return null;
    });
    server.cronTasks.push(() => {
      if (this.states.size > 0) this.limitTable();
    });
    this.observeCalls();
  }

  /**
   * Watches the server's calls (every command run, nested ones of EXEC too): it records the
   * running client (NOLOOP, held messages), remembers the keys read by read-only commands, and
   * when the outermost call ends (after its reply, even one CLIENT REPLY OFF dropped) sends the
   * held messages, as Redis's call() and afterCommand() do.
   */
  private observeCalls(): void {
    const server = this.server;
    server.exec.observer = {
      enter: (c) => {
        if (this.states.size === 0 && this.depth === 0) return false;
        this.callSeq++;
        if (this.depth++ === 0) this.current = c;
        return true;
      },
      leave: (c, cmd, argv) => {
        this.depth--;
        if (cmd.isReadonly && !cmd.flagSet.has('pubsub')) {
          const st = this.states.get(c);
          if (st && !st.bcast) this.rememberKeys(c, st, cmd, argv);
        }
        if (this.depth === 0) {
          this.current = null;
          this.flushPending(c);
        }
      },
      // CLIENT CACHING applies to the next command (or transaction) only, even one refused before
      // it runs; other CLIENT subcommands leave it in place (Redis's resetClient).
      afterExecute: (c, argv) => {
        if (this.states.size === 0) return;
        const st = this.states.get(c);
        if (st && st.caching && !c.inMulti && server.commands.lookup(argv)?.parent?.name !== 'client') st.caching = false;
      },
    };
  }

  // ---------------------------------------------------------------- enabling

  enable(c: Client, o: TrackingOptions): void {
    let st = this.states.get(c);
    if (!st) {
      st = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, caching: false, brokenRedirect: false, prefixes: new Set() };
      this.states.set(c, st);
      if (!this.watched.has(c)) {
        this.watched.add(c);
        c.onClose.push(() => this.forget(c));
      }
    }
    this.active = true;
    st.brokenRedirect = false;
    st.redirect = o.redirect;
    st.optin = o.optin;
    st.optout = o.optout;
    st.noloop = o.noloop;
    if (o.bcast) {
      st.bcast = true;
      const prefixes = o.prefixes.length === 0 ? [''] : o.prefixes;
      for (const p of prefixes) {
        let b = this.prefixTable.get(p);
        if (!b) this.prefixTable.set(p, (b = { keys: new Map(), clients: new Set() }));
        b.clients.add(c);
        st.prefixes.add(p);
      }
    }
    this.syncClientFields(c, st);
  }

  disable(c: Client): void {
    const st = this.states.get(c);
    if (!st) return;
    for (const p of st.prefixes) {
      const b = this.prefixTable.get(p);
      if (!b) continue;
      b.clients.delete(c);
      if (b.clients.size === 0) this.prefixTable.delete(p);
    }
    this.states.delete(c);
    c.trackingFlags = '';
    c.trackingRedirect = -1;
  }

  /** A client went away: drop its state and every table entry naming it. */
  private forget(c: Client): void {
    this.disable(c);
    const keys = this.byClient.get(c.id);
    if (!keys) return;
    this.byClient.delete(c.id);
    for (const key of keys) {
      const ids = this.table.get(key);
      if (!ids?.delete(c.id)) continue;
      this.items--;
      if (ids.size === 0) this.table.delete(key);
    }
  }

  /** CLIENT LIST/INFO letters (t R B) and redir= mirror the state. */
  syncClientFields(c: Client, st: TrackingState): void {
    c.trackingFlags = 't' + (st.brokenRedirect ? 'R' : '') + (st.bcast ? 'B' : '');
    c.trackingRedirect = st.redirect;
  }

  /**
   * Redis's prefix collision check for `CLIENT TRACKING ON BCAST PREFIX ...`: an error string,
   * or null. `late` is true when the collision is between two given prefixes after the first:
   * Redis then replies the error and still enables tracking (and replies +OK too).
   */
  prefixCollision(c: Client, prefixes: string[]): { error: string; late: boolean } | null {
    const existing = [...(this.states.get(c)?.prefixes ?? [])].sort(compareBytes);
    for (let i = 0; i < prefixes.length; i++) {
      for (const e of existing) {
        if (overlaps(e, prefixes[i])) {
          return { error: `ERR Prefix '${prefixes[i]}' overlaps with an existing prefix '${e}'. Prefixes for a single client must not overlap.`, late: false };
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlaps(prefixes[i], prefixes[j])) {
          return { error: `ERR Prefix '${prefixes[i]}' overlaps with another provided prefix '${prefixes[j]}'. Prefixes for a single client must not overlap.`, late: i > 0 };
        }
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- remembering

  private rememberKeys(c: Client, st: TrackingState, cmd: Command, argv: string[]): void {
    if ((st.optin && !st.caching) || (st.optout && st.caching)) return;
    const idx = commandKeys(cmd, argv);
    if (idx.length === 0) return;
    let mine = this.byClient.get(c.id);
    if (!mine) this.byClient.set(c.id, (mine = new Set()));
    for (const i of idx) {
      const key = argv[i];
      let ids = this.table.get(key);
      if (!ids) this.table.set(key, (ids = new Set()));
      if (!ids.has(c.id)) {
        ids.add(c.id);
        mine.add(key);
        this.items++;
      }
    }
  }

  // ---------------------------------------------------------------- invalidating

  /**
   * A key changed (or is evicted from the table when `bcast` is false): every client that may
   * cache it is told, and it is forgotten.
   */
  invalidateKey(by: Client | null, key: string, bcast: boolean): void {
    if (!this.active) return;
    if (bcast && this.prefixTable.size > 0) this.rememberForBroadcast(by, key);
    const ids = this.table.get(key);
    if (!ids) return;
    this.table.delete(key);
    this.items -= ids.size;
    for (const id of ids) {
      this.byClient.get(id)?.delete(key);
      const target = this.server.clients.get(id);
      if (!target) continue;
      const st = this.states.get(target);
      // A client that switched to BCAST is not told about keys it read before.
      if (!st || st.bcast) continue;
      if (st.noloop && target === this.current) continue;
      if (target === this.current && this.depth > 0) this.pending.push(key);
      else this.send(target, st, [key]);
    }
  }

  /**
   * The keyspace empties a database. FLUSHALL (or a replica's full sync, DEBUG RELOAD) empties
   * them all one by one, but Redis signals a flush once per operation: once per command call
   * (each FLUSHDB of a transaction counts), or once per synchronous run outside commands.
   */
  private onFlush(): void {
    if (this.depth > 0) {
      if (this.flushedInCall === this.callSeq) return;
      this.flushedInCall = this.callSeq;
    } else {
      if (this.flushedOutside) return;
      this.flushedOutside = true;
      queueMicrotask(() => (this.flushedOutside = false));
    }
    this.invalidateAllOnFlush();
  }

  /** FLUSHDB/FLUSHALL: every tracking client is told "everything" (a null), the table is emptied. */
  private invalidateAllOnFlush(): void {
    for (const [c, st] of this.states) {
      if (c === this.current && this.depth > 0) this.pending.push(null);
      else this.send(c, st, null);
    }
    if (this.active) {
      this.table.clear();
      this.byClient.clear();
      this.items = 0;
    }
  }

  private flushPending(c: Client): void {
    if (this.pending.length === 0) return;
    const list = this.pending;
    this.pending = [];
    const st = this.states.get(c);
    if (!st || c.isClosed) return;
    for (const p of list) this.send(c, st, p === null ? null : [p]);
  }

  private rememberForBroadcast(by: Client | null, key: string): void {
    for (const [prefix, b] of this.prefixTable) {
      if (!key.startsWith(prefix)) continue;
      b.keys.set(key, by);
    }
    if (!this.broadcastScheduled) {
      this.broadcastScheduled = true;
      // After the commands of this read batch, like Redis's beforeSleep.
      setImmediate(() => {
        this.broadcastScheduled = false;
        this.broadcast();
      });
    }
  }

  private broadcast(): void {
    const prefixes = [...this.prefixTable.keys()].sort(compareBytes);
    for (const p of prefixes) {
      const b = this.prefixTable.get(p)!;
      if (b.keys.size === 0) continue;
      const entries = [...b.keys].sort((x, y) => compareBytes(x[0], y[0]));
      b.keys = new Map();
      const all = entries.map((e) => e[0]);
      for (const c of b.clients) {
        const st = this.states.get(c);
        if (!st) continue;
        if (st.noloop) {
          const own = entries.filter((e) => e[1] !== c).map((e) => e[0]);
          if (own.length > 0) this.send(c, st, own);
        } else {
          this.send(c, st, all);
        }
      }
    }
  }

  /** Redis's sendTrackingMessage: keys, or null meaning every key. */
  private send(c: Client, st: TrackingState, keys: string[] | null): void {
    let to = c;
    let redirected = false;
    if (st.redirect !== 0) {
      const r = this.server.clients.get(st.redirect);
      if (!r) {
        st.brokenRedirect = true;
        this.syncClientFields(c, st);
        if (c.resp === 3) {
          c.w.push(2);
          c.w.bulk('tracking-redir-broken');
          c.w.int(st.redirect);
          this.server.scheduleFlush(c);
        }
        return;
      }
      to = r;
      redirected = true;
    }
    const w = to.w;
    if (to.resp === 3) {
      w.push(2);
      w.bulk('invalidate');
    } else if (redirected && to.inPubSub) {
      w.array(3);
      w.bulk('message');
      w.bulk(CHANNEL);
    } else {
      // A RESP2 connection cannot take pushes: nothing is sent.
      return;
    }
    // Redis encodes the flush null in the protocol of the tracking client, not the receiver's.
    if (keys === null) w.raw(c.resp === 3 ? '_\r\n' : '$-1\r\n');
    else w.bulks(keys);
    this.server.scheduleFlush(to);
  }

  // ---------------------------------------------------------------- table limit

  /**
   * tracking-table-max-keys: while the table holds more keys, random keys are dropped (their
   * clients told as if the keys changed), with an effort that grows each round the table stays
   * over the limit (Redis's trackingLimitUsedSlots).
   */
  private limitTable(): void {
    const max = this.server.config.num('tracking-table-max-keys');
    if (max === 0) return;
    if (this.table.size <= max) {
      this.overLimitRounds = 0;
      return;
    }
    let effort = 100 * (this.overLimitRounds + 1);
    const keys = [...this.table.keys()];
    while (effort-- > 0 && keys.length > 0) {
      const i = Math.floor(Math.random() * keys.length);
      const key = keys[i];
      keys[i] = keys[keys.length - 1];
      keys.pop();
      this.invalidateKey(null, key, false);
      if (this.table.size <= max) {
        this.overLimitRounds = 0;
        return;
      }
    }
    this.overLimitRounds++;
  }
}

/** Two prefixes overlap when one starts with the other (both would match some key). */
function overlaps(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n);
}

/** Byte order of binary (latin1) strings, the order of Redis's radix trees. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
