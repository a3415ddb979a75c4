/** Test certificates made with the openssl command: a CA, a server and a client cert, and a second CA. */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certs {
  dir: string;
  /** Paths. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed neither certificate, and a server cert signed by it. */
  otherCaCert: string;
  otherServerCert: string;
  otherServerKey: string;
  /** server.key encrypted with the password "secret". */
  encServerKey: string;
  /** A directory holding only the CA's certificate (for tls-ca-cert-dir). */
  caDir: string;
  read(path: string): Buffer;
}

export function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version']).status === 0;
}

export function makeCerts(): Certs {
  const dir = mkdtempSync(join(tmpdir(), 'reddish-tls-'));
  const p = (n: string) => join(dir, n);
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const ca = (name: string) => {
    run('genrsa', '-out', `${name}.key`, '2048');
    run('req', '-x509', '-new', '-nodes', '-sha256', '-key', `${name}.key`, '-days', '3650', '-subj', `/O=Test/CN=${name}`, '-out', `${name}.crt`);
  };
  const leaf = (name: string, caName: string) => {
    run('genrsa', '-out', `${name}.key`, '2048');
    run('req', '-new', '-sha256', '-subj', `/O=Test/CN=${name}`, '-key', `${name}.key`, '-out', `${name}.csr`);
    run('x509', '-req', '-sha256', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '365', '-out', `${name}.crt`);
  };
  ca('ca');
  ca('otherca');
  leaf('server', 'ca');
  leaf('client', 'ca');
  leaf('otherserver', 'otherca');
  run('rsa', '-in', 'server.key', '-aes256', '-passout', 'pass:secret', '-out', 'server-enc.key');
  mkdirSync(p('cadir'));
  copyFileSync(p('ca.crt'), join(p('cadir'), 'ca.pem'));
  return {
    dir,
    caCert: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    otherCaCert: p('otherca.crt'),
    otherServerCert: p('otherserver.crt'),
    otherServerKey: p('otherserver.key'),
    encServerKey: p('server-enc.key'),
    caDir: p('cadir'),
    read: (path: string) => readFileSync(path),
  };
}

/** The server-side directives for a TLS-only server on `tlsPort`. */
export function tlsOnlyArgs(c: Certs, tlsPort: number, extra: string[] = []): string[] {
  return ['--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', c.serverCert, '--tls-key-file', c.serverKey, '--tls-ca-cert-file', c.caCert, ...extra];
}
