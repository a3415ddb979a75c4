/**
 * The report folder of `reddish lab case2`: the timeline (JSON and TSV), both servers' logs, the
 * slow link's statistics, and report.html — charts drawn by Chart.js, whose UMD build is inlined
 * so the file opens offline.
 */
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import type { Case2Result, Sample, CaseEvent } from './case2.js';
import { formatBytes, formatInt } from './units.js';

const SAMPLE_COLUMNS: (keyof Sample)[] = [
  't',
  'phase',
  'omem',
  'oll',
  'soft',
  'hard',
  'softSeconds',
  'mReplicaState',
  'mBgsave',
  'mBgsaveSec',
  'mSaveKeysProcessed',
  'mSaveKeysTotal',
  'mOffset',
  'mReplicaAckOffset',
  'mSyncFull',
  'mSyncPartialErr',
  'mSyncPartialOk',
  'mConnectedReplicas',
  'mKeys',
  'mUsedMemory',
  'mReplBuffers',
  'mNetReplOut',
  'rLink',
  'rSyncInProgress',
  'rSyncTotal',
  'rSyncRead',
  'rSyncPerc',
  'rOffset',
  'rReadOffset',
  'rFsbSize',
  'rFsbPeak',
  'rFsbSpilled',
  'rFsbSpilledTotal',
  'linkDownBytes',
  'linkInFlight',
  'linkConns',
  'written',
  'at',
];

const tsvCell = (v: unknown) => (v === undefined || v === null ? '' : String(v).replace(/[\t\n\r]/g, ' '));

export function samplesTsv(samples: Sample[]): string {
  const rows = [SAMPLE_COLUMNS.join('\t')];
  for (const s of samples) rows.push(SAMPLE_COLUMNS.map((c) => tsvCell(c === 't' ? s.t.toFixed(3) : s[c])).join('\t'));
  return rows.join('\n') + '\n';
}

export function eventsTsv(events: CaseEvent[]): string {
  const rows = ['t\tsource\tkind\ttext\twhy\tlog'];
  for (const e of events) rows.push([e.t.toFixed(3), e.source, e.kind, e.text, e.why ?? '', e.log ?? ''].map(tsvCell).join('\t'));
  return rows.join('\n') + '\n';
}

