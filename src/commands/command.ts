/** COMMAND and its subcommands, answered from the same table that dispatches. */
import type { Client } from '../net/client.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import { aclCategories, commandHasKeys, commandKeyRefs, type Command, type CommandArg, type CommandSpec, type CommandTable } from './registry.js';
import { replyKeyFlags, replyKeySpecs, type KeyRef } from './keyspecs.js';
import { globMatch } from '../store/glob.js';
import { replyHelp } from './connection.js';
import { is } from './util.js';

export function replyCommandInfo(w: ReplyWriter, cmd: Command): void {
  w.array(10);
  w.bulk(cmd.fullName);
  w.int(cmd.arity);
  w.set(cmd.flagSet.size);
  for (const f of cmd.flagSet) w.simple(f);
  const [first, last, step] = cmd.keys ?? [0, 0, 0];
  w.int(first);
  w.int(last);
  w.int(step);
  const cats = aclCategories(cmd);
  w.set(cats.length);
  for (const cat of cats) w.simple('@' + cat);
  const tips = cmd.tips ?? [];
  w.set(tips.length);
  for (const t of tips) w.bulk(t);
  replyKeySpecs(w, cmd.keySpecs);
  const subs = cmd.sub ? [...cmd.sub.values()] : [];
  // Redis answers an empty set when there are no subcommands, an array otherwise.
  if (subs.length) w.array(subs.length);
  else w.set(0);
  for (const s of subs) replyCommandInfo(w, s);
}

function replyArgs(w: ReplyWriter, args: readonly CommandArg[]): void {
  w.array(args.length);
  for (const a of args) {
    const flags: string[] = [];
    if (a.optional) flags.push('optional');
    if (a.multiple) flags.push('multiple');
    if (a.multipleToken) flags.push('multiple_token');
    const nested = a.type === 'oneof' || a.type === 'block';
    const defined = (v: unknown) => (v === undefined ? 0 : 1);
    w.map(2 + defined(a.keySpecIndex) + defined(a.token) + defined(a.since) + defined(a.deprecatedSince) + (flags.length ? 1 : 0) + (nested ? 1 : 0));
    w.bulk('name');
    w.bulk(a.name);
    w.bulk('type');
    w.bulk(a.type);
    if (a.keySpecIndex !== undefined) {
      w.bulk('key_spec_index');
      w.int(a.keySpecIndex);
    }
    if (a.token !== undefined) {
      w.bulk('token');
      w.bulk(a.token);
    }
    if (a.since !== undefined) {
      w.bulk('since');
      w.bulk(a.since);
    }
    if (a.deprecatedSince !== undefined) {
      w.bulk('deprecated_since');
      w.bulk(a.deprecatedSince);
    }
    if (flags.length) {
      w.bulk('flags');
      w.set(flags.length);
      for (const f of flags) w.simple(f);
    }
    if (nested) {
      w.bulk('arguments');
      replyArgs(w, a.arguments ?? []);
    }
  }
}

export function replyCommandDocs(w: ReplyWriter, cmd: Command): void {
  const present = (v: unknown) => (v ? 1 : 0);
  w.map(
    3 +
      present(cmd.complexity) +
      present(cmd.docFlags.length) +
      present(cmd.deprecatedSince) +
      present(cmd.replacedBy) +
      present(cmd.history.length) +
      present(cmd.args) +
      present(cmd.sub),
  );
  w.bulk('summary');
  w.bulk(cmd.summary);
  w.bulk('since');
  w.bulk(cmd.since);
  w.bulk('group');
  w.bulk(cmd.group);
  if (cmd.complexity) {
    w.bulk('complexity');
    w.bulk(cmd.complexity);
  }
  if (cmd.docFlags.length) {
    w.bulk('doc_flags');
    w.set(cmd.docFlags.length);
    for (const f of cmd.docFlags) w.simple(f);
  }
  if (cmd.deprecatedSince) {
    w.bulk('deprecated_since');
    w.bulk(cmd.deprecatedSince);
  }
  if (cmd.replacedBy) {
    w.bulk('replaced_by');
    w.bulk(cmd.replacedBy);
  }
  if (cmd.history.length) {
    w.bulk('history');
    w.set(cmd.history.length);
    for (const [v, text] of cmd.history) {
      w.array(2);
      w.bulk(v);
      w.bulk(text);
    }
  }
  if (cmd.args) {
    w.bulk('arguments');
    replyArgs(w, cmd.args);
  }
  if (cmd.sub) {
    w.bulk('subcommands');
    w.map(cmd.sub.size);
    for (const s of cmd.sub.values()) {
      w.bulk(s.fullName);
      replyCommandDocs(w, s);
    }
  }
}

function commandAll(c: Client): void {
  const all = [...c.server.commands.all()];
  c.w.array(all.length);
  for (const cmd of all) replyCommandInfo(c.w, cmd);
}

function commandInfo(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    commandAll(c);
    return;
  }
  c.w.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const cmd = c.server.commands.byFullName(argv[i]);
    if (cmd) replyCommandInfo(c.w, cmd);
    else c.w.nilArray();
  }
}

function commandDocs(c: Client, argv: string[]): void {
  const cmds: Command[] = [];
  if (argv.length === 2) cmds.push(...c.server.commands.all());
  else
    for (let i = 2; i < argv.length; i++) {
      const cmd = c.server.commands.byFullName(argv[i]);
      if (cmd) cmds.push(cmd);
    }
  c.w.map(cmds.length);
  for (const cmd of cmds) {
    c.w.bulk(cmd.fullName);
    replyCommandDocs(c.w, cmd);
  }
}

