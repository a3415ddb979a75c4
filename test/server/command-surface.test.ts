/**
 * The command surface against redis-server 7.0.15: COMMAND LIST may differ only by commands of
 * the areas that have their own open work (scripting, streams, HyperLogLog, GEO, ACL,
 * cluster, modules). The difference is printed so the remaining gap is visible in every run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPair } from '../helpers/differential.js';
import { hasRedisServer } from '../helpers/servers.js';
import { plain } from '../helpers/resp.js';

const OTHER_AREAS: [area: string, match: RegExp][] = [
  ['scripting', /^(eval|eval_ro|evalsha|evalsha_ro|script(\|.*)?|function(\|.*)?|fcall|fcall_ro)$/],
  ['streams', /^x[a-z]+(\|.*)?$/],
  ['hyperloglog', /^pf[a-z]+$/],
  ['geo', /^geo[a-z_]+$/],
  ['acl', /^acl(\|.*)?$/],
  ['cluster', /^(cluster(\|.*)?|asking|readonly|readwrite|migrate|restore-asking)$/],
  ['modules', /^module(\|.*)?$/],
];

function areaOf(name: string): string | null {
  for (const [area, re] of OTHER_AREAS) if (re.test(name)) return area;
  return null;
}

test('COMMAND LIST differs from redis-server 7.0.15 only by the areas of other open work', { skip: !hasRedisServer() && 'redis-server not installed' }, async () => {
  const pair = await startPair();
  try {
    const redis = new Set(plain(await pair.a.call('COMMAND', 'LIST')) as string[]);
    const reddish = new Set(plain(await pair.b.call('COMMAND', 'LIST')) as string[]);
    const missing = [...redis].filter((n) => !reddish.has(n)).sort();
    const extra = [...reddish].filter((n) => !redis.has(n)).sort();
    const byArea = new Map<string, string[]>();
    for (const n of missing) {
      const area = areaOf(n) ?? 'THIS AREA (must be empty)';
      byArea.set(area, [...(byArea.get(area) ?? []), n]);
    }
    console.log(`COMMAND LIST: redis-server ${redis.size}, reddish ${reddish.size}; missing ${missing.length}:`);
    for (const [area, names] of byArea) console.log(`  ${area} (${names.length}): ${names.join(' ')}`);
    assert.deepEqual(extra, [], 'reddish has commands redis-server 7.0.15 does not');
    assert.deepEqual(
      missing.filter((n) => areaOf(n) === null),
      [],
      'commands outside the other open areas are missing',
    );
  } finally {
    await pair.close();
  }
});
