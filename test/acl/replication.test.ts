/**
 * A replica authenticating with `masteruser` / `masterauth` as a restricted replication user
 * (+psync +replconf +ping), in every pairing of redis-server and reddish: the master's default
 * user has a password, the replica syncs as the user (CLIENT LIST shows it), data matches; a
 * user without +psync is refused and the master's ACL LOG shows why.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasRedisServer } from '../helpers/servers.js';
import { Fleet, waitFor, waitInSync, digest, info } from '../helpers/replication.js';

const skip = hasRedisServer() ? false : 'redis-server is not installed';
const fleet = new Fleet();
after(async () => {
  await fleet.close();
});

const PAIRS: ['redis' | 'reddish', 'redis' | 'reddish'][] = [
  ['redis', 'reddish'],
  ['reddish', 'redis'],
  ['reddish', 'reddish'],
];

for (const [masterKind, replicaKind] of PAIRS) {
  test(`${replicaKind} replica of a ${masterKind} master as a restricted ACL user`, { skip, timeout: 60000 }, async () => {
    const m = await fleet.start(masterKind);
    // Set on the open connection, which stays authenticated: new connections need a password.
    await m.c.call('CONFIG', 'SET', 'requirepass', 'adminpw');
    await m.c.call('ACL', 'SETUSER', 'repl', 'on', '>replpw', '+psync', '+replconf', '+ping');
    await m.c.call('ACL', 'SETUSER', 'nosync', 'on', '>pw', '+replconf', '+ping');
    for (let i = 0; i < 50; i++) await m.c.set(`k${i}`, `v${i}`);
    await m.c.hset('h', 'f', 'v');

    // Refused first: the user may not PSYNC.
    const r = await fleet.start(replicaKind, ['--masteruser', 'nosync', '--masterauth', 'pw']);
    await r.c.call('REPLICAOF', '127.0.0.1', String(m.s.port));
    await waitFor('the PSYNC refusal in the master ACL LOG', async () => {
      const log = (await m.c.call('ACL', 'LOG')) as unknown[][];
      return log.some((e) => e.includes('psync') && e.includes('nosync'));
    });
    assert.equal((await info(r.c, 'replication')).master_link_status, 'down');

    // Then as the replication user.
    await r.c.call('CONFIG', 'SET', 'masteruser', 'repl');
    await r.c.call('CONFIG', 'SET', 'masterauth', 'replpw');
    await r.c.call('REPLICAOF', 'NO', 'ONE');
    await r.c.call('REPLICAOF', '127.0.0.1', String(m.s.port));
    await waitInSync(m.c, r.c);
    await m.c.set('after', 'sync');
    await m.c.call('MULTI');
    await m.c.incr('n');
    await m.c.call('EXEC');
    await waitInSync(m.c, r.c);
    assert.equal(await digest(r.c), await digest(m.c));
    const clients = (await m.c.call('CLIENT', 'LIST', 'TYPE', 'replica')) as string;
    assert.match(clients, / flags=S .* user=repl /);
    // The replica's own view of its master link: the master client runs as no user.
    const own = (await r.c.call('CLIENT', 'LIST', 'TYPE', 'master')) as string;
    assert.match(own, / user=\(superuser\) /);
    await r.c.call('REPLICAOF', 'NO', 'ONE');
  });
}
