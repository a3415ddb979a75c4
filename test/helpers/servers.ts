/** Test-side names for the process helpers the lab and benchmarks share. */
import type { SpawnedServer } from '../../src/lab/processes.js';
export { spawnServer as startServer, freePort, hasRedisServer, REDDISH_BIN, ROOT, type SpawnedServer } from '../../src/lab/processes.js';

/**
 * Asserts that each line is in a server's log. The log comes through the child's stdout pipe,
 * which may trail the replies over TCP (and the process's exit), so each line is waited for; a
 * missing one fails with the whole output. Lines are matched one by one: a pattern spanning
 * lines stays an assert on output() after waiting for the lines written after it.
 */
export async function expectLog(s: Pick<SpawnedServer, 'waitForLog'>, ...lines: RegExp[]): Promise<void> {
  for (const re of lines) await s.waitForLog(re);
}