function commandList(c: Client, argv: string[]): void {
  let filter: ((cmd: Command) => boolean) | null = null;
  if (argv.length === 5 && is(argv[2], 'FILTERBY')) {
    const kind = argv[3].toLowerCase();
    const val = argv[4];
    if (kind === 'module') filter = () => false;
    else if (kind === 'aclcat') filter = (cmd) => aclCategories(cmd).includes(val.toLowerCase());
    else if (kind === 'pattern') filter = (cmd) => globMatch(val, cmd.fullName, true);
    else {
      c.error('ERR syntax error');
      return;
    }
  } else if (argv.length !== 2) {
    c.error('ERR syntax error');
    return;
  }
  const out: string[] = [];
  for (const cmd of c.server.commands.everything()) if (!filter || filter(cmd)) out.push(cmd.fullName);
  c.w.bulks(out);
}

/** The keys COMMAND GETKEYS[ANDFLAGS] reports for a command line, or its error (checked in Redis's order). */
export function keysOfCommandLine(commands: CommandTable, target: string[]): { error: string } | { keys: KeyRef[] } {
  const cmd = commands.lookup(target);
  if (!cmd) return { error: 'ERR Invalid command specified' };
  if (!commandHasKeys(cmd)) return { error: 'ERR The command has no key arguments' };
  if ((cmd.arity > 0 && cmd.arity !== target.length) || target.length < -cmd.arity) return { error: 'ERR Invalid number of arguments specified for command' };
  const keys = commandKeyRefs(cmd, target);
  if (keys.length === 0 && !cmd.flagSet.has('no_mandatory_keys')) return { error: 'ERR Invalid arguments specified for command' };
  return { keys };
}

function commandGetKeys(c: Client, argv: string[], withFlags: boolean): void {
  const target = argv.slice(2);
  const found = keysOfCommandLine(c.server.commands, target);
  if ('error' in found) {
    c.error(found.error);
    return;
  }
  replyKeyList(c.w, target, found.keys, withFlags);
}

export function replyKeyList(w: ReplyWriter, target: readonly string[], keys: readonly KeyRef[], withFlags: boolean): void {
  w.array(keys.length);
  for (const k of keys) {
    if (!withFlags) {
      w.bulk(target[k.pos]);
      continue;
    }
    w.array(2);
    w.bulk(target[k.pos]);
    replyKeyFlags(w, k.flags);
  }
}

export function commandCommands(): CommandSpec[] {
  const base = { group: 'server' };
  const flags = ['loading', 'stale'] as const;
  return [
    {
      ...base,
      name: 'command',
      arity: -1,
      flags: [...flags],
      since: '2.8.13',
      summary: 'Returns detailed information about all commands.',
      acl: ['connection'],
      tips: ['nondeterministic_output_order'],
      handler: commandAll,
      subcommands: [
        { ...base, name: 'count', arity: 2, flags: [...flags], since: '2.8.13', summary: 'Returns a count of commands.', acl: ['connection'], handler: (c) => c.w.int(c.server.commands.size) },
        { ...base, name: 'info', arity: -2, flags: [...flags], tips: ['nondeterministic_output_order'], since: '2.8.13', summary: 'Returns information about one, multiple or all commands.', acl: ['connection'], handler: commandInfo },
        { ...base, name: 'docs', arity: -2, flags: [...flags], tips: ['nondeterministic_output_order'], since: '7.0.0', summary: 'Returns documentary information about one, multiple or all commands.', acl: ['connection'], handler: commandDocs },
        { ...base, name: 'list', arity: -2, flags: [...flags], tips: ['nondeterministic_output_order'], since: '7.0.0', summary: 'Returns a list of command names.', acl: ['connection'], handler: commandList },
        { ...base, name: 'getkeys', arity: -4, flags: [...flags], since: '2.8.13', summary: 'Extracts the key names from an arbitrary command.', acl: ['connection'], handler: (c, a) => commandGetKeys(c, a, false) },
        { ...base, name: 'getkeysandflags', arity: -4, flags: [...flags], since: '7.0.0', summary: 'Extracts the key names and access flags from an arbitrary command.', acl: ['connection'], handler: (c, a) => commandGetKeys(c, a, true) },
        {
          ...base,
          name: 'help',
          arity: 2,
          flags: [...flags],
          since: '5.0.0',
          summary: 'Returns helpful text about the different subcommands.',
          acl: ['connection'],
          handler: (c) =>
            replyHelp(c, 'COMMAND', [
              '(no subcommand)',
              '    Return details about all Redis commands.',
              'COUNT',
              '    Return the total number of commands in this Redis server.',
              'LIST',
              '    Return a list of all commands in this Redis server.',
              'INFO [<command-name> ...]',
              '    Return details about multiple Redis commands.',
              '    If no command names are given, documentation details for all',
              '    commands are returned.',
              'DOCS [<command-name> ...]',
              '    Return documentation details about multiple Redis commands.',
              '    If no command names are given, documentation details for all',
              '    commands are returned.',
              'GETKEYS <full-command>',
              '    Return the keys from a full Redis command.',
              'GETKEYSANDFLAGS <full-command>',
              '    Return the keys and the access flags from a full Redis command.',
            ]),
        },
      ],
    },
  ];
}
