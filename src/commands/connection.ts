/** Connection commands: PING ECHO QUIT RESET AUTH HELLO SELECT CLIENT. */
import type { Client } from '../net/client.js';
import { ReplyMode } from '../net/client.js';
import type { CommandSpec } from './registry.js';
import { E, parseInt64, is } from './util.js';
import { trackingClientSubcommands } from '../tracking/index.js';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

/** Checks the pair against the ACL users; a failure is logged in ACL LOG (reason auth). */
function authenticate(c: Client, user: string, pass: string, argv0: string): boolean {
  return c.server.hooks.acl!.authenticate(c, user, pass, argv0);
}

/** Client names are printable ASCII without spaces (CLIENT SETNAME, HELLO SETNAME). */
function setName(c: Client, name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) {
      c.error('ERR Client names cannot contain spaces, newlines or special characters.');
      return false;
    }
  }
  c.name = name;
  return true;
}

/** The HELP subcommand of a container (CLIENT HELP, CONFIG HELP...), answering `lines`. */
export function helpSubcommand(group: string, container: string, since: string, lines: string[], acl?: string[]): CommandSpec {
  return {
    group,
    name: 'help',
    arity: 2,
    flags: ['loading', 'stale'],
    since,
    summary: 'Returns helpful text about the different subcommands.',
    ...(acl ? { acl } : {}),
    handler: (c) => replyHelp(c, container, lines),
  };
}

/** Help text: a RESP array of lines, like Redis's addReplyHelp. */
export function replyHelp(c: Client, command: string, lines: string[]): void {
  const all = [`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`, ...lines, 'HELP', '    Prints this help.'];
  c.w.array(all.length);
  for (const l of all) c.w.simple(l);
}

function ping(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    c.error(`ERR wrong number of arguments for 'ping' command`);
    return;
  }
  if (c.inPubSub && c.resp === 2) {
    c.w.array(2);
    c.w.bulk('pong');
    c.w.bulk(argv.length === 2 ? argv[1] : '');
    return;
  }
  if (argv.length === 2) c.w.bulk(argv[1]);
  else c.w.raw('+PONG\r\n');
}

function auth(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.error(E.SYNTAX);
    return;
  }
  const user = argv.length === 3 ? argv[1] : 'default';
  const pass = argv[argv.length - 1];
  if (argv.length === 2 && c.server.hooks.acl!.defaultNopass()) {
    c.error(
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
    return;
  }
  if (authenticate(c, user, pass, argv[0])) c.w.ok();
  else c.error(WRONGPASS);
}

function hello(c: Client, argv: string[]): void {
  let ver = 0;
  let i = 1;
  if (argv.length >= 2) {
    const v = parseInt64(argv[1]);
    if (v === null) {
      c.error('ERR Protocol version is not an integer or out of range');
      return;
    }
    if (v < 2 || v > 3) {
      c.error('NOPROTO unsupported protocol version');
      return;
    }
    ver = v;
    i = 2;
  }
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    if (is(argv[i], 'AUTH') && more >= 2) {
      if (!authenticate(c, argv[i + 1], argv[i + 2], argv[0])) {
        c.error(WRONGPASS);
        return;
      }
      i += 2;
    } else if (is(argv[i], 'SETNAME') && more >= 1) {
      if (!setName(c, argv[i + 1])) return;
      i++;
    } else {
      c.error(`ERR Syntax error in HELLO option '${argv[i]}'`);
      return;
    }
  }
  if (!c.authenticated) {
    c.error(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
    return;
  }
  if (ver) c.w.resp = ver as 2 | 3;
  const w = c.w;
  w.map(7);
  w.bulk('server');
  w.bulk('redis');
  w.bulk('version');
  w.bulk(c.server.version);
  w.bulk('proto');
  w.int(c.resp);
  w.bulk('id');
  w.int(c.id);
  w.bulk('mode');
  w.bulk('standalone');
  w.bulk('role');
  w.bulk(c.server.masterHost !== null ? 'replica' : 'master');
  w.bulk('modules');
  w.array(0);
}

