/**
 * ACL users and selectors as Redis 7.0 models them: a user has flags, password hashes and a
 * list of selectors (the first is the "root" one, the others come from `(...)` rules); a
 * selector holds allowed commands, first-args, key patterns and channel patterns. Rules are
 * applied one at a time, errors carry the errno-like code 7.0 maps to its messages.
 */
import { createHash } from 'node:crypto';
import type { Command } from '../commands/registry.js';
import { globMatch } from '../store/glob.js';
import { PHANTOM_COMMANDS } from './phantoms.js';

/** 7.0's categories, in the order ACL CAT lists them and the rule describer tries them. */
export const CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
] as const;
const CATEGORY_SET = new Set<string>(CATEGORIES);

export const READ = 1;
export const WRITE = 2;
export const ALL = READ | WRITE;

export type RuleErrno = 'ENOENT' | 'EINVAL' | 'EEXIST' | 'EISDIR' | 'ENODEV' | 'EBADMSG' | 'EALREADY' | 'ECHILD' | 'EFORMAT';

export class RuleError extends Error {
  constructor(readonly code: RuleErrno) {
    super(ruleErrorText(code));
  }
}

/** ACLSetUserStringError's texts. */
export function ruleErrorText(code: RuleErrno): string {
  switch (code) {
    case 'ENOENT':
      return 'Unknown command or category name in ACL';
    case 'EINVAL':
      return 'Syntax error';
    case 'EEXIST':
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case 'EISDIR':
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    case 'ENODEV':
      return 'The password you are trying to remove from the user does not exist';
    case 'EBADMSG':
      return 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
    case 'EALREADY':
      return 'Duplicate user found. A user can only be defined once in config files';
    case 'ECHILD':
      return 'Allowing first-arg of a subcommand is not supported';
    default:
      return 'Wrong format';
  }
}

/**
 * The commands ACL rules are written against: the table as built (rename-command does not
 * change ACL names, as 7.0 uses its original table), with each command's categories.
 * `null` (config-file syntax check before the table exists) knows no command.
 */
export class CommandUniverse {
  private byName: Map<string, Command> | null = null;
  private readonly cats = new Map<Command, ReadonlySet<string>>();
  private topLevel: Command[] | null = null;

  private builtSize = -1;
  private readonly phantoms = new Set<Command>();
  private readonly phantomByName = new Map<string, Command>();

  constructor(
    private readonly source: () => Iterable<Command>,
    private readonly categoriesOf: (c: Command) => string[],
    private readonly sizeOf: () => number = () => 0,
  ) {}

  /** Top-level commands in table order (subcommands hang off `sub`). */
  top(): Command[] {
    // A command registered after the first use (a module installed late) joins the universe.
    const size = this.sizeOf();
    if (this.topLevel === null || size !== this.builtSize) {
      this.builtSize = size;
      // Never drop a command: rename-command "" removes it from the table, not from ACL rules (7.0).
      const real = new Set<Command>(this.topLevel?.filter((c) => !this.phantoms.has(c)) ?? []);
      for (const c of this.source()) real.add(c);
      this.topLevel = [...real];
      this.addPhantoms();
      this.byName = new Map();
      for (const c of this.topLevel) {
        this.byName.set(c.fullName, c);
        if (c.sub) for (const s of c.sub.values()) this.byName.set(s.fullName, s);
      }
    }
    return this.topLevel;
  }

  /** Commands of 7.0's table reddish does not run: named by rules, never executed. */
  private addPhantoms(): void {
    const have = new Set<string>();
    for (const c of this.topLevel!) {
      have.add(c.fullName);
      if (c.sub) for (const s of c.sub.values()) have.add(s.fullName);
    }
    const tops = new Map<string, Command>();
    for (const [name, cats] of Object.entries(PHANTOM_COMMANDS)) {
      if (have.has(name)) continue;
      const bar = name.indexOf('|');
      const parent = bar < 0 ? null : tops.get(name.slice(0, bar));
      if (bar >= 0 && !parent) continue; // the container exists for real: its missing subcommand is not run
      // The same object across rebuilds: selectors hold commands by identity.
      let cmd = this.phantomByName.get(name);
      if (!cmd) {
        cmd = { fullName: name, name: bar < 0 ? name : name.slice(bar + 1), parent: parent ?? null, sub: null, flagSet: new Set() } as unknown as Command;
        this.phantomByName.set(name, cmd);
        this.phantoms.add(cmd);
        this.cats.set(cmd, new Set(cats.split(' ')));
      }
      if (parent) {
        (parent as { sub: Map<string, Command> | null }).sub ??= new Map();
        parent.sub!.set(cmd.name, cmd);
      } else {
        tops.set(name, cmd);
        this.topLevel!.push(cmd);
      }
    }
  }

