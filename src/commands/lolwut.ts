/**
 * LOLWUT [VERSION v] [...]: Redis 7.0 has no art of its own and prints only its version; VERSION 5
 * draws Georg Nees's "Schotter" in Braille dots, VERSION 6 a random city skyline in terminal
 * colours. The drawing reproduces Redis's arithmetic, including its single-precision floats, so
 * the same arguments give the same picture wherever no randomness is involved (the first two
 * rows of Schotter, a one-row skyline).
 */
import type { Client } from '../net/client.js';
import type { CommandSpec } from './registry.js';
import { E, is, parseBigInt64, parseInt64 } from './util.js';
import { REDIS_VERSION } from '../version.js';

const f = Math.fround;
const RAND_MAX = 2147483647;

/** C's rand(): 0..RAND_MAX. */
function rand(): number {
  return Math.floor(Math.random() * (RAND_MAX + 1));
}

/** C's round(): halves away from zero. */
function cround(x: number): number {
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
}

class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    bg: number,
  ) {
    this.pixels = new Uint8Array(width * height).fill(bg);
  }

  set(x: number, y: number, color: number): void {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return;
    this.pixels[x + y * this.width] = color;
  }

  get(x: number, y: number): number {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return 0;
    return this.pixels[x + y * this.width];
  }

  /** Bresenham line. */
  line(x1: number, y1: number, x2: number, y2: number, color: number): void {
    const dx = Math.abs(x2 - x1);
    const dy = Math.abs(y2 - y1);
    const sx = x1 < x2 ? 1 : -1;
    const sy = y1 < y2 ? 1 : -1;
    let err = dx - dy;
    for (;;) {
      this.set(x1, y1, color);
      if (x1 === x2 && y1 === y2) break;
      const e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }

  /** A square centred at x,y with the given side and rotation: its corners lie on a circle. */
  square(x: number, y: number, side: number, angle: number, color: number): void {
    let size = f(side / 1.4142135623);
    size = f(cround(size));
    const px: number[] = [];
    const py: number[] = [];
    let k = f(Math.PI / 4 + angle);
    for (let j = 0; j < 4; j++) {
      px.push(cround(Math.sin(k) * size + x));
      py.push(cround(Math.cos(k) * size + y));
      k = f(k + Math.PI / 2);
    }
    for (let j = 0; j < 4; j++) this.line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4], color);
  }
}

// ---------------------------------------------------------------- version 5: Schotter

function schotter(cols: number, perRow: number, perCol: number): Canvas {
  const width = cols * 2;
  const padding = width > 4 ? 2 : 0;
  const side = f(f(width - padding * 2) / f(perRow));
  const height = Math.trunc(f(f(side * perCol) + padding * 2));
  const canvas = new Canvas(width, height, 0);
  const half = f(side / 2);
  for (let y = 0; y < perCol; y++) {
    for (let x = 0; x < perRow; x++) {
      let sx = Math.trunc(f(f(f(x * side) + half) + padding));
      let sy = Math.trunc(f(f(f(y * side) + half) + padding));
      let angle = 0;
      // Disorder grows with the row: rotate and shift randomly below the first two rows.
      if (y > 1) {
        const r = (): number => f(f(f(f(rand()) / f(RAND_MAX)) / f(perCol)) * y);
        let r1 = r();
        let r2 = r();
        let r3 = r();
        if (rand() % 2) r1 = -r1;
        if (rand() % 2) r2 = -r2;
        if (rand() % 2) r3 = -r3;
        angle = r1;
        sx = Math.trunc(f(sx + f(f(r2 * side) / 3)));
        sy = Math.trunc(f(sy + f(f(r3 * side) / 3)));
      }
      canvas.square(sx, sy, side, angle, 1);
    }
  }
  return canvas;
}

