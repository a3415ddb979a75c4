/**
 * EVAL, EVALSHA, their _RO forms and SCRIPT: the script cache keyed by SHA1 of the body
 * (EVAL fills it too, which is what ioredis counts on when it switches to EVALSHA), the
 * shebang flags, and the replies and errors of 7.0's eval.c.
 */
import type { Client } from '../net/client.js';
import type { Command, CommandSpec } from '../commands/registry.js';
import { replyHelp } from '../commands/connection.js';
import { parseInt64 } from '../commands/util.js';
import { sha1Hex } from '../persistence/sha1.js';
import { commandFlagsFor, parseEvalShebang, ScriptFlag } from './flags.js';
import { chunkFor, type ScriptVm } from './lua-vm.js';
import type { ScriptRunner } from './runner.js';
import { writeScriptReply } from './reply-codec.js';
import type { BusyScript } from './busy.js';
import type { ThreadedVm } from './vm-thread.js';
import { holdUntilReady } from './hold.js';
import type { CompiledVm } from './compiled-vm.js';
import type { LuaFunction } from './lua/types.js';
import { writeLuaReply, type ReplyErrors } from './lua/convert.js';
import { debugMode, evalWithDebugging } from './ldb/index.js';

export interface CachedScript {
  sha: string;
  body: Buffer;
  flags: number;
  /** The compiled script (reddish's engine), or null when it runs on the wasm fallback. */
  fn: LuaFunction | null;
  /** The wasm VM's chunk (fallback scripts only). */
  chunk: Buffer | null;
}

const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';

export class ScriptCache {
  readonly scripts = new Map<string, CachedScript>();
  /** Bytes of script bodies held (INFO used_memory_scripts_eval). */
  bodyBytes = 0;

  constructor(
    private readonly compiled: CompiledVm,
    /** Verbose log lines (which scripts the compiler leaves to the wasm VM, and why). */
    private readonly log?: (line: string) => void,
  ) {}

  get(sha: string): CachedScript | undefined {
    // Clients send the lowercase hex SCRIPT LOAD returned; only a miss pays for toLowerCase.
    return this.scripts.get(sha) ?? this.scripts.get(sha.toLowerCase());
  }

  /** Compiles and caches a body (luaCreateFunction); returns the script or the error to reply. */
  create(bodyText: string): CachedScript | string {
    const sha = sha1Hex(Buffer.from(bodyText, 'latin1'));
    const known = this.scripts.get(sha);
    if (known) return known;
    const shebang = parseEvalShebang(bodyText);
    if (typeof shebang === 'string') return 'ERR ' + shebang;
    const body = Buffer.from(bodyText, 'latin1');
    // The shebang line stays as blank space, so the script keeps its line numbers.
    const text = shebang.length > 0 ? ' '.repeat(shebang.length) + bodyText.slice(shebang.length) : bodyText;
    const made = this.compiled.compileEval(text);
    if (made !== null && 'error' in made) return `ERR Error compiling script (new function): ${made.error}`;
    const script: CachedScript =
      made !== null ? { sha, body, flags: shebang.flags, fn: made.chunk, chunk: null } : { sha, body, flags: shebang.flags, fn: null, chunk: chunkFor(body, shebang.length) };
    if (made === null) this.log?.(`Script ${sha} runs on the wasm Lua VM (${this.compiled.fallbackWhy})`);
    this.scripts.set(sha, script);
    this.bodyBytes += body.length;
    return script;
  }

  flush(): void {
    this.scripts.clear();
    this.bodyBytes = 0;
  }

  /** Drops one script (a SCRIPT DEBUG YES session's: in Redis only its forked child cached it). */
  forget(sha: string): void {
    const s = this.scripts.get(sha);
    if (s === undefined) return;
    this.scripts.delete(sha);
    this.bodyBytes -= s.body.length;
  }
}

