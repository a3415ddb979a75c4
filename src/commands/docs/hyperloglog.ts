/** COMMAND DOCS / INFO metadata of the "hyperloglog" group, as redis-server 7.0.15 reports it (see ./index.ts). */
import type { DocTable } from './index.js';

export const HYPERLOGLOG: DocTable = {
  pfadd: {
    summary: 'Adds the specified elements to the specified HyperLogLog.',
    since: '2.8.9',
    complexity: 'O(1) to add every element.',
    args: 'key:k element?+',
    keys: ['RW insert 1'],
  },
  pfcount: {
    summary: 'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).',
    since: '2.8.9',
    complexity: 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
    args: 'key:k+',
    keys: ['RW access 1 r-1,1,0 # RW because it may change the internal representation of the key, and propagate to replicas'],
  },
  pfdebug: {
    summary: 'Internal commands for debugging HyperLogLog values',
    since: '2.8.9',
    complexity: 'N/A',
    args: 'subcommand key:k',
    syscmd: true,
    keys: ['RW access 2'],
  },
  pfmerge: {
    summary: 'Merge N different HyperLogLogs into a single one.',
    since: '2.8.9',
    complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.',
    args: 'destkey:k sourcekey:k+',
    keys: ['RW access insert 1', 'RO access 2 r-1,1,0'],
  },
  pfselftest: {
    summary: 'An internal command for testing HyperLogLog values',
    since: '2.8.9',
    complexity: 'N/A',
    syscmd: true,
  },
};
