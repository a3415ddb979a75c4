/**
 * Redis's busy-script mode. A script that runs past busy-reply-threshold is reported once in
 * the log; from then on, while it runs, the server reads its other clients synchronously and
 * answers them -BUSY, except for the commands flagged allow-busy (SCRIPT KILL, FUNCTION KILL,
 * FUNCTION STATS, SHUTDOWN, AUTH, HELLO, ...). SCRIPT/FUNCTION KILL stop a script that has not
 * written yet; one that wrote can only end by itself (or SHUTDOWN NOSAVE), as in 7.0.
 */
import { readSync } from 'node:fs';
import type { Server } from '../server.js';
import type { Client } from '../net/client.js';
import type { Command } from '../commands/registry.js';
import type { BusyHooks } from './vm-thread.js';

const SLOW_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
const SLOW_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';

export interface RunningScript {
  /** SHA1 of an EVAL script, or a function's name. */
  name: string;
  evalMode: boolean;
  caller: Client;
  argv: string[];
  startedAt: number;
  timedOut: boolean;
  killed: boolean;
  /** Whether the script has run a write command (then it cannot be killed). */
  wrote: () => boolean;
}

const readBuffer = Buffer.allocUnsafe(64 * 1024);

export class BusyScript implements BusyHooks {
  current: RunningScript | null = null;

  constructor(private readonly server: Server) {
    server.hooks.commandGuards.push((_c, cmd) => this.guard(cmd));
  }

  begin(name: string, evalMode: boolean, caller: Client, argv: string[], wrote: () => boolean): void {
    this.current = { name, evalMode, caller, argv, wrote, startedAt: Date.now(), timedOut: false, killed: false };
  }

  end(): void {
    this.current = null;
  }

  private guard(cmd: Command): string | null {
    const run = this.current;
    if (!run?.timedOut || cmd.flagSet.has('allow_busy')) return null;
    // Redis checks LOADING before BUSY: a slow script of an AOF being loaded answers -LOADING.
    if (this.server.loading && !cmd.flagSet.has('loading')) return null;
    return run.evalMode ? SLOW_EVAL : SLOW_FUNCTION;
  }

  thresholdMs(): number {
    return this.current ? this.server.config.num('busy-reply-threshold') : 0;
  }

  timedOut(elapsedMs: number): void {
    const run = this.current;
    if (!run) return;
    run.timedOut = true;
    this.server.log.warning(
      `Slow script detected: still in execution after ${elapsedMs} milliseconds. You can try killing the script using the ${run.evalMode ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${run.name}.`,
    );
  }

  killRequested(): boolean {
    const run = this.current;
    // SHUTDOWN NOSAVE taken while busy: the script must not hold the exit back.
    if (run && this.server.shutdownRequested) return true;
    if (!run?.killed) return false;
    this.server.log.warning(`Lua script killed by user with ${run.evalMode ? 'SCRIPT' : 'FUNCTION'} KILL.`);
    return true;
  }

  /** SCRIPT KILL (evalMode) / FUNCTION KILL: 7.0's scriptKill replies. */
  kill(c: Client, evalMode: boolean): void {
    const run = this.current;
    if (!run) return c.error('NOTBUSY No scripts in execution right now.');
    if (run.caller.isMaster) {
      return c.error('UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.');
    }
    if (run.wrote()) {
      return c.error(
        'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
      );
    }
    if (evalMode && !run.evalMode) return c.error(SLOW_FUNCTION);
    if (!evalMode && run.evalMode) return c.error(SLOW_EVAL);
    run.killed = true;
    c.w.ok();
  }

  /** Reads what other clients sent and runs it (each gets -BUSY or runs an allow-busy command). */
  poll(): void {
    const caller = this.current?.caller;
    for (const c of [...this.server.clients.values()]) {
      if (c === caller || c.fd < 0 || c.isClosed || c.luaClient) continue;
      // A TLS client's fd carries ciphertext: it cannot be read and decrypted synchronously.
      if ((c.socket as { encrypted?: boolean } | null)?.encrypted) continue;
      let n: number;
      try {
        n = readSync(c.fd, readBuffer, 0, readBuffer.length, null);
      } catch {
        continue; // EAGAIN: nothing to read now
      }
      if (n > 0) c.feedSync(Buffer.from(readBuffer.subarray(0, n)));
      // The peer hung up (a replica that went away, for one): freed now, as Redis frees it
      // while processing events during a busy script, so INFO inside the script sees it gone.
      else if (n === 0) c.close();
    }
  }
}
