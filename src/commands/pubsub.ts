/**
 * Pub/Sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB, and the sharded
 * variant SSUBSCRIBE SUNSUBSCRIBE SPUBLISH as a standalone Redis 7.0 serves it (one shard: shard
 * channels are a separate namespace, never matched by patterns, counted apart in replies; any
 * subscription puts a client in Pub/Sub mode). Messages are pushed
 * into subscribers' reply buffers (RESP2 arrays, RESP3 push frames) and flushed on the next
 * tick; a subscriber that does not read accumulates output that the `pubsub` class of
 * client-output-buffer-limit bounds.
 */
import type { Client } from '../net/client.js';
import type { Server } from '../server.js';
import type { CommandSpec } from './registry.js';
import { globMatch } from '../store/glob.js';
import { helpSubcommand } from './connection.js';
import { setInfoCounter } from './info.js';

class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  private readonly clientChannels = new Map<Client, Set<string>>();
  private readonly clientPatterns = new Map<Client, Set<string>>();
  private readonly clientShard = new Map<Client, Set<string>>();

  constructor(private readonly server: Server) {
    server.pubsubCounts = () => [this.channels.size, this.patterns.size];
    setInfoCounter(server, 'pubsubshard_channels', () => this.shardChannels.size);
    server.hooks.clientReset.push((c) => this.dropAll(c));
  }

  private dropAll(c: Client): void {
    this.unsubscribeAll(c, false);
    this.punsubscribeAll(c, false);
    this.sunsubscribeAll(c, false);
  }

  private track(c: Client): void {
    if (this.clientChannels.has(c) || this.clientPatterns.has(c) || this.clientShard.has(c)) return;
    c.onClose.push(() => this.dropAll(c));
  }

  private count(c: Client): number {
    return (this.clientChannels.get(c)?.size ?? 0) + (this.clientPatterns.get(c)?.size ?? 0);
  }

  private sync(c: Client): void {
    c.subscriptions = this.clientChannels.get(c)?.size ?? 0;
    c.patternSubscriptions = this.clientPatterns.get(c)?.size ?? 0;
    c.shardSubscriptions = this.clientShard.get(c)?.size ?? 0;
  }

  /** SSUBSCRIBE: like SUBSCRIBE, but its confirmations count shard channels only. */
  /** The client's channels, patterns and shard channels (ACL checks them when rules change). */
  subscriptionsOf(c: Client): { channels: string[]; patterns: string[]; shard: string[] } {
    return {
      channels: [...(this.clientChannels.get(c) ?? [])],
      patterns: [...(this.clientPatterns.get(c) ?? [])],
      shard: [...(this.clientShard.get(c) ?? [])],
    };
  }

  ssubscribe(c: Client, names: string[]): void {
    // EXEC runs its commands as a client that may not block; Redis refuses SSUBSCRIBE there.
    if (this.server.inExec) {
      c.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
      return;
    }
    this.track(c);
    for (const name of names) {
      let mine = this.clientShard.get(c);
      if (!mine) this.clientShard.set(c, (mine = new Set()));
      if (!mine.has(name)) {
        mine.add(name);
        let subs = this.shardChannels.get(name);
        if (!subs) this.shardChannels.set(name, (subs = new Set()));
        subs.add(c);
      }
      this.sync(c);
      this.confirmShard(c, 'ssubscribe', name);
    }
  }

  sunsubscribe(c: Client, names: string[], notify = true): void {
    for (const name of names) {
      const mine = this.clientShard.get(c);
      if (mine?.delete(name)) {
        const subs = this.shardChannels.get(name)!;
        subs.delete(c);
        if (subs.size === 0) this.shardChannels.delete(name);
        if (mine.size === 0) this.clientShard.delete(c);
      }
      this.sync(c);
      if (notify) this.confirmShard(c, 'sunsubscribe', name);
    }
  }

  sunsubscribeAll(c: Client, notify: boolean): void {
    const names = [...(this.clientShard.get(c) ?? [])];
    if (names.length === 0) {
      if (notify) this.confirmShard(c, 'sunsubscribe', null);
      return;
    }
    this.sunsubscribe(c, names, notify);
  }

  private confirmShard(c: Client, kind: string, name: string | null): void {
    c.w.push(3);
    c.w.bulk(kind);
    if (name === null) c.w.nil();
    else c.w.bulk(name);
    c.w.int(this.clientShard.get(c)?.size ?? 0);
  }

  /** SPUBLISH: shard subscribers only (patterns never see shard messages). */
  spublish(channel: string, message: string): number {
    let receivers = 0;
    const subs = this.shardChannels.get(channel);
    if (!subs) return 0;
    for (const s of subs) {
      if (s.isClosed) continue;
      s.w.push(3);
      s.w.bulk('smessage');
      s.w.bulk(channel);
      s.w.bulk(message);
      this.server.scheduleFlush(s);
      receivers++;
    }
    return receivers;
  }

  private confirm(c: Client, kind: string, name: string | null): void {
    c.w.push(3);
    c.w.bulk(kind);
    if (name === null) c.w.nil();
    else c.w.bulk(name);
    c.w.int(this.count(c));
  }

  subscribe(c: Client, names: string[], pattern: boolean): void {
    this.track(c);
    const own = pattern ? this.clientPatterns : this.clientChannels;
    const index = pattern ? this.patterns : this.channels;
    for (const name of names) {
      let mine = own.get(c);
      if (!mine) own.set(c, (mine = new Set()));
      if (!mine.has(name)) {
        mine.add(name);
        let subs = index.get(name);
        if (!subs) index.set(name, (subs = new Set()));
        subs.add(c);
      }
      this.sync(c);
      this.confirm(c, pattern ? 'psubscribe' : 'subscribe', name);
    }
  }

  unsubscribe(c: Client, names: string[], pattern: boolean, notify = true): void {
    const own = pattern ? this.clientPatterns : this.clientChannels;
    const index = pattern ? this.patterns : this.channels;
    const kind = pattern ? 'punsubscribe' : 'unsubscribe';
    for (const name of names) {
      const mine = own.get(c);
      if (mine?.delete(name)) {
        const subs = index.get(name)!;
        subs.delete(c);
        if (subs.size === 0) index.delete(name);
        if (mine.size === 0) own.delete(c);
      }
      this.sync(c);
      if (notify) this.confirm(c, kind, name);
    }
  }

  unsubscribeAll(c: Client, notify: boolean): void {
    const names = [...(this.clientChannels.get(c) ?? [])];
    if (names.length === 0) {
      if (notify) this.confirm(c, 'unsubscribe', null);
      return;
    }
    this.unsubscribe(c, names, false, notify);
  }

  punsubscribeAll(c: Client, notify: boolean): void {
    const names = [...(this.clientPatterns.get(c) ?? [])];
    if (names.length === 0) {
      if (notify) this.confirm(c, 'punsubscribe', null);
      return;
    }
    this.unsubscribe(c, names, true, notify);
  }

  publish(channel: string, message: string): number {
    let receivers = 0;
    const subs = this.channels.get(channel);
    if (subs) {
      for (const s of subs) {
        if (s.isClosed) continue;
        s.w.push(3);
        s.w.bulk('message');
        s.w.bulk(channel);
        s.w.bulk(message);
        this.server.scheduleFlush(s);
        receivers++;
      }
    }
    for (const [pattern, clients] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      for (const s of clients) {
        if (s.isClosed) continue;
        s.w.push(4);
        s.w.bulk('pmessage');
        s.w.bulk(pattern);
        s.w.bulk(channel);
        s.w.bulk(message);
        this.server.scheduleFlush(s);
        receivers++;
      }
    }
    return receivers;
  }
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]: the channels of `map` that have subscribers. */
function replyChannels(c: Client, a: string[], map: Map<string, Set<Client>>): void {
  if (a.length > 3) {
    c.error(`ERR unknown subcommand or wrong number of arguments for '${a[1]}'. Try PUBSUB HELP.`);
    return;
  }
  const pattern = a.length > 2 ? a[2] : null;
  c.w.bulks([...map.keys()].filter((ch) => pattern === null || globMatch(pattern, ch)));
}

