/**
 * Embeddable API: run a real reddish server inside a Node process (tests, tools).
 *
 *   const srv = await startServer({ port: 0, config: { 'maxmemory': '100mb' } });
 *   // srv.host, srv.port ... await srv.close();
 */
import { Config } from './config/config.js';
import { loadConfigFile, loadConfigText } from './config/loader.js';
import { Server } from './server.js';
import { splitArgs } from './protocol/request-parser.js';

export { Server } from './server.js';
export { Config } from './config/config.js';
export { REDIS_VERSION, REDDISH_VERSION } from './version.js';

export interface StartOptions {
  /** TCP port; 0 (the default here) lets the OS choose a free one. */
  port?: number;
  /** Bind address(es); default "127.0.0.1". */
  bind?: string | string[];
  /** Path of a redis.conf to load first. */
  configFile?: string;
  /** Directives, as redis.conf would spell them: { 'maxmemory': '64mb', 'save': '' }. */
  config?: Record<string, string | number | boolean>;
  /** Log lines go here instead of stdout (default: silent unless `logfile` is set). */
  onLog?: (line: string) => void;
}

export interface RunningServer {
  host: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Builds a Config from a file and directive overrides; throws FatalConfigError on bad input. */
export function buildConfig(opts: { configFile?: string; config?: Record<string, string | number | boolean> }): Config {
  const config = new Config();
  if (opts.configFile) {
    loadConfigFile(config, opts.configFile);
    config.configFile = opts.configFile;
  }
  if (opts.config) {
    const lines: string[] = [];
    for (const [k, v] of Object.entries(opts.config)) {
      const text = typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
      const args = splitArgs(text);
      const quoted = args === null || args.length !== 1 || text === '' ? `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : text;
      lines.push(`${k} ${quoted}`);
    }
    loadConfigText(config, lines.join('\n'));
  }
  return config;
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const config = buildConfig({
    configFile: opts.configFile,
    config: {
      port: opts.port ?? 0,
      bind: Array.isArray(opts.bind) ? opts.bind.join(' ') : (opts.bind ?? '127.0.0.1'),
      // An embedded server does not snapshot unless asked to (set `save` to enable it).
      save: '',
      ...opts.config,
    },
  });
  const server = new Server(config);
  server.configFile = opts.configFile ?? '';
  server.log.quietStdout = true;
  if (opts.onLog) server.log.onLine = opts.onLog;
  const logfile = config.str('logfile');
  if (logfile !== '') server.log.setFile(logfile);
  await server.start();
  const first = server.boundAddresses[0] ?? '127.0.0.1:0';
  const host = first.slice(0, first.lastIndexOf(':'));
  return { host, port: server.tcpPort, server, close: () => server.close() };
}
