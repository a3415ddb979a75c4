/**
 * TLS end to end: redis-cli --tls and ioredis against a TLS-only reddish, client certificate
 * policies, a wrong CA, CONFIG SET reloads, startup errors compared with redis-server, and
 * replication over TLS in both directions with redis-server. Certificates are made with the
 * openssl command in a temp dir; without it (or without redis-server) the tests are skipped.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import tls from 'node:tls';
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort, hasRedisServer, startServer, type SpawnedServer } from '../helpers/servers.js';
import { waitFor, waitInSync, digest, mixedWrites } from '../helpers/replication.js';
import { hasOpenssl, makeCerts, tlsOnlyArgs, type Certs } from './certs.js';

const skip = !hasOpenssl() ? 'the openssl command is not installed' : !hasRedisServer() ? 'redis-server is not installed' : false;

const servers: SpawnedServer[] = [];
const clients: Redis[] = [];
let certs: Certs;

after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(servers.map((s) => s.stop()));
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

async function start(kind: 'reddish' | 'redis', extra: string[] = []): Promise<{ s: SpawnedServer; port: number }> {
  const port = await freePort();
  const s = await startServer(kind, [...tlsOnlyArgs(certs, port, ['--enable-debug-command', 'yes']), ...extra]);
  servers.push(s);
  return { s, port };
}

/** ioredis over TLS with the test CA and (by default) the client certificate. */
function client(port: number, opts: { ca?: string; cert?: boolean } = {}): Redis {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    tls: {
      ca: certs.read(opts.ca ?? certs.caCert),
      ...(opts.cert === false ? {} : { cert: certs.read(certs.clientCert), key: certs.read(certs.clientKey) }),
      checkServerIdentity: () => undefined,
    },
  });
  r.on('error', () => undefined);
  clients.push(r);
  return r;
}

/**
 * One PING over a fresh TLS connection: resolves with the reply and the server certificate's CN,
 * rejects if the handshake fails or the server drops the connection.
 */
function tlsPing(
  port: number,
  opts: { ca?: string; cert?: boolean; maxVersion?: tls.SecureVersion; session?: Buffer } = {},
): Promise<{ reply: string; cn: string; reused: boolean; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({
      host: '127.0.0.1',
      port,
      ca: certs.read(opts.ca ?? certs.caCert),
      ...(opts.cert === false ? {} : { cert: certs.read(certs.clientCert), key: certs.read(certs.clientKey) }),
      checkServerIdentity: () => undefined,
      maxVersion: opts.maxVersion,
      session: opts.session,
    });
    let cn = '';
    let session: Buffer | undefined;
    sock.on('session', (s: Buffer) => (session = s));
    sock.on('secureConnect', () => {
      cn = String(sock.getPeerCertificate().subject?.CN ?? '');
      sock.write('PING\r\n');
    });
    sock.on('data', (d) => {
      const reused = sock.isSessionReused();
      // A TLS 1.3 ticket arrives after the handshake: give it a moment before closing.
      setTimeout(() => {
        resolve({ reply: d.toString().trim(), cn, reused, session: session ?? sock.getSession() });
        sock.destroy();
      }, 20);
    });
    sock.on('error', (e) => reject(e));
    sock.on('close', () => reject(new Error('connection closed without a reply')));
  });
}

function cli(port: number, ...args: string[]): string {
  const r = spawnSync('redis-cli', ['-p', String(port), '--tls', '--cacert', certs.caCert, '--cert', certs.clientCert, '--key', certs.clientKey, ...args], {
    encoding: 'utf8',
  });
  return (r.stdout + r.stderr).trim();
}

