/** `reddish lab case2`: the command-line side of case2.ts (options, live view, report, exit status). */
import { Command, Option } from 'commander';
import { resolve as resolvePath } from 'node:path';
import { runCase2, defaultTimeScale, scaledLimits, COURSE, Case2Error, type CaseEvent, type LiveState, type Phase, type ServerKind, type Case2Result } from './case2.js';
import { writeReport } from './report.js';
import { UsageError, parsePositive, parseCount, formatBytes, formatInt } from './units.js';
import { hasRedisServer } from './processes.js';

interface Case2CliOptions {
  server: string;
  scale: string;
  timeScale?: string;
  out?: string;
  diskless?: boolean;
  prevent?: boolean;
  keep?: boolean;
  timeout?: string;
  rate?: string;
  loops: string;
  seed: string;
  interval: string;
  live: boolean;
  color?: boolean;
}

function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export function parseServerKind(s: string): ServerKind {
  const t = s.trim().toLowerCase();
  if (t === 'reddish' || t === 'reddish-server') return 'reddish';
  if (t === 'redis' || t === 'redis-server') return 'redis';
  throw new UsageError(`invalid --server '${s}' (expected reddish or redis-server)`);
}

function bar(frac: number, width = 20): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(frac) ? frac : 0));
  const n = Math.round(f * width);
  return '█'.repeat(n) + '░'.repeat(width - n);
}

const sec = (t: number) => `${t >= 0 ? '+' : ''}${t.toFixed(1)}s`;

/** The live view: events as lines, and (on a terminal) a status block redrawn below them. */
class LiveView {
  private block: string[] = [];
  private lastPlain = 0;
  private state: LiveState | undefined;
  private phaseText = '';
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly tty: boolean,
    private readonly color: boolean,
    private readonly header: string,
  ) {}

  private c(code: string, s: string): string {
    return this.color ? `\x1b[${code}m${s}\x1b[0m` : s;
  }

  private erase(): void {
    if (this.tty && this.block.length) this.out.write(`\x1b[${this.block.length}A\x1b[J`);
    this.block = [];
  }

  private draw(): void {
    if (!this.tty || !this.state) return;
    const lines = this.render(this.state);
    this.out.write(lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    this.block = lines;
  }

  line(s: string): void {
    this.erase();
    this.out.write(s + '\n');
    this.draw();
  }

  phase(p: Phase, text: string): void {
    this.phaseText = text;
    if (p === 'done') return;
    this.line(this.c('1', `== ${p}: ${text}`));
  }

  event(e: CaseEvent): void {
    // The initial sync's log lines go to the report only.
    if (e.setup && e.source !== 'lab') return;
    const src = e.source.padEnd(7);
    const important = e.kind === 'buffer-limit' || e.kind.startsWith('verdict') || e.kind === 'error' || e.kind === 'sync-finished' || e.kind === 'fix';
    let text = `${sec(e.t).padStart(8)} ${src} ${e.text}`;
    if (e.why) text += this.c('2', ` — ${e.why}`);
    if (e.kind === 'buffer-limit' || e.kind === 'error') text = this.c('31', text);
    else if (important) text = this.c('32', text);
    this.line(text);
  }

  sample(st: LiveState): void {
    this.state = st;
    if (this.tty) {
      this.erase();
      this.draw();
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain < 5000 || (st.phase !== 'loop' && st.phase !== 'fix')) return;
    this.lastPlain = now;
    const tr = st.transfer ? ` | transfer ${st.transfer.total > 0 ? `${Math.round((100 * st.transfer.read) / st.transfer.total)}% ` : ''}${formatBytes(st.transfer.read)}${st.transfer.total > 0 ? `/${formatBytes(st.transfer.total)}` : ''}` : '';
    this.out.write(
      `${sec(st.t).padStart(8)} status  ${st.phase}: full syncs ${st.fullSyncs}, buffer-limit disconnections ${st.drops} | buffer ${formatBytes(st.omem)} (soft ${formatBytes(st.limit.soft)}/${st.limit.softSeconds}s, hard ${formatBytes(st.limit.hard)})` +
        `${st.snapshotRunning ? ' | snapshot running' : ''}${tr} | writes ${formatInt(st.written)}/${formatInt(st.writeQty)}\n`,
    );
  }

  private render(st: LiveState): string[] {
    const L = st.limit;
    const snap = st.snapshotRunning
      ? `running ${st.snapshotSec ?? 0} s` + (st.snapshotKeys ? ` [${bar(st.snapshotKeys[0] / st.snapshotKeys[1], 20)}] ${formatInt(st.snapshotKeys[0])}/${formatInt(st.snapshotKeys[1])} keys` : '')
      : 'not running';
    const tr = st.transfer
      ? st.transfer.total > 0
        ? `[${bar(st.transfer.read / st.transfer.total)}] ${((100 * st.transfer.read) / st.transfer.total).toFixed(0).padStart(3)}%  ${formatBytes(st.transfer.read)} / ${formatBytes(st.transfer.total)}  ${formatBytes(st.transfer.rate)}/s`
        : `waiting for the snapshot (${formatBytes(st.transfer.read)} read)`
      : `link ${formatBytes(st.linkRate)}/s`;
    const over = st.overSoftFor > 0 ? this.c('33', ` above soft for ${st.overSoftFor.toFixed(1)} s / ${L.softSeconds} s`) : '';
    const bufFrac = L.hard > 0 ? st.omem / L.hard : 0;
    const buf = `[${bar(bufFrac)}] ${formatBytes(st.omem).padStart(9)}  soft ${formatBytes(L.soft)} (${L.softSeconds} s)  hard ${formatBytes(L.hard)}${over}`;
    const wr = `[${bar(st.written / Math.max(1, st.writeQty))}] ${formatInt(st.written)} / ${formatInt(st.writeQty)} hashes  ${formatInt(st.writeRate)} keys/s`;
    const last = st.lastEvent ? `${sec(st.lastEvent.t)} ${st.lastEvent.text}${st.lastEvent.why ? ` — ${st.lastEvent.why}` : ''}` : '';
    const cols = this.out.columns || 120;
    const cut = (s: string) => (s.length > cols - 1 ? s.slice(0, cols - 2) + '…' : s);
    return [
      this.c('7', cut(` ${this.header} · t=${sec(st.t)} · ${st.phase}: ${this.phaseText} `)),
      ` snapshot   ${snap}`,
      ` transfer   ${tr}`,
      ` buffer     ${buf}`,
      ` writes     ${wr}`,
      ` full syncs ${this.c('1', String(st.fullSyncs))}   buffer-limit disconnections ${this.c('1', String(st.drops))}`,
      cut(` last       ${last}`),
    ];
  }

  finish(): void {
    this.erase();
  }
}

