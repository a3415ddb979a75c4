/**
 * Builds node:tls secure contexts from the tls-* directives with Redis 7.0's checks, in its
 * order, and with its log lines: the caller gets either both contexts or the warning lines that
 * explain the failure (nothing changes then, as tlsConfigure is atomic).
 */
import tls from 'node:tls';
import { constants } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';

export type ClientAuth = 'no' | 'yes' | 'optional';

/** What a listener or the replica link needs: server options and client-side connect options. */
export interface TlsContexts {
  server: tls.SecureContextOptions;
  serverContext: tls.SecureContext;
  /** Options for connections we open (replication): the client cert if set, else the server's. */
  client: tls.ConnectionOptions;
  sessionTimeout: number;
}

export class TlsConfigError extends Error {
  /** The warning lines Redis logs for this failure, in order. */
  constructor(readonly lines: string[]) {
    super(lines.join('; '));
  }
}

const PROTO_BITS: Record<string, number> = { tlsv1: 1, 'tlsv1.1': 2, 'tlsv1.2': 4, 'tlsv1.3': 8 };
const PROTO_DEFAULT = 4 | 8;

/** Redis's parseProtocolsConfig: tokens split on single spaces, case-insensitive names. */
function parseProtocols(s: string): number {
  if (s === '') return PROTO_DEFAULT;
  let bits = 0;
  for (const tok of s.split(' ')) {
    const b = PROTO_BITS[tok.toLowerCase()];
    if (b === undefined) throw new TlsConfigError(["Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'."]);
    bits |= b;
  }
  return bits;
}

/** OpenSSL's text for a failed fopen, as ERR_error_string prints it. */
function sysError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const text = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : code === 'EISDIR' ? 'Is a directory' : (e as Error).message;
  return `error:80000002:system library::${text}`;
}

/** An OpenSSL error from Node: its message already is "error:XXXXXXXX:lib::reason". */
function sslError(e: unknown): string {
  return (e as Error).message;
}

function readOrFail(path: string, what: (detail: string) => string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TlsConfigError([what(sysError(e))]);
  }
}

/** Every PEM certificate in the files of a CA directory (OpenSSL's CApath, without hashed names). */
function readCaDir(dir: string): Buffer[] {
  const out: Buffer[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out; // OpenSSL looks the directory up lazily: a missing one fails verification, not setup
  }
  for (const n of names.sort()) {
    const p = join(dir, n);
    try {
      if (!statSync(p).isFile()) continue;
      const text = readFileSync(p);
      if (text.includes('-----BEGIN CERTIFICATE-----')) out.push(text);
    } catch {
      // unreadable entries are skipped, as OpenSSL does
    }
  }
  return out;
}

/** Node's default TLS 1.3 suites and TLS 1.2 cipher list, kept apart like OpenSSL's two settings. */
const DEFAULT_SUITES = tls.DEFAULT_CIPHERS.split(':').filter((c) => c.startsWith('TLS_')).join(':');
const DEFAULT_CIPHER_LIST = tls.DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('TLS_')).join(':');

/**
 * Redis's tlsConfigure: cert and key are required; a CA is required when clients must be
 * verified or replication uses TLS; then the server context, then a client one.
 */
