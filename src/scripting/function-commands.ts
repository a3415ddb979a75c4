/**
 * FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/HELP and FCALL/FCALL_RO, with 7.0's
 * replies and errors. Library changes bump the dirty counter, so they reach replicas and
 * trigger saves like any write.
 */
import type { Client } from '../net/client.js';
import type { Command, CommandSpec } from '../commands/registry.js';
import { replyHelp } from '../commands/connection.js';
import { parseInt64 } from '../commands/util.js';
import { RdbWriter } from '../persistence/rdb-writer.js';
import { FunctionsPayloadError, RdbReader } from '../persistence/rdb-reader.js';
import { commandFlagsFor, FLAG_NAMES } from './flags.js';
import type { FunctionRegistry, Library } from './functions.js';
import type { ScriptVm } from './lua-vm.js';
import type { ScriptRunner } from './runner.js';
import { writeScriptReply } from './reply-codec.js';
import type { BusyScript } from './busy.js';
import type { ThreadedVm } from './vm-thread.js';
import { holdUntilReady } from './hold.js';
import { FALLBACK_PENDING } from './functions.js';
import type { CompiledVm } from './compiled-vm.js';
import { commandView, writeOutcome } from './eval.js';

export interface FunctionDeps {
  vm: ScriptVm;
  compiled: CompiledVm;
  thread: ThreadedVm;
  busy: BusyScript;
  registry: FunctionRegistry;
  runner: ScriptRunner;
  feedMonitors(c: Client, argv: string[]): void;
  /** Whether RESTORE payload checksums are verified (DEBUG SET-SKIP-CHECKSUM-VALIDATION). */
  verifyChecksums(): boolean;
}

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

function load(deps: FunctionDeps, c: Client, argv: string[]): void {
  let replace = false;
  let i = 2;
  while (i < argv.length - 1) {
    const opt = argv[i++];
    if (opt.toLowerCase() === 'replace') {
      replace = true;
      continue;
    }
    return c.error(`ERR Unknown option given: ${opt}`);
  }
  if (i >= argv.length) return c.error('ERR Function code is missing');
  if (!deps.compiled.ready) return c.error('LOADING Redis is loading the dataset in memory');
  const made = deps.registry.create(argv[i], replace);
  if (made === FALLBACK_PENDING && holdUntilReady(deps.thread, c, argv)) return;
  if (typeof made === 'string') return c.error('ERR ' + made);
  c.server.dirty++;
  c.w.bulk(made.name);
}

function list(deps: FunctionDeps, c: Client, argv: string[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (!withCode && opt === 'withcode') {
      withCode = true;
      continue;
    }
    if (pattern === null && opt === 'libraryname') {
      if (i + 1 >= argv.length) return c.error('ERR library name argument was not given');
      pattern = argv[++i];
      continue;
    }
    return c.error(`ERR Unknown argument ${argv[i]}`);
  }
  const libs = deps.registry.list(pattern);
  c.w.array(libs.length);
  for (const lib of libs) writeLibrary(c, lib, withCode);
}

function writeLibrary(c: Client, lib: Library, withCode: boolean): void {
  const w = c.w;
  w.map(withCode ? 4 : 3);
  w.bulk('library_name');
  w.bulk(lib.name);
  w.bulk('engine');
  w.bulk(lib.engine);
  w.bulk('functions');
  w.array(lib.functions.length);
  for (const fn of lib.functions) {
    w.map(3);
    w.bulk('name');
    w.bulk(fn.name);
    w.bulk('description');
    if (fn.description === null) w.nil();
    else w.bulk(fn.description);
    w.bulk('flags');
    const names = FLAG_NAMES.filter(([, f]) => fn.flags & f).map(([n]) => n);
    w.set(names.length);
    for (const n of names) w.simple(n);
  }
  if (withCode) {
    w.bulk('library_code');
    w.bulk(lib.code);
  }
}

