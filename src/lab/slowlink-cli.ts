/**
 * `reddish slowlink --listen <port> --target <host:port>`: the command-line side of slowlink.ts,
 * with its control interface: commands on stdin and/or a control port (one command a line),
 * and signals (SIGUSR1 pauses/resumes, SIGUSR2 cuts/restores).
 */
import net from 'node:net';
import readline from 'node:readline';
import { Command } from 'commander';
import { SlowLink, formatStats, describeLink, DEFAULT_WINDOW_BYTES, type SlowLinkStats } from './slowlink.js';
import { UsageError, parseHostPort, parseMs, parsePort, parseSize } from './units.js';

interface SlowlinkCliOptions {
  listen: string;
  listenHost: string;
  target: string;
  delay?: string;
  delayUp?: string;
  delayDown?: string;
  window: string;
  rate?: string;
  statsInterval: string;
  control?: string;
  stdin: boolean;
}

export const CONTROL_HELP = [
  'pause            freeze the link (nothing read, delivered or acknowledged)',
  'resume           unfreeze it',
  'cut              drop every connection; refuse new ones until restore',
  'restore          accept connections again',
  'stats            print the current stats',
  'set delay <ms>   | set delay-up <ms> | set delay-down <ms>',
  'set window <size> | set rate <size per s | off>',
  'help             this list',
  'quit             close this control connection (on stdin: stop slowlink)',
].join('\n');

/**
 * Runs one control command against `link`; returns the reply text (may be multi-line).
 * Throws UsageError for a bad command.
 */
