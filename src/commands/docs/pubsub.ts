/** COMMAND DOCS / INFO metadata of the "pubsub" group, as redis-server 7.0.15 reports it (see ./index.ts). */
import type { DocTable } from './index.js';

export const PUBSUB: DocTable = {
  psubscribe: {
    summary: 'Listen for messages published to channels matching the given patterns',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of patterns the client is already subscribed to.',
    args: 'pattern{pattern:p}+',
  },
  publish: {
    summary: 'Post a message to a channel',
    since: '2.0.0',
    complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).',
    args: 'channel message',
  },
  pubsub: {
    summary: 'A container for Pub/Sub commands',
    since: '2.8.0',
    complexity: 'Depends on subcommand.',
  },
  'pubsub|channels': {
    summary: 'List active channels',
    since: '2.8.0',
    complexity: 'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)',
    args: 'pattern:p?',
  },
  'pubsub|help': {
    summary: 'Show helpful text about the different subcommands',
    since: '6.2.0',
    complexity: 'O(1)',
  },
  'pubsub|numpat': {
    summary: 'Get the count of unique patterns pattern subscriptions',
    since: '2.8.0',
    complexity: 'O(1)',
  },
  'pubsub|numsub': {
    summary: 'Get the count of subscribers for channels',
    since: '2.8.0',
    complexity: 'O(N) for the NUMSUB subcommand, where N is the number of requested channels',
    args: 'channel?+',
  },
  'pubsub|shardchannels': {
    summary: 'List active shard channels',
    since: '7.0.0',
    complexity: 'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).',
    args: 'pattern:p?',
  },
  'pubsub|shardnumsub': {
    summary: 'Get the count of subscribers for shard channels',
    since: '7.0.0',
    complexity: 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels',
    args: 'shardchannel?+',
  },
  punsubscribe: {
    summary: 'Stop listening for messages posted to channels matching the given patterns',
    since: '2.0.0',
    complexity: 'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).',
    args: 'pattern:p?+',
  },
  spublish: {
    summary: 'Post a message to a shard channel',
    since: '7.0.0',
    complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.',
    args: 'shardchannel message',
    keys: ['not_key 1'],
  },
  ssubscribe: {
    summary: 'Listen for messages published to the given shard channels',
    since: '7.0.0',
    complexity: 'O(N) where N is the number of shard channels to subscribe to.',
    args: 'shardchannel+',
    keys: ['not_key 1 r-1,1,0'],
  },
  subscribe: {
    summary: 'Listen for messages published to the given channels',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of channels to subscribe to.',
    args: 'channel+',
  },
  sunsubscribe: {
    summary: 'Stop listening for messages posted to the given shard channels',
    since: '7.0.0',
    complexity: 'O(N) where N is the number of clients already subscribed to a shard channel.',
    args: 'shardchannel?+',
    keys: ['not_key 1 r-1,1,0'],
  },
  unsubscribe: {
    summary: 'Stop listening for messages posted to the given channels',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of clients already subscribed to a channel.',
    args: 'channel?+',
  },
};
