/** rename-command: applied to the command table once it is built, reported like a config error. */
import type { Config } from './config.js';
import { FatalConfigError } from './loader.js';

export interface RenamableTable {
  rename(from: string, to: string): string | null;
}

export function applyRenames(config: Config, table: RenamableTable): void {
  for (const r of config.renames) {
    const err = table.rename(r.from, r.to);
    if (err !== null) throw new FatalConfigError(err, r.lineNumber, r.line);
  }
}