export function buildContexts(config: Config): TlsContexts {
  const certFile = config.str('tls-cert-file');
  const keyFile = config.str('tls-key-file');
  const caFile = config.str('tls-ca-cert-file');
  const caDir = config.str('tls-ca-cert-dir');
  if (certFile === '') throw new TlsConfigError(['No tls-cert-file configured!']);
  if (keyFile === '') throw new TlsConfigError(['No tls-key-file configured!']);
  if ((config.str('tls-auth-clients') !== 'no' || config.bool('tls-cluster') || config.bool('tls-replication')) && caFile === '' && caDir === '') {
    throw new TlsConfigError(['Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!']);
  }
  const protocols = parseProtocols(config.str('tls-protocols'));
  let secureOptions = constants.SSL_OP_NO_SSLv2 | constants.SSL_OP_NO_SSLv3 | constants.SSL_OP_NO_COMPRESSION;
  if (!(protocols & 1)) secureOptions |= constants.SSL_OP_NO_TLSv1;
  if (!(protocols & 2)) secureOptions |= constants.SSL_OP_NO_TLSv1_1;
  if (!(protocols & 4)) secureOptions |= constants.SSL_OP_NO_TLSv1_2;
  if (!(protocols & 8)) secureOptions |= constants.SSL_OP_NO_TLSv1_3;
  const versions = (['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const).filter((_, i) => protocols & (1 << i));

  const ciphers = config.str('tls-ciphers');
  const suites = config.str('tls-ciphersuites');
  if (suites !== '' && suites.split(':').some((s) => s !== '' && !s.startsWith('TLS_'))) {
    // Only TLS 1.3 suite names are ciphersuites; anything else matches nothing in OpenSSL.
    throw new TlsConfigError([`Failed to configure ciphersuites: ${suites}`]);
  }
  const cipherString = [suites !== '' ? suites : DEFAULT_SUITES, ciphers !== '' ? ciphers : DEFAULT_CIPHER_LIST].join(':');

  // Read after the first cert and key, as OpenSSL loads them in that order.
  let ca: Buffer[] | undefined;
  let caRead = false;
  const readCa = () => {
    if (caRead) return;
    caRead = true;
    if (caFile === '' && caDir === '') return;
    ca = [];
    if (caFile !== '') ca.push(readOrFail(caFile, (d) => `Failed to configure CA certificate(s) file/directory: ${d}`));
    if (caDir !== '') ca.push(...readCaDir(caDir));
  };

  const common = (cert: string, key: string, pass: string): tls.SecureContextOptions => {
    const certPem = readOrFail(cert, (d) => `Failed to load certificate: ${cert}: ${d}`);
    const keyPem = readOrFail(key, (d) => `Failed to load private key: ${key}: ${d}`);
    const passphrase = pass !== '' ? pass : undefined;
    // Check cert, key, CA and cipher settings one at a time for Redis's messages.
    try {
      tls.createSecureContext({ cert: certPem, minVersion: 'TLSv1' });
    } catch (e) {
      throw new TlsConfigError([`Failed to load certificate: ${cert}: ${sslError(e)}`]);
    }
    // Without a password OpenSSL's callback gives up on an encrypted key (Node would try '').
    if (passphrase === undefined && keyPem.includes('ENCRYPTED')) {
      throw new TlsConfigError([`Failed to load private key: ${key}: error:07880109:common libcrypto routines::interrupted or cancelled`]);
    }
    try {
      tls.createSecureContext({ cert: certPem, key: keyPem, passphrase });
    } catch (e) {
      throw new TlsConfigError([`Failed to load private key: ${key}: ${sslError(e)}`]);
    }
    readCa();
    const opts: tls.SecureContextOptions = {
      cert: certPem,
      key: keyPem,
      passphrase,
      ca,
      secureOptions,
      minVersion: versions[0],
      maxVersion: versions[versions.length - 1],
      ciphers: cipherString,
    };
    if (ca) {
      try {
        tls.createSecureContext({ ca });
      } catch (e) {
        throw new TlsConfigError([`Failed to configure CA certificate(s) file/directory: ${sslError(e)}`]);
      }
    }
    if (ciphers !== '') {
      try {
        tls.createSecureContext({ ciphers: ciphers + ':' + DEFAULT_SUITES });
      } catch {
        throw new TlsConfigError([`Failed to configure ciphers: ${ciphers}`]);
      }
    }
    if (suites !== '') {
      try {
        tls.createSecureContext({ ciphers: suites + ':' + DEFAULT_CIPHER_LIST });
      } catch {
        throw new TlsConfigError([`Failed to configure ciphersuites: ${suites}`]);
      }
    }
    return opts;
  };

  const server = common(certFile, keyFile, config.str('tls-key-file-pass'));
  if (config.bool('tls-prefer-server-ciphers')) server.honorCipherOrder = true;
  const dhFile = config.str('tls-dh-params-file');
  if (dhFile !== '') {
    let text: Buffer;
    try {
      text = readFileSync(dhFile);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new TlsConfigError([`Failed to load ${dhFile}: ${code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`]);
    }
    if (!text.includes('-----BEGIN DH PARAMETERS-----')) throw new TlsConfigError([`${dhFile}: failed to read DH params.`]);
    server.dhparam = text;
  } else {
    server.dhparam = 'auto';
  }
  const sessionTimeout = config.num('tls-session-cache-timeout');
  server.sessionTimeout = sessionTimeout;
  // Redis's session id context ("redis"): sessions resume only on this server.
  server.sessionIdContext = 'redis';
  let serverContext: tls.SecureContext;
  try {
    serverContext = tls.createSecureContext(server);
  } catch (e) {
    const msg = sslError(e);
    if (server.dhparam !== 'auto' && /dh/i.test(msg)) throw new TlsConfigError([`Failed to load DH params file: ${dhFile}: ${msg}`]);
    throw new TlsConfigError([`Failed to load private key: ${keyFile}: ${msg}`]);
  }

  const clientCert = config.str('tls-client-cert-file');
  const clientKey = config.str('tls-client-key-file');
  const clientOpts = clientCert !== '' && clientKey !== '' ? common(clientCert, clientKey, config.str('tls-client-key-file-pass')) : server;
  const client: tls.ConnectionOptions = {
    cert: clientOpts.cert,
    key: clientOpts.key,
    passphrase: clientOpts.passphrase,
    ca,
    secureOptions,
    minVersion: clientOpts.minVersion,
    maxVersion: clientOpts.maxVersion,
    ciphers: cipherString,
    // Redis verifies the peer's chain against the CA but not the host name.
    rejectUnauthorized: true,
    checkServerIdentity: () => undefined,
  };
  try {
    tls.createSecureContext(client);
  } catch (e) {
    throw new TlsConfigError([`Failed to load private key: ${clientKey}: ${sslError(e)}`]);
  }
  return { server, serverContext, client, sessionTimeout };
}