  /** ACLLookupCommand: "get" or "config|get", any case; at most one '|'. */
  lookup(name: string): Command | undefined {
    this.top();
    const parts = name.toLowerCase().split('|');
    if (parts.length > 2) return undefined;
    return this.byName!.get(parts.join('|'));
  }

  categories(cmd: Command): ReadonlySet<string> {
    let s = this.cats.get(cmd);
    if (s === undefined) this.cats.set(cmd, (s = new Set(this.categoriesOf(cmd))));
    return s;
  }

  /** Every command then its subcommands, the order 7.0's recursive walks visit them. */
  *walk(): IterableIterator<Command> {
    for (const c of this.top()) {
      yield c;
      if (c.sub) yield* c.sub.values();
    }
  }
}

export interface KeyPattern {
  pattern: string;
  flags: number;
}

export function patternText(p: KeyPattern): string {
  return (p.flags === ALL ? '~' : p.flags === READ ? '%R~' : '%W~') + p.pattern;
}

const hasSpaces = (s: string): boolean => /[\s\0\v]/.test(s);

export class Selector {
  allKeys = false;
  allChannels = false;
  allCommands = false;
  /** The reserved "future commands" bit only +@all / allcommands sets. */
  future = false;
  allowed = new Set<Command>();
  /** Allowed first arguments of otherwise denied commands (+select|0). */
  firstArgs: Map<Command, string[]> | null = null;
  patterns: KeyPattern[] = [];
  channels: string[] = [];

  constructor(
    readonly root: boolean,
    pubsubAllChannels: boolean,
  ) {
    this.allChannels = pubsubAllChannels;
  }

  clone(): Selector {
    const s = new Selector(this.root, this.allChannels);
    s.allKeys = this.allKeys;
    s.allCommands = this.allCommands;
    s.future = this.future;
    s.allowed = new Set(this.allowed);
    s.firstArgs = this.firstArgs ? new Map([...this.firstArgs].map(([k, v]) => [k, [...v]])) : null;
    s.patterns = this.patterns.map((p) => ({ ...p }));
    s.channels = [...this.channels];
    return s;
  }

  private setBit(cmd: Command, allow: boolean): void {
    if (allow) this.allowed.add(cmd);
    else {
      this.allowed.delete(cmd);
      this.allCommands = false;
    }
  }

  /** ACLChangeSelectorPerm: a container's subcommands follow it. */
  changePerm(cmd: Command, allow: boolean): void {
    this.setBit(cmd, allow);
    this.firstArgs?.delete(cmd);
    if (cmd.sub) for (const s of cmd.sub.values()) this.setBit(s, allow);
  }

  setCategory(u: CommandUniverse, cat: string, allow: boolean): void {
    for (const c of u.walk()) if (u.categories(c).has(cat)) this.changePerm(c, allow);
  }

  setAll(u: CommandUniverse | null, allow: boolean): void {
    this.allowed = new Set(allow && u ? u.walk() : []);
    this.allCommands = allow;
    this.future = allow;
    this.firstArgs = null;
  }

