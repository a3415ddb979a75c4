/**
 * TLS as Redis 7.0 has it: a tls-port listener next to (or instead of) the plain one, client
 * certificate checks per tls-auth-clients, runtime reloads of the context through CONFIG SET,
 * and TLS connections to a master with tls-replication. The server calls configureAtStartup()
 * before listening and listen() with the addresses it binds; the replica link asks
 * replicationSocket() for its connection.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Server } from '../server.js';
import { ListenError, describeListenError } from '../server.js';
import { buildContexts, TlsConfigError, type TlsContexts } from './context.js';

/** Directives whose CONFIG SET rebuilds the context (Redis's applyTlsCfg). */
const RELOADING = new Set([
  'tls-session-cache-size',
  'tls-session-cache-timeout',
  'tls-cluster',
  'tls-replication',
  'tls-prefer-server-ciphers',
  'tls-session-caching',
  'tls-cert-file',
  'tls-key-file',
  'tls-key-file-pass',
  'tls-client-cert-file',
  'tls-client-key-file',
  'tls-client-key-file-pass',
  'tls-dh-params-file',
  'tls-ca-cert-file',
  'tls-ca-cert-dir',
  'tls-protocols',
  'tls-ciphers',
  'tls-ciphersuites',
]);

/** Thrown to CONFIG SET: names the directive Redis's reply points at. */
class TlsApplyError extends Error {
  constructor(
    readonly configName: string,
    message: string,
  ) {
    super(message);
  }
}

export class TlsModule {
  private ctx: TlsContexts | null = null;
  private listeners: tls.Server[] = [];
  /** Sockets still in their handshake (not yet clients): dropped on close. */
  private readonly handshaking = new Set<net.Socket>();
  /** Server-side session cache (Node keeps none of its own): id hex → session, oldest first. */
  private readonly sessions = new Map<string, { data: Buffer; at: number }>();
  /** Addresses the plain listener used (the TLS port binds the same ones). */
  private addrs: string[] = [];
  /** Bound TLS port (tls-port may be changed at runtime). */
  port = 0;

  constructor(private readonly server: Server) {
    const config = server.config;
    config.appliers.push((names) => this.apply(names));
  }

  /** True when the replica link must use TLS. */
  get forReplication(): boolean {
    return this.server.config.bool('tls-replication');
  }

  private needed(): boolean {
    const c = this.server.config;
    return c.num('tls-port') !== 0 || c.bool('tls-replication') || c.bool('tls-cluster');
  }

  /** Redis's initServer step: a bad TLS setup stops the server before it listens. */
  configureAtStartup(): void {
    if (!this.needed()) return;
    if (!this.configure()) {
      this.server.log.warning('Failed to configure TLS. Check logs for more info.');
      throw new ListenError('Failed to configure TLS');
    }
  }

  /** tlsConfigure: builds new contexts or logs why not and keeps the old ones. */
  private configure(): boolean {
    try {
      this.ctx = buildContexts(this.server.config);
    } catch (e) {
      if (!(e instanceof TlsConfigError)) throw e;
      for (const l of e.lines) this.server.log.warning(l);
      return false;
    }
    for (const l of this.listeners) this.applyToListener(l);
    this.trimSessions(Date.now());
    return true;
  }

  /** CONFIG SET: reload once per command, after every value is assigned (Redis's apply step). */
  private apply(names: ReadonlySet<string>): void {
    const c = this.server.config;
    const reload = [...names].find((n) => RELOADING.has(n));
    if (reload !== undefined && this.needed() && !this.configure()) this.refuse(reload);
    if (names.has('tls-auth-clients')) for (const l of this.listeners) this.applyAuth(l);
    if (names.has('tls-port')) {
      const port = c.num('tls-port');
      if (port === this.port) return;
      if (this.ctx === null && !this.configure()) this.refuse('tls-port');
      // Listening is asynchronous in Node: the old port closes now, the new one opens next.
      this.closeListeners();
      if (port !== 0) {
        this.openListeners(port).catch(() => this.server.log.warning(`Failed listening on port ${port} (TLS).`));
      }
    }
  }

  private refuse(name: string): never {
    this.server.log.warning(`Failed applying new configuration. Possibly related to new ${name} setting. Restoring previous settings.`);
    throw new TlsApplyError(name, 'Unable to update TLS configuration. Check server logs.');
  }

  // ---------------------------------------------------------------- listening

  /** Binds tls-port on the addresses the plain port uses (or would use with port 0). */
  async listen(addrs: string[]): Promise<void> {
    this.addrs = addrs;
    const port = this.server.config.num('tls-port');
    if (port === 0) return;
    try {
      await this.openListeners(port);
    } catch (e) {
      this.server.log.warning(`Failed listening on port ${port} (TLS), aborting.`);
      throw new ListenError(`Failed listening on port ${port} (TLS): ${describeListenError(e as NodeJS.ErrnoException)}`);
    }
    if (this.server.tcpPort === 0) this.server.tcpPort = this.port;
  }

  private async openListeners(port: number): Promise<void> {
    let chosen = port;
    for (const raw of this.addrs) {
      const optional = raw.startsWith('-');
      const host = optional ? raw.slice(1) : raw;
      try {
        const l = await this.listenOne(host, chosen);
        chosen = (l.address() as net.AddressInfo).port;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' || code === 'EINVAL')) continue;
        this.server.log.warning(`Warning: Could not create server TCP listening socket ${host}:${chosen}: ${describeListenError(e as NodeJS.ErrnoException)}`);
        throw e;
      }
    }
    this.port = chosen;
  }

