/**
 * Redis 7.0 ACL: users, the permission check the executor and scripts call, AUTH, the ACL
 * command, ACL LOG, `user` config lines, the ACL file and CONFIG REWRITE of users.
 *
 *   config (requirepass, user lines, aclfile) ──startup──▶ users ──▶ checks (executor, EXEC, scripts)
 *   ACL SETUSER/DELUSER/LOAD ──▶ users ──▶ clients killed (deleted users, revoked channels)
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync, unlinkSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Client } from '../net/client.js';
import type { Command, CommandSpec } from '../commands/registry.js';
import { aclCategories, commandHasKeys, commandKeyRefs } from '../commands/registry.js';
import type { CommandTable } from '../commands/registry.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { AccessControl, AclContext, ServerHooks } from '../exec/hooks.js';
import { FatalLoadError } from '../persistence/persistence.js';
import { replyHelp } from '../commands/connection.js';
import { parseInt64 } from '../commands/util.js';
import {
  CATEGORIES,
  CommandUniverse,
  RuleError,
  User,
  channelInList,
  hasSpaces,
  hashPassword,
  mergeSelectorArgs,
} from './rules.js';
import { redactArgs } from './redact.js';

/** The verdict for an allowed command (shared: callers only read it). */
const ALLOWED: { readonly res: Denied; readonly idx: number } = Object.freeze({ res: Denied.Ok, idx: 0 });

/** What the ACL module needs from the server. */
export interface AclHost {
  readonly commands: CommandTable;
  readonly config: Config;
  readonly log: Logger;
  readonly hooks: ServerHooks;
  readonly clients: Map<number, Client>;
  readonly startupTasks: (() => void | Promise<void>)[];
  inExec: boolean;
}

const enum Denied {
  Ok = 0,
  Cmd = 1,
  Key = 2,
  Auth = 3,
  Channel = 4,
}

const REASONS: Record<number, string> = { 1: 'command', 2: 'key', 3: 'auth', 4: 'channel' };

/** Channel arguments of the commands that have them (7.0's commands_with_channels). */
const CHANNEL_COMMANDS: Record<string, { check: boolean; pattern: boolean; count: number }> = {
  subscribe: { check: true, pattern: false, count: -1 },
  ssubscribe: { check: true, pattern: false, count: -1 },
  psubscribe: { check: true, pattern: true, count: -1 },
  publish: { check: true, pattern: false, count: 1 },
  spublish: { check: true, pattern: false, count: 1 },
};

interface LogEntry {
  count: number;
  reason: Denied;
  context: AclContext;
  object: string;
  username: string;
  ctime: number;
  cinfo: string;
}

/** Grouping window for similar ACL LOG entries (7.0's ACL_LOG_GROUPING_MAX_TIME_DELTA). */
const LOG_GROUPING_MS = 60000;

export { validateUserLine, userLineRules } from './rules.js';

export class Acl implements AccessControl {
  /** Users by name; listed in byte order like 7.0's radix tree. */
  users = new Map<string, User>();
  defaultUser!: User;
  readonly universe: CommandUniverse;
  private log: LogEntry[] = [];

  constructor(private readonly host: AclHost) {
    this.universe = new CommandUniverse(() => host.commands.all(), aclCategories, () => host.commands.size);
  }

  /** Creates the default user once the command table is complete (its +@all covers it). */
  init(): void {
    this.defaultUser = this.createDefaultUser();
    this.users.set('default', this.defaultUser);
    this.updateDefaultPassword(this.host.config.str('requirepass'));
  }

  private get pubsubAll(): boolean {
    return this.host.config.str('acl-pubsub-default') === 'allchannels';
  }