describe('TLS', { skip }, () => {
  before(() => {
    certs = makeCerts();
  });

  describe('a TLS-only reddish', () => {
    let port = 0;
    before(async () => {
      ({ port } = await start('reddish'));
    });

    it('serves redis-cli --tls (PING, SET, GET) and shows the TLS port as tcp_port', () => {
      assert.equal(cli(port, 'PING'), 'PONG');
      assert.equal(cli(port, 'SET', 'k', 'hello'), 'OK');
      assert.equal(cli(port, 'GET', 'k'), 'hello');
      assert.match(cli(port, 'INFO', 'server'), new RegExp(`^tcp_port:${port}\\r?$`, 'm'));
    });

    it('serves ioredis with tls {ca, cert, key}; CLIENT LIST shows the TLS port as laddr', async () => {
      const r = client(port);
      assert.equal(await r.set('io', 'v'), 'OK');
      assert.equal(await r.get('io'), 'v');
      const list = (await r.client('LIST')) as string;
      assert.match(list, new RegExp(`laddr=127\\.0\\.0\\.1:${port} `));
      assert.match(list, /addr=127\.0\.0\.1:\d+ /);
    });

    it('tls-auth-clients yes refuses a client without a certificate; optional accepts it', async () => {
      await assert.rejects(tlsPing(port, { cert: false }));
      assert.equal((await tlsPing(port)).reply, '+PONG');
      const admin = client(port);
      assert.equal(await admin.config('SET', 'tls-auth-clients', 'optional'), 'OK');
      assert.equal((await tlsPing(port, { cert: false })).reply, '+PONG');
      assert.equal(await admin.config('SET', 'tls-auth-clients', 'no'), 'OK');
      assert.equal((await tlsPing(port, { cert: false })).reply, '+PONG');
      assert.equal(await admin.config('SET', 'tls-auth-clients', 'yes'), 'OK');
      await assert.rejects(tlsPing(port, { cert: false }));
    });

    it('a client trusting another CA fails the handshake', async () => {
      await assert.rejects(tlsPing(port, { ca: certs.otherCaCert }), (e: NodeJS.ErrnoException) => e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || /certificate/i.test(e.message));
    });
  });

  describe('other directives', () => {
    it('tls-key-file-pass, tls-ca-cert-dir, a plain port next to the TLS one', async () => {
      const tlsPort = await freePort();
      const s = await startServer('reddish', [
        '--tls-port', String(tlsPort),
        '--tls-cert-file', certs.serverCert,
        '--tls-key-file', certs.encServerKey,
        '--tls-key-file-pass', 'secret',
        '--tls-ca-cert-dir', certs.caDir,
      ]);
      servers.push(s);
      assert.equal((await tlsPing(tlsPort)).reply, '+PONG');
      await assert.rejects(tlsPing(tlsPort, { cert: false }));
      const plainClient = new Redis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => null });
      clients.push(plainClient);
      assert.equal(await plainClient.ping(), 'PONG');
      // With both ports, tcp_port is the plain one (as 7.0).
      assert.match((await plainClient.info('server')) as string, new RegExp(`tcp_port:${s.port}\r\n`));
    });

    it('tls-protocols limits the versions a client may use', async () => {
      const { port } = await start('reddish', ['--tls-protocols', 'TLSv1.3']);
      assert.equal((await tlsPing(port)).reply, '+PONG');
      await assert.rejects(tlsPing(port, { maxVersion: 'TLSv1.2' }));
      const r = client(port);
      assert.equal(await r.config('SET', 'tls-protocols', 'TLSv1.2 TLSv1.3'), 'OK');
      assert.equal((await tlsPing(port, { maxVersion: 'TLSv1.2' })).reply, '+PONG');
      await assert.rejects(r.config('SET', 'tls-protocols', 'TLSv1.2 SSLv3'), /Unable to update TLS configuration/);
    });

    it('during a busy script a TLS client waits and its command runs afterwards, intact', async () => {
      const { port } = await start('reddish', ['--busy-reply-threshold', '50']);
      const a = client(port);
      const b = client(port);
      await b.ping();
      const script = a.eval("local t = redis.call('time'); local end_us = (t[1] * 1000000 + t[2]) + 300000; while true do local n = redis.call('time'); if n[1] * 1000000 + n[2] > end_us then break end end return 1", 0);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(await b.set('after', 'busy'), 'OK');
      assert.equal(await script, 1);
      assert.equal(await b.get('after'), 'busy');
    });

    it('a TLS session can be resumed', async () => {
      const { port } = await start('reddish', ['--tls-protocols', 'TLSv1.2']);
      const first = await tlsPing(port);
      assert.ok(first.session);
      const again = await tlsPing(port, { session: first.session });
      assert.equal(again.reply, '+PONG');
      assert.equal(again.reused, true);
    });
  });

  describe('CONFIG SET reloads', () => {
    it('new connections get the new certificate; old ones keep working; a bad file is refused as 7.0 does', async () => {
      const { s, port } = await start('reddish');
      const r = client(port);
      assert.equal((await tlsPing(port)).cn, 'server');
      await assert.rejects(r.config('SET', 'tls-cert-file', '/nonexistent/cert.pem'), {
        message: "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.",
      });
      await s.waitForLog(/Failed to load certificate: \/nonexistent\/cert\.pem: error:80000002:system library::No such file or directory/);
      await s.waitForLog(/Failed applying new configuration\. Possibly related to new tls-cert-file setting\. Restoring previous settings\./);
      assert.equal(await r.config('GET', 'tls-cert-file').then((v) => (v as string[])[1]), certs.serverCert);
      // Cert alone mismatches the key: refused, nothing changes.
      await assert.rejects(r.config('SET', 'tls-cert-file', certs.otherServerCert), /Unable to update TLS configuration/);
      await s.waitForLog(/Failed to load private key: .*key values mismatch/);
      // Cert and key together (and a CA that trusts the client still).
      assert.equal(await r.config('SET', 'tls-cert-file', certs.otherServerCert, 'tls-key-file', certs.otherServerKey), 'OK');
      assert.equal((await tlsPing(port, { ca: certs.otherCaCert })).cn, 'otherserver');
      await assert.rejects(tlsPing(port));
      assert.equal(await r.ping(), 'PONG');
    });

    it('tls-port can be turned off and on again at runtime', async () => {
      const { port } = await start('reddish');
      const r = client(port);
      const other = await freePort();
      assert.equal(await r.config('SET', 'tls-port', String(other)), 'OK');
      await waitFor('the new TLS port', async () => (await tlsPing(other)).reply === '+PONG');
      await assert.rejects(tlsPing(port));
      assert.equal(await r.ping(), 'PONG');
    });
  });

  describe('startup errors match redis-server', () => {
    const cases: [string, (c: Certs) => string[]][] = [
      ['a missing certificate file', (c) => ['--tls-cert-file', `${c.dir}/missing.crt`]],
      ['a key that does not match', (c) => ['--tls-key-file', c.clientKey]],
      ['no CA while clients are verified', () => ['--tls-ca-cert-file', '']],
      ['a bad tls-protocols', () => ['--tls-protocols', 'TLSv1.2 SSLv3']],
      ['bad tls-ciphers', () => ['--tls-ciphers', 'NOSUCHCIPHER']],
      ['bad tls-ciphersuites', () => ['--tls-ciphersuites', 'NOSUCHSUITE']],
      ['a missing DH params file', (c) => ['--tls-dh-params-file', `${c.dir}/missing.dh`]],
      ['a DH params file that holds none', (c) => ['--tls-dh-params-file', c.caCert]],
      ['no tls-cert-file', () => ['--tls-cert-file', '']],
      ['an encrypted key with a wrong password', (c) => ['--tls-key-file', c.encServerKey, '--tls-key-file-pass', 'wrong']],
      ['an encrypted key without a password', (c) => ['--tls-key-file', c.encServerKey]],
      ['a missing CA file', (c) => ['--tls-ca-cert-file', `${c.dir}/missing-ca.crt`]],
    ];
    for (const [name, extra] of cases) {
      it(name, async () => {
        const lines = async (kind: 'reddish' | 'redis') => {
          const port = await freePort();
          const err = await startServer(kind, [...tlsOnlyArgs(certs, port), ...extra(certs)]).then(
            (s) => {
              servers.push(s);
              return new Error('started');
            },
            (e: Error) => e,
          );
          return err.message
            .split('\n')
            .filter((l) => / # /.test(l) && !/oO0Oo|Redis version|Configuration loaded|Warning: no config/.test(l))
            .map((l) => l.slice(l.indexOf(' # ') + 3).trim());
        };
        const [mine, theirs] = [await lines('reddish'), await lines('redis')];
        assert.ok(theirs.length > 0, 'redis-server refused to start');
        assert.deepEqual(mine, theirs);
      });
    }
  });

  describe('replication over TLS', () => {
    it('reddish master (TLS only) → redis-server replica with tls-replication yes', async () => {
      const m = await start('reddish', ['--repl-diskless-sync-delay', '0']);
      const mc = client(m.port);
      await mixedWrites(mc, 'before');
      const r = await start('redis', ['--tls-replication', 'yes', '--replicaof', '127.0.0.1', String(m.port)]);
      const rc = client(r.port);
      await waitInSync(mc, rc);
      await mixedWrites(mc, 'after');
      await waitInSync(mc, rc);
      assert.equal(await digest(rc), await digest(mc));
      // The replica announces its TLS port.
      assert.match((await mc.info('replication')) as string, new RegExp(`slave0:ip=127\\.0\\.0\\.1,port=${r.port},state=online`));
    });

    it('redis-server master (TLS only) → reddish replica with tls-replication yes', async () => {
      const m = await start('redis', ['--repl-diskless-sync-delay', '0']);
      const mc = client(m.port);
      await mixedWrites(mc, 'before');
      const r = await start('reddish', ['--tls-replication', 'yes', '--replicaof', '127.0.0.1', String(m.port)]);
      const rc = client(r.port);
      await waitInSync(mc, rc);
      await mixedWrites(mc, 'after');
      await waitInSync(mc, rc);
      assert.equal(await digest(rc), await digest(mc));
      assert.match((await mc.info('replication')) as string, new RegExp(`slave0:ip=127\\.0\\.0\\.1,port=${r.port},state=online`));
    });

    it('a reddish replica refuses a master whose certificate its CA does not trust', async () => {
      const m = await start('reddish', ['--tls-cert-file', certs.otherServerCert, '--tls-key-file', certs.otherServerKey]);
      const r = await start('reddish', ['--tls-replication', 'yes', '--replicaof', '127.0.0.1', String(m.port)]);
      await r.s.waitForLog(/Error condition on socket for SYNC/);
      const rc = client(r.port);
      assert.match((await rc.info('replication')) as string, /master_link_status:down/);
    });
  });
});
