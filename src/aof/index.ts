/**
 * The append-only file: the one entry point. `installAof` hooks the AOF into a server: it
 * receives the propagated command stream next to replication, gates client output until
 * writes reach the file, loads the AOF at startup instead of the RDB, and registers
 * BGREWRITEAOF, the appendonly switch, INFO fields, MISCONF and its cron and shutdown work.
 */
import type { Server } from '../server.js';
import type { Client } from '../net/client.js';
import { Aof } from './aof.js';
import { PROPAGATE_AOF, PROPAGATE_REPL } from '../exec/hooks.js';

const instances = new WeakMap<Server, Aof>();

export function installAof(server: Server): Aof {
  const aof = new Aof(server);
  instances.set(server, aof);
  const p = server.persistence;

  // The same stream replicas get (Redis's propagateNow feeds both). The AOF first: its write
  // is then scheduled before the replicas' (Redis writes the AOF in beforeSleep before them).
  const repl = server.propagator;
  server.propagator = {
    propagate(db, argv, target) {
      if (target & PROPAGATE_AOF) aof.feed(db, argv);
      if (target & PROPAGATE_REPL) repl?.propagate(db, argv, target);
    },
    accepts(target) {
      const toAof = target & PROPAGATE_AOF && aof.state !== 'off' ? PROPAGATE_AOF : 0;
      const toRepl = repl === null || !(target & PROPAGATE_REPL) ? 0 : repl.accepts ? repl.accepts(PROPAGATE_REPL) : PROPAGATE_REPL;
      return toAof | toRepl;
    },
  };
  server.outputGate = (c: Client) => aof.gate(c);

  p.aof = {
    loadAtStartup: (loadRdb) => aof.loadAtStartup(loadRdb),
    infoLines: () => aof.infoLines(),
    rewriting: () => aof.rewriting,
    completeTraversal: () => aof.completeTraversal(),
    stopForSync: () => {
      if (aof.state !== 'off') aof.stop();
    },
    restartAfterSync: () => {
      if (!server.config.bool('appendonly') || aof.state !== 'off') return;
      if (!aof.start(false)) {
        server.log.warning('FATAL: this replica instance finished the synchronization with its master, but the AOF can\'t be turned on. Exiting now.');
        if (server.onShutdown) server.onShutdown(1);
      }
    },
  };
  // Writes after the last good rewrite or bgsave: the scheduled rewrite starts when the save ends.
  p.onBgsaveDone.push(() => {
    if (aof.rewriteScheduled && aof.state !== 'off') setImmediate(() => aof.cron(Date.now()));
  });

  server.hooks.writeGuards.push((c) => {
    if (c.isMaster) return null;
    const err = aof.diskError();
    return err === null ? null : `MISCONF Errors writing to the AOF file: ${err}`;
  });

  server.config.appliers.push((names) => {
    if (!names.has('appendonly')) return;
    const on = server.config.bool('appendonly');
    if (on && aof.state === 'off') {
      if (!aof.start(server.inExec)) throw new Error('Unable to turn on AOF. Check server logs.');
    } else if (!on && aof.state !== 'off') {
      aof.stop();
    }
  });

  server.cronTasks.push((now) => aof.cron(now));
  // Before the RDB's final save, like Redis's finishShutdown.
  server.shutdownTasks.unshift((opts) => aof.onShutdown(false));
  server.closeTasks.push(() => aof.close());

  server.debugSubcommands.set('loadaof', {
    usage: 'LOADAOF',
    help: 'Flush the AOF buffers on disk and reload the AOF in memory.',
    handler: (c) => {
      aof.debugLoadAof();
      c.w.ok();
    },
  });
  server.debugSubcommands.set('aof-flush-sleep', {
    usage: 'AOF-FLUSH-SLEEP <microsec>',
    help: 'Server will sleep before flushing the AOF, this is used for testing.',
    handler: (c, argv) => {
      if (argv.length !== 3) return c.error("ERR unknown subcommand or wrong number of arguments for 'aof-flush-sleep'. Try DEBUG HELP.");
      aof.flushSleepUs = Number.parseInt(/^\s*[+-]?\d+/.exec(argv[2])?.[0] ?? '0', 10) | 0;
      c.w.ok();
    },
  });

  server.commands.register([
    {
      group: 'server',
      name: 'bgrewriteaof',
      arity: 1,
      flags: ['admin', 'noscript', 'no_async_loading'],
      since: '1.0.0',
      summary: 'Asynchronously rewrites the append-only file to disk.',
      handler: (c) => {
        const r = aof.bgrewriteaof(server.inExec);
        if (r.ok) c.w.simple(r.text);
        else c.error(r.text);
      },
    },
  ]);
  return aof;
}

export function aofOf(server: Server): Aof | undefined {
  return instances.get(server);
}
