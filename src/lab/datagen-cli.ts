/** `reddish datagen <type> <qty> [prefix]`: the command-line side of datagen.ts. */
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { generate, closingLine, resolveType, resolveTarget, DATAGEN_TYPES, DEFAULT_WINDOW, VALID_TYPES_TEXT } from './datagen.js';
import { UsageError, parseCount, parsePositive, parsePort, formatInt } from './units.js';

interface DatagenCliOptions {
  host?: string;
  port?: string;
  password?: string;
  user?: string;
  db?: string;
  url?: string;
  window: string;
  rate?: string;
  seed?: string;
  progress: boolean;
  quiet?: boolean;
  color?: boolean;
}

const isNumeric = (s: string) => /^\s*[\d_,.]+(e\d+)?[km]?\s*$/i.test(s);

export function registerDatagen(program: Command): Command {
  return program
    .command('datagen')
    .summary('load random data into a Redis server (drop-in for redis-random-data-generator)')
    .description(
      'Generates <qty> records of <type> and writes them, pipelined, to a Redis server (redis-server or reddish).\n' +
        'Keys are <prefix>:<uuid v4> (a bare uuid without a prefix); values are 1 to 10 lorem-ipsum words.\n\n' +
        'Types: string [SET], list [LPUSH], set [SADD], sorted [ZADD], hash [HMSET];\n' +
        `the command names are accepted too: ${Object.keys(DATAGEN_TYPES)
          .filter((k) => k === k.toLowerCase() && DATAGEN_TYPES[k].toLowerCase() === k)
          .join(', ')}. <type> and <qty> may come in either order, like the original tool.`,
    )
    .argument('<type>', 'record type: string | list | set | sorted | hash (or lpush | sadd | zadd | hmset)')
    .argument('<qty>', 'how many records (keys): 2000000, 2e6, 2m, 500k')
    .argument('[prefix]', 'key prefix: keys are <prefix>:<uuid>')
    .helpOption('--help', 'display help for command')
    .option('-h, --host <host>', 'server host (default: 127.0.0.1, or the URL\'s)')
    .option('-p, --port <port>', 'server port (default: 6379, or the URL\'s)')
    .option('-a, --password <password>', 'password (AUTH)')
    .option('--user <username>', 'ACL user name (AUTH <user> <password>)')
    .option('-n, --db <db>', 'database number (SELECT)')
    .option('-u, --url <url>', 'server URL: redis://[[user]:password@]host[:port][/db]')
    .option('--window <n>', 'most commands in flight on the connection', String(DEFAULT_WINDOW))
    .option('--rate <keys/s>', 'write at most this many keys per second')
    .option('--seed <seed>', 'seed the PRNG: the same seed writes the same keys and values')
    .option('--no-progress', 'no progress bar (it is shown only when stdout is a terminal anyway)')
    .option('-q, --quiet', 'print nothing but errors')
    .addOption(new Option('--no-color', 'no colours in the closing line (default when stdout is not a terminal)'))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ reddish datagen hash 2000000 session                 # the course\'s dataset, on 127.0.0.1:6379\n' +
        '  $ reddish datagen hash 1m session -p 7000 --rate 20000 # 1,000,000 more, throttled\n' +
        '  $ reddish datagen string 1000 --url redis://:secret@127.0.0.1:6380/2 --seed 42',
    )
    .action(async (typeArg: string, qtyArg: string, prefix: string | undefined, o: DatagenCliOptions) => {
      // Like the original: <type> <qty> in either order.
      let type = typeArg;
      let qtyText = qtyArg;
      if (isNumeric(typeArg) && !isNumeric(qtyArg)) [type, qtyText] = [qtyArg, typeArg];
      if (!Object.prototype.hasOwnProperty.call(DATAGEN_TYPES, type)) throw new UsageError(`unknown type '${type}': ${VALID_TYPES_TEXT}`);
      resolveType(type);
      const qty = parseCount(qtyText, 'qty');
      const window = parseCount(o.window, 'window');
      if (window < 1) throw new UsageError(`invalid window '${o.window}' (expected at least 1)`);
      const rate = o.rate !== undefined ? parsePositive(o.rate, 'rate') : undefined;
      const target = resolveTarget({
        url: o.url,
        host: o.host,
        port: o.port !== undefined ? parsePort(o.port) : undefined,
        password: o.password,
        username: o.user,
        db: o.db !== undefined ? parseCount(o.db, 'db') : undefined,
      });
      const tty = Boolean(process.stdout.isTTY);
      const showBar = tty && o.progress && !o.quiet && qty > 0;
      let bar: cliProgress.SingleBar | undefined;
      let lastT = performance.now();
      let lastN = 0;
      let rateShown = 0;
      if (showBar) {
        bar = new cliProgress.SingleBar(
          {
            format: ' {bar} {percentage}% | {value}/{total} keys | {speed} keys/s | ETA {eta_formatted}',
            stream: process.stdout,
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
            fps: 10,
            formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? formatInt(v) : String(v)),
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(qty, 0, { speed: '-' });
      }
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      try {
        const r = await generate({
          type,
          qty,
          prefix,
          ...target,
          window,
          rate,
          seed: o.seed,
          signal: abort.signal,
          onProgress: bar
            ? (done) => {
                const t = performance.now();
                if (t - lastT >= 250) {
                  rateShown = ((done - lastN) * 1000) / (t - lastT);
                  lastT = t;
                  lastN = done;
                }
                bar!.update(done, { speed: rateShown ? formatInt(rateShown) : '-' });
              }
            : undefined,
        });
        bar?.stop();
        if (!o.quiet) {
          const line = closingLine(qty, type, r);
          const color = o.color !== false && tty;
          process.stdout.write(color ? `\x1b[32m${line}\x1b[39m\n` : `${line}\n`);
        }
      } catch (e) {
        bar?.stop();
        throw e;
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
