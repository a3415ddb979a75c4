/** COMMAND DOCS / INFO metadata of the "transactions" group, as redis-server 7.0.15 reports it (see ./index.ts). */
import type { DocTable } from './index.js';

export const TRANSACTIONS: DocTable = {
  discard: {
    summary: 'Discard all commands issued after MULTI',
    since: '2.0.0',
    complexity: 'O(N), when N is the number of queued commands',
  },
  exec: {
    summary: 'Execute all commands issued after MULTI',
    since: '1.2.0',
    complexity: 'Depends on commands in the transaction',
  },
  multi: {
    summary: 'Mark the start of a transaction block',
    since: '1.2.0',
    complexity: 'O(1)',
  },
  unwatch: {
    summary: 'Forget about all watched keys',
    since: '2.2.0',
    complexity: 'O(1)',
  },
  watch: {
    summary: 'Watch the given keys to determine execution of the MULTI/EXEC block',
    since: '2.2.0',
    complexity: 'O(1) for every key.',
    args: 'key:k+',
    keys: ['RO 1 r-1,1,0'],
  },
};
