/**
 * Writes src/commands/docs/<group>.ts from what a running redis-server 7.0.15 reports in
 * COMMAND INFO and COMMAND DOCS for each of its commands, including those reddish does not
 * have yet, so that a command gets its metadata as soon as a family module registers it:
 *
 *   node dist/test/commands/command-meta-gen.js <redis-port>
 *
 * Every entry is checked to read back to exactly what redis-server said. Without arguments
 * (as when the test runner loads every file under test/) it does nothing.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RespClient, type Reply } from '../helpers/resp.js';
import { ROOT } from '../helpers/servers.js';
import { formatArgs, parseArgs } from '../../src/commands/docs/args.js';
import { formatKeySpec, parseKeySpec, type KeySpec, type KeyFlag } from '../../src/commands/keyspecs.js';
import type { CommandArg } from '../../src/commands/registry.js';
import type { DocMeta } from '../../src/commands/docs/index.js';
import { implicitCategories, GROUP_CATEGORY } from '../../src/commands/registry.js';

type M = Map<string, Reply>;
const asMap = (r: Reply): M => {
  assert.equal(r.t, 'map');
  return new Map((r as { v: [Reply, Reply][] }).v.map(([k, v]) => [(k as { v: string }).v, v]));
};
const str = (r: Reply | undefined): string => (r as { v: string }).v;
const list = (r: Reply | undefined): Reply[] => (r as { v: Reply[] }).v;
const num = (r: Reply | undefined): number => Number((r as { v: string }).v);

function toArg(r: Reply): CommandArg {
  const m = asMap(r);
  const known = new Set(['name', 'type', 'key_spec_index', 'token', 'since', 'deprecated_since', 'flags', 'arguments']);
  for (const k of m.keys()) assert.ok(known.has(k), `unknown argument field ${k}`);
  const a: CommandArg = { name: str(m.get('name')), type: str(m.get('type')) as CommandArg['type'] };
  if (m.has('key_spec_index')) a.keySpecIndex = num(m.get('key_spec_index'));
  if (m.has('token')) a.token = str(m.get('token'));
  if (m.has('since')) a.since = str(m.get('since'));
  if (m.has('deprecated_since')) a.deprecatedSince = str(m.get('deprecated_since'));
  for (const f of m.has('flags') ? list(m.get('flags')).map(str) : []) {
    if (f === 'optional') a.optional = true;
    else if (f === 'multiple') a.multiple = true;
    else if (f === 'multiple_token') a.multipleToken = true;
    else assert.fail(`unknown argument flag ${f}`);
  }
  if (m.has('arguments')) a.arguments = list(m.get('arguments')).map(toArg);
  return a;
}

function toKeySpec(r: Reply): KeySpec {
  const m = asMap(r);
  const b = asMap(m.get('begin_search')!);
  const bs = asMap(b.get('spec')!);
  const f = asMap(m.get('find_keys')!);
  const fs = asMap(f.get('spec')!);
  const spec: KeySpec = {
    flags: list(m.get('flags')).map(str) as KeyFlag[],
    begin:
      str(b.get('type')) === 'index'
        ? { type: 'index', index: num(bs.get('index')) }
        : str(b.get('type')) === 'keyword'
          ? { type: 'keyword', keyword: str(bs.get('keyword')), startfrom: num(bs.get('startfrom')) }
          : { type: 'unknown' },
    find:
      str(f.get('type')) === 'range'
        ? { type: 'range', lastkey: num(fs.get('lastkey')), keystep: num(fs.get('keystep')), limit: num(fs.get('limit')) }
        : str(f.get('type')) === 'keynum'
          ? { type: 'keynum', keynumidx: num(fs.get('keynumidx')), firstkey: num(fs.get('firstkey')), keystep: num(fs.get('keystep')) }
          : { type: 'unknown' },
  };
  if (m.has('notes')) spec.notes = str(m.get('notes'));
  return spec;
}

function q(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

async function main(redisPort: number): Promise<void> {
  const a = await RespClient.connect(redisPort);
  await a.call('HELLO', '3');
  const names = new Set(list(await a.call('COMMAND', 'LIST')).map(str));
  const groups = new Map<string, [string, DocMeta][]>();
  for (const name of [...names].sort()) {
    const info = list(list(await a.call('COMMAND', 'INFO', name))[0]);
    const docsReply = asMap(await a.call('COMMAND', 'DOCS', name));
    const d = asMap(docsReply.get(name)!);
    const known = ['summary', 'since', 'group', 'complexity', 'doc_flags', 'deprecated_since', 'replaced_by', 'history', 'arguments', 'subcommands'];
    for (const k of d.keys()) assert.ok(known.includes(k), `${name}: unknown docs field ${k}`);
    const meta: DocMeta = { summary: str(d.get('summary')), since: str(d.get('since')) };
    if (d.has('complexity')) meta.complexity = str(d.get('complexity'));
    if (d.has('arguments')) {
      const args = list(d.get('arguments')).map(toArg);
      meta.args = formatArgs(args);
      assert.deepStrictEqual(parseArgs(meta.args), args, `${name}: argument notation does not read back`);
    }
    if (d.has('history')) meta.history = list(d.get('history')).map((h) => list(h).map(str).join(' '));
    const docFlags = d.has('doc_flags') ? list(d.get('doc_flags')).map(str) : [];
    assert.equal(docFlags.includes('deprecated'), d.has('deprecated_since'), name);
    assert.equal(d.has('replaced_by'), d.has('deprecated_since'), name);
    if (d.has('deprecated_since')) meta.deprecated = [str(d.get('deprecated_since')), str(d.get('replaced_by'))];
    if (docFlags.includes('syscmd')) meta.syscmd = true;
    assert.ok(docFlags.every((f) => f === 'deprecated' || f === 'syscmd'), name);
    const specs = list(info[8]).map(toKeySpec);
    if (specs.length) {
      meta.keys = specs.map(formatKeySpec);
      assert.deepStrictEqual(meta.keys.map(parseKeySpec), specs, `${name}: key spec notation does not read back`);
    }
    const tips = list(info[7]).map(str);
    if (tips.length) meta.tips = tips;
    // ACL categories: record the explicit ones only when the group's category is not all.
    const flags = list(info[2]).map(str);
    const cats = list(info[6]).map((c) => str(c).slice(1));
    const group = str(d.get('group'));
    const explicit = cats.filter((c) => !implicitCategories(new Set(flags), cats.includes('scripting')).includes(c));
    const isContainer = list(info[9]).length > 0;
    const derived = !isContainer && GROUP_CATEGORY[group] ? [GROUP_CATEGORY[group]] : [];
    if (explicit.join() !== derived.join()) meta.acl = explicit;
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group)!.push([name, meta]);
  }
  a.close();
  for (const [group, entries] of groups) {
    const id = group.toUpperCase().replace(/-/g, '_');
    const lines = [
      `/** COMMAND DOCS / INFO metadata of the "${group}" group, as redis-server 7.0.15 reports it (see ./index.ts). */`,
      `import type { DocTable } from './index.js';`,
      '',
      `export const ${id}: DocTable = {`,
    ];
    for (const [name, m] of entries) {
      lines.push(`  ${/^[a-z_][a-z0-9_]*$/.test(name) ? name : q(name)}: {`);
      lines.push(`    summary: ${q(m.summary)},`);
      lines.push(`    since: ${q(m.since)},`);
      if (m.complexity !== undefined) lines.push(`    complexity: ${q(m.complexity)},`);
      if (m.args !== undefined) lines.push(`    args: ${q(m.args)},`);
      if (m.history) lines.push(`    history: [${m.history.map(q).join(', ')}],`);
      if (m.deprecated) lines.push(`    deprecated: [${m.deprecated.map(q).join(', ')}],`);
      if (m.syscmd) lines.push(`    syscmd: true,`);
      if (m.keys) lines.push(`    keys: [${m.keys.map(q).join(', ')}],`);
      if (m.tips) lines.push(`    tips: [${m.tips.map(q).join(', ')}],`);
      if (m.acl) lines.push(`    acl: [${m.acl.map(q).join(', ')}],`);
      lines.push('  },');
    }
    lines.push('};', '');
    writeFileSync(join(ROOT, 'src', 'commands', 'docs', `${group}.ts`), lines.join('\n'));
    console.log(`${group}: ${entries.length} commands`);
  }
}

if (/^[0-9]+$/.test(process.argv[2] ?? '')) await main(Number(process.argv[2]));