  /** ACLSetSelector: one rule that a selector understands. */
  apply(op: string, u: CommandUniverse | null, pubsubAllChannels: boolean): void {
    void pubsubAllChannels;
    const lop = op.toLowerCase();
    if (lop === 'allkeys' || op === '~*') {
      this.allKeys = true;
      this.patterns = [];
    } else if (lop === 'resetkeys') {
      this.allKeys = false;
      this.patterns = [];
    } else if (lop === 'allchannels' || op === '&*') {
      this.allChannels = true;
      this.channels = [];
    } else if (lop === 'resetchannels') {
      this.allChannels = false;
      this.channels = [];
    } else if (lop === 'allcommands' || lop === '+@all') {
      this.setAll(u, true);
    } else if (lop === 'nocommands' || lop === '-@all') {
      this.setAll(u, false);
    } else if (op[0] === '~' || op[0] === '%') {
      if (this.allKeys) throw new RuleError('EEXIST');
      let flags = 0;
      let offset = 1;
      if (op[0] === '%') {
        for (; offset < op.length; offset++) {
          const ch = op[offset].toUpperCase();
          if (ch === 'R' && !(flags & READ)) flags |= READ;
          else if (ch === 'W' && !(flags & WRITE)) flags |= WRITE;
          else if (op[offset] === '~') {
            offset++;
            break;
          } else throw new RuleError('EINVAL');
        }
      } else flags = ALL;
      const pattern = op.slice(offset);
      if (hasSpaces(pattern)) throw new RuleError('EINVAL');
      const found = this.patterns.find((p) => p.pattern === pattern);
      if (found) found.flags |= flags;
      else this.patterns.push({ pattern, flags });
      this.allKeys = false;
    } else if (op[0] === '&') {
      if (this.allChannels) throw new RuleError('EISDIR');
      const pattern = op.slice(1);
      if (hasSpaces(pattern)) throw new RuleError('EINVAL');
      if (!this.channels.includes(pattern)) this.channels.push(pattern);
      this.allChannels = false;
    } else if (op[0] === '+' && op[1] !== '@') {
      const body = op.slice(1);
      const bar = body.lastIndexOf('|');
      if (bar < 0) {
        const cmd = u?.lookup(body);
        if (!cmd) throw new RuleError('ENOENT');
        this.changePerm(cmd, true);
        return;
      }
      const cmd = u?.lookup(body.slice(0, bar));
      if (!cmd) throw new RuleError('ENOENT');
      if (cmd.parent) throw new RuleError('ECHILD');
      const sub = body.slice(bar + 1);
      if (sub === '') throw new RuleError('EINVAL');
      if (cmd.sub) {
        const subCmd = u!.lookup(body);
        if (!subCmd) throw new RuleError('ENOENT');
        this.changePerm(subCmd, true);
      } else {
        // A first argument of a command without subcommands (SELECT|0): 7.0 deprecates it but keeps it.
        this.firstArgs ??= new Map();
        const list = this.firstArgs.get(cmd) ?? [];
        if (!list.some((a) => a.toLowerCase() === sub.toLowerCase())) list.push(sub);
        this.firstArgs.set(cmd, list);
      }
    } else if (op[0] === '-' && op[1] !== '@') {
      const cmd = u?.lookup(op.slice(1));
      if (!cmd) throw new RuleError('ENOENT');
      this.changePerm(cmd, false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const cat = op.slice(2).toLowerCase();
      if (!CATEGORY_SET.has(cat)) throw new RuleError('ENOENT');
      if (u) this.setCategory(u, cat, op[0] === '+');
    } else {
      throw new RuleError('EINVAL');
    }
  }

  // ---------------------------------------------------------------- checks

  /** ACLSelectorCheckKey with 7.0's key-spec flags mapping. */
  checkKey(key: string, keyFlags: readonly string[]): boolean {
    if (this.allKeys) return true;
    let need = 0;
    for (const f of keyFlags) {
      if (f === 'access') need |= READ;
      else if (f === 'insert' || f === 'delete' || f === 'update') need |= WRITE;
    }
    for (const p of this.patterns) {
      if ((p.flags & need) !== need) continue;
      if (globMatch(p.pattern, key)) return true;
    }
    return false;
  }

  /** Whether the selector reaches every key with the access the flags ask for (SORT BY/GET). */
  unrestrictedKeys(keyFlags: readonly string[]): boolean {
    if (this.allKeys) return true;
    let need = 0;
    for (const f of keyFlags) {
      if (f === 'access') need |= READ;
      else if (f === 'insert' || f === 'delete' || f === 'update') need |= WRITE;
    }
    return this.patterns.some((p) => (p.flags & need) === need && p.pattern === '*');
  }

  channelAllowed(channel: string, isPattern: boolean): boolean {
    if (this.allChannels) return true;
    return channelInList(this.channels, channel, isPattern);
  }

  // ---------------------------------------------------------------- description

  /** ACLDescribeSelectorCommandRules: +@all/-@all, best-fit categories, then single commands. */
  describeCommands(u: CommandUniverse): string {
    const additive = !this.future;
    const rules: string[] = [additive ? '-@all' : '+@all'];
    const fake = new Selector(false, false);
    fake.setAll(u, !additive);
    const temp = new Set(this.allowed);
    const applied = new Set<string>();
    for (;;) {
      let best: string | null = null;
      let minDiff = Infinity;
      let maxSame = 0;
      for (const cat of CATEGORIES) {
        if (applied.has(cat)) continue;
        let on = 0;
        let off = 0;
        for (const c of u.walk()) {
          if (!u.categories(c).has(cat)) continue;
          if (temp.has(c)) on++;
          else off++;
        }
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
          best = cat;
          minDiff = diff;
          maxSame = same;
        }
      }
      if (best === null) break;
      rules.push((additive ? '+@' : '-@') + best);
      fake.setCategory(u, best, additive);
      // Applying the inverse to the copy keeps the next round from choosing overlapping categories.
      for (const c of u.walk()) {
        if (!u.categories(c).has(best)) continue;
        const set = !additive;
        const apply = (x: Command): void => {
          if (set) temp.add(x);
          else temp.delete(x);
        };
        apply(c);
        if (c.sub) for (const s of c.sub.values()) apply(s);
      }
      applied.add(best);
    }
    for (const c of u.top()) {
      const visit = (cmd: Command): void => {
        const userBit = this.allowed.has(cmd);
        if (userBit !== fake.allowed.has(cmd)) {
          rules.push((userBit ? '+' : '-') + cmd.fullName);
          fake.changePerm(cmd, userBit);
        }
        if (cmd.sub) for (const s of cmd.sub.values()) visit(s);
        const fa = this.firstArgs?.get(cmd);
        if (!userBit && fa) for (const a of fa) rules.push(`+${cmd.fullName}|${a}`);
      };
      visit(c);
    }
    return rules.join(' ');
  }

