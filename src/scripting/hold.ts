/**
 * For the moment after a script was killed, while a new Lua thread starts: a script command
 * waits (the client is held like CLIENT PAUSE holds it) instead of failing, then runs.
 */
import type { Client } from '../net/client.js';
import type { ThreadedVm } from './vm-thread.js';

/** Returns true when the command was held and will run later. */
export function holdUntilReady(thread: ThreadedVm, c: Client, argv: string[]): boolean {
  // Inside EXEC or a script nothing may wait; those get the restart error from the VM.
  if (thread.threadReady || c.server.inExec || c.socket === null) return false;
  c.pausedByServer = true;
  c.heldCommand = argv;
  thread.onReady(() => {
    c.pausedByServer = false;
    const held = c.heldCommand;
    c.heldCommand = null;
    if (held === null || c.isClosed) return;
    c.server.exec.execute(c, held);
    c.resume();
  });
  return true;
}