function select(c: Client, argv: string[]): void {
  const id = parseInt64(argv[1]);
  if (id === null) {
    c.error(E.NOT_INTEGER);
    return;
  }
  if (id < -2147483648 || id > 2147483647) {
    c.error('ERR value is out of range, value must between -2147483648 and 2147483647');
    return;
  }
  if (id < 0 || id >= c.server.keyspace.dbs.length) {
    c.error(E.DB_INDEX);
    return;
  }
  c.db = c.server.keyspace.dbs[id];
  c.w.ok();
}

function reset(c: Client): void {
  if (c.isReplica && !c.isMonitor) {
    c.error('ERR can only reset normal client connections');
    return;
  }
  if (c.isMaster) {
    c.error('ERR can only reset normal client connections');
    return;
  }
  if (c.isMonitor) {
    c.isMonitor = false;
    c.server.monitors.delete(c);
  }
  c.db = c.server.keyspace.dbs[0];
  c.w.resp = 2;
  // RESET logs the client back in as the default user (unauthenticated if it needs a password).
  c.aclUser = null;
  c.authenticated = !c.server.requiresAuth();
  c.parser.limits.authRequired = !c.authenticated;
  for (const h of c.server.hooks.clientReset) h(c);
  c.name = '';
  c.readonlyFlag = false;
  c.replyMode = ReplyMode.On;
  c.noEvict = false;
  c.w.simple('RESET');
}

// ---------------------------------------------------------------- CLIENT

type ClientType = 'normal' | 'master' | 'replica' | 'pubsub';

function parseClientType(s: string): ClientType | null {
  const l = s.toLowerCase();
  if (l === 'normal' || l === 'master' || l === 'replica' || l === 'pubsub') return l;
  if (l === 'slave') return 'replica';
  return null;
}

function clientType(c: Client): ClientType {
  if (c.isMaster) return 'master';
  if (c.isReplica && !c.isMonitor) return 'replica';
  if (c.inPubSub) return 'pubsub';
  return 'normal';
}

function clientList(c: Client, argv: string[]): void {
  const server = c.server;
  let out = '';
  if (argv.length === 4 && is(argv[2], 'TYPE')) {
    const t = parseClientType(argv[3]);
    if (t === null) {
      c.error(`ERR Unknown client type '${argv[3]}'`);
      return;
    }
    for (const x of server.clients.values()) if (clientType(x) === t) out += x.info() + '\n';
  } else if (argv.length > 3 && is(argv[2], 'ID')) {
    for (let j = 3; j < argv.length; j++) {
      const id = parseInt64(argv[j]);
      if (id === null) {
        c.error('ERR Invalid client ID');
        return;
      }
      const x = server.clients.get(id);
      if (x) out += x.info() + '\n';
    }
  } else if (argv.length !== 2) {
    c.error(E.SYNTAX);
    return;
  } else {
    for (const x of server.clients.values()) out += x.info() + '\n';
  }
  c.w.verbatim(out);
}

function clientKill(c: Client, argv: string[]): void {
  const server = c.server;
  let id = 0;
  let type: ClientType | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let skipMe = true;
  const oldStyle = argv.length === 3;
  if (oldStyle) {
    addr = argv[2];
    skipMe = false;
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const more = i + 1 < argv.length;
      const opt = argv[i];
      if (!more) {
        c.error(E.SYNTAX);
        return;
      }
      const val = argv[i + 1];
      if (is(opt, 'ID')) {
        const v = parseInt64(val);
        if (v === null || v < 1) {
          c.error('ERR client-id should be greater than 0');
          return;
        }
        id = v;
      } else if (is(opt, 'TYPE')) {
        type = parseClientType(val);
        if (type === null) {
          c.error(`ERR Unknown client type '${val}'`);
          return;
        }
      } else if (is(opt, 'ADDR')) {
        addr = val;
      } else if (is(opt, 'LADDR')) {
        laddr = val;
      } else if (is(opt, 'USER')) {
        if (!c.server.hooks.acl!.userExists(val)) {
          c.error(`ERR No such user '${val}'`);
          return;
        }
        user = val;
      } else if (is(opt, 'SKIPME')) {
        if (is(val, 'YES')) skipMe = true;
        else if (is(val, 'NO')) skipMe = false;
        else {
          c.error(E.SYNTAX);
          return;
        }
      } else {
        c.error(E.SYNTAX);
        return;
      }
    }
  }
  let killed = 0;
  for (const x of [...server.clients.values()]) {
    if (addr !== null && x.addr !== addr) continue;
    if (laddr !== null && x.laddr !== laddr) continue;
    if (type !== null && clientType(x) !== type) continue;
    if (id !== 0 && x.id !== id) continue;
    if (user !== null && (x.isMaster || (x.aclUser?.name ?? 'default') !== user)) continue;
    if (skipMe && x === c) continue;
    killed++;
    if (x === c) {
      // Killing ourselves: reply first, then close.
      c.closeAfterReply = true;
    } else {
      x.close();
    }
  }
  if (oldStyle) {
    if (killed === 0) c.error('ERR No such client');
    else c.w.ok();
  } else {
    c.w.int(killed);
  }
}

