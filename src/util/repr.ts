/**
 * Quoted, escaped representation of a byte string as Redis prints it in MONITOR output and
 * logs (sdscatrepr): "..." with \\ \" \n \r \t \a \b escaped and other non-printables as \xHH.
 */
export function catRepr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x5c:
        out += '\\\\';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      default:
        if (c >= 0x20 && c < 0x7f) out += s[i];
        else out += '\\x' + (c < 16 ? '0' : '') + c.toString(16);
    }
  }
  return out + '"';
}
