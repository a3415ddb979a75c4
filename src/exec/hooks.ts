/** Extension points the command path offers to optional subsystems. */
import type { Client } from '../net/client.js';
import type { Command } from '../commands/registry.js';

export interface Propagator {
  /** Feeds a write to replicas / the backlog. */
  propagate(dbId: number, argv: string[]): void;
}

/** Hooks that optional subsystems (transactions, pub/sub, replication, persistence) install. */
export interface ServerHooks {
  /** Extra INFO sections: name → lines. */
  infoSections: Map<string, () => string[]>;
  /** Reasons to refuse a write before it runs ("-MISCONF ...", "-NOREPLICAS ..."), or null. */
  writeGuards: ((c: Client, cmd: Command) => string | null)[];
  /** RESET: each subsystem drops the client's state (MULTI, WATCH, subscriptions). */
  clientReset: ((c: Client) => void)[];
  /** EXEC refused before it ran: the transactions module discards the client's transaction. */
  abortTransaction: ((c: Client) => void)[];
  /** After FLUSHDB (db id) or FLUSHALL (-1). */
  afterFlush: ((c: Client, dbId: number) => void)[];
  /** Reasons to refuse any command, checked after the pub/sub context and before -LOADING (-MASTERDOWN). */
  commandGuards: ((c: Client, cmd: Command) => string | null)[];
}