export function registerLab(program: Command): Command {
  const lab = program.command('lab').summary('reproduce the course\'s troubleshooting cases end to end').description('Runs a whole troubleshooting case on this machine: servers, slow link, data, verdict, report.');
  lab
    .command('case2')
    .summary('the full resync that never finishes (client-output-buffer-limit), then the course\'s fix')
    .description(
      'Troubleshooting case 2 of the course, on one machine: a master and a replica, the slow link between them (tc netem delay 1000ms in user space), ' +
        `2,000,000 hashes, the small replica output buffer limit ('slave ${COURSE.limit.hard} ${COURSE.limit.soft} ${COURSE.limit.softSeconds}'), ` +
        'REPLICAOF NO ONE, FLUSHALL, REPLICAOF through the link, and 1,000,000 more hashes written while the snapshot runs.\n\n' +
        'It watches both servers, shows what happens and why, prints `LOOP REPRODUCED (n full syncs, m buffer-limit disconnections)`, ' +
        `applies the course's fix ('slave ${COURSE.fix.hard} ${COURSE.fix.soft} ${COURSE.fix.softSeconds}') and prints \`FIX WORKS (sync completed in s seconds)\` or why not. ` +
        'A report folder gets the timeline (JSON, TSV), both logs and an HTML report with charts.\n\n' +
        '--scale multiplies the sizes (keys and limits); durations (soft seconds) are multiplied by --time-scale ' +
        '(default min(1, max(0.2, 2 x scale))) and the link is slowed to match, so the case keeps its proportions.\n\n' +
        'With --prevent (reddish only) both nodes use the RDB channel (Redis 8\'s rdb-channel replication: the writes made during the sync ' +
        'wait on the replica, spilled to disk past its limit, instead of in the master\'s output buffer); the same small limit and writes then end with ' +
        '`PREVENTED (sync completed in N s under the small limit; ...)` or `NOT PREVENTED (...)` and why, without the fix phase.\n\n' +
        'Exit status: 0 when the loop happened and the fix worked (--prevent: when the sync completed under the small limit), 1 otherwise, 2 for bad arguments.',
    )
    .addOption(new Option('--server <name>', 'reddish | redis-server').default('reddish'))
    .option('--scale <factor>', 'sizes: 1 = the course (2,000,000 + 1,000,000 hashes, 128 MB limit); 0.1 = 200,000 + 100,000', '1')
    .option('--time-scale <factor>', 'durations (soft-limit seconds, link speed); default min(1, max(0.2, 2 x scale))')
    .option('--out <dir>', 'report folder (default ./case2-report-<timestamp>)')
    .option('--diskless', 'ship the snapshot over the socket (repl-diskless-sync yes) instead of dump.rdb')
    .option('--prevent', 'reddish only: both nodes speak Redis 8\'s rdb channel (repl-rdb-channel yes, spilling on, diskless) under the same small limit; prints PREVENTED or NOT PREVENTED, no fix phase')
    .option('--rate <keys/s>', 'pace of the 1,000,000-hash writes (default: computed from the snapshot size and the link)')
    .option('--loops <n>', 'buffer-limit disconnections to see before the fix; it is then applied as soon as the next sync\'s buffer passes the small soft limit again', '1')
    .option('--timeout <seconds>', 'give up after this long (default 10 min + scale x 20 min)')
    .option('--seed <seed>', 'seed of the generated data', 'case2')
    .option('--interval <ms>', 'sampling interval of INFO and CLIENT LIST', '250')
    .option('--keep', 'leave both servers running at the end until Ctrl-C')
    .option('--no-live', 'no redrawn status block (plain lines, the default when stdout is not a terminal)')
    .addOption(new Option('--no-color', 'no colours'))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ reddish lab case2 --scale 0.1                          # 200,000 + 100,000 hashes on reddish, ~1 min\n' +
        '  $ reddish lab case2 --scale 0.1 --server redis-server    # the same on the real Redis\n' +
        '  $ reddish lab case2 --scale 0.1 --prevent                # the RDB channel under the same small limit\n' +
        '  $ reddish lab case2 --server redis-server --out ./case2  # the course at full scale (several minutes)',
    )
    .action(async (o: Case2CliOptions) => {
      const server = parseServerKind(o.server);
      if (o.prevent && server === 'redis')
        throw new UsageError(
          "--prevent needs the RDB channel (Redis 8's rdb-channel replication, repl-rdb-channel); redis-server 7.0 has no such channel: its full sync always keeps the writes in the master's output buffer. Use --server reddish",
        );
      const scale = parsePositive(o.scale, 'scale');
      if (scale > 10) throw new UsageError(`invalid scale '${o.scale}' (at most 10)`);
      const timeScale = o.timeScale !== undefined ? parsePositive(o.timeScale, 'time scale') : defaultTimeScale(scale);
      const loops = parseCount(o.loops, 'loops');
      if (loops < 1) throw new UsageError(`invalid --loops '${o.loops}' (at least 1)`);
      const rate = o.rate !== undefined ? parsePositive(o.rate, 'rate') : undefined;
      const timeoutMs = o.timeout !== undefined ? parsePositive(o.timeout, 'timeout') * 1000 : undefined;
      const intervalMs = parsePositive(o.interval, 'interval');
      if (server === 'redis' && !hasRedisServer()) throw new Case2Error('redis-server is not installed (apt-get install redis-server), or use --server reddish');
      const outDir = resolvePath(o.out ?? `case2-report-${stamp()}`);
      const tty = Boolean(process.stdout.isTTY) && o.live;
      const color = o.color !== false && Boolean(process.stdout.isTTY);
      const lim = scaledLimits(COURSE.limit, scale, timeScale);
      const fix = scaledLimits(COURSE.fix, scale, timeScale);
      const view = new LiveView(process.stdout, tty, color, `case2 · ${server === 'redis' ? 'redis-server' : 'reddish'} · scale ${scale}${o.prevent ? ' · --prevent' : ''}`);
      view.line(
        `reddish lab case2: ${server === 'redis' ? 'redis-server' : 'reddish'}, scale ${scale} (${formatInt(COURSE.loadQty * scale)} + ${formatInt(COURSE.writeQty * scale)} hashes), ` +
          `time scale ${timeScale}; limit '${lim.hard} ${lim.soft} ${lim.softSeconds}', ` +
          (o.prevent ? 'rdb channel on both nodes, no fix' : `fix '${fix.hard} ${fix.soft} ${fix.softSeconds}'`) +
          `; report in ${outDir}`,
      );
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      let r: Case2Result;
      try {
        r = await runCase2({
          server,
          scale,
          timeScale,
          outDir,
          diskless: o.diskless,
          prevent: o.prevent,
          keep: o.keep,
          timeoutMs,
          rate,
          loops,
          seed: o.seed,
          intervalMs,
          signal: abort.signal,
          onEvent: (e) => view.event(e),
          onSample: (_s, st) => view.sample(st),
          onPhase: (p, text) => view.phase(p, text),
        });
      } finally {
        process.off('SIGINT', onSigint);
        view.finish();
      }
      const files = writeReport(outDir, r);
      const out = process.stdout;
      const paint = (ok: boolean, s: string) => (color ? `\x1b[1;${ok ? 32 : 31}m${s}\x1b[0m` : s);
      out.write('\n');
      if (r.error) out.write(paint(false, `ERROR: ${r.error}`) + '\n');
      if (r.prevent) {
        out.write(paint(r.prevent.works, r.prevent.verdict) + '\n');
        if (r.prevent.why) out.write(`  ${r.prevent.why}\n`);
      } else if (!o.prevent) {
        out.write(paint(r.loop.reproduced, r.loop.verdict) + '\n');
        if (r.loop.why) out.write(`  ${r.loop.why}\n`);
      }
      if (!o.prevent && (r.fix.applied || r.loop.reproduced)) {
        out.write(paint(r.fix.works, r.fix.works ? r.fix.verdict : `${r.fix.verdict}${r.fix.why ? `: ${r.fix.why}` : ''}`) + '\n');
        if (r.fix.works && r.fix.why) out.write(`  ${r.fix.why}\n`);
      }
      for (const c of r.checks) out.write(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
      const f = r.figures;
      out.write(
        `figures: load ${f.loadKeysPerSec !== undefined ? formatInt(f.loadKeysPerSec) + ' keys/s' : '-'}, snapshot ${f.snapshotBytes !== undefined ? formatBytes(f.snapshotBytes) : '-'}, ` +
          `writes ${f.writesKeysPerSec !== undefined ? formatInt(f.writesKeysPerSec) + ' keys/s' : r.params.rate ? `paced at ${formatInt(r.params.rate)} keys/s` : '-'}, ` +
          `first drop after ${f.firstBufferLimitAfterSec !== undefined ? f.firstBufferLimitAfterSec.toFixed(1) + ' s' : '-'}, case ${f.caseSec !== undefined ? f.caseSec.toFixed(0) + ' s' : '-'}, total ${f.totalSec !== undefined ? f.totalSec.toFixed(0) + ' s' : '-'}\n`,
      );
      out.write(`report: ${files.html}\n        (${files.all.map((p) => p.replace(outDir + '/', '')).join(', ')})\n`);
      if (o.keep && r.pids.master) {
        out.write(`servers left running: master 127.0.0.1:${r.ports.master} (pid ${r.pids.master}), replica 127.0.0.1:${r.ports.replica} (pid ${r.pids.replica}); Ctrl-C stops them\n`);
        await new Promise<void>((res) => process.once('SIGINT', () => res()));
        for (const pid of [r.pids.master, r.pids.replica]) {
          try {
            if (pid) process.kill(pid, 'SIGTERM');
          } catch {
            // already gone
          }
        }
      }
      process.exitCode = r.ok ? 0 : 1;
    });
  return lab;
}