function clientPause(c: Client, argv: string[]): void {
  const t = parseInt64(argv[2]);
  if (t === null) {
    c.error('ERR timeout is not an integer or out of range');
    return;
  }
  if (t < 0) {
    c.error('ERR timeout is negative');
    return;
  }
  let writesOnly = false;
  if (argv.length === 4) {
    if (is(argv[3], 'WRITE')) writesOnly = true;
    else if (!is(argv[3], 'ALL')) {
      c.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
  }
  const s = c.server;
  const until = Date.now() + t;
  // Pausing again keeps the longer deadline and the stronger mode (ALL beats WRITE), as Redis.
  s.pause.writesOnly = s.pause.until === 0 ? writesOnly : s.pause.writesOnly && writesOnly;
  s.pause.until = Math.max(s.pause.until, until);
  const timer = setTimeout(() => {
    if (s.pause.until !== 0 && Date.now() >= s.pause.until) s.unpause();
  }, t + 1);
  timer.unref();
  c.w.ok();
}

export function connectionCommands(): CommandSpec[] {
  const conn = { group: 'connection' };
  return [
    { ...conn, name: 'ping', arity: -1, flags: ['fast'], tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], since: '1.0.0', summary: 'Returns the server\'s liveliness response.', handler: ping },
    { ...conn, name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], since: '1.0.0', summary: 'Returns the given string.', handler: (c, a) => c.w.bulk(a[1]) },
    {
      ...conn,
      name: 'quit',
      arity: -1,
      flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'],
      since: '1.0.0',
      summary: 'Closes the connection.',
      handler: (c) => {
        c.w.ok();
        c.closeAfterReply = true;
      },
    },
    { ...conn, name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], since: '6.2.0', summary: 'Resets the connection.', handler: reset },
    { ...conn, name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], since: '1.0.0', summary: 'Authenticates the connection.', handler: auth },
    { ...conn, name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], since: '6.0.0', summary: 'Handshakes with the Redis server.', handler: hello },
    { ...conn, name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], since: '1.0.0', summary: 'Changes the selected database.', handler: select },
    {
      ...conn,
      name: 'client',
      arity: -2,
      flags: [],
      since: '2.4.0',
      summary: 'A container for client connection commands.',
      subcommands: [
        { ...conn, name: 'id', arity: 2, flags: ['noscript', 'loading', 'stale'], since: '5.0.0', summary: 'Returns the unique client ID of the connection.', handler: (c) => c.w.int(c.id) },
        { ...conn, name: 'info', arity: 2, flags: ['noscript', 'loading', 'stale'], tips: ['nondeterministic_output'], since: '6.2.0', summary: 'Returns information about the connection.', handler: (c) => c.w.verbatim(c.info() + '\n') },
        { ...conn, name: 'list', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], tips: ['nondeterministic_output'], since: '2.4.0', summary: 'Lists open connections.', handler: clientList },
        { ...conn, name: 'kill', arity: -3, flags: ['admin', 'noscript', 'loading', 'stale'], since: '2.4.0', summary: 'Terminates open connections.', handler: clientKill },
        {
          ...conn,
          name: 'setname',
          arity: 3,
          flags: ['noscript', 'loading', 'stale'],
          since: '2.6.9',
          summary: 'Sets the connection name.',
          handler: (c, a) => {
            if (setName(c, a[2])) c.w.ok();
          },
        },
        {
          ...conn,
          name: 'getname',
          arity: 2,
          flags: ['noscript', 'loading', 'stale'],
          since: '2.6.9',
          summary: 'Returns the name of the connection.',
          handler: (c) => (c.name === '' ? c.w.nil() : c.w.bulk(c.name)),
        },
        { ...conn, name: 'pause', arity: -3, flags: ['admin', 'noscript', 'loading', 'stale'], since: '3.0.0', summary: 'Suspends commands processing.', handler: clientPause },
        {
          ...conn,
          name: 'unblock',
          arity: -3,
          flags: ['admin', 'noscript', 'loading', 'stale'],
          since: '5.0.0',
          summary: 'Unblocks a client blocked by a blocking command from a different connection.',
          handler: (c, a) => {
            const id = parseInt64(a[2]);
            if (id === null) {
              c.error(E.NOT_INTEGER);
              return;
            }
            if (a.length > 4) {
              c.error(`ERR unknown subcommand or wrong number of arguments for '${a[1]}'. Try CLIENT HELP.`);
              return;
            }
            let withError = false;
            if (a.length === 4) {
              if (is(a[3], 'ERROR')) withError = true;
              else if (!is(a[3], 'TIMEOUT')) {
                c.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
                return;
              }
            }
            const target = c.server.clients.get(id);
            c.w.int(target && c.server.blocking.unblock(target, withError) ? 1 : 0);
          },
        },
        {
          ...conn,
          name: 'unpause',
          arity: 2,
          flags: ['admin', 'noscript', 'loading', 'stale'],
          since: '6.2.0',
          summary: 'Resumes processing commands from paused clients.',
          handler: (c) => {
            c.server.unpause();
            c.w.ok();
          },
        },
        {
          ...conn,
          name: 'reply',
          arity: 3,
          flags: ['noscript', 'loading', 'stale'],
          since: '3.2.0',
          summary: 'Instructs the server whether to reply to commands.',
          handler: (c, a) => {
            if (is(a[2], 'ON')) {
              c.replyMode = ReplyMode.On;
              c.w.ok();
            } else if (is(a[2], 'OFF')) c.replyMode = ReplyMode.Off;
            else if (is(a[2], 'SKIP')) {
              if (c.replyMode !== ReplyMode.Off) c.replyMode = ReplyMode.Skip;
            } else c.error(E.SYNTAX);
          },
        },
        {
          ...conn,
          name: 'no-evict',
          arity: 3,
          flags: ['admin', 'noscript', 'loading', 'stale'],
          since: '7.0.0',
          summary: 'Sets the client eviction mode of the connection.',
          handler: (c, a) => {
            if (is(a[2], 'ON')) c.noEvict = true;
            else if (is(a[2], 'OFF')) c.noEvict = false;
            else {
              c.error(E.SYNTAX);
              return;
            }
            c.w.ok();
          },
        },
        ...trackingClientSubcommands(conn.group),
        helpSubcommand(conn.group, 'CLIENT', '5.0.0', [
              'CACHING (YES|NO)',
              '    In OPTIN/OPTOUT tracking modes, track (YES) or skip (NO) the keys of the next command.',
              'GETREDIR',
              '    Return the id of the client tracking messages are redirected to (0 none, -1 tracking off).',
              'GETNAME',
              '    Return the name of this connection.',
              'ID',
              '    Return the ID of this connection.',
              'INFO',
              '    Return information about this connection.',
              'KILL <ip:port>',
              '    Close the connection from <ip:port>.',
              'KILL <option> <value> [<option> <value> [...]]',
              '    Close connections matching all options: ID <id>, TYPE (NORMAL|MASTER|REPLICA|PUBSUB),',
              '    ADDR <ip:port>, LADDR <ip:port>, USER <username>, SKIPME (YES|NO) (default YES).',
              'LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <id> [<id> ...]]',
              '    List connections.',
              'NO-EVICT (ON|OFF)',
              '    Exempt this connection from client eviction.',
              'PAUSE <timeout> [WRITE|ALL]',
              '    Hold all commands, or only writes, of other clients for <timeout> milliseconds.',
              'REPLY (ON|OFF|SKIP)',
              '    Turn replies to this connection on or off, or skip the next one.',
              'SETNAME <name>',
              '    Name this connection.',
              'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
              '         [OPTIN] [OPTOUT] [NOLOOP]',
              '    Turn server-assisted client-side caching on or off for this connection.',
              'TRACKINGINFO',
              '    Show the client-side caching state of this connection.',
              'UNPAUSE',
              '    End a CLIENT PAUSE.',
        ]),
      ],
    },
  ];
}