/** PUBSUB NUMSUB / SHARDNUMSUB channel...: each channel with its subscriber count. */
function replySubscriberCounts(c: Client, a: string[], map: Map<string, Set<Client>>): void {
  c.w.array((a.length - 2) * 2);
  for (let i = 2; i < a.length; i++) {
    c.w.bulk(a[i]);
    c.w.int(map.get(a[i])?.size ?? 0);
  }
}

export function pubsubCommands(server: Server): CommandSpec[] {
  const ps = new PubSub(server);
  server.hooks.subscriptionsOf = (c) => ps.subscriptionsOf(c);
  const g = { group: 'pubsub' };
  const flags = ['pubsub', 'noscript', 'loading', 'stale'] as const;
  return [
    {
      ...g,
      name: 'subscribe',
      arity: -2,
      flags: [...flags],
      since: '2.0.0',
      summary: 'Listens for messages published to channels.',
      handler: (c, a) => ps.subscribe(c, a.slice(1), false),
    },
    {
      ...g,
      name: 'psubscribe',
      arity: -2,
      flags: [...flags],
      since: '2.0.0',
      summary: 'Listens for messages published to channels that match one or more patterns.',
      handler: (c, a) => ps.subscribe(c, a.slice(1), true),
    },
    {
      ...g,
      name: 'unsubscribe',
      arity: -1,
      flags: [...flags],
      since: '2.0.0',
      summary: 'Stops listening to messages posted to channels.',
      handler: (c, a) => (a.length === 1 ? ps.unsubscribeAll(c, true) : ps.unsubscribe(c, a.slice(1), false)),
    },
    {
      ...g,
      name: 'punsubscribe',
      arity: -1,
      flags: [...flags],
      since: '2.0.0',
      summary: 'Stops listening to messages published to channels that match one or more patterns.',
      handler: (c, a) => (a.length === 1 ? ps.punsubscribeAll(c, true) : ps.unsubscribe(c, a.slice(1), true)),
    },
    {
      ...g,
      name: 'publish',
      arity: 3,
      flags: ['pubsub', 'loading', 'stale', 'fast'],
      hiddenMayReplicate: true,
      since: '2.0.0',
      summary: 'Posts a message to a channel.',
      handler: (c, a) => {
        c.w.int(ps.publish(a[1], a[2]));
        // Redis forwards PUBLISH to replicas so their subscribers get the message too.
        c.server.exec.alsoPropagate(c.db.id, a);
      },
    },
    {
      ...g,
      name: 'ssubscribe',
      arity: -2,
      flags: [...flags],
      keys: [1, -1, 1],
      since: '7.0.0',
      summary: 'Listens for messages published to shard channels.',
      handler: (c, a) => ps.ssubscribe(c, a.slice(1)),
    },
    {
      ...g,
      name: 'sunsubscribe',
      arity: -1,
      flags: [...flags],
      keys: [1, -1, 1],
      since: '7.0.0',
      summary: 'Stops listening to messages posted to shard channels.',
      handler: (c, a) => (a.length === 1 ? ps.sunsubscribeAll(c, true) : ps.sunsubscribe(c, a.slice(1))),
    },
    {
      ...g,
      name: 'spublish',
      arity: 3,
      flags: ['pubsub', 'loading', 'stale', 'fast'],
      keys: [1, 1, 1],
      hiddenMayReplicate: true,
      since: '7.0.0',
      summary: 'Posts a message to a shard channel.',
      handler: (c, a) => {
        c.w.int(ps.spublish(a[1], a[2]));
        // Standalone Redis replicates SPUBLISH like PUBLISH.
        c.server.exec.alsoPropagate(c.db.id, a);
      },
    },
    {
      ...g,
      name: 'pubsub',
      arity: -2,
      flags: [],
      since: '2.8.0',
      summary: 'A container for Pub/Sub commands.',
      subcommands: [
        {
          ...g,
          name: 'channels',
          arity: -2,
          flags: ['pubsub', 'loading', 'stale'],
          since: '2.8.0',
          summary: 'Returns the active channels.',
          handler: (c, a) => replyChannels(c, a, ps.channels),
        },
        {
          ...g,
          name: 'numsub',
          arity: -2,
          flags: ['pubsub', 'loading', 'stale'],
          since: '2.8.0',
          summary: 'Returns a count of subscribers to channels.',
          handler: (c, a) => replySubscriberCounts(c, a, ps.channels),
        },
        {
          ...g,
          name: 'numpat',
          arity: 2,
          flags: ['pubsub', 'loading', 'stale'],
          since: '2.8.0',
          summary: 'Returns a count of unique pattern subscriptions.',
          handler: (c) => c.w.int(ps.patterns.size),
        },
        {
          ...g,
          name: 'shardchannels',
          arity: -2,
          flags: ['pubsub', 'loading', 'stale'],
          since: '7.0.0',
          summary: 'Returns the active shard channels.',
          handler: (c, a) => replyChannels(c, a, ps.shardChannels),
        },
        {
          ...g,
          name: 'shardnumsub',
          arity: -2,
          flags: ['pubsub', 'loading', 'stale'],
          since: '7.0.0',
          summary: 'Returns the count of subscribers of shard channels.',
          handler: (c, a) => replySubscriberCounts(c, a, ps.shardChannels),
        },
        helpSubcommand(g.group, 'PUBSUB', '6.2.0', [
              'CHANNELS [<pattern>]',
              '    Return the channels that have subscribers, optionally only those matching <pattern>.',
              'NUMPAT',
              '    Return how many patterns are subscribed to.',
              'NUMSUB [<channel> ...]',
              '    Return how many clients subscribe to each <channel> (patterns not counted).',
              'SHARDCHANNELS [<pattern>]',
              '    Return the shard channels that have subscribers, optionally only those matching <pattern>.',
              'SHARDNUMSUB [<shardchannel> ...]',
              '    Return how many clients subscribe to each shard channel.',
        ]),
      ],
    },
  ];
}