  keysText(): string {
    return this.allKeys ? '~*' : this.patterns.map(patternText).join(' ');
  }

  channelsText(): string {
    return this.allChannels ? '&*' : this.channels.map((c) => '&' + c).join(' ');
  }

  /** ACLDescribeSelector: keys, channels, command rules. */
  describe(u: CommandUniverse): string {
    const parts: string[] = [];
    if (this.allKeys) parts.push('~*');
    else for (const p of this.patterns) parts.push(patternText(p));
    if (this.allChannels) parts.push('&*');
    else {
      parts.push('resetchannels');
      for (const c of this.channels) parts.push('&' + c);
    }
    parts.push(this.describeCommands(u));
    return parts.join(' ');
  }
}

export function channelInList(list: readonly string[], channel: string, isPattern: boolean): boolean {
  for (const p of list) {
    // A pattern subscription must be granted literally; a plain channel matches the patterns.
    if (isPattern ? p === channel : globMatch(p, channel)) return true;
  }
  return false;
}

export function hashPassword(clear: string): string {
  return createHash('sha256').update(Buffer.from(clear, 'latin1')).digest('hex');
}

const isHash = (h: string): boolean => /^[0-9a-f]{64}$/.test(h);

export class User {
  enabled = false;
  nopass = false;
  /** undefined: neither flag was ever set; 7.0 prints only what was set. */
  sanitize: 'skip' | 'sanitize' | undefined = undefined;
  passwords: string[] = [];
  selectors: Selector[];
  /** Cached ACL LIST text (dropped on any change). */
  described: string | null = null;

  constructor(
    readonly name: string,
    pubsubAllChannels: boolean,
  ) {
    this.selectors = [new Selector(true, pubsubAllChannels)];
  }

  get root(): Selector {
    return this.selectors[0];
  }

  /** Copies another user's rules (ACLCopyUser); the name stays. */
  copyFrom(src: User): void {
    this.enabled = src.enabled;
    this.nopass = src.nopass;
    this.sanitize = src.sanitize;
    this.passwords = [...src.passwords];
    this.selectors = src.selectors.map((s) => s.clone());
    this.described = src.described;
  }

