/**
 * `reddish doctor`: the command-line side of doctor.ts. Prints the report (or JSON) and exits
 * with 0 (full syncs would finish), 3 (a full sync would fail, or replicas were dropped for
 * buffer limits while sampling), 4 (not enough data: no link throughput measured or given),
 * 1 (server unreachable / lost), 2 (bad arguments).
 */
import { Command } from 'commander';
import { runDoctor, formatReport, DoctorError, EXIT_UNREACHABLE } from './doctor.js';
import { UsageError, parseMs, parsePort, parseSize } from './units.js';

interface DoctorCliOptions {
  host: string;
  port: string;
  password?: string;
  user?: string;
  duration: string;
  interval: string;
  json?: boolean;
  linkRate?: string;
  logfile?: string;
  outage?: string;
  margin: string;
  replicas: boolean;
}

const EXAMPLES = `
What it measures: the write-stream rate (master_repl_offset), the snapshot (RDB size, BGSAVE
and load time), each replica's state, omem and link throughput (from the replica's
master_sync_read_bytes when it is reachable, else from the master's total_net_repl_output_bytes),
then predicts whether a full sync finishes under client-output-buffer-limit replica and
repl-backlog-size, shows the arithmetic and recommends values (×2 margin, rounded up to MB).
While sampling it names the cause of every replica drop and full sync (hard limit, soft limit,
timeout, backlog too small, ID mismatch); --logfile makes the causes exact.

Examples:
  $ reddish doctor --port 7000
  $ reddish doctor --port 7000 --duration 30s --logfile /var/log/redis/redis-server.log
  $ reddish doctor -h 10.0.0.5 -p 6379 -a secret --link-rate 3mb     # no replica syncing now
  $ reddish doctor --port 7000 --json | jq .recommendation.commands

Exit status:
  0  full syncs would finish under the current limits
  1  the server is unreachable, or the connection was lost
  2  bad arguments
  3  a full sync would fail (or replicas were dropped for output buffer limits while sampling)
  4  no verdict: writes are flowing but no link throughput was measured (pass --link-rate)
`;

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .helpOption('--help', 'display help for command')
    .description('sample a master and predict whether a replica full sync can finish; recommend client-output-buffer-limit / repl-backlog-size')
    .option('-h, --host <host>', 'master host', '127.0.0.1')
    .option('-p, --port <port>', 'master port', '6379')
    .option('-a, --password <password>', 'AUTH password (also used for the replicas)')
    .option('--user <username>', 'ACL user name')
    .option('-d, --duration <time>', 'how long to sample (e.g. 10s, 1500ms)', '10s')
    .option('-i, --interval <time>', 'time between samples', '500ms')
    .option('--json', 'print the report as JSON')
    .option('--link-rate <bytes/s>', 'link throughput to assume when no replica is transferring an RDB (e.g. 3mb)')
    .option('--logfile <path>', "the master's log file: names the causes exactly")
    .option('--outage <time>', 'disconnection a partial resync must survive (default: repl-timeout)')
    .option('--margin <factor>', 'safety factor of the recommendations', '2')
    .option('--no-replicas', 'do not connect to the replicas')
    .addHelpText('after', EXAMPLES)
    .action(async (o: DoctorCliOptions) => {
      const port = parsePort(o.port);
      const durationMs = parseMs(o.duration, 'duration');
      const intervalMs = parseMs(o.interval, 'interval');
      if (intervalMs < 50) throw new UsageError(`invalid interval '${o.interval}' (at least 50ms)`);
      if (durationMs < intervalMs) throw new UsageError(`invalid duration '${o.duration}' (at least one interval: ${intervalMs} ms)`);
      const linkRate = o.linkRate !== undefined ? parseSize(o.linkRate, 'link rate') : undefined;
      if (linkRate !== undefined && linkRate <= 0) throw new UsageError(`invalid link rate '${o.linkRate}' (expected bytes per second > 0)`);
      const outageSeconds = o.outage !== undefined ? parseMs(o.outage, 'outage') / 1000 : undefined;
      const margin = Number(o.margin);
      if (!(margin >= 1) || !Number.isFinite(margin)) throw new UsageError(`invalid margin '${o.margin}' (expected a number ≥ 1)`);
      let report;
      try {
        report = await runDoctor({
          host: o.host,
          port,
          password: o.password,
          username: o.user,
          durationMs,
          intervalMs,
          linkRate,
          logfile: o.logfile,
          outageSeconds,
          margin,
          noReplicas: !o.replicas,
          onSample: o.json || !process.stderr.isTTY ? undefined : (_s, i) => process.stderr.write(`\rsampling ${o.host}:${port}… ${i + 1}/${Math.floor(durationMs / intervalMs) + 1}`),
        });
      } catch (e) {
        if (e instanceof DoctorError) {
          process.stderr.write(`${o.json || !process.stderr.isTTY ? '' : '\n'}reddish doctor: ${e.message}\n`);
          process.exit(EXIT_UNREACHABLE);
        }
        throw e;
      }
      if (!o.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report) + '\n');
      process.exitCode = report.exitCode;
    });
}
