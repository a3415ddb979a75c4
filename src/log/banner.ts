/**
 * The startup banner redis-server prints: its ASCII logo with version, mode, port and PID, or a
 * single "Running mode=..." line. Tools (Redis's own test harness among them) find the server's
 * PID in the logo's ` PID: <pid>` line.
 */

/** Redis's rule: the logo shows when forced, or when the log goes to a terminal's stdout. */
export function shouldShowLogo(o: { alwaysShowLogo: boolean; syslogEnabled: boolean; logfile: string; stdoutIsTty: boolean }): boolean {
  return o.alwaysShowLogo || (!o.syslogEnabled && o.logfile === '' && o.stdoutIsTty);
}

export function asciiLogo(version: string, mode: string, port: number, pid: number): string {
  return (
    `                _._                                                  \n` +
    `           _.-\`\`__ ''-._                                             \n` +
    `      _.-\`\`    \`.  \`_.  ''-._           Redis ${version} (00000000/0) 64 bit\n` +
    `  .-\`\` .-\`\`\`.  \`\`\`\\/    _.,_ ''-._                                  \n` +
    ` (    '      ,       .-\`  | \`,    )     Running in ${mode} mode\n` +
    ` |\`-._\`-...-\` __...-.\`\`-._|'\` _.-'|     Port: ${port}\n` +
    ` |    \`-._   \`._    /     _.-'    |     PID: ${pid}\n` +
    `  \`-._    \`-._  \`-./  _.-'    _.-'                                   \n` +
    ` |\`-._\`-._    \`-.__.-'    _.-'_.-'|                                  \n` +
    ` |    \`-._\`-._        _.-'_.-'    |           https://redis.io       \n` +
    `  \`-._    \`-._\`-.__.-'_.-'    _.-'                                   \n` +
    ` |\`-._\`-._    \`-.__.-'    _.-'_.-'|                                  \n` +
    ` |    \`-._\`-._        _.-'_.-'    |                                  \n` +
    `  \`-._    \`-._\`-.__.-'_.-'    _.-'                                   \n` +
    `      \`-._    \`-.__.-'    _.-'                                       \n` +
    `          \`-._        _.-'                                           \n` +
    `              \`-.__.-'                                               \n` +
    '\n'
  );
}