  private createDefaultUser(): User {
    const u = new User('default', this.pubsubAll);
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) u.apply(op, this.universe, this.pubsubAll);
    return u;
  }

  newUser(name: string): User {
    return new User(name, this.pubsubAll);
  }

  /** requirepass: the default user's only password, or nopass when empty (ACLUpdateDefaultUserPassword). */
  updateDefaultPassword(pass: string): void {
    this.defaultUser.apply('resetpass', this.universe, this.pubsubAll);
    this.defaultUser.apply(pass !== '' ? '>' + pass : 'nopass', this.universe, this.pubsubAll);
  }

  userOf(c: Client): User | null {
    if (c.isMaster) return null; // the master link runs as no user: everything is allowed
    const u = c.aclUser as User | null;
    return u ?? this.defaultUser;
  }

  sortedUsers(): User[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---------------------------------------------------------------- AccessControl

  authRequired(c: Client): boolean {
    return this.defaultRequiresAuth() && !c.authenticated;
  }

  defaultRequiresAuth(): boolean {
    return !this.defaultUser.nopass || !this.defaultUser.enabled;
  }

  defaultNopass(): boolean {
    return this.defaultUser.nopass;
  }

  userExists(name: string): boolean {
    return this.users.has(name);
  }

  /** ACLCheckUserCredentials, comparing digests in constant time. */
  checkCredentials(name: string, pass: string): boolean {
    const u = this.users.get(name);
    if (!u || !u.enabled) return false;
    if (u.nopass) return true;
    const given = Buffer.from(hashPassword(pass), 'latin1');
    let ok = false;
    for (const h of u.passwords) {
      if (timingSafeEqual(given, Buffer.from(h, 'latin1'))) ok = true;
    }
    return ok;
  }

  authenticate(c: Client, user: string, pass: string, argv0 = 'auth'): boolean {
    if (this.checkCredentials(user, pass)) {
      c.authenticated = true;
      c.aclUser = this.users.get(user)!;
      c.parser.limits.authRequired = false;
      return true;
    }
    this.addLog(c, Denied.Auth, this.contextOf(c), argv0, user);
    return false;
  }

  private contextOf(c: Client): AclContext {
    if (c.luaClient) return 'lua';
    return c.inMulti || this.host.inExec ? 'multi' : 'toplevel';
  }

  /** ACLCheckAllUserCommandPerm: the first selector allowing it wins; else the most relevant denial. */
  checkUser(u: User | null, cmd: Command, argv: readonly string[]): { res: Denied; idx: number } {
    if (u === null) return ALLOWED;
    // The common case (the default user, `+@all ~* &*`): nothing to look at, per command.
    const root = u.selectors[0];
    if (root.allCommands && root.allKeys && root.allChannels) return ALLOWED;
    const table = cmd.viewOf ?? cmd;
    let relevant = Denied.Cmd;
    let lastIdx = 0;
    let localIdx = 0;
    let keys: ReturnType<typeof commandKeyRefs> | null = null;
    for (const s of u.selectors) {
      let res = Denied.Ok;
      if (!s.allCommands && !table.flagSet.has('no_auth') && !s.allowed.has(table)) {
        const fa = s.firstArgs?.get(table);
        const idx = table.parent ? 2 : 1;
        if (argv.length < 2 || !fa || !fa.some((a) => a.toLowerCase() === (argv[idx] ?? '').toLowerCase())) res = Denied.Cmd;
      }
      if (res === Denied.Ok && !s.allKeys && commandHasKeys(table)) {
        keys ??= commandKeyRefs(table, argv);
        for (const k of keys) {
          if (!s.checkKey(argv[k.pos], k.flags)) {
            localIdx = k.pos;
            res = Denied.Key;
            break;
          }
        }
      }
      const ch = CHANNEL_COMMANDS[table.fullName];
      if (res === Denied.Ok && ch && !s.allChannels) {
        const end = ch.count < 0 ? argv.length : Math.min(argv.length, 1 + ch.count);
        for (let i = 1; i < end; i++) {
          if (!channelInList(s.channels, argv[i], ch.pattern)) {
            localIdx = i;
            res = Denied.Channel;
            break;
          }
        }
      }
      if (res === Denied.Ok) return { res, idx: 0 };
      if (res > relevant || (res === relevant && localIdx > lastIdx)) {
        relevant = res;
        lastIdx = localIdx;
      }
    }
    return { res: relevant, idx: lastIdx };
  }

  checkCommand(c: Client, cmd: Command, argv: string[], context: AclContext): string | null {
    const { res, idx } = this.checkUser(this.userOf(c), cmd, argv);
    if (res === Denied.Ok) return null;
    c.lastCommand = (cmd.viewOf ?? cmd).fullName;
    this.addLog(c, res, context, this.objectOf(res, cmd, argv, idx));
    if (res === Denied.Cmd) return `NOPERM this user has no permissions to run the '${(cmd.viewOf ?? cmd).fullName}' command`;
    if (res === Denied.Key) return 'NOPERM this user has no permissions to access one of the keys used as arguments';
    return 'NOPERM this user has no permissions to access one of the channels used as arguments';
  }

  checkQueued(c: Client, cmd: Command, argv: string[]): string | null {
    const { res, idx } = this.checkUser(this.userOf(c), cmd, argv);
    if (res === Denied.Ok) return null;
    this.addLog(c, res, 'multi', this.objectOf(res, cmd, argv, idx));
    const reason =
      res === Denied.Cmd
        ? 'no permission to execute the command or subcommand'
        : res === Denied.Key
          ? 'no permission to touch the specified keys'
          : 'no permission to access one of the channels used as arguments';
    return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${reason}`;
  }

  checkScript(caller: Client, cmd: Command, argv: string[]): string | null {
    const { res, idx } = this.checkUser(this.userOf(caller), cmd, argv);
    if (res === Denied.Ok) return null;
    this.addLog(caller, res, 'lua', this.objectOf(res, cmd, argv, idx));
    return `ERR The user executing the script ${aclErrorMessage(res)}`;
  }

  /** ACLUserCheckCmdWithUnrestrictedKeyAccess with read access (SORT's BY and GET). */
  fullKeyAccess(c: Client, cmd: Command, argv: string[]): boolean {
    const u = this.userOf(c);
    if (u === null) return true;
    for (const s of u.selectors) {
      const one = new User(u.name, false);
      one.selectors = [s];
      if (this.checkUser(one, cmd, argv).res === Denied.Ok && s.unrestrictedKeys(['access'])) return true;
    }
    return false;
  }

  redact(cmd: Command, argv: string[]): string[] {
    return redactArgs(cmd, argv, (name) => this.host.config.def(name)?.sensitive === true);
  }

  allows(caller: Client, cmd: Command, argv: string[]): boolean {
    return this.checkUser(this.userOf(caller), cmd, argv).res === Denied.Ok;
  }

  private objectOf(res: Denied, cmd: Command, argv: readonly string[], idx: number): string {
    return res === Denied.Cmd ? (cmd.viewOf ?? cmd).fullName : argv[idx];
  }

  // ---------------------------------------------------------------- ACL LOG

  /** addACLLogEntry: similar recent entries are merged (count++), the log is capped. */
  private addLog(c: Client, reason: Denied, context: AclContext, object: string, username?: string): void {
    const entry: LogEntry = {
      count: 1,
      reason,
      context,
      object,
      username: username ?? this.userOf(c)?.name ?? 'default',
      ctime: Date.now(),
      cinfo: c.info(),
    };
    const scan = Math.min(10, this.log.length);
    for (let i = 0; i < scan; i++) {
      const e = this.log[i];
      if (
        e.reason === entry.reason &&
        e.context === entry.context &&
        Math.abs(e.ctime - entry.ctime) <= LOG_GROUPING_MS &&
        e.object === entry.object &&
        e.username === entry.username
      ) {
        this.log.splice(i, 1);
        e.cinfo = entry.cinfo;
        e.ctime = entry.ctime;
        e.count++;
        this.log.unshift(e);
        return;
      }
    }
    this.log.unshift(entry);
    const max = this.host.config.num('acllog-max-len');
    if (this.log.length > max) this.log.length = max;
  }

  // ---------------------------------------------------------------- user changes

  /**
   * ACLStringSetUser: all rules are tried on a copy first; nothing changes on an error.
   * Returns the error text (without "ERR ") or null.
   */
  setUser(name: string, args: readonly string[], current: Client | null): string | null {
    const merged = mergeSelectorArgs(args);
    if (!Array.isArray(merged)) return `Unmatched parenthesis in acl selector starting at '${args[merged.unmatched]}'.`;
    const existing = this.users.get(name);
    const temp = this.newUser(name);
    if (existing) temp.copyFrom(existing);
    for (const op of merged) {
      try {
        temp.apply(op, this.universe, this.pubsubAll);
      } catch (e) {
        if (e instanceof RuleError) return `Error in ACL SETUSER modifier '${op}': ${e.message}`;
        throw e;
      }
    }
    if (existing) {
      this.killPubsubClientsIfNeeded(temp, existing, current);
      existing.copyFrom(temp);
    } else {
      temp.described = null;
      this.users.set(name, temp);
    }
    return null;
  }

  /** Clients authenticated as a removed user are closed (the running one after its reply). */
  private killClientsOf(u: User, current: Client | null): void {
    for (const c of [...this.host.clients.values()]) {
      if (c.aclUser !== u) continue;
      c.aclUser = null;
      c.authenticated = false;
      if (c === current) c.closeAfterReply = true;
      else c.close();
    }
  }

  deleteUser(name: string, current: Client | null): boolean {
    const u = this.users.get(name);
    if (!u) return false;
    this.users.delete(name);
    this.killClientsOf(u, current);
    return true;
  }

  /** ACLKillPubsubClientsIfNeeded: subscribers whose channels the new rules no longer grant are closed. */
  private killPubsubClientsIfNeeded(next: User, original: User, current: Client | null): void {
    if (next.selectors.some((s) => s.allChannels)) return;
    const upcoming: string[] = [];
    for (const s of next.selectors) upcoming.push(...s.channels);
    let superset = true;
    for (const s of original.selectors) {
      if (s.allChannels || s.channels.some((ch) => !upcoming.includes(ch))) {
        superset = false;
        break;
      }
    }
    if (superset) return;
    const subsOf = this.host.hooks.subscriptionsOf;
    if (!subsOf) return;
    for (const c of [...this.host.clients.values()]) {
      if (c.aclUser !== original || !c.inPubSub || c.isMaster || c.isReplica) continue;
      const subs = subsOf(c);
      const kill =
        subs.patterns.some((p) => !channelInList(upcoming, p, true)) ||
        subs.channels.some((ch) => !channelInList(upcoming, ch, false)) ||
        subs.shard.some((ch) => !channelInList(upcoming, ch, false));
      if (!kill) continue;
      if (c === current) c.closeAfterReply = true;
      else c.close();
    }
  }

  // ---------------------------------------------------------------- loading and saving

  /** ACLLoadFromFile: all or nothing; returns the errors text or null. */
  loadFile(path: string, current: Client | null): string | null {
    let text: string;
    try {
      text = readFileSync(this.resolve(path), 'latin1');
    } catch (e) {
      return `Error loading ACLs, opening file '${path}': ${errnoText(e as NodeJS.ErrnoException)}`;
    }
    const users = new Map<string, User>();
    let errors = '';
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      const n = i + 1;
      if (line === '') continue;
      const argv = line.split(' ');
      if (argv[0] !== 'user' || argv.length < 2) {
        errors += `${path}:${n} should start with user keyword followed by the username. `;
        continue;
      }
      if (hasSpaces(argv[1])) {
        errors += `'${path}:${n}: username '${argv[1]}' contains invalid characters. `;
        continue;
      }
      if (users.has(argv[1])) {
        errors += `WARNING: Duplicate user '${argv[1]}' found on line ${n}. `;
        continue;
      }
      const u = this.newUser(argv[1]);
      users.set(argv[1], u);
      const merged = mergeSelectorArgs(argv.slice(2));
      if (!Array.isArray(merged)) {
        errors += `${path}:${n}: Unmatched parenthesis in selector definition.`;
        continue;
      }
      let syntaxError = false;
      for (let op of merged) {
        op = op.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
        try {
          u.apply(op, this.universe, this.pubsubAll);
        } catch (e) {
          if (!(e instanceof RuleError)) throw e;
          if (e.code === 'ENOENT') errors += `${path}:${n}: Error in applying operation '${op}': ${e.message}. `;
          else if (!syntaxError) {
            errors += `${path}:${n}: ${e.message}. `;
            syntaxError = true;
          }
        }
      }
    }
    if (errors !== '') return errors + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';
    // The default user object stays (clients reference it); it takes the loaded rules.
    const loadedDefault = users.get('default') ?? this.createDefaultUser();
    this.defaultUser.copyFrom(loadedDefault);
    this.defaultUser.described = null;
    users.set('default', this.defaultUser);
    const old = this.users;
    this.users = users;
    for (const u of old.values()) if (u !== this.defaultUser) this.killClientsOf(u, current);
    return null;
  }

  /** The ACL file text (and ACL LIST lines): one `user` line per user, in name order. */
  userLines(): string[] {
    return this.sortedUsers().map((u) => `user ${u.name} ${u.describe(this.universe)}`);
  }

  /** A relative path is relative to `dir` (Redis has chdir()ed there; a worker thread cannot). */
  resolve(path: string): string {
    return isAbsolute(path) ? path : join(this.host.config.str('dir'), path);
  }

  saveFile(path: string): boolean {
    const text = this.userLines().map((l) => l + '\n').join('');
    const tmp = `${this.resolve(path)}.tmp-${process.pid}-${Date.now()}`;
    try {
      writeFileSync(tmp, text, { encoding: 'latin1', mode: 0o644 });
      renameSync(tmp, this.resolve(path));
      return true;
    } catch (e) {
      this.host.log.warning(`Writing ACL file for ACL SAVE: ${errnoText(e as NodeJS.ErrnoException)}`);
      try {
        unlinkSync(tmp);
      } catch {
        // nothing was written
      }
      return false;
    }
  }

  /** ACLLoadUsersAtStartup: `user` lines of the config, or the ACL file; fatal on errors. */
  loadAtStartup(): void {
    const log = this.host.log;
    const aclfile = this.host.config.str('aclfile');
    const lines = this.host.config.aclUsers;
    if (aclfile !== '' && lines.length > 0) {
      log.warning(
        'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.',
      );
      throw new FatalLoadError('aclfile and user lines');
    }
    for (const def of lines) {
      const [name, ...rules] = def;
      if (hasSpaces(name)) {
        log.warning('Spaces not allowed in ACL usernames');
        log.warning('Critical error while loading ACLs. Exiting.');
        throw new FatalLoadError('acl');
      }
      let u = this.users.get(name);
      if (!u) {
        u = this.newUser(name);
        this.users.set(name, u);
      } else u.apply('reset', this.universe, this.pubsubAll);
      for (const op of rules) {
        try {
          u.apply(op, this.universe, this.pubsubAll);
        } catch (e) {
          if (!(e instanceof RuleError)) throw e;
          log.warning(`Error loading ACL rule '${op}' for the user named '${name}': ${e.message}`);
          log.warning('Critical error while loading ACLs. Exiting.');
          throw new FatalLoadError('acl');
        }
      }
      if (!u.enabled) {
        log.notice(
          `The user '${name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`,
        );
      }
    }
    if (aclfile !== '') {
      const errors = this.loadFile(aclfile, null);
      if (errors !== null) {
        log.warning(`Aborting Redis startup because of ACL errors: ${errors}`);
        throw new FatalLoadError('acl');
      }
    }
  }

  // ---------------------------------------------------------------- replies

  replyLog(c: Client, argv: string[]): void {
    let count = 10;
    if (argv.length === 3) {
      if (argv[2].toLowerCase() === 'reset') {
        this.log = [];
        c.w.ok();
        return;
      }
      const n = parseInt64(argv[2]);
      if (n === null) {
        c.error('ERR value is not an integer or out of range');
        return;
      }
      count = Math.max(0, n);
    }
    count = Math.min(count, this.log.length);
    const now = Date.now();
    c.w.array(count);
    for (let i = 0; i < count; i++) {
      const e = this.log[i];
      c.w.map(7);
      c.w.bulk('count');
      c.w.int(e.count);
      c.w.bulk('reason');
      c.w.bulk(REASONS[e.reason]);
      c.w.bulk('context');
      c.w.bulk(e.context);
      c.w.bulk('object');
      c.w.bulk(e.object);
      c.w.bulk('username');
      c.w.bulk(e.username);
      c.w.bulk('age-seconds');
      c.w.double((now - e.ctime) / 1000);
      c.w.bulk('client-info');
      c.w.bulk(e.cinfo);
    }
  }

  replyGetUser(c: Client, name: string): void {
    const u = this.users.get(name);
    if (!u) {
      c.w.nil();
      return;
    }
    const w = c.w;
    w.map(6);
    w.bulk('flags');
    const flags = u.flags();
    w.set(flags.length);
    for (const f of flags) w.bulk(f);
    w.bulk('passwords');
    w.array(u.passwords.length);
    for (const p of u.passwords) w.bulk(p);
    const sel = (s: (typeof u.selectors)[number]): void => {
      w.bulk('commands');
      w.bulk(s.describeCommands(this.universe));
      w.bulk('keys');
      w.bulk(s.keysText());
      w.bulk('channels');
      w.bulk(s.channelsText());
    };
    sel(u.root);
    w.bulk('selectors');
    w.array(u.selectors.length - 1);
    for (const s of u.selectors.slice(1)) {
      w.map(3);
      sel(s);
    }
  }

  /** ACL CAT <category>: every command and subcommand in it. */
  categoryCommands(cat: string): string[] {
    const out: string[] = [];
    for (const c of this.universe.walk()) if (this.universe.categories(c).has(cat)) out.push(c.fullName);
    return out;
  }
}