export interface EvalDeps {
  vm: ScriptVm;
  compiled: CompiledVm;
  thread: ThreadedVm;
  busy: BusyScript;
  cache: ScriptCache;
  runner: ScriptRunner;
  feedMonitors(c: Client, argv: string[]): void;
}

/** The script an EVAL/EVALSHA names, without compiling anything (for the pre-run flag checks). */
function flagsOf(deps: EvalDeps, argv: string[], evalsha: boolean): number | null {
  if (evalsha) return argv[1].length === 40 ? (deps.cache.get(argv[1])?.flags ?? null) : null;
  const known = deps.cache.get(sha1Hex(Buffer.from(argv[1], 'latin1')));
  if (known) return known.flags;
  const shebang = parseEvalShebang(argv[1]);
  return typeof shebang === 'string' ? null : shebang.flags;
}

/** The command as a script with these flags is checked: one view per (command, flags), made once. */
const views = new WeakMap<Command, Map<number, Command>>();
export function commandView(cmd: Command, flags: number): Command {
  let byFlags = views.get(cmd);
  if (byFlags === undefined) views.set(cmd, (byFlags = new Map()));
  let view = byFlags.get(flags);
  if (view === undefined) {
    const flagSet = commandFlagsFor(cmd.flagSet, flags) as Command['flagSet'];
    view = { ...cmd, flagSet, isWrite: flagSet.has('write'), viewOf: cmd };
    byFlags.set(flags, view);
  }
  return view;
}

/** processCommand checks EVAL as the script declares itself (7.0's evalGetCommandFlags). */
function checkedAs(deps: EvalDeps, evalsha: boolean) {
  return (cmd: Command, argv: string[]): Command => {
    const flags = argv.length >= 2 ? flagsOf(deps, argv, evalsha) : null;
    // A script without a shebang is checked as the command itself (7.0's eval compat flags).
    if (flags === null || flags & ScriptFlag.EvalCompat) return cmd;
    return commandView(cmd, flags);
  };
}

