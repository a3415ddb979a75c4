#!/usr/bin/env node
/**
 * reddish <command> [options]: the lab's tools. They talk to servers only over the network, so
 * they work against redis-server as well as reddish.
 *
 *   reddish datagen <type> <qty> [prefix]          load random data (redis-random-data-generator)
 *   reddish slowlink --listen <port> --target <h:p>  a slow link in user space (tc netem)
 *   reddish lab case2 [--scale f] [--server s]       the course's case 2, end to end, with a report
 *   reddish doctor --host <h> --port <p>             will a replica's full sync finish? what to set instead
 *
 * Exit status: 0 success, 1 failure at run time (server unreachable, error reply, lost
 * connection), 2 bad arguments; doctor adds 3 (a full sync would fail) and 4 (no verdict).
 */
import { Command, CommanderError } from 'commander';
import { REDDISH_VERSION } from '../version.js';
import { registerDatagen } from '../lab/datagen-cli.js';
import { registerSlowlink } from '../lab/slowlink-cli.js';
import { registerLab } from '../lab/case2-cli.js';
import { registerDoctor } from '../lab/doctor-cli.js';
import { UsageError } from '../lab/units.js';

const program = new Command();
program
  .name('reddish')
  .description('The reddish lab: tools to reproduce replication problems against reddish or redis-server.')
  .version(REDDISH_VERSION, '-v, --version')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

registerDatagen(program);
registerSlowlink(program);
registerLab(program);
registerDoctor(program);

function fail(msg: string, code: number): never {
  process.stderr.write(`reddish: ${msg}\n`);
  process.exit(code);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // commander has already printed its message (or the help / version)
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  if (e instanceof UsageError) fail(`${e.message}\n(add --help for usage)`, 2);
  fail((e as Error).message, 1);
}