/** Braille rendering: each character shows a 2x4 block of pixels (UTF-8 bytes as latin1). */
function renderBraille(canvas: Canvas): string {
  let text = '';
  for (let y = 0; y < canvas.height; y += 4) {
    for (let x = 0; x < canvas.width; x += 2) {
      let byte = 0;
      if (canvas.get(x, y)) byte |= 1;
      if (canvas.get(x, y + 1)) byte |= 2;
      if (canvas.get(x, y + 2)) byte |= 4;
      if (canvas.get(x + 1, y)) byte |= 8;
      if (canvas.get(x + 1, y + 1)) byte |= 16;
      if (canvas.get(x + 1, y + 2)) byte |= 32;
      if (canvas.get(x, y + 3)) byte |= 64;
      if (canvas.get(x + 1, y + 3)) byte |= 128;
      const code = 0x2800 + byte;
      text += String.fromCharCode(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    }
    if (y !== canvas.height - 1) text += '\n';
  }
  return text;
}

/** Parses the optional integer arguments argv[1..]; null after replying an error. */
function intArgs(c: Client, argv: string[], defaults: number[]): number[] | null {
  const out = defaults.slice();
  for (let i = 0; i < defaults.length && i + 1 < argv.length; i++) {
    const v = parseInt64(argv[i + 1]);
    if (v === null) {
      c.error(E.NOT_INTEGER);
      return null;
    }
    out[i] = v;
  }
  return out;
}

const clamp = (v: number, max: number): number => Math.min(Math.max(v, 1), max);

function lolwut5(c: Client, argv: string[]): void {
  const a = intArgs(c, argv, [66, 8, 12]);
  if (a === null) return;
  const canvas = schotter(clamp(a[0], 1000), clamp(a[1], 200), clamp(a[2], 200));
  c.w.verbatim(renderBraille(canvas) + `\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ${REDIS_VERSION}\n`);
}

// ---------------------------------------------------------------- version 6: skyline

function skyscraper(canvas: Canvas, xoff: number, width: number, height: number, windows: boolean, color: number): void {
  const starty = canvas.height - 1;
  const endy = starty - height + 1;
  for (let y = starty; y >= endy; y--) {
    for (let x = xoff; x < xoff + width; x++) {
      // The roof is four pixels narrower.
      if (y === endy && (x <= xoff + 1 || x >= xoff + width - 2)) continue;
      let col = color;
      if (windows && x > xoff + 1 && x < xoff + width - 2 && y > endy + 1 && y < starty - 1) {
        const relx = x - (xoff + 1);
        const rely = y - (endy + 1);
        // Windows are two pixels wide and one tall, in one of the two grays.
        if (Math.trunc(relx / 2) % 2 && rely % 2) {
          do col = 1 + (rand() % 2);
          while (col === color);
          if (relx % 2) col = canvas.get(x - 1, y);
        }
      }
      canvas.set(x, y, col);
    }
  }
}

function skyline(canvas: Canvas): void {
  const h = canvas.height;
  // Background buildings, lighter ones drawn first so they stay behind.
  for (let color = 2; color >= 1; color--) {
    for (let offset = -10; offset < canvas.width; ) {
      offset += rand() % 8;
      const xoff = offset;
      const width = 10 + (rand() % 9);
      const height = Math.trunc(h / 2) + Math.trunc((rand() % h) / (color === 2 ? 2 : 3));
      skyscraper(canvas, xoff, width, height, false, color);
      offset += color === 2 ? Math.trunc(width / 2) : width + 1;
    }
  }
  // Foreground buildings with windows.
  for (let offset = -10; offset < canvas.width; ) {
    offset += rand() % 8;
    const xoff = offset;
    let width = 5 + (rand() % 14);
    if (width % 4) width += width % 3;
    const height = Math.trunc(h / 3) + Math.trunc((rand() % h) / 2);
    skyscraper(canvas, xoff, width, height, true, 0);
    offset += width + 5;
  }
}

const GRAYS = ['0;30;40m', '0;90;100m', '0;37;47m', '0;97;107m'];

function renderColors(canvas: Canvas): string {
  const parts: string[] = [];
  for (let y = 0; y < canvas.height; y++) {
    let row = '';
    for (let x = 0; x < canvas.width; x++) row += `\x1b[${GRAYS[canvas.get(x, y)] ?? GRAYS[0]} \x1b[0m`;
    parts.push(row);
  }
  return parts.join('\n');
}

function lolwut6(c: Client, argv: string[]): void {
  const a = intArgs(c, argv, [80, 20]);
  if (a === null) return;
  const canvas = new Canvas(clamp(a[0], 1000), clamp(a[1], 1000), 3);
  skyline(canvas);
  c.w.verbatim(
    renderColors(canvas) +
      '\nDedicated to the 8 bit game developers of past and present.\n' +
      `Original 8 bit image from Plaguemon by hikikomori. Redis ver. ${REDIS_VERSION}\n`,
  );
}

function lolwut(c: Client, argv: string[]): void {
  let v = REDIS_VERSION;
  if (argv.length >= 3 && is(argv[1], 'VERSION')) {
    const ver = parseBigInt64(argv[2]);
    if (ver === null) {
      c.error(E.NOT_INTEGER);
      return;
    }
    // Redis formats the version as an unsigned 32-bit number: "5.0.0", "4294967295.0.0"...
    v = `${BigInt.asUintN(32, ver)}.0.0`;
    argv = argv.slice(2);
  }
  if ((v[0] === '5' && v[1] === '.' && v[2] !== '9') || (v[0] === '4' && v[1] === '.' && v[2] === '9')) lolwut5(c, argv);
  else if ((v[0] === '6' && v[1] === '.' && v[2] !== '9') || (v[0] === '5' && v[1] === '.' && v[2] === '9')) lolwut6(c, argv);
  else c.w.verbatim(`Redis ver. ${REDIS_VERSION}\n`);
}

export function lolwutCommands(): CommandSpec[] {
  return [
    {
      name: 'lolwut',
      arity: -1,
      flags: ['readonly', 'fast'],
      group: 'server',
      since: '5.0.0',
      summary: 'Display some computer art and the Redis version',
      args: [{ name: 'version', type: 'integer', token: 'VERSION', optional: true }],
      handler: lolwut,
    },
  ];
}