function evalGeneric(deps: EvalDeps, c: Client, argv: string[], evalsha: boolean, ro: boolean): void {
  // Fed before the script runs, so its commands follow it in MONITOR.
  deps.feedMonitors(c, argv);
  if (debugMode.has(c)) {
    if (!evalsha) return evalWithDebugging(deps, c, argv, ro);
    if (argv[1].length !== 40) return c.error(NOSCRIPT);
    return c.error('ERR Please use EVAL instead of EVALSHA for debugging');
  }
  const numkeys = parseInt64(argv[2]);
  if (numkeys === null) return c.error('ERR value is not an integer or out of range');
  if (numkeys > argv.length - 3) return c.error("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) return c.error("ERR Number of keys can't be negative");
  if (!deps.compiled.ready) return c.error('LOADING Redis is loading the dataset in memory');
  let script: CachedScript | undefined;
  if (evalsha) {
    script = argv[1].length === 40 ? deps.cache.get(argv[1]) : undefined;
    if (!script) return c.error(NOSCRIPT);
  } else {
    const made = deps.cache.create(argv[1]);
    if (typeof made === 'string') return c.error(made);
    script = made;
  }
  // A script the compiler leaves to the wasm VM waits for its thread (started on first need).
  if (script.fn === null && needsThread(deps.thread, c, argv)) return;
  runScript(deps, c, script, argv, 3, numkeys, ro);
}

export function runScript(deps: EvalDeps, c: Client, script: CachedScript, argv: string[], first: number, numkeys: number, ro: boolean): void {
  runScriptBody(deps, c, script, argv, first, numkeys, ro);
}

/** Starts the wasm thread if needed; true when the command was held until it is ready. */
export function needsThread(thread: ThreadedVm, c: Client, argv: string[]): boolean {
  thread.startLazily();
  return holdUntilReady(thread, c, argv);
}

function runScriptBody(deps: EvalDeps, c: Client, script: CachedScript, argv: string[], first: number, numkeys: number, ro: boolean): void {
  const refused = deps.runner.refusal(c, script.flags, ro);
  if (refused !== null) return c.error(refused);
  if (script.fn !== null) return runCompiled(deps, c, script.fn, script, argv, first, numkeys, ro);
  const keys = new Array<Buffer>(numkeys);
  for (let i = 0; i < numkeys; i++) keys[i] = Buffer.from(argv[first + i], 'latin1');
  const args = new Array<Buffer>(argv.length - first - numkeys);
  for (let i = 0; i < args.length; i++) args[i] = Buffer.from(argv[first + numkeys + i], 'latin1');
  const result = deps.runner.run({ caller: c, name: script.sha, evalMode: true, argv, chunk: script.chunk!, keys, args, flags: script.flags, readOnlyCommand: ro });
  // The script's effects were propagated as they happened; the EVAL itself is not.
  c.preventPropagation = true;
  if (result.failed) {
    const where = result.line !== null ? ` script: ${script.sha}, on @user_script:${result.line}.` : '';
    return replyError(deps, c, result.message, result.message + where);
  }
  const errors: string[] = [];
  writeScriptReply(c.w, result.value, errors);
  // 7.0 counts a failed call per error reply the script returns (errors it caught do not count).
  if (errors.length > 0) {
    c.errored = true;
    if (c.cmd) (c.cmd.viewOf ?? c.cmd).failedCalls += errors.length - 1;
  }
  for (const e of errors) {
    if (deps.runner.alreadyCounted(e)) continue;
    c.server.stats.totalErrorReplies++;
    c.server.stats.countError(e);
  }
}

function runCompiled(deps: EvalDeps, c: Client, fn: LuaFunction, script: CachedScript, argv: string[], first: number, numkeys: number, ro: boolean): void {
  const keys = argv.slice(first, first + numkeys);
  const args = argv.slice(first + numkeys);
  const runner = deps.runner;
  const outcome = runner.within({ caller: c, name: script.sha, evalMode: true, argv, flags: script.flags, readOnlyCommand: ro }, () =>
    deps.compiled.runEval(fn, keys, args, script.sha),
  );
  // The script's effects were propagated as they happened; the EVAL itself is not.
  c.preventPropagation = true;
  writeOutcome(c, outcome, runner.client.w.resp, true);
}

/**
 * The reply of a compiled script or function: its value (each error reply in it counted once,
 * unless a command inside the script already counted it), or the failure's error.
 */
export function writeOutcome(c: Client, outcome: ReturnType<CompiledVm['runEval']>, scriptResp: number, evalMode: boolean): void {
  if (outcome.failed) {
    if (!outcome.counted) return c.error(outcome.message);
    c.w.error(outcome.message);
    c.errored = true;
    return;
  }
  const errors: ReplyErrors = { texts: [], counted: [] };
  writeLuaReply(c.w, outcome.value, scriptResp, errors);
  const n = errors.texts.length;
  if (n === 0) return;
  // 7.0 counts a failed call per error reply the script returns (errors it caught do not count).
  if (evalMode) {
    c.errored = true;
    if (c.cmd) (c.cmd.viewOf ?? c.cmd).failedCalls += n - 1;
  }
  for (let i = 0; i < n; i++) {
    if (errors.counted[i]) continue;
    c.server.stats.totalErrorReplies++;
    c.server.stats.countError(errors.texts[i]);
  }
}

/** A script's error reply; one a command already produced inside the script is counted once. */
function replyError(deps: EvalDeps, c: Client, text: string, reply: string): void {
  if (!deps.runner.alreadyCounted(text)) return c.error(reply);
  c.w.error(reply);
  c.errored = true;
}

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

export function evalCommands(deps: EvalDeps): CommandSpec[] {
  const g = { group: 'scripting', since: '2.6.0' };
  const evalFlags = ['noscript', 'skip_monitor', 'no_mandatory_keys', 'stale'] as const;
  const evalKeys = (argv: string[]): number[] => {
    const n = Number(argv[2]);
    const out: number[] = [];
    for (let i = 0; i < n && 3 + i < argv.length; i++) out.push(3 + i);
    return out;
  };
  return [
    { ...g, name: 'eval', arity: -3, flags: [...evalFlags], getKeys: evalKeys, summary: 'Execute a Lua script server side', checkedAs: checkedAs(deps, false), handler: (c, argv) => evalGeneric(deps, c, argv, false, false) },
    { ...g, name: 'evalsha', arity: -3, flags: [...evalFlags], getKeys: evalKeys, summary: 'Execute a Lua script server side', checkedAs: checkedAs(deps, true), handler: (c, argv) => evalGeneric(deps, c, argv, true, false) },
    { ...g, name: 'eval_ro', arity: -3, since: '7.0.0', flags: ['noscript', 'skip_monitor', 'no_mandatory_keys', 'stale', 'readonly'], getKeys: evalKeys, summary: 'Execute a read-only Lua script server side', checkedAs: checkedAs(deps, false), handler: (c, argv) => evalGeneric(deps, c, argv, false, true) },
    { ...g, name: 'evalsha_ro', arity: -3, since: '7.0.0', flags: ['noscript', 'skip_monitor', 'no_mandatory_keys', 'stale', 'readonly'], getKeys: evalKeys, summary: 'Execute a read-only Lua script server side', checkedAs: checkedAs(deps, true), handler: (c, argv) => evalGeneric(deps, c, argv, true, true) },
    {
      ...g,
      name: 'script',
      arity: -2,
      flags: [],
      summary: 'A container for Lua scripts management commands',
      subcommands: [
        {
          ...g,
          name: 'exists',
          arity: -3,
          flags: ['noscript'],
          summary: 'Check existence of scripts in the script cache.',
          handler: (c, argv) => {
            c.w.array(argv.length - 2);
            for (let i = 2; i < argv.length; i++) c.w.int(deps.cache.get(argv[i]) ? 1 : 0);
          },
        },
        {
          ...g,
          name: 'debug',
          arity: 3,
          flags: ['noscript'],
          summary: 'Set the debug mode for executed scripts.',
          handler: (c, argv) => {
            // Replies still queued (a pipeline, or EXEC's own) would mix with the session's output.
            if (c.pendingOutput() > 0) return c.error('ERR SCRIPT DEBUG must be called outside a pipeline');
            const mode = argv[2].toLowerCase();
            if (mode === 'no') debugMode.delete(c);
            else if (mode === 'yes' || mode === 'sync') debugMode.set(c, mode);
            else return c.error('ERR Use SCRIPT DEBUG YES/SYNC/NO');
            c.w.ok();
          },
        },
        {
          ...g,
          name: 'flush',
          arity: -2,
          flags: ['noscript'],
          summary: 'Remove all the scripts from the script cache.',
          handler: (c, argv) => {
            const mode = argv[2]?.toLowerCase();
            if (argv.length > 3 || (argv.length === 3 && mode !== 'sync' && mode !== 'async')) {
              return c.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
            }
            deps.cache.flush();
            c.w.ok();
          },
        },
        { ...g, name: 'help', arity: 2, since: '5.0.0', flags: ['loading', 'stale'], summary: 'Show helpful text about the different subcommands', handler: (c) => replyHelp(c, 'SCRIPT', SCRIPT_HELP) },
        {
          ...g,
          name: 'kill',
          arity: 2,
          flags: ['noscript', 'allow_busy'],
          summary: 'Kill the script currently in execution.',
          handler: (c) => deps.busy.kill(c, true),
        },
        {
          ...g,
          name: 'load',
          arity: 3,
          flags: ['noscript', 'stale'],
          summary: 'Load the specified Lua script into the script cache.',
          handler: (c, argv) => {
            if (!deps.compiled.ready) return c.error('LOADING Redis is loading the dataset in memory');
            const made = deps.cache.create(argv[2]);
            if (typeof made === 'string') return c.error(made);
            c.w.bulk(made.sha);
          },
        },
      ],
    },
  ];
}