/** The Chart.js UMD bundle, from the installed package. */
export function chartJsSource(): string {
  const req = createRequire(import.meta.url);
  const main = req.resolve('chart.js');
  // main is .../chart.js/dist/chart.cjs; the UMD build sits next to it.
  return readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JSON safe inside a <script> element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
const scriptText = (s: string) => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

export function reportHtml(r: Case2Result, chartJs: string): string {
  const p = r.params;
  const f = r.figures;
  const srv = p.server === 'redis' ? 'redis-server' : 'reddish';
  const row = (k: string, v: string) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`;
  const fmtS = (v?: number) => (v === undefined ? '–' : `${v.toFixed(1)} s`);
  const paramsRows = [
    row('server', `${srv} ${p.serverVersion ?? ''}`),
    row('scale', `${p.scale} (sizes) · time scale ${p.timeScale} (durations)`),
    row('dataset', `${formatInt(p.loadQty)} hashes session:<uuid>, then ${formatInt(p.writeQty)} more during the sync`),
    row('slow link', `${p.linkDelayMs} ms master → replica, ${formatBytes(p.linkWindowBytes)} in flight (≈ ${formatBytes(p.linkBytesPerSec)}/s)`),
    row('snapshot target', p.diskless ? 'replicas sockets (repl-diskless-sync yes)' : 'disk (repl-diskless-sync no)'),
    row('small limit', `client-output-buffer-limit 'slave ${p.limit.hard} ${p.limit.soft} ${p.limit.softSeconds}' (hard ${formatBytes(p.limit.hard)}, soft ${formatBytes(p.limit.soft)} for ${p.limit.softSeconds} s)`),
    row('replication', p.prevent ? 'RDB channel on both nodes (repl-rdb-channel yes, replica-full-sync-buffer-spill yes), the small limit on both' : 'classic full sync (one connection)'),
    row('fix', p.prevent ? 'none (--prevent: the small limit stays)' : `client-output-buffer-limit 'slave ${p.fix.hard} ${p.fix.soft} ${p.fix.softSeconds}' (hard ${formatBytes(p.fix.hard)}, soft ${formatBytes(p.fix.soft)} for ${p.fix.softSeconds} s)`),
    row('write pace', `${formatInt(p.rate)} keys/s — ${p.rateWhy}`),
  ].join('');
  const figRows = [
    row('load', f.loadKeysPerSec !== undefined ? `${formatInt(p.loadQty)} hashes in ${fmtS((f.loadMs ?? 0) / 1000)} (${formatInt(f.loadKeysPerSec)} keys/s)` : '–'),
    row('first snapshot', f.snapshotBytes !== undefined ? formatBytes(f.snapshotBytes) : '–'),
    row('initial sync (direct, no slow link)', fmtS(f.initialSyncMs !== undefined ? f.initialSyncMs / 1000 : undefined)),
    row('first buffer-limit disconnection', f.firstBufferLimitAfterSec !== undefined ? `${f.firstBufferLimitAfterSec.toFixed(1)} s after REPLICAOF` : '–'),
    row('peak replica buffer (small limit)', f.peakOmemBeforeFix !== undefined ? formatBytes(f.peakOmemBeforeFix) : '–'),
    ...(r.prevent
      ? [
          row('replica-side full sync buffer (peak)', r.prevent.replicaBufferPeak !== undefined ? formatBytes(r.prevent.replicaBufferPeak) : '–'),
          row('spilled to disk by the replica', r.prevent.spilledTotal !== undefined ? formatBytes(r.prevent.spilledTotal) : '–'),
          row('full sync under the small limit', fmtS(r.prevent.syncSec)),
        ]
      : []),
    row('peak replica buffer (after the fix)', f.peakOmemAfterFix !== undefined ? formatBytes(f.peakOmemAfterFix) : '–'),
    row('successful full sync', f.fixSyncSec !== undefined ? `${f.fixSyncSec.toFixed(1)} s (finished ${fmtS(f.fixSyncSinceFixSec)} after the fix)` : '–'),
    row('writes', f.writesKeysPerSec !== undefined ? `${formatInt(p.writeQty)} hashes in ${fmtS((f.writesMs ?? 0) / 1000)} (${formatInt(f.writesKeysPerSec)} keys/s)` : '–'),
    row('case / whole run', `${fmtS(f.caseSec)} / ${fmtS(f.totalSec)}`),
  ].join('');
  const checks = r.checks.map((c) => `<li class="${c.ok ? 'ok' : 'bad'}">${c.ok ? '✔' : '✘'} ${esc(c.name)}: ${esc(c.detail)}</li>`).join('');
  const evRows = r.events
    .map(
      (e) =>
        `<tr class="ev-${esc(e.kind)}"><td class="num">${e.t.toFixed(2)}</td><td>${esc(e.source)}</td><td>${esc(e.text)}${e.why ? `<div class="why">${esc(e.why)}</div>` : ''}${
          e.log ? `<div class="log">${esc(e.log)}</div>` : ''
        }</td></tr>`,
    )
    .join('');
  const data = {
    samples: r.samples.filter((s) => s.t >= -1),
    events: r.events.map((e) => ({ t: e.t, source: e.source, kind: e.kind, text: e.text, why: e.why })),
  };
  // Only servers with the rdb channel (reddish; Redis 8) report the replica-side buffer.
  const hasFsb = r.samples.some((s) => s.rFsbSize !== undefined);
  const banner = (ok: boolean, s: string, why?: string) => `<div class="verdict ${ok ? 'ok' : 'bad'}"><b>${esc(s)}</b>${why ? `<div>${esc(why)}</div>` : ''}</div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>reddish lab case2 — ${esc(srv)} — ${esc(r.prevent?.verdict ?? r.loop.verdict)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;padding:24px 32px;color:#1f2328;background:#fafafa;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.sub{color:#57606a;margin-bottom:16px}
.verdict{padding:10px 14px;border-radius:6px;margin:8px 0;font-size:15px}
.verdict.ok{background:#dafbe1;border:1px solid #4ac26b} .verdict.bad{background:#ffebe9;border:1px solid #ff8182}
.verdict div{font-size:13px;color:#333;margin-top:2px}
table{border-collapse:collapse;background:#fff} th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600;white-space:nowrap}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px}
.card h3{margin:0 0 6px;font-size:14px} .card p{margin:4px 0 0;color:#57606a;font-size:12px}
canvas{width:100%!important}
.why{color:#57606a;font-size:12px} .log{font:11px ui-monospace,monospace;color:#6e7781;white-space:pre-wrap;word-break:break-all}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.ev-buffer-limit td{background:#fff0f0} tr.ev-verdict-loop td,tr.ev-verdict-fix td,tr.ev-fix td{background:#f0fff4} tr.ev-sync-finished td{background:#f0fff4}
ul.checks{list-style:none;padding:0} li.ok{color:#1a7f37} li.bad{color:#cf222e}
pre{background:#fff;border:1px solid #d0d7de;padding:8px;overflow:auto;max-height:420px;font-size:11px}
details{margin:6px 0}
@media (max-width:900px){.grid{grid-template-columns:1fr}}
</style></head><body>
<h1>Troubleshooting case 2 on ${esc(srv)}: the full resync that never finishes</h1>
<div class="sub">reddish lab case2 · scale ${p.scale} · ${esc(new Date(r.samples[0]?.at ?? Date.now()).toISOString())}</div>
${r.error ? banner(false, `ERROR: ${r.error}`) : ''}
${r.prevent ? banner(r.prevent.works, r.prevent.verdict, r.prevent.why) : banner(r.loop.reproduced, r.loop.verdict, r.loop.why)}
${!r.prevent && (r.fix.applied || r.loop.reproduced) ? banner(r.fix.works, r.fix.verdict, r.fix.why) : ''}
${checks ? `<ul class="checks">${checks}</ul>` : ''}
<div class="grid">
<div class="card"><h3>Replica output buffer vs the limits</h3><canvas id="c-buffer" height="230"></canvas>
<p>CLIENT LIST TYPE replica <code>omem</code> on the master, sampled every ${p.intervalMs} ms (the fix's hard limit, ${esc(formatBytes(p.fix.hard))}, may be above the chart). Vertical lines: red, buffer-limit disconnections; dashed blue, snapshots for the replica; green, syncs completed; purple, the fix.</p></div>
<div class="card"><h3>Snapshot transfer through the slow link</h3><canvas id="c-transfer" height="230"></canvas>
<p>Replica INFO <code>master_sync_read_bytes</code> / <code>master_sync_total_bytes</code>, and the bytes the link delivered master → replica.</p></div>
<div class="card"><h3>Replication offsets</h3><canvas id="c-offsets" height="230"></canvas>
<p>Master <code>master_repl_offset</code> (it grows with every write) and the replica's <code>slave_repl_offset</code> (it jumps with each snapshot, then follows the stream).</p></div>
<div class="card"><h3>Writes and full syncs</h3><canvas id="c-writes" height="230"></canvas>
<p>Hashes written during the case, INFO stats <code>sync_full</code> and <code>sync_partial_err</code> on the master (since the case started).</p></div>
${
  hasFsb
    ? `<div class="card"><h3>Replica-side full sync buffer (RDB channel)</h3><canvas id="c-fsb" height="230"></canvas>
<p>Replica INFO <code>replica_full_sync_buffer_size</code> (the writes waiting on the replica during the sync, in memory and spilled), <code>replica_full_sync_buffer_spilled</code> and <code>_spilled_total</code> (bytes written to the spill file in <code>dir</code>).</p></div>`
    : ''
}
</div>
<h2>Events</h2>
<div class="card"><canvas id="c-events" height="110"></canvas></div>
<table style="margin-top:8px;width:100%"><tr><th>t (s)</th><th>from</th><th>what happened, and why</th></tr>${evRows}</table>
<h2>Setup</h2><table>${paramsRows}</table>
<h2>Figures</h2><table>${figRows}</table>
<h2>Logs</h2>
<details><summary>master.log (${r.masterLog.split('\n').length} lines)</summary><pre>${esc(r.masterLog)}</pre></details>
<details><summary>replica.log (${r.replicaLog.split('\n').length} lines)</summary><pre>${esc(r.replicaLog)}</pre></details>
<p class="sub">Files next to this report: timeline.json, timeline.tsv, events.tsv, master.log, replica.log, slowlink.json.</p>
<script>${scriptText(chartJs)}</script>
<script>
const DATA = ${scriptJson(data)};
${scriptText(CHART_CODE)}
</script>
</body></html>
`;
}

/** The page's own drawing code (runs in the browser). */
const CHART_CODE = String.raw`
(function () {
  const S = DATA.samples, E = DATA.events;
  const MB = 1024 * 1024;
  const pts = (f) => S.filter((s) => f(s) !== undefined && f(s) !== null).map((s) => ({ x: s.t, y: f(s) }));
  const marks = [
    { kinds: ['buffer-limit'], color: 'rgba(207,34,46,0.8)' },
    { kinds: ['bgsave-for-sync'], color: 'rgba(9,105,218,0.55)' },
    { kinds: ['sync-finished'], color: 'rgba(26,127,55,0.8)' },
    { kinds: ['fix'], color: 'rgba(130,80,223,0.9)' },
  ];
  const eventLines = {
    id: 'eventLines',
    afterDatasetsDraw(chart) {
      const x = chart.scales.x, a = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      for (const m of marks) for (const e of E) {
        if (!m.kinds.includes(e.kind)) continue;
        const px = x.getPixelForValue(e.t);
        if (px < a.left || px > a.right) continue;
        ctx.strokeStyle = m.color; ctx.lineWidth = 1.5; ctx.setLineDash(e.kind === 'bgsave-for-sync' ? [3, 3] : []);
        ctx.beginPath(); ctx.moveTo(px, a.top); ctx.lineTo(px, a.bottom); ctx.stroke();
      }
      ctx.restore();
    },
  };
  const xAxis = { type: 'linear', title: { display: true, text: 'seconds since REPLICAOF through the slow link' } };
  const base = (yTitle, extra) => Object.assign({
    animation: false, parsing: false, normalized: true, responsive: true,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    plugins: { legend: { position: 'bottom' } },
    scales: { x: xAxis, y: { title: { display: true, text: yTitle }, beginAtZero: true } },
    elements: { point: { radius: 0 } },
  }, extra || {});
  const line = (label, data, color, more) => Object.assign({ label, data, borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 0 }, more || {});

  // The axis fits the buffer and the small limit; a raised hard limit far above is cut off.
  const peakOf = (f) => S.reduce((m, s) => Math.max(m, f(s) || 0), 0);
  const firstHard = (S[0] || {}).hard || 0;
  const bufMax = Math.ceil(1.15 * Math.max(peakOf((s) => s.omem), peakOf((s) => s.soft), firstHard) / MB) || undefined;
  new Chart(document.getElementById('c-buffer'), {
    type: 'line',
    data: { datasets: [
      line('replica output buffer (omem, MB)', pts((s) => s.omem === undefined ? undefined : s.omem / MB), '#cf222e', { fill: true, backgroundColor: 'rgba(207,34,46,0.12)' }),
      line('soft limit (MB)', pts((s) => s.soft / MB), '#bf8700', { borderDash: [6, 4], stepped: true }),
      line('hard limit (MB)', pts((s) => s.hard / MB), '#6e7781', { borderDash: [2, 3], stepped: true }),
    ] },
    options: base('MB', { scales: { x: xAxis, y: { title: { display: true, text: 'MB' }, beginAtZero: true, max: bufMax } } }), plugins: [eventLines],
  });

  new Chart(document.getElementById('c-transfer'), {
    type: 'line',
    data: { datasets: [
      line('snapshot received by the replica (MB)', pts((s) => s.rSyncInProgress === 1 && s.rSyncRead !== undefined ? s.rSyncRead / MB : (s.rSyncInProgress === 0 ? 0 : undefined)), '#0969da'),
      line('snapshot size (MB)', pts((s) => s.rSyncInProgress === 1 && s.rSyncTotal > 0 ? s.rSyncTotal / MB : undefined), '#8c959f', { borderDash: [4, 4], spanGaps: false }),
      line('link: bytes delivered master → replica (MB, cumulative)', pts((s) => s.linkDownBytes === undefined ? undefined : s.linkDownBytes / MB), '#1a7f37', { borderWidth: 1 }),
      line('master snapshot running (BGSAVE)', pts((s) => s.mBgsave === undefined ? undefined : s.mBgsave), '#bf8700', { yAxisID: 'y2', stepped: true, borderWidth: 1, fill: true, backgroundColor: 'rgba(191,135,0,0.08)' }),
    ] },
    options: base('MB', { scales: { x: xAxis, y: { title: { display: true, text: 'MB' }, beginAtZero: true }, y2: { position: 'right', min: 0, max: 4, display: false } } }),
    plugins: [eventLines],
  });

  new Chart(document.getElementById('c-offsets'), {
    type: 'line',
    data: { datasets: [
      line('master_repl_offset (MB)', pts((s) => s.mOffset === undefined ? undefined : s.mOffset / MB), '#0969da'),
      line('replica slave_repl_offset (MB)', pts((s) => s.rOffset === undefined ? undefined : s.rOffset / MB), '#cf222e', { borderDash: [5, 3] }),
      line('offset ACKed by the replica (MB)', pts((s) => s.mReplicaAckOffset === undefined ? undefined : s.mReplicaAckOffset / MB), '#1a7f37', { borderWidth: 1 }),
    ] },
    options: base('MB of replication stream'), plugins: [eventLines],
  });

  const sf0 = (S.find((s) => s.mSyncFull !== undefined) || {}).mSyncFull || 0;
  const pe0 = (S.find((s) => s.mSyncPartialErr !== undefined) || {}).mSyncPartialErr || 0;
  new Chart(document.getElementById('c-writes'), {
    type: 'line',
    data: { datasets: [
      line('hashes written', pts((s) => s.written), '#0969da'),
      line('full syncs (sync_full)', pts((s) => s.mSyncFull === undefined ? undefined : s.mSyncFull - sf0), '#cf222e', { yAxisID: 'y2', stepped: true }),
      line('refused partial syncs (sync_partial_err)', pts((s) => s.mSyncPartialErr === undefined ? undefined : s.mSyncPartialErr - pe0), '#bf8700', { yAxisID: 'y2', stepped: true, borderDash: [4, 3] }),
    ] },
    options: base('hashes', { scales: { x: xAxis, y: { title: { display: true, text: 'hashes' }, beginAtZero: true }, y2: { position: 'right', beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'count' }, grid: { drawOnChartArea: false } } } }),
    plugins: [eventLines],
  });

  if (document.getElementById('c-fsb')) new Chart(document.getElementById('c-fsb'), {
    type: 'line',
    data: { datasets: [
      line('replica-side buffer (MB)', pts((s) => s.rFsbSize === undefined ? undefined : s.rFsbSize / MB), '#8250df', { fill: true, backgroundColor: 'rgba(130,80,223,0.12)' }),
      line('of which spilled to disk (MB)', pts((s) => s.rFsbSpilled === undefined ? undefined : s.rFsbSpilled / MB), '#bf8700'),
      line('spilled in total (MB)', pts((s) => s.rFsbSpilledTotal === undefined ? undefined : s.rFsbSpilledTotal / MB), '#6e7781', { borderDash: [4, 3] }),
      line('master-side replica buffer (omem, MB)', pts((s) => s.omem === undefined ? undefined : s.omem / MB), '#cf222e', { borderWidth: 1 }),
    ] },
    options: base('MB'), plugins: [eventLines],
  });

  const lanes = { lab: 0, master: 1, replica: 2 };
  const colorOf = (k) => k === 'buffer-limit' ? '#cf222e' : k === 'sync-finished' || k.startsWith('verdict') || k === 'fix' ? '#1a7f37' : k === 'bgsave-for-sync' ? '#0969da' : '#8c959f';
  const evPts = E.map((e) => ({ x: e.t, y: lanes[e.source], text: e.text + (e.why ? ' — ' + e.why : ''), c: colorOf(e.kind) }));
  new Chart(document.getElementById('c-events'), {
    type: 'scatter',
    data: { datasets: [{ label: 'events', data: evPts, pointRadius: 5, pointBackgroundColor: evPts.map((p) => p.c), borderColor: evPts.map((p) => p.c) }] },
    options: {
      animation: false, responsive: true,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => 't=' + c.raw.x.toFixed(1) + 's ' + c.raw.text } } },
      scales: { x: xAxis, y: { min: -0.5, max: 2.5, ticks: { stepSize: 1, callback: (v) => ['lab', 'master', 'replica'][v] ?? '' } } },
    },
    plugins: [eventLines],
  });
})();
`;

/** Writes the report folder; returns the files written. */
export function writeReport(outDir: string, r: Case2Result): { html: string; all: string[] } {
  mkdirSync(outDir, { recursive: true });
  const files: [string, string][] = [
    ['timeline.json', JSON.stringify({ ...r, masterLog: undefined, replicaLog: undefined }, null, 1)],
    ['timeline.tsv', samplesTsv(r.samples)],
    ['events.tsv', eventsTsv(r.events)],
    ['master.log', r.masterLog],
    ['replica.log', r.replicaLog],
    ['slowlink.json', JSON.stringify(r.linkStats ?? null, null, 1)],
    ['report.html', reportHtml(r, chartJsSource())],
  ];
  const all: string[] = [];
  for (const [name, text] of files) {
    const path = join(outDir, name);
    writeFileSync(path, text);
    all.push(path);
  }
  return { html: join(outDir, 'report.html'), all };
}
