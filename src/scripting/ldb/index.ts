/**
 * SCRIPT DEBUG YES|SYNC and the EVAL that starts a session (eval.c's
 * evalGenericCommandWithDebugging, ldbStartSession, ldbEndSession):
 *
 *   SCRIPT DEBUG SYNC|YES ─▶ the client's next EVAL ─▶ session (server blocked, see session.ts)
 *                                                     ─▶ "<endsession>" ─▶ reply ─▶ close
 *
 * SYNC keeps what the script wrote. YES is Redis's forked session: reddish does not fork, so the
 * session runs the same way, with nothing propagated to replicas or the AOF, and the writes are
 * undone when it ends (rollback.ts): the dataset is then exactly what it was.
 *
 * Scripts the compiler leaves to the wasm Lua VM (coroutine, getfenv, setfenv, string.dump)
 * cannot be debugged: such an EVAL is refused and the client leaves debug mode.
 */
import type { Client } from '../../net/client.js';
import type { Server } from '../../server.js';
import { writeSync } from 'node:fs';
import { parseInt64 } from '../../commands/util.js';
import { sha1Hex } from '../../persistence/sha1.js';
import { parseEvalShebang } from '../flags.js';
import { writeOutcome, type EvalDeps, type CachedScript } from '../eval.js';
import type { CompiledOutcome } from '../compiled-vm.js';
import { LdbSession } from './session.js';
import { RollbackJournal } from './rollback.js';

/** Clients in debug mode (SCRIPT DEBUG YES or SYNC), and which. */
export const debugMode = new WeakMap<Client, 'yes' | 'sync'>();