function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
}

function restore(deps: FunctionDeps, c: Client, argv: string[]): void {
  if (argv.length > 4) return subcommandSyntaxError(c, argv);
  let policy = 'append';
  if (argv.length > 3) {
    policy = argv[3].toLowerCase();
    if (policy !== 'append' && policy !== 'replace' && policy !== 'flush') {
      return c.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    }
  }
  let codes: string[];
  try {
    codes = RdbReader.parseFunctionsPayload(Buffer.from(argv[2], 'latin1'), deps.verifyChecksums());
  } catch (e) {
    return c.error('ERR ' + (e instanceof FunctionsPayloadError ? e.message : 'failed loading the given functions payload'));
  }
  // Libraries are loaded apart first, then joined all or nothing, as 7.0 does.
  const staged = deps.registry.staging();
  for (const code of codes) {
    const made = staged.create(code, false);
    if (made === FALLBACK_PENDING && holdUntilReady(deps.thread, c, argv)) return;
    if (typeof made === 'string') return c.error('ERR ' + made);
  }
  if (policy === 'flush') deps.registry.flush();
  const err = deps.registry.join(staged, policy === 'replace');
  if (err !== null) return c.error('ERR ' + err);
  c.server.dirty++;
  c.w.ok();
}

function fcall(deps: FunctionDeps, c: Client, argv: string[], ro: boolean): void {
  deps.feedMonitors(c, argv);
  const found = deps.registry.find(argv[1]);
  if (!found) return c.error('ERR Function not found');
  const numkeys = parseInt64(argv[2]);
  if (numkeys === null) return c.error('ERR Bad number of keys provided');
  if (numkeys > argv.length - 3) return c.error("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) return c.error("ERR Number of keys can't be negative");
  const { fn } = found;
  if (fn.callback === null && holdUntilReady(deps.thread, c, argv)) return;
  const refused = deps.runner.refusal(c, fn.flags, ro);
  if (refused !== null) return c.error(refused);
  if (fn.callback !== null) {
    const callback = fn.callback;
    const keys = argv.slice(3, 3 + numkeys);
    const args = argv.slice(3 + numkeys);
    const runner = deps.runner;
    const outcome = runner.within({ caller: c, name: fn.name, evalMode: false, argv, flags: fn.flags, readOnlyCommand: ro }, () =>
      deps.compiled.runFunction(callback, keys, args, fn.name),
    );
    c.preventPropagation = true;
    return writeOutcome(c, outcome, runner.client.w.resp, false);
  }
  const keys = argv.slice(3, 3 + numkeys).map((k) => Buffer.from(k, 'latin1'));
  const args = argv.slice(3 + numkeys).map((a) => Buffer.from(a, 'latin1'));
  const result = deps.runner.run({ caller: c, name: fn.name, evalMode: false, argv, chunk: fn.chunk!, keys, args, flags: fn.flags, readOnlyCommand: ro });
  c.preventPropagation = true;
  if (result.failed) {
    const message = result.message.replace(/user_script:/g, 'user_function:');
    return c.error(result.line !== null ? `${message} script: ${fn.name}, on @user_function:${result.line}.` : message);
  }
  const errors: string[] = [];
  writeScriptReply(c.w, result.value, errors);
  for (const e of errors) {
    c.server.stats.totalErrorReplies++;
    c.server.stats.countError(e);
  }
}

/** FCALL is checked with the flags its function declared (7.0's fcallGetCommandFlags). */
function checkedAs(deps: FunctionDeps) {
  return (cmd: Command, argv: string[]): Command => {
    const found = argv.length >= 2 ? deps.registry.find(argv[1]) : undefined;
    if (!found) return cmd;
    return commandView(cmd, found.fn.flags);
  };
}

export function functionCommands(deps: FunctionDeps): CommandSpec[] {
  const g = { group: 'scripting', since: '7.0.0' };
  const fcallKeys = (argv: string[]): number[] => {
    const n = Number(argv[2]);
    const out: number[] = [];
    for (let i = 0; i < n && 3 + i < argv.length; i++) out.push(3 + i);
    return out;
  };
  return [
    { ...g, name: 'fcall', arity: -3, flags: ['noscript', 'skip_monitor', 'no_mandatory_keys', 'stale'], getKeys: fcallKeys, summary: 'Invoke a function', checkedAs: checkedAs(deps), handler: (c, argv) => fcall(deps, c, argv, false) },
    { ...g, name: 'fcall_ro', arity: -3, flags: ['noscript', 'skip_monitor', 'no_mandatory_keys', 'stale', 'readonly'], getKeys: fcallKeys, summary: 'Invoke a read-only function', checkedAs: checkedAs(deps), handler: (c, argv) => fcall(deps, c, argv, true) },
    {
      ...g,
      name: 'function',
      arity: -2,
      flags: [],
      summary: 'A container for function commands',
      subcommands: [
        { ...g, name: 'help', arity: 2, flags: ['loading', 'stale'], summary: 'Show helpful text about the different subcommands', handler: (c) => replyHelp(c, 'FUNCTION', FUNCTION_HELP) },
        { ...g, name: 'load', arity: -3, flags: ['write', 'denyoom', 'noscript'], summary: 'Create a function with the given arguments (name, code, description)', handler: (c, argv) => load(deps, c, argv) },
        {
          ...g,
          name: 'delete',
          arity: 3,
          flags: ['write', 'noscript'],
          summary: 'Delete a function by name',
          handler: (c, argv) => {
            if (!deps.registry.delete(argv[2])) return c.error('ERR Library not found');
            c.server.dirty++;
            c.w.ok();
          },
        },
        {
          ...g,
          name: 'flush',
          arity: -2,
          flags: ['write', 'noscript'],
          summary: 'Deleting all functions',
          handler: (c, argv) => {
            const mode = argv[2]?.toLowerCase();
            if (argv.length > 3) return subcommandSyntaxError(c, argv);
            if (argv.length === 3 && mode !== 'sync' && mode !== 'async') return c.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
            deps.registry.flush();
            c.server.dirty++;
            c.w.ok();
          },
        },
        { ...g, name: 'list', arity: -2, flags: ['noscript'], summary: 'List information about all the functions', handler: (c, argv) => list(deps, c, argv) },
        { ...g, name: 'dump', arity: 2, flags: ['noscript'], summary: 'Dump all functions into a serialized binary payload', handler: (c) => c.w.bulkBuffer(RdbWriter.functionsPayload(deps.registry.codes())) },
        { ...g, name: 'restore', arity: -3, flags: ['write', 'denyoom', 'noscript'], summary: 'Restore all the functions on the given payload', handler: (c, argv) => restore(deps, c, argv) },
        {
          ...g,
          name: 'stats',
          arity: 2,
          flags: ['noscript', 'allow_busy'],
          summary: 'Return information about the function currently running (name, description, duration)',
          handler: (c) => {
            const run = deps.busy.current;
            if (run?.evalMode) return c.error('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.');
            const w = c.w;
            w.map(2);
            w.bulk('running_script');
            if (!run) w.nil();
            else {
              w.map(3);
              w.bulk('name');
              w.bulk(run.name);
              w.bulk('command');
              w.bulks(run.argv);
              w.bulk('duration_ms');
              w.int(Date.now() - run.startedAt);
            }
            w.bulk('engines');
            w.map(1);
            w.bulk('LUA');
            w.map(2);
            w.bulk('libraries_count');
            w.int(deps.registry.libraries.size);
            w.bulk('functions_count');
            w.int(deps.registry.functions.size);
          },
        },
        { ...g, name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'], summary: 'Kill the function currently in execution.', handler: (c) => deps.busy.kill(c, false) },
      ],
    },
  ];
}
