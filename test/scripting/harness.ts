/**
 * Shared setup of the scripting differential tests: one redis-server and one reddish, each with
 * a RESP2 and a RESP3 connection, and a comparison that reports every differing step at once
 * (a script suite has many small cases; seeing all mismatches together is what makes it useful).
 */
import assert from 'node:assert/strict';
import { RespClient, type Reply } from '../helpers/resp.js';
import { startPair, type Pair, type Step } from '../helpers/differential.js';

export interface ScriptPair extends Pair {
  /** RESP3 connections (HELLO 3) to redis and reddish. */
  a3: RespClient;
  b3: RespClient;
}

export async function startScriptPair(args: string[] = []): Promise<ScriptPair> {
  const pair = await startPair(args);
  const [a3, b3] = await Promise.all([RespClient.connect(pair.redis.port), RespClient.connect(pair.reddish.port)]);
  await Promise.all([a3.call('HELLO', '3'), b3.call('HELLO', '3')]);
  const close = pair.close.bind(pair);
  return Object.assign(pair, {
    a3,
    b3,
    async close() {
      a3.close();
      b3.close();
      await close();
    },
  });
}

export type Normalize = (r: Reply, step: Step) => Reply;

/**
 * Runs every step on both servers (over RESP2, and over RESP3 too unless `resp` says otherwise)
 * and fails with the list of all steps whose replies differ.
 */
export async function sameAll(p: ScriptPair, steps: Step[], opts: { resp?: (2 | 3)[]; normalize?: Normalize } = {}): Promise<Reply[]> {
  const norm = opts.normalize ?? ((r) => r);
  const diffs: string[] = [];
  const out: Reply[] = [];
  for (const step of steps) {
    for (const v of opts.resp ?? [2, 3]) {
      const [ca, cb] = v === 2 ? [p.a, p.b] : [p.a3, p.b3];
      const [ra, rb] = await Promise.all([ca.call(...step), cb.call(...step)]);
      if (v === (opts.resp ?? [2, 3])[0]) out.push(ra);
      try {
        assert.deepStrictEqual(norm(rb, step), norm(ra, step));
      } catch {
        diffs.push(`RESP${v} ${JSON.stringify(step)}\n    redis:   ${JSON.stringify(ra)}\n    reddish: ${JSON.stringify(rb)}`);
      }
    }
  }
  if (diffs.length > 0) assert.fail(`${diffs.length} replies differ:\n  ${diffs.join('\n  ')}`);
  return out;
}

/** EVAL of a script with no keys and the given ARGV. */
export const ev = (script: string, ...argv: (string | number)[]): Step => ['EVAL', script, 0, ...argv];
/** EVAL with keys. */
export const evk = (script: string, keys: string[], ...argv: (string | number)[]): Step => ['EVAL', script, keys.length, ...keys, ...argv];
/** `return <expr>` */
export const ret = (expr: string, ...argv: (string | number)[]): Step => ev(`return ${expr}`, ...argv);
