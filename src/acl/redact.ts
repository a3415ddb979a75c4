/**
 * Secrets hidden from SLOWLOG and MONITOR, as 7.0's redactClientCommandArgument does: AUTH's
 * password (and user), HELLO's AUTH pair, every ACL SETUSER rule and the values of sensitive
 * configs in CONFIG SET.
 */
import type { Command } from '../commands/registry.js';

const REDACTED = '(redacted)';

export function redactArgs(cmd: Command, argv: string[], sensitiveConfig: (name: string) => boolean): string[] {
  const name = (cmd.viewOf ?? cmd).fullName;
  const hide = (idx: number[]): string[] => {
    const out = argv.slice();
    for (const i of idx) if (i < out.length) out[i] = REDACTED;
    return out;
  };
  switch (name) {
    case 'auth':
      return argv.length > 3 ? argv : hide(argv.length === 3 ? [1, 2] : [1]);
    case 'hello': {
      const idx: number[] = [];
      for (let j = 2; j < argv.length; j++) {
        const more = argv.length - 1 - j;
        if (argv[j].toLowerCase() === 'auth' && more >= 2) {
          idx.push(j + 1, j + 2);
          j += 2;
        } else if (argv[j].toLowerCase() === 'setname' && more >= 1) j++;
        else break;
      }
      return idx.length > 0 ? hide(idx) : argv;
    }
    case 'acl|setuser':
      return hide(argv.map((_, i) => i).filter((i) => i >= 2));
    case 'config|set': {
      const idx: number[] = [];
      for (let i = 2; i + 1 < argv.length; i += 2) if (sensitiveConfig(argv[i])) idx.push(i + 1);
      return idx.length > 0 ? hide(idx) : argv;
    }
    default:
      return argv;
  }
}
