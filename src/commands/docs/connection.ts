/** COMMAND DOCS / INFO metadata of the "connection" group, as redis-server 7.0.15 reports it (see ./index.ts). */
import type { DocTable } from './index.js';

export const CONNECTION: DocTable = {
  auth: {
    summary: 'Authenticate to the server',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of passwords defined for the user',
    args: 'username?@6.0.0 password',
    history: ['6.0.0 Added ACL style (username and password).'],
  },
  client: {
    summary: 'A container for client connection commands',
    since: '2.4.0',
    complexity: 'Depends on subcommand.',
  },
  'client|caching': {
    summary: 'Instruct the server about tracking or not keys in the next request',
    since: '6.0.0',
    complexity: 'O(1)',
    args: 'mode(YES|NO)',
  },
  'client|getname': {
    summary: 'Get the current connection name',
    since: '2.6.9',
    complexity: 'O(1)',
  },
  'client|getredir': {
    summary: 'Get tracking notifications redirection client ID if any',
    since: '6.0.0',
    complexity: 'O(1)',
  },
  'client|help': {
    summary: 'Show helpful text about the different subcommands',
    since: '5.0.0',
    complexity: 'O(1)',
  },
  'client|id': {
    summary: 'Returns the client ID for the current connection',
    since: '5.0.0',
    complexity: 'O(1)',
  },
  'client|info': {
    summary: 'Returns information about the current client connection.',
    since: '6.2.0',
    complexity: 'O(1)',
    tips: ['nondeterministic_output'],
  },
  'client|kill': {
    summary: 'Kill the connection of a client',
    since: '2.4.0',
    complexity: 'O(N) where N is the number of client connections',
    args: 'filter("ip:port"!2.8.12|new-format(ID=client-id:i?@2.8.12|TYPE=normal_master_slave_pubsub(NORMAL|MASTER@3.2.0|SLAVE|REPLICA@5.0.0|PUBSUB)?@2.8.12|USER=username?|ADDR="ip:port"?|LADDR="ip:port"?@6.2.0|SKIPME="yes/no"?)+)',
    history: ['2.8.12 Added new filter format.', '2.8.12 `ID` option.', '3.2.0 Added `master` type in for `TYPE` option.', '5.0.0 Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility.', '6.2.0 `LADDR` option.'],
  },
  'client|list': {
    summary: 'Get the list of client connections',
    since: '2.4.0',
    complexity: 'O(N) where N is the number of client connections',
    args: 'TYPE=normal_master_replica_pubsub(NORMAL|MASTER|REPLICA|PUBSUB)?@5.0.0 ID=id{client-id:i+}?@6.2.0',
    history: ['2.8.12 Added unique client `id` field.', '5.0.0 Added optional `TYPE` filter.', '6.0.0 Added `user` field.', '6.2.0 Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter.', '7.0.0 Added `resp`, `multi-mem`, `rbs` and `rbp` fields.', '7.0.3 Added `ssub` field.'],
    tips: ['nondeterministic_output'],
  },
  'client|no-evict': {
    summary: 'Set client eviction mode for the current connection',
    since: '7.0.0',
    complexity: 'O(1)',
    args: 'enabled(ON|OFF)',
  },
  'client|pause': {
    summary: 'Stop processing commands from clients for some time',
    since: '2.9.50',
    complexity: 'O(1)',
    args: 'timeout:i mode(WRITE|ALL)?@6.2.0',
    history: ['6.2.0 `CLIENT PAUSE WRITE` mode added along with the `mode` option.'],
  },
  'client|reply': {
    summary: 'Instruct the server whether to reply to commands',
    since: '3.2.0',
    complexity: 'O(1)',
    args: 'on_off_skip(ON|OFF|SKIP)',
  },
  'client|setname': {
    summary: 'Set the current connection name',
    since: '2.6.9',
    complexity: 'O(1)',
    args: 'connection-name',
  },
  'client|tracking': {
    summary: 'Enable or disable server assisted client side caching support',
    since: '6.0.0',
    complexity: 'O(1). Some options may introduce additional complexity.',
    args: 'status(ON|OFF) REDIRECT=client-id:i? PREFIX=prefix?+& BCAST? OPTIN? OPTOUT? NOLOOP?',
  },
  'client|trackinginfo': {
    summary: 'Return information about server assisted client side caching for the current connection',
    since: '6.2.0',
    complexity: 'O(1)',
  },
  'client|unblock': {
    summary: 'Unblock a client blocked in a blocking command from a different connection',
    since: '5.0.0',
    complexity: 'O(log N) where N is the number of client connections',
    args: 'client-id:i timeout_error(TIMEOUT|ERROR)?',
  },
  'client|unpause': {
    summary: 'Resume processing of clients that were paused',
    since: '6.2.0',
    complexity: 'O(N) Where N is the number of paused clients',
  },
  echo: {
    summary: 'Echo the given string',
    since: '1.0.0',
    complexity: 'O(1)',
    args: 'message',
  },
  hello: {
    summary: 'Handshake with Redis',
    since: '6.0.0',
    complexity: 'O(1)',
    args: 'arguments{protover:i AUTH=username_password{username password}? SETNAME=clientname?}?',
    history: ['6.2.0 `protover` made optional; when called without arguments the command reports the current connection\'s context.'],
  },
  ping: {
    summary: 'Ping the server',
    since: '1.0.0',
    complexity: 'O(1)',
    args: 'message?',
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
  },
  quit: {
    summary: 'Close the connection',
    since: '1.0.0',
    complexity: 'O(1)',
  },
  reset: {
    summary: 'Reset the connection',
    since: '6.2.0',
    complexity: 'O(1)',
  },
  select: {
    summary: 'Change the selected database for the current connection',
    since: '1.0.0',
    complexity: 'O(1)',
    args: 'index:i',
  },
};