function aclErrorMessage(res: Denied): string {
  switch (res) {
    case Denied.Cmd:
      return "can't run this command or subcommand";
    case Denied.Key:
      return "can't access at least one of the keys mentioned in the command arguments";
    case Denied.Channel:
      return "can't publish to the channel mentioned in the command";
    default:
      return 'lacking the permissions for the command';
  }
}

function errnoText(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    case 'ENOTDIR':
      return 'Not a directory';
    case 'ENOSPC':
      return 'No space left on device';
    default:
      return e.message;
  }
}

const HELP = [
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
];

const NO_FILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

function aclCommands(acl: Acl, host: AclHost): CommandSpec {
  const g = { group: 'server' };
  const syntax = (c: Client, argv: string[]): void =>
    c.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ACL HELP.`);
  const sub = (name: string, arity: number, admin: boolean, handler: (c: Client, argv: string[]) => void): CommandSpec => ({
    ...g,
    name,
    arity,
    flags: admin ? ['admin', 'noscript', 'loading', 'stale'] : ['noscript', 'loading', 'stale'],
    since: '6.0.0',
    summary: '',
    handler,
  });
  const fileOp = (c: Client, op: () => void): void => {
    if (host.config.str('aclfile') === '') c.error(NO_FILE);
    else op();
  };
  return {
    ...g,
    name: 'acl',
    arity: -2,
    flags: [],
    since: '6.0.0',
    summary: 'A container for Access List Control commands',
    subcommands: [
      sub('setuser', -3, true, (c, argv) => {
        const name = argv[2];
        if (hasSpaces(name)) {
          c.error("ERR Usernames can't contain spaces or null characters");
          return;
        }
        const err = acl.setUser(name, argv.slice(3), c);
        if (err === null) c.w.ok();
        else c.error('ERR ' + err.replace(/[\r\n]/g, ' '));
      }),
      sub('deluser', -3, true, (c, argv) => {
        if (argv.slice(2).includes('default')) {
          c.error("ERR The 'default' user cannot be removed");
          return;
        }
        let n = 0;
        for (const name of argv.slice(2)) if (acl.deleteUser(name, c)) n++;
        c.w.int(n);
      }),
      sub('getuser', 3, true, (c, argv) => acl.replyGetUser(c, argv[2])),
      sub('list', 2, true, (c) => c.w.bulks(acl.userLines())),
      sub('users', 2, true, (c) => c.w.bulks(acl.sortedUsers().map((u) => u.name))),
      sub('whoami', 2, false, (c) => {
        const u = acl.userOf(c);
        if (u === null) c.w.nil();
        else c.w.bulk(u.name);
      }),
      sub('load', 2, true, (c) =>
        fileOp(c, () => {
          const errors = acl.loadFile(host.config.str('aclfile'), c);
          if (errors === null) c.w.ok();
          else c.error('ERR ' + errors.replace(/[\r\n]/g, ' '));
        }),
      ),
      sub('save', 2, true, (c) =>
        fileOp(c, () => {
          if (acl.saveFile(host.config.str('aclfile'))) c.w.ok();
          else c.error('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
        }),
      ),
      sub('cat', -2, false, (c, argv) => {
        if (argv.length === 2) c.w.bulks(CATEGORIES);
        else if (argv.length === 3) {
          const cat = argv[2].toLowerCase();
          if (!(CATEGORIES as readonly string[]).includes(cat)) {
            c.error(`ERR Unknown category '${argv[2].slice(0, 128)}'`);
            return;
          }
          c.w.bulks(acl.categoryCommands(cat));
        } else syntax(c, argv);
      }),
      sub('genpass', -2, false, (c, argv) => {
        if (argv.length > 3) {
          syntax(c, argv);
          return;
        }
        let bits = 256;
        if (argv.length === 3) {
          const n = parseInt64(argv[2]);
          if (n === null) {
            c.error('ERR value is not an integer or out of range');
            return;
          }
          bits = n;
        }
        if (bits <= 0 || bits > 4096) {
          c.error('ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096');
          return;
        }
        const chars = Math.floor((bits + 3) / 4);
        c.w.bulk(randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
      }),
      sub('log', -2, true, (c, argv) => {
        if (argv.length > 3) syntax(c, argv);
        else acl.replyLog(c, argv);
      }),
      sub('dryrun', -4, true, (c, argv) => {
        const u = acl.users.get(argv[2]);
        if (!u) {
          c.error(`ERR User '${argv[2]}' not found`);
          return;
        }
        const args = argv.slice(3);
        const cmd = host.commands.lookup(args);
        if (!cmd) {
          c.error(`ERR Command '${argv[3]}' not found`);
          return;
        }
        if ((cmd.arity > 0 && cmd.arity !== args.length) || args.length < -cmd.arity) {
          c.error(`ERR wrong number of arguments for '${cmd.fullName}' command`);
          return;
        }
        const { res, idx } = acl.checkUser(u, cmd, args);
        if (res === Denied.Ok) c.w.ok();
        else if (res === Denied.Cmd) c.w.bulk(`This user has no permissions to run the '${cmd.fullName}' command`);
        else if (res === Denied.Key) c.w.bulk(`This user has no permissions to access the '${args[idx]}' key`);
        else c.w.bulk(`This user has no permissions to access the '${args[idx]}' channel`);
      }),
      { ...sub('help', 2, false, (c) => replyHelp(c, 'ACL', HELP)), flags: ['loading', 'stale'] },
    ],
  };
}

/**
 * Installs ACL: the ACL command, the access-control hook, requirepass and ACL configs, the
 * startup loading of users and CONFIG REWRITE of `user` lines. Call after every command is
 * registered (the default user's +@all covers the whole table).
 */
export function installAcl(host: AclHost): Acl {
  const acl = new Acl(host);
  host.commands.register([aclCommands(acl, host)]);
  acl.init();
  host.hooks.acl = acl;
  host.config.onChange((name) => {
    if (name === 'requirepass') acl.updateDefaultPassword(host.config.str('requirepass'));
    else if (name === 'acllog-max-len') {
      // The cap applies at the next entry, as 7.0 trims only when adding.
    }
  });
  // With an ACL file, CONFIG REWRITE drops user lines (the file holds them); otherwise it writes every user.
  host.config.extraRewrite.set('user', () => (host.config.str('aclfile') !== '' ? [] : acl.userLines()));
  host.startupTasks.unshift(() => acl.loadAtStartup());
  return acl;
}