  /** ACLSetUser: one rule. */
  apply(op: string, u: CommandUniverse | null, pubsubAllChannels: boolean): void {
    this.described = null;
    if (op.length === 0) return;
    const lop = op.toLowerCase();
    if (lop === 'on') this.enabled = true;
    else if (lop === 'off') this.enabled = false;
    else if (lop === 'skip-sanitize-payload') this.sanitize = 'skip';
    else if (lop === 'sanitize-payload') this.sanitize = 'sanitize';
    else if (lop === 'nopass') {
      this.nopass = true;
      this.passwords = [];
    } else if (lop === 'resetpass') {
      this.nopass = false;
      this.passwords = [];
    } else if (op[0] === '>' || op[0] === '#') {
      let h: string;
      if (op[0] === '>') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!isHash(h)) throw new RuleError('EBADMSG');
      }
      if (!this.passwords.includes(h)) this.passwords.push(h);
      this.nopass = false;
    } else if (op[0] === '<' || op[0] === '!') {
      let h: string;
      if (op[0] === '<') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!isHash(h)) throw new RuleError('EBADMSG');
      }
      const i = this.passwords.indexOf(h);
      if (i < 0) throw new RuleError('ENODEV');
      this.passwords.splice(i, 1);
    } else if (op[0] === '(' && op[op.length - 1] === ')') {
      const s = new Selector(false, pubsubAllChannels);
      const args = splitSelectorBody(op.slice(1, -1));
      if (args === null) throw new RuleError('EINVAL');
      for (const a of args) s.apply(a, u, pubsubAllChannels);
      this.selectors.push(s);
    } else if (lop === 'clearselectors') {
      this.selectors = [this.root];
    } else if (lop === 'reset') {
      this.apply('resetpass', u, pubsubAllChannels);
      this.apply('resetkeys', u, pubsubAllChannels);
      this.apply('resetchannels', u, pubsubAllChannels);
      if (pubsubAllChannels) this.apply('allchannels', u, pubsubAllChannels);
      this.apply('off', u, pubsubAllChannels);
      this.apply('sanitize-payload', u, pubsubAllChannels);
      this.apply('clearselectors', u, pubsubAllChannels);
      this.apply('-@all', u, pubsubAllChannels);
    } else {
      this.root.apply(op, u, pubsubAllChannels);
    }
  }

  flags(): string[] {
    const f: string[] = [this.enabled ? 'on' : 'off'];
    if (this.nopass) f.push('nopass');
    if (this.sanitize === 'skip') f.push('skip-sanitize-payload');
    if (this.sanitize === 'sanitize') f.push('sanitize-payload');
    return f;
  }

  /** ACLDescribeUser: the rules that rebuild this user (ACL LIST, ACL SAVE, CONFIG REWRITE). */
  describe(u: CommandUniverse): string {
    if (this.described !== null) return this.described;
    let s = this.flags().join(' ') + ' ';
    for (const p of this.passwords) s += `#${p} `;
    s += this.root.describe(u);
    for (const sel of this.selectors.slice(1)) s += ` (${sel.describe(u)})`;
    this.described = s;
    return s;
  }
}

/**
 * ACLMergeSelectorArguments: a selector may be spread over several arguments
 * ("(+get", "~x)"); returns the merged list, or the index of an unclosed "(".
 */
export function mergeSelectorArgs(args: readonly string[]): string[] | { unmatched: number } {
  const out: string[] = [];
  let open = -1;
  let cur = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j];
    if (op[0] === '(' && op[op.length - 1] !== ')') {
      cur = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      cur += ' ' + op;
      if (op[op.length - 1] === ')') {
        open = -1;
        out.push(cur);
      }
      continue;
    }
    out.push(op);
  }
  if (open !== -1) return { unmatched: open };
  return out;
}

/** sdssplitargs over a selector's body (quotes allowed); null on unbalanced quotes. */
function splitSelectorBody(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    let cur = '';
    if (s[i] === '"' || s[i] === "'") {
      const q = s[i++];
      let closed = false;
      while (i < s.length) {
        if (q === '"' && s[i] === '\\' && i + 1 < s.length) {
          cur += s[i + 1];
          i += 2;
        } else if (s[i] === q) {
          closed = true;
          i++;
          break;
        } else cur += s[i++];
      }
      if (!closed || (i < s.length && !/\s/.test(s[i]))) return null;
    } else {
      while (i < s.length && !/\s/.test(s[i])) cur += s[i++];
    }
    out.push(cur);
  }
  return out;
}

export { hasSpaces };

/**
 * Syntax check of a config-file `user` line before the command table exists
 * (ACLAppendUserForLoading): unknown commands are only reported when users are loaded.
 * Returns Redis's fatal error text or null.
 */
export function validateUserLine(args: readonly string[], seen: readonly string[][]): string | null {
  const name = args[1];
  if (seen.some((s) => s[0] === name)) return `Error in user declaration '${name}': ${ruleErrorText('EALREADY')}`;
  const merged = mergeSelectorArgs(args.slice(2));
  // 7.0 names the argument at the rules-relative index and a stale errno (ENOENT from its lookups).
  if (!Array.isArray(merged)) return `Error in user declaration '${args[merged.unmatched]}': ${ruleErrorText('ENOENT')}`;
  const fake = new User('__fakeuser__', false);
  for (let j = 0; j < merged.length; j++) {
    try {
      fake.apply(merged[j], null, false);
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      if (e.code === 'ENOENT') continue;
      // 7.0 names argv[j] (the index into the rules), which is how it reports it.
      return `Error in user declaration '${args[j]}': ${e.message}`;
    }
  }
  return null;
}

/** Returns the merged rule list a config `user` line stores. */
export function userLineRules(args: readonly string[]): string[] {
  const merged = mergeSelectorArgs(args.slice(2));
  return [args[1], ...(Array.isArray(merged) ? merged : args.slice(2))];
}

