/** COMMAND and its subcommands, answered from the same table that dispatches. */
import type { Client } from '../net/client.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import { aclCategories, commandKeys, type Command, type CommandArg, type CommandSpec, type KeySpec } from './registry.js';
import { globMatch } from '../store/glob.js';
import { replyHelp } from './connection.js';
import { is } from './util.js';

function customKeySpecs(w: ReplyWriter, specs: KeySpec[]): void {
  w.set(specs.length);
  for (const ks of specs) {
    w.map(ks.notes !== undefined ? 4 : 3);
    if (ks.notes !== undefined) {
      w.bulk('notes');
      w.bulk(ks.notes);
    }
    w.bulk('flags');
    w.set(ks.flags.length);
    for (const f of ks.flags) w.simple(f);
    w.bulk('begin_search');
    w.map(2);
    w.bulk('type');
    if (ks.beginIndex === null) {
      w.bulk('unknown');
      w.bulk('spec');
      w.map(0);
    } else {
      w.bulk('index');
      w.bulk('spec');
      w.map(1);
      w.bulk('index');
      w.int(ks.beginIndex);
    }
    w.bulk('find_keys');
    w.map(2);
    w.bulk('type');
    if (ks.range === null) {
      w.bulk('unknown');
      w.bulk('spec');
      w.map(0);
    } else {
      w.bulk('range');
      w.bulk('spec');
      w.map(3);
      w.bulk('lastkey');
      w.int(ks.range[0]);
      w.bulk('keystep');
      w.int(ks.range[1]);
      w.bulk('limit');
      w.int(ks.range[2]);
    }
  }
}

function keySpecs(w: ReplyWriter, cmd: Command): void {
  if (cmd.keySpecs) {
    customKeySpecs(w, cmd.keySpecs);
    return;
  }
  // Redis replies the key specs as a set (RESP3 `~`).
  if (!cmd.keys || cmd.keys[0] === 0) {
    w.set(0);
    return;
  }
  const [first, last, step] = cmd.keys;
  const write = cmd.isWrite;
  w.set(1);
  w.map(3);
  w.bulk('flags');
  const flags = cmd.keySpecFlags ?? (write ? ['RW', 'update'] : ['RO', 'access']);
  w.set(flags.length);
  for (const f of flags) w.simple(f);
  w.bulk('begin_search');
  w.map(2);
  w.bulk('type');
  w.bulk('index');
  w.bulk('spec');
  w.map(1);
  w.bulk('index');
  w.int(first);
  w.bulk('find_keys');
  w.map(2);
  w.bulk('type');
  w.bulk('range');
  w.bulk('spec');
  w.map(3);
  w.bulk('lastkey');
  w.int(last < 0 ? last : last - first);
  w.bulk('keystep');
  w.int(step);
  w.bulk('limit');
  w.int(0);
}

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
  keySpecs(w, cmd);
  // No subcommands: an empty set, as Redis replies; otherwise an array.
  const subs = cmd.sub ? [...cmd.sub.values()] : [];
  if (subs.length === 0) w.set(0);
  else w.array(subs.length);
  for (const s of subs) replyCommandInfo(w, s);
}

function replyArgs(w: ReplyWriter, args: CommandArg[]): void {
  w.array(args.length);
  for (const a of args) {
    const fields: [string, string | number | CommandArg[] | boolean][] = [
      ['name', a.name],
      ['type', a.type],
    ];
    if (a.keySpecIndex !== undefined) fields.push(['key_spec_index', a.keySpecIndex]);
    if (a.token) fields.push(['token', a.token]);
    if (a.optional || a.multiple || a.multipleToken) {
      const f: string[] = [];
      if (a.optional) f.push('optional');
      if (a.multiple) f.push('multiple');
      if (a.multipleToken) f.push('multiple_token');
      fields.push(['flags', f.join(' ')]);
    }
    if (a.arguments) fields.push(['arguments', a.arguments]);
    w.map(fields.length);
    for (const [k, v] of fields) {
      w.bulk(k);
      if (k === 'flags') {
        const list = (v as string).split(' ');
        w.set(list.length);
        for (const x of list) w.simple(x);
      } else if (Array.isArray(v)) replyArgs(w, v);
      else if (typeof v === 'number') w.int(v);
      else w.bulk(String(v));
    }
  }
}

export function replyCommandDocs(w: ReplyWriter, cmd: Command): void {
  // No command here carries doc flags (deprecated, syscmd): Redis then omits the field.
  const fields = 3 + (cmd.complexity ? 1 : 0) + (cmd.args ? 1 : 0) + (cmd.sub ? 1 : 0);
  w.map(fields);
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

function commandGetKeys(c: Client, argv: string[]): void {
  const target = argv.slice(2);
  const cmd = c.server.commands.lookup(target);
  if (!cmd) {
    c.error('ERR Invalid command specified');
    return;
  }
  if ((cmd.arity > 0 && cmd.arity !== target.length) || target.length < -cmd.arity) {
    c.error('ERR Invalid number of arguments specified for command');
    return;
  }
  if (!cmd.getKeys && (!cmd.keys || cmd.keys[0] === 0 || cmd.keySpecFlags?.includes('not_key'))) {
    c.error('ERR The command has no key arguments');
    return;
  }
  const keys = commandKeys(cmd, target);
  if (keys.length === 0) {
    c.error('ERR Invalid arguments specified for command');
    return;
  }
  c.w.array(keys.length);
  for (const k of keys) c.w.bulk(target[k]);
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
        { ...base, name: 'getkeys', arity: -4, flags: [...flags], since: '2.8.13', summary: 'Extracts the key names from an arbitrary command.', acl: ['connection'], handler: commandGetKeys },
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
              '    Return details about all commands.',
              'COUNT',
              '    Return the total number of commands in this server.',
              'LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]',
              '    Return the names of the commands, optionally filtered.',
              'INFO [<command-name> ...]',
              '    Return details about the given commands, or all of them.',
              'DOCS [<command-name> ...]',
              '    Return documentation of the given commands, or all of them.',
              'GETKEYS <full-command>',
              '    Return the keys of a full command.',
            ]),
        },
      ],
    },
  ];
}