export function controlCommand(link: SlowLink, line: string): string {
  const [cmd, ...args] = line.trim().split(/\s+/);
  switch ((cmd ?? '').toLowerCase()) {
    case '':
      return '';
    case 'pause':
      link.pause();
      return `OK ${link.state}`;
    case 'resume':
      link.resume();
      return `OK ${link.state}`;
    case 'cut':
      link.cut();
      return `OK ${link.state}`;
    case 'restore':
      link.restore();
      return `OK ${link.state}`;
    case 'stats':
      return JSON.stringify(link.stats());
    case 'help':
      return CONTROL_HELP;
    case 'set': {
      const [what, value] = args;
      if (!what || value === undefined) throw new UsageError('usage: set delay|delay-up|delay-down|window|rate <value>');
      try {
        switch (what.toLowerCase()) {
          case 'delay':
            link.set({ delayUpMs: parseMs(value, 'delay'), delayDownMs: parseMs(value, 'delay') });
            break;
          case 'delay-up':
            link.set({ delayUpMs: parseMs(value, 'delay-up') });
            break;
          case 'delay-down':
            link.set({ delayDownMs: parseMs(value, 'delay-down') });
            break;
          case 'window':
            link.set({ windowBytes: parseSize(value, 'window') });
            break;
          case 'rate':
            link.set({ rateBytesPerSec: /^(off|none|0)$/i.test(value) ? 0 : parseSize(value, 'rate') });
            break;
          default:
            throw new UsageError(`unknown setting '${what}' (delay, delay-up, delay-down, window, rate)`);
        }
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
      return `OK ${describeLink(link.stats()).replace(/^\[slowlink\] /, '')}`;
    }
    default:
      throw new UsageError(`unknown command '${cmd}' (try: help)`);
  }
}

function stamp(): string {
  return new Date().toISOString().replace('T', ' ').replace('Z', '');
}

export function registerSlowlink(program: Command): Command {
  return program
    .command('slowlink')
    .summary('a slow network link in user space (tc netem delay / window / rate), as a TCP proxy')
    .description(
      'A TCP proxy from 127.0.0.1:<listen> to <target> that delays each direction, limits the bytes in\n' +
        'flight per direction (TCP\'s window: a connection moves at most window / (delay-up + delay-down)\n' +
        'bytes per second) and optionally caps the bandwidth. "up" is client → target, "down" is target → client.\n\n' +
        'While it runs, type commands on stdin (or send them to --control <port>, one a line):\n  ' +
        CONTROL_HELP.replace(/\n/g, '\n  ') +
        '\nSignals: SIGUSR1 pauses/resumes, SIGUSR2 cuts/restores, SIGINT/SIGTERM stop.',
    )
    .requiredOption('--listen <port>', 'port to listen on (0: a free one, printed at start)')
    .requiredOption('--target <host:port>', 'where to forward connections (host defaults to 127.0.0.1)')
    .option('--listen-host <host>', 'address to listen on', '127.0.0.1')
    .option('--delay <ms>', 'one-way delay in both directions (ms)')
    .option('--delay-up <ms>', 'one-way delay client → target (ms; overrides --delay)')
    .option('--delay-down <ms>', 'one-way delay target → client (ms; overrides --delay)')
    .option('--window <bytes>', 'bytes in flight per direction and connection (units: kb, mb...)', '4mb')
    .option('--rate <bytes/s>', 'bandwidth cap per direction, bytes per second (units: kb, mb...)')
    .option('--stats-interval <s>', 'print stats every N seconds (0: never)', '5')
    .option('--control <port>', 'also accept control commands on 127.0.0.1:<port>')
    .option('--no-stdin', 'do not read control commands from stdin')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  # the course\'s `tc qdisc add dev eth1 root netem delay 1000ms` on the master → replica path:\n' +
        '  $ reddish slowlink --listen 7001 --target 127.0.0.1:7000 --delay-down 1000 --window 3mb\n' +
        '  $ redis-cli -p 7002 replicaof 127.0.0.1 7001\n' +
        '  # 50 ms each way and a 2 MB/s cap, with a control port:\n' +
        '  $ reddish slowlink --listen 7001 --target 7000 --delay 50 --rate 2mb --control 7009\n' +
        '  $ echo cut | nc -q1 127.0.0.1 7009',
    )
    .action(async (o: SlowlinkCliOptions) => {
      const listenPort = parsePort(o.listen, 'listen port', true);
      const target = parseHostPort(o.target, 'target');
      const both = o.delay !== undefined ? parseMs(o.delay, 'delay') : 0;
      const delayUpMs = o.delayUp !== undefined ? parseMs(o.delayUp, 'delay-up') : both;
      const delayDownMs = o.delayDown !== undefined ? parseMs(o.delayDown, 'delay-down') : both;
      const windowBytes = parseSize(o.window, 'window');
      if (windowBytes < 1) throw new UsageError(`invalid window '${o.window}' (expected at least 1 byte)`);
      const rateBytesPerSec = o.rate !== undefined ? parseSize(o.rate, 'rate') : undefined;
      if (rateBytesPerSec === 0) throw new UsageError(`invalid rate '${o.rate}' (expected bytes per second > 0)`);
      const statsMs = parseMs(o.statsInterval, 'stats interval') * 1000;
      const controlPort = o.control !== undefined ? parsePort(o.control, 'control port') : undefined;

      const link = new SlowLink({ listenPort, listenHost: o.listenHost, targetHost: target.host, targetPort: target.port, delayUpMs, delayDownMs, windowBytes, rateBytesPerSec });
      try {
        await link.start();
      } catch (e) {
        throw new Error(`cannot listen on ${o.listenHost}:${listenPort}: ${(e as Error).message}`);
      }
      const say = (s: string) => process.stdout.write(`${stamp()} ${s}\n`);
      say(describeLink(link.stats()));
      if (windowBytes === DEFAULT_WINDOW_BYTES && o.window === '4mb' && delayUpMs + delayDownMs === 0 && !rateBytesPerSec) {
        say('[slowlink] no delay and no rate: the link is only bounded by its window (see --help)');
      }
      link.on('connection', ({ id, remote }) => say(`[slowlink] connection #${id} from ${remote}`));
      link.on('close', ({ id, reason }) => say(`[slowlink] connection #${id} closed: ${reason}`));
      link.on('state', (s) => say(`[slowlink] link ${s}`));
      link.on('error', (e: Error) => say(`[slowlink] error: ${e.message}`));

      let prev: { at: number; stats: SlowLinkStats } | undefined = { at: performance.now(), stats: link.stats() };
      const statsTimer =
        statsMs > 0
          ? setInterval(() => {
              const at = performance.now();
              const s = link.stats();
              say(formatStats(s, prev, at));
              prev = { at, stats: s };
            }, statsMs)
          : undefined;

      const run = (line: string): string => {
        try {
          return controlCommand(link, line);
        } catch (e) {
          return `ERR ${(e as Error).message}`;
        }
      };

      let control: net.Server | undefined;
      const controlClients = new Set<net.Socket>();
      if (controlPort !== undefined) {
        control = net.createServer((c) => {
          controlClients.add(c);
          c.on('close', () => controlClients.delete(c));
          c.on('error', () => undefined);
          const rl = readline.createInterface({ input: c });
          rl.on('line', (line) => {
            if (/^\s*(quit|exit)\s*$/i.test(line)) {
              c.end('OK bye\n');
              return;
            }
            const reply = run(line);
            if (reply) c.write(`${reply}\n`);
          });
        });
        await new Promise<void>((resolve, reject) => {
          control!.once('error', (e) => reject(new Error(`cannot listen on control port 127.0.0.1:${controlPort}: ${e.message}`)));
          control!.listen(controlPort, '127.0.0.1', () => resolve());
        }).catch(async (e) => {
          await link.close();
          throw e;
        });
        say(`[slowlink] control port 127.0.0.1:${controlPort} (commands: pause resume cut restore stats set help)`);
      }

      let stopping = false;
      let stdinRl: readline.Interface | undefined;
      const stop = async (why: string) => {
        if (stopping) return;
        stopping = true;
        say(`[slowlink] stopping (${why})`);
        if (statsTimer) clearInterval(statsTimer);
        stdinRl?.close();
        for (const c of controlClients) c.destroy();
        control?.close();
        await link.close();
        process.exit(0);
      };

      if (o.stdin && !process.stdin.destroyed) {
        stdinRl = readline.createInterface({ input: process.stdin });
        stdinRl.on('line', (line) => {
          if (/^\s*(quit|exit)\s*$/i.test(line)) return void stop('quit');
          const reply = run(line);
          if (reply) process.stdout.write(`${reply}\n`);
        });
        // stdin closing (e.g. < /dev/null) is not a reason to stop: the link runs until a signal.
      }
      process.on('SIGUSR1', () => (link.state === 'paused' ? link.resume() : link.pause()));
      process.on('SIGUSR2', () => (link.state === 'cut' ? link.restore() : link.cut()));
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}