/** Writes what the client still has queued, so the session's output follows it on the socket. */
function flushNow(c: Client): void {
  if (c.w.len === 0) return;
  const out = c.w.take();
  let off = 0;
  let tries = 0;
  while (off < out.length && tries < 5000) {
    try {
      off += writeSync(c.fd, out, off, out.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      tries++;
    }
  }
}

export function evalWithDebugging(deps: EvalDeps, c: Client, argv: string[], ro: boolean): void {
  const server = c.server;
  const mode = debugMode.get(c)!;
  // The session reads and writes the socket directly: a TLS stream cannot be used that way.
  if (c.fd < 0 || (c.socket as { encrypted?: boolean } | null)?.encrypted) {
    debugMode.delete(c);
    return c.error('ERR SCRIPT DEBUG needs a plain TCP or unix socket connection (not TLS): debug mode is off');
  }
  // A script the compiler leaves to the wasm VM is refused before any session starts.
  if (deps.compiled.ready) {
    const made = deps.cache.get(sha1Of(argv[1])) ?? null;
    const fallback = made !== null ? made.fn === null : wouldFallBack(deps, argv[1]);
    if (fallback) {
      debugMode.delete(c);
      return c.error(
        'ERR This script cannot be debugged: it runs on the fallback Lua VM (scripts naming coroutine, getfenv, setfenv or string.dump do); debug mode is off',
      );
    }
  }
  flushNow(c);
  server.log.warning(
    mode === 'sync'
      ? 'Redis synchronous debugging eval session started'
      : 'Redis debugging eval session started (no fork: the server waits for the session, and its dataset changes are rolled back at the end)',
  );
  const session = new LdbSession(c.fd, argv[1], { ...deps.compiled.ldbEngine(), resumed: () => server.keyspace.setNow(Date.now()) });
  const journal = mode === 'yes' ? new RollbackJournal(server.keyspace) : null;
  const dirtyBefore = server.dirty;
  const known = deps.cache.get(sha1Of(argv[1])) !== undefined;
  let sha: string | null = null;
  deps.runner.propagate = mode !== 'yes';
  deps.runner.ldb = session;
  let reply: (() => void) | null = null;
  try {
    reply = runSession(deps, c, argv, ro, session, (s) => (sha = s.sha));
  } finally {
    deps.runner.ldb = null;
    deps.runner.propagate = true;
    session.end();
    if (journal !== null) {
      journal.rollback();
      server.dirty = dirtyBefore;
      if (!known && sha !== null) deps.cache.forget(sha);
    }
    server.log.warning(mode === 'sync' ? 'Redis synchronous debugging eval session ended' : 'Lua debugging session ended, dataset changes rolled back');
  }
  reply!();
  // The end of the session is told by closing the connection after the EVAL's reply.
  c.closeAfterReply = true;
}

/** evalGenericCommand inside a session: the reply to send once the session's logs are out. */
function runSession(deps: EvalDeps, c: Client, argv: string[], ro: boolean, session: LdbSession, onScript: (s: CachedScript) => void): () => void {
  const fail = (text: string) => () => c.error(text);
  const numkeys = parseInt64(argv[2]);
  if (numkeys === null) return fail('ERR value is not an integer or out of range');
  if (numkeys > argv.length - 3) return fail("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) return fail("ERR Number of keys can't be negative");
  if (!deps.compiled.ready) return fail('LOADING Redis is loading the dataset in memory');
  const made = deps.cache.create(argv[1]);
  if (typeof made === 'string') return fail(made);
  onScript(made);
  const shebang = parseEvalShebang(argv[1]);
  const skip = typeof shebang === 'string' ? 0 : shebang.length;
  const text = skip > 0 ? ' '.repeat(skip) + argv[1].slice(skip) : argv[1];
  const compiled = deps.compiled.compileEvalDebug(text, session);
  if (compiled === null || 'error' in compiled) {
    return fail(compiled === null ? `ERR This script cannot be debugged: it runs on the fallback Lua VM (${deps.compiled.fallbackWhy})` : `ERR Error compiling script (new function): ${compiled.error}`);
  }
  const refused = deps.runner.refusal(c, made.flags, ro);
  if (refused !== null) return fail(refused);
  const keys = argv.slice(3, 3 + numkeys);
  const args = argv.slice(3 + numkeys);
  const outcome: CompiledOutcome = deps.runner.within({ caller: c, name: made.sha, evalMode: true, argv, flags: made.flags, readOnlyCommand: ro }, () =>
    deps.compiled.runEvalDebug(compiled.chunk, keys, args, made.sha, session),
  );
  // The script's effects were propagated as they happened (none in YES mode); the EVAL itself is not.
  c.preventPropagation = true;
  const scriptResp = deps.runner.client.w.resp;
  return () => writeOutcome(c, outcome, scriptResp, true);
}

function sha1Of(body: string): string {
  return sha1Hex(Buffer.from(body, 'latin1'));
}

/** Whether a script not compiled yet would go to the wasm VM (compiling it without caching). */
function wouldFallBack(deps: EvalDeps, body: string): boolean {
  const shebang = parseEvalShebang(body);
  if (typeof shebang === 'string') return false;
  const text = shebang.length > 0 ? ' '.repeat(shebang.length) + body.slice(shebang.length) : body;
  return deps.compiled.compileEval(text) === null;
}

/** DEBUG SET-DISABLE-DENY-SCRIPTS <0|1>: lets scripts run commands flagged noscript (7.0, for tests). */
export function installLdbDebug(server: Server, deps: Pick<EvalDeps, 'runner'>): void {
  server.debugSubcommands.set('set-disable-deny-scripts', {
    usage: 'SET-DISABLE-DENY-SCRIPTS <0|1>',
    help: 'Let scripts run commands flagged noscript (1) or refuse them again (0).',
    handler: (c, argv) => {
      if (argv.length !== 3) return c.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try DEBUG HELP.`);
      const m = /^\s*([+-]?\d+)/.exec(argv[2]);
      deps.runner.disableDenyScripts = (m ? Number.parseInt(m[1], 10) | 0 : 0) !== 0;
      c.w.ok();
    },
  });
}
