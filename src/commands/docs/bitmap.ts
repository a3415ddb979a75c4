/** COMMAND DOCS / INFO metadata of the "bitmap" group, as redis-server 7.0.15 reports it (see ./index.ts). */
import type { DocTable } from './index.js';

export const BITMAP: DocTable = {
  bitcount: {
    summary: 'Count set bits in a string',
    since: '2.6.0',
    complexity: 'O(N)',
    args: 'key:k index{start:i end:i index_unit(BYTE|BIT)?@7.0.0}?',
    history: ['7.0.0 Added the `BYTE|BIT` option.'],
    keys: ['RO access 1'],
  },
  bitfield: {
    summary: 'Perform arbitrary bitfield integer operations on strings',
    since: '3.2.0',
    complexity: 'O(1) for each subcommand specified',
    args: 'key:k operation(GET=encoding_offset{encoding offset:i}|write{OVERFLOW=wrap_sat_fail(WRAP|SAT|FAIL)? write_operation(SET=encoding_offset_value{encoding offset:i value:i}|INCRBY=encoding_offset_increment{encoding offset:i increment:i})})?+',
    keys: ['RW access update variable_flags 1 # This command allows both access and modification of the key'],
  },
  bitfield_ro: {
    summary: 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD',
    since: '6.0.0',
    complexity: 'O(1) for each subcommand specified',
    args: 'key:k GET=encoding_offset{encoding offset:i}?+&',
    keys: ['RO access 1'],
  },
  bitop: {
    summary: 'Perform bitwise operations between strings',
    since: '2.6.0',
    complexity: 'O(N)',
    args: 'operation destkey:k key:k+',
    keys: ['OW update 2', 'RO access 3 r-1,1,0'],
  },
  bitpos: {
    summary: 'Find first bit set or clear in a string',
    since: '2.8.7',
    complexity: 'O(N)',
    args: 'key:k bit:i index{start:i end_index{end:i index_unit(BYTE|BIT)?@7.0.0}?}?',
    history: ['7.0.0 Added the `BYTE|BIT` option.'],
    keys: ['RO access 1'],
  },
  getbit: {
    summary: 'Returns the bit value at offset in the string value stored at key',
    since: '2.2.0',
    complexity: 'O(1)',
    args: 'key:k offset:i',
    keys: ['RO access 1'],
  },
  setbit: {
    summary: 'Sets or clears the bit at offset in the string value stored at key',
    since: '2.2.0',
    complexity: 'O(1)',
    args: 'key:k offset:i value:i',
    keys: ['RW access update 1'],
  },
};