  private listenOne(host: string, port: number): Promise<tls.Server> {
    const l = tls.createServer({ secureContext: this.ctx!.serverContext });
    this.applyToListener(l);
    l.on('secureConnection', (sock) => this.onSecure(sock));
    l.on('tlsClientError', (err, sock) => {
      this.handshaking.delete(sock);
      this.server.log.verbose(`Error accepting a client connection: ${opensslText(err)}`);
    });
    l.on('connection', (raw: net.Socket) => {
      this.server.log.verbose(`Accepted ${raw.remoteAddress}:${raw.remotePort}`);
      raw.setNoDelay(true);
      raw.once('close', () => this.handshaking.delete(raw));
      this.handshaking.add(raw);
    });
    l.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      this.storeSession(id, data);
      done();
    });
    l.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => done(null, this.findSession(id)));
    return new Promise((resolve, reject) => {
      l.once('error', reject);
      l.listen({ host, port, backlog: this.server.config.num('tcp-backlog'), ipv6Only: host.includes(':') }, () => {
        l.off('error', reject);
        l.on('error', (err) => this.server.log.warning(`Accepting client connection: ${err.message}`));
        this.listeners.push(l);
        resolve(l);
      });
    });
  }

  /** New connections take the current context and tls-auth-clients (Redis reads both at accept). */
  private applyToListener(l: tls.Server): void {
    if (this.ctx === null) return;
    l.setSecureContext(this.ctx.server);
    this.applyAuth(l);
  }

  private applyAuth(l: tls.Server): void {
    const auth = this.server.config.str('tls-auth-clients');
    const internal = l as unknown as { requestCert: boolean; rejectUnauthorized: boolean };
    internal.requestCert = auth !== 'no';
    internal.rejectUnauthorized = auth === 'yes';
  }

  private onSecure(sock: tls.TLSSocket): void {
    const raw = (sock as unknown as { _parent?: net.Socket })._parent;
    if (raw) this.handshaking.delete(raw);
    // optional: no certificate is fine, a bad one is not (SSL_VERIFY_PEER without FAIL_IF_NO_PEER_CERT).
    if (sock.authorizationError && this.server.config.str('tls-auth-clients') !== 'no') {
      const cert = sock.getPeerCertificate();
      if (cert && Object.keys(cert).length > 0) {
        this.server.log.verbose(`Error accepting a client connection: ${String(sock.authorizationError)}`);
        sock.destroy();
        return;
      }
    }
    const c = this.server.acceptSocket(sock);
    if (c && c.fd === -1) c.fd = (raw as unknown as { _handle?: { fd?: number } } | undefined)?._handle?.fd ?? -1;
  }

  private closeListeners(): void {
    for (const l of this.listeners) l.close();
    this.listeners = [];
    this.port = 0;
  }

  /** Server close: stop listening and drop handshakes in progress. */
  close(): void {
    this.closeListeners();
    for (const s of this.handshaking) s.destroy();
    this.handshaking.clear();
  }

  // ---------------------------------------------------------------- session cache

  private storeSession(id: Buffer, data: Buffer): void {
    const c = this.server.config;
    if (!c.bool('tls-session-caching')) return;
    const now = Date.now();
    this.trimSessions(now);
    this.sessions.set(id.toString('hex'), { data, at: now });
    const size = c.num('tls-session-cache-size');
    // 0 is unlimited, as for SSL_CTX_sess_set_cache_size.
    while (size > 0 && this.sessions.size > size) this.sessions.delete(this.sessions.keys().next().value!);
  }

  private findSession(id: Buffer): Buffer | null {
    if (!this.server.config.bool('tls-session-caching')) return null;
    const key = id.toString('hex');
    const s = this.sessions.get(key);
    if (!s) return null;
    if (Date.now() - s.at > this.server.config.num('tls-session-cache-timeout') * 1000) {
      this.sessions.delete(key);
      return null;
    }
    return s.data;
  }

  private trimSessions(now: number): void {
    const c = this.server.config;
    if (!c.bool('tls-session-caching')) {
      this.sessions.clear();
      return;
    }
    const ttl = c.num('tls-session-cache-timeout') * 1000;
    for (const [k, s] of this.sessions) if (now - s.at > ttl) this.sessions.delete(k);
  }

  // ---------------------------------------------------------------- replication

  /**
   * A TLS connection to the master (tls-replication yes) or null for a plain one. The socket
   * emits 'secureConnect' once the handshake (with the master's certificate verified) is done.
   */
  replicationSocket(host: string, port: number): tls.TLSSocket | null {
    if (!this.forReplication) return null;
    if (this.ctx === null && !this.configure()) throw new Error('TLS is not configured');
    return tls.connect({ ...this.ctx!.client, host, port, noDelay: true } as tls.ConnectionOptions);
  }

  /** The port a replica announces: the TLS one when replicating over TLS (as 7.0 does). */
  announcedPort(plain: number): number {
    return this.forReplication && this.port !== 0 ? this.port : plain;
  }
}

/** OpenSSL's ERR_error_string form ("error:0A0000C7:SSL routines::reason"), without Node's source location. */
function opensslText(err: Error): string {
  const m = /error:([0-9A-Fa-f]{8}):([^:]*):[^:]*:([^:]*)/.exec(err.message);
  return m ? `error:${m[1]}:${m[2]}::${m[3]}` : err.message;
}

export function installTls(server: Server): TlsModule {
  const m = new TlsModule(server);
  server.closeTasks.push(() => m.close());
  return m;
}

export { TlsApplyError };
