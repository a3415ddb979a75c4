/**
 * Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, ...).
 *
 *   command finds nothing ──block()──▶ waiting (FIFO per key) ──key modified──▶ ready
 *        ▲                                 │ timeout / CLIENT UNBLOCK / close      │
 *        │                                 ▼                                      ▼
 *   resume pipelined input ◀── unblocked ◀──────────── tryServe() after the writing command
 *
 * Keys are marked ready when modified; after each top-level command (a whole EXEC counts as
 * one) the waiting clients of ready keys are served in the order they blocked, as Redis does.
 * Serving runs in the blocked client's context, so what it propagates is emitted as one unit.
 */
import type { Client } from './client.js';
import type { Server } from '../server.js';
import type { Database } from '../store/database.js';
import type { Command } from '../commands/registry.js';
import { parseFloatArg } from '../commands/util.js';

export interface BlockedRequest {
  client: Client;
  db: Database;
  keys: string[];
  /** Absolute deadline in ms, 0 = wait forever. */
  deadline: number;
  /**
   * Tries to serve the request now, preferably from `readyKey` (the key that just became
   * ready); returns true if it replied (the client is then unblocked).
   */
  tryServe(readyKey?: string): boolean;
  /** Replies what the command replies on timeout (a null array, a null bulk...). */
  onTimeout(): void;
  /** The blocked command (set by block()): an error when unblocked counts as its failed call. */
  cmd?: Command | null;
}

export class BlockingManager {
  /** Per database: key → requests waiting on it, oldest first. */
  private readonly waiting: Map<string, BlockedRequest[]>[];
  private readonly byClient = new Map<Client, BlockedRequest>();
  private ready: { db: Database; key: string }[] = [];
  private readonly readySet = new Set<string>();

  constructor(private readonly server: Server) {
    this.waiting = server.keyspace.dbs.map(() => new Map());
    server.keyspace.addListener({
      modified: (db, key) => this.signal(db, key),
      // After SWAPDB every waited-on key of both databases may now hold data.
      beforeSwap: (a, b) => {
        for (const db of [a, b]) for (const key of this.waiting[db.id].keys()) this.signal(db, key);
      },
      // Readers blocked in XREADGROUP learn that their stream is gone (Redis 7.0 wakes them).
      beforeFlush: (db) => {
        for (const key of this.waiting[db.id].keys()) this.signal(db, key);
      },
    });
  }

  get blockedCount(): number {
    return this.byClient.size;
  }

  isBlocked(c: Client): boolean {
    return this.byClient.has(c);
  }

  /** Parks a client until one of its keys can serve it or the deadline passes. */
  block(req: BlockedRequest): void {
    const c = req.client;
    req.cmd = c.cmd;
    c.blocked = true;
    this.byClient.set(c, req);
    const map = this.waiting[req.db.id];
    for (const k of req.keys) {
      let list = map.get(k);
      if (!list) map.set(k, (list = []));
      if (!list.includes(req)) list.push(req);
    }
    c.onClose.push(() => this.remove(c));
    if (req.deadline !== 0) {
      // A timer per waiting client gives Redis's millisecond timeout precision.
      const t = setTimeout(() => {
        if (this.byClient.get(c) !== req) return;
        this.server.exec.runUnit(() => req.onTimeout());
        this.finish(c);
      }, Math.max(0, req.deadline - Date.now()));
      t.unref();
      this.timers.set(c, t);
    }
  }

  private readonly timers = new Map<Client, NodeJS.Timeout>();

  private remove(c: Client): BlockedRequest | undefined {
    const req = this.byClient.get(c);
    if (!req) return undefined;
    this.byClient.delete(c);
    const t = this.timers.get(c);
    if (t) {
      clearTimeout(t);
      this.timers.delete(c);
    }
    const map = this.waiting[req.db.id];
    for (const k of req.keys) {
      const list = map.get(k);
      if (!list) continue;
      const i = list.indexOf(req);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) map.delete(k);
    }
    c.blocked = false;
    return req;
  }

  /** Redis's signalKeyAsReady for a change that is not a modification (XGROUP DESTROY). */
  keyReady(db: Database, key: string): void {
    this.signal(db, key);
  }

  private signal(db: Database, key: string): void {
    const map = this.waiting[db.id];
    if (map === undefined || map.size === 0 || !map.has(key)) return;
    const id = `${db.id}\0${key}`;
    if (this.readySet.has(id)) return;
    this.readySet.add(id);
    this.ready.push({ db, key });
  }

  /** Serves clients waiting on keys that became ready (called after each top-level command). */
  handleReady(): void {
    while (this.ready.length > 0) {
      const batch = this.ready;
      this.ready = [];
      this.readySet.clear();
      for (const { db, key } of batch) {
        const list = this.waiting[db.id].get(key);
        if (!list) continue;
        // Serve in FIFO order. A waiter that cannot be served (its command wants another
        // type) does not stop the ones behind it.
        for (const req of [...list]) {
          if (!this.byClient.has(req.client)) continue;
          if (this.server.exec.runUnit(() => req.tryServe(key))) this.finish(req.client);
        }
      }
    }
  }

  private finish(c: Client): void {
    this.remove(c);
    c.flush();
    c.resume();
  }

  /** CLIENT UNBLOCK: ends the wait with the timeout reply or an UNBLOCKED error. */
  unblock(c: Client, withError: boolean): boolean {
    const req = this.byClient.get(c);
    if (!req) return false;
    if (withError) {
      c.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      if (req.cmd) req.cmd.failedCalls++;
    }
    else req.onTimeout();
    this.finish(c);
    return true;
  }
}

/**
 * Parses a blocking timeout in seconds (decimals allowed) into an absolute deadline in ms,
 * 0 for "forever". Replies Redis's errors and returns null on bad input.
 */
export function parseTimeout(c: Client, arg: string): number | null {
  const v = parseFloatArg(arg);
  if (v === null || Number.isNaN(v)) {
    c.error('ERR timeout is not a float or out of range');
    return null;
  }
  const ms = Math.ceil(v * 1000);
  // Redis converts to a 64-bit integer of milliseconds: what overflows it becomes negative.
  if (v < 0 || !(ms < 9.2e18)) {
    c.error('ERR timeout is negative');
    return null;
  }
  return ms > 0 ? Date.now() + ms : 0;
}
