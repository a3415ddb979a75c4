/** CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO, with Redis 7.0's checks in its order. */
import type { Client } from '../net/client.js';
import type { CommandSpec } from '../commands/registry.js';
import { E, is, parseInt64 } from '../commands/util.js';
import { trackingOf } from './index.js';
import { compareBytes, type TrackingOptions } from './tracking.js';

function clientTracking(c: Client, argv: string[]): void {
  const t = trackingOf(c.server);
  const o: TrackingOptions = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, prefixes: [] };
  for (let j = 3; j < argv.length; j++) {
    const more = j < argv.length - 1;
    const opt = argv[j];
    if (is(opt, 'REDIRECT') && more) {
      j++;
      if (o.redirect !== 0) {
        c.error('ERR A client can only redirect to a single other client');
        return;
      }
      const id = parseInt64(argv[j]);
      if (id === null) {
        c.error(E.NOT_INTEGER);
        return;
      }
      // The target must exist now, even if it may go away later.
      if (!c.server.clients.has(id)) {
        c.error('ERR The client ID you want redirect to does not exist');
        return;
      }
      o.redirect = id;
    } else if (is(opt, 'BCAST')) o.bcast = true;
    else if (is(opt, 'OPTIN')) o.optin = true;
    else if (is(opt, 'OPTOUT')) o.optout = true;
    else if (is(opt, 'NOLOOP')) o.noloop = true;
    else if (is(opt, 'PREFIX') && more) o.prefixes.push(argv[++j]);
    else {
      c.error(E.SYNTAX);
      return;
    }
  }
  if (is(argv[2], 'OFF')) {
    t.disable(c);
    c.w.ok();
    return;
  }
  if (!is(argv[2], 'ON')) {
    c.error(E.SYNTAX);
    return;
  }
  if (!o.bcast && o.prefixes.length > 0) {
    c.error('ERR PREFIX option requires BCAST mode to be enabled');
    return;
  }
  const st = t.stateOf(c);
  if (st && st.bcast !== o.bcast) {
    c.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
    return;
  }
  if (o.bcast && (o.optin || o.optout)) {
    c.error('ERR OPTIN and OPTOUT are not compatible with BCAST');
    return;
  }
  if (o.optin && o.optout) {
    c.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    return;
  }
  if (st && ((o.optin && st.optout) || (o.optout && st.optin))) {
    c.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
    return;
  }
  if (o.bcast) {
    const clash = t.prefixCollision(c, o.prefixes);
    if (clash) {
      c.error(clash.error);
      // Redis 7.0 reports a clash between two given prefixes after the first one and goes on
      // (tracking enabled, +OK after the error): kept, the reply stream must match.
      if (!clash.late) return;
    }
  }
  t.enable(c, o);
  c.w.ok();
}

function clientCaching(c: Client, argv: string[]): void {
  const st = trackingOf(c.server).stateOf(c);
  if (!st) {
    c.error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
    return;
  }
  if (is(argv[2], 'YES')) {
    if (!st.optin) {
      c.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
      return;
    }
  } else if (is(argv[2], 'NO')) {
    if (!st.optout) {
      c.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
      return;
    }
  } else {
    c.error(E.SYNTAX);
    return;
  }
  st.caching = true;
  c.w.ok();
}

function clientTrackingInfo(c: Client): void {
  const st = trackingOf(c.server).stateOf(c);
  const flags = [st ? 'on' : 'off'];
  if (st) {
    if (st.bcast) flags.push('bcast');
    if (st.optin) flags.push('optin');
    if (st.optin && st.caching) flags.push('caching-yes');
    if (st.optout) flags.push('optout');
    if (st.optout && st.caching) flags.push('caching-no');
    if (st.noloop) flags.push('noloop');
    if (st.brokenRedirect) flags.push('broken_redirect');
  }
  const w = c.w;
  w.map(3);
  w.bulk('flags');
  w.set(flags.length);
  for (const f of flags) w.bulk(f);
  w.bulk('redirect');
  w.int(st ? st.redirect : -1);
  w.bulk('prefixes');
  w.bulks(st ? [...st.prefixes].sort(compareBytes) : []);
}

/** The tracking subcommands of CLIENT (COMMAND INFO metadata as Redis 7.0.15). */
export function trackingClientSubcommands(group: string): CommandSpec[] {
  const flags = ['noscript', 'loading', 'stale'] as const;
  return [
    {
      group,
      name: 'tracking',
      arity: -3,
      flags: [...flags],
      since: '6.0.0',
      summary: 'Controls server-assisted client-side caching for the connection.',
      handler: clientTracking,
    },
    {
      group,
      name: 'caching',
      arity: 3,
      flags: [...flags],
      since: '6.0.0',
      summary: 'Instructs the server whether to track the keys in the next request.',
      handler: clientCaching,
    },
    {
      group,
      name: 'getredir',
      arity: 2,
      flags: [...flags],
      since: '6.0.0',
      summary: 'Returns the client ID to which the connection\'s tracking notifications are redirected.',
      handler: (c) => c.w.int(trackingOf(c.server).stateOf(c)?.redirect ?? -1),
    },
    {
      group,
      name: 'trackinginfo',
      arity: 2,
      flags: [...flags],
      since: '6.2.0',
      summary: 'Returns information about server-assisted client-side caching for the connection.',
      handler: clientTrackingInfo,
    },
  ];
}
