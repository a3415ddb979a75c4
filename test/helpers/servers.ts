/** Test-side names for the process helpers the lab and benchmarks share. */
export { spawnServer as startServer, freePort, hasRedisServer, REDDISH_BIN, ROOT, type SpawnedServer } from '../../src/lab/processes.js';
