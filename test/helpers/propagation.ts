/**
 * An in-process server whose propagated commands are recorded: `run(...cmd)` returns the reply,
 * what the command propagated (`[db, ...argv]` per command) and how much it added to dirty.
 */
import { startServer as startInProcess, type RunningServer } from '../../src/index.js';
import { RespClient, plain } from './resp.js';

export interface Propagated {
  reply: unknown;
  prop: string[][];
  dirty: number;
}

export async function withPropagationLog(fn: (run: (...cmd: string[]) => Promise<Propagated>) => Promise<void>): Promise<void> {
  const srv: RunningServer = await startInProcess({ config: { save: '' } });
  const log: string[][] = [];
  srv.server.propagator = { propagate: (db, argv) => void log.push([String(db), ...argv]) };
  const c = await RespClient.connect(srv.port, srv.host);
  try {
    await fn(async (...cmd) => {
      log.length = 0;
      const before = srv.server.dirty;
      const r = await c.call(...cmd);
      return { reply: plain(r), prop: log.slice(), dirty: srv.server.dirty - before };
    });
  } finally {
    c.close();
    await srv.close();
  }
}
