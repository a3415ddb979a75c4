/** Extension points the command path offers to optional subsystems. */
import type { Client } from '../net/client.js';
import type { Command } from '../commands/registry.js';

/** Where a write goes (Redis's PROPAGATE_AOF / PROPAGATE_REPL; redis.set_repl picks them). */
export const PROPAGATE_AOF = 1;
export const PROPAGATE_REPL = 2;
export const PROPAGATE_ALL = PROPAGATE_AOF | PROPAGATE_REPL;

export interface Propagator {
  /** Feeds a write to the AOF and/or replicas / the backlog, as `target` says. */
  propagate(dbId: number, argv: string[], target: number): void;
  /**
   * The part of `target` that has somewhere to go now (Redis's shouldPropagate: the AOF when it
   * is on, replication when there is a backlog); absent: all of it.
   */
  accepts?(target: number): number;
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
  /** Access control (the ACL module): authentication and per-user command/key/channel rules. */
  acl?: AccessControl;
  /** The pub/sub module: what a client is subscribed to (ACL revokes subscriptions it no longer allows). */
  subscriptionsOf?: (c: Client) => { channels: string[]; patterns: string[]; shard: string[] };
}

/** Where a permission check happens, as ACL LOG reports it. */
export type AclContext = 'toplevel' | 'multi' | 'lua';

export interface AccessControl {
  /** Redis's authRequired(): the client must AUTH before running commands without no_auth. */
  authRequired(c: Client): boolean;
  /** The -NOPERM error for running (or queuing) cmd, logged in ACL LOG; null when allowed. */
  checkCommand(c: Client, cmd: Command, argv: string[], context: AclContext): string | null;
  /** EXEC re-checks each queued command (rules may have changed since it was queued). */
  checkQueued(c: Client, cmd: Command, argv: string[]): string | null;
  /** redis.call from a script run by `caller`: the script error text, or null. */
  checkScript(caller: Client, cmd: Command, argv: string[]): string | null;
  /** redis.acl_check_cmd: whether the caller's user may run argv. */
  allows(caller: Client, cmd: Command, argv: string[]): boolean;
  /** AUTH / HELLO AUTH: true and the client is authenticated as the user, or false (logged). */
  authenticate(c: Client, user: string, pass: string, argv0: string): boolean;
  /** Whether the default user has no password (AUTH <password> is then an error). */
  defaultNopass(): boolean;
  /** Whether new connections start unauthenticated. */
  defaultRequiresAuth(): boolean;
  userExists(name: string): boolean;
  /** argv as SLOWLOG and MONITOR show it: passwords and ACL rules replaced by "(redacted)". */
  redact(cmd: Command, argv: string[]): string[];
  /** Whether some selector allowing cmd also reads every key (SORT BY/GET patterns need it). */
  fullKeyAccess(c: Client, cmd: Command, argv: string[]): boolean;
}
