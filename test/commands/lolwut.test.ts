import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair, type Step } from '../helpers/differential.js';
import { plain } from '../helpers/resp.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.close();
});

test('LOLWUT prints the version; VERSION parsing and errors match Redis', async () => {
  await same(pair, [
    ['LOLWUT'],
    ['LOLWUT', 'foo', 'bar'],
    ['LOLWUT', 'VERSION'],
    ['LOLWUT', 'VERSION', 'x'],
    ['LOLWUT', 'VERSION', '1.5'],
    ['LOLWUT', 'VERSION', '7'],
    ['LOLWUT', 'VERSION', '4'],
    ['LOLWUT', 'VERSION', '-1'],
    ['LOLWUT', 'VERSION', '0'],
    ['LOLWUT', 'VERSION', '59'],
    ['LOLWUT', 'VERSION', '9223372036854775807'],
    ['LOLWUT', 'VERSION', '9223372036854775808'],
    ['LOLWUT', 'VERSION', '5', 'x'],
    ['LOLWUT', 'VERSION', '5', '10', 'y'],
    ['LOLWUT', 'VERSION', '5', '10', '2', 'z'],
    ['LOLWUT', 'VERSION', '6', 'x'],
    ['LOLWUT', 'VERSION', '6', '10', 'y'],
    ['COMMAND', 'INFO', 'lolwut'],
  ]);
});

test('LOLWUT VERSION 5 draws the same Schotter where it is not random (two rows or fewer)', async () => {
  const steps: Step[] = [];
  for (const [cols, perRow, perCol] of [
    [66, 8, 2],
    [66, 8, 1],
    [1, 1, 1],
    [2, 1, 2],
    [3, 2, 2],
    [7, 3, 2],
    [33, 7, 2],
    [100, 13, 2],
    [41, 5, 1],
    [1000, 200, 2],
    [1000, 3, 1],
    [0, 0, 0],
    [-5, -5, -5],
    [5000, 500, 2],
  ])
    steps.push(['LOLWUT', 'VERSION', '5', String(cols), String(perRow), String(perCol)]);
  // An out-of-range version that wraps to 5 as an unsigned 32-bit number.
  steps.push(['LOLWUT', 'VERSION', '4294967301', '20', '4', '2']);
  await same(pair, steps);
});

test('LOLWUT VERSION 6 with one row is deterministic and equal', async () => {
  const steps: Step[] = [];
  for (const cols of ['1', '80', '1000', '0', '-3', '2000']) steps.push(['LOLWUT', 'VERSION', '6', cols, '1']);
  steps.push(['LOLWUT', 'VERSION', '6', '5', '0']);
  await same(pair, steps);
});

/** Lines of a reply, with each line's length in bytes: the shape of a random Braille picture. */
function shape(text: string): number[] {
  return text.split('\n').map((l) => l.length);
}

/** Lines of a reply with the number of coloured cells (or the length of a caption line). */
function cells(text: string): number[] {
  return text.split('\n').map((l) => (l.startsWith('\x1b') ? l.split('\x1b[0m').length - 1 : l.length));
}

test('random LOLWUT pictures have Redis\'s shape, alphabet and caption', async () => {
  for (const args of [[], ['30', '5', '9'], ['66', '8', '12']]) {
    const cmd = ['LOLWUT', 'VERSION', '5', ...args];
    const a = plain(await pair.a.call(...cmd)) as string;
    const b = plain(await pair.b.call(...cmd)) as string;
    assert.deepEqual(shape(b), shape(a), cmd.join(' '));
    const lines = b.split('\n');
    assert.equal(lines.at(-2), 'Georg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15');
    // Every picture character is a Braille pattern (U+2800..U+28FF as UTF-8 bytes).
    for (const l of lines.slice(0, -2)) assert.match(l, /^(\xe2[\xa0-\xa3][\x80-\xbf])*$/);
  }
  for (const args of [[], ['40', '10'], ['7', '3']]) {
    const cmd = ['LOLWUT', 'VERSION', '6', ...args];
    const a = plain(await pair.a.call(...cmd)) as string;
    const b = plain(await pair.b.call(...cmd)) as string;
    assert.deepEqual(cells(b), cells(a), cmd.join(' '));
    const lines = b.split('\n');
    assert.equal(lines.at(-3), 'Dedicated to the 8 bit game developers of past and present.');
    assert.equal(lines.at(-2), 'Original 8 bit image from Plaguemon by hikikomori. Redis ver. 7.0.15');
    for (const l of lines.slice(0, -3)) assert.match(l, /^(\x1b\[0;(30;40|90;100|37;47|97;107)m \x1b\[0m)+$/);
  }
});

test('LOLWUT replies a verbatim string under RESP3', async () => {
  await pair.a.call('HELLO', '3');
  await pair.b.call('HELLO', '3');
  try {
    await same(pair, [['LOLWUT'], ['LOLWUT', 'VERSION', '5', '10', '3', '2'], ['LOLWUT', 'VERSION', '6', '3', '1']]);
  } finally {
    await pair.a.call('HELLO', '2');
    await pair.b.call('HELLO', '2');
  }
});
