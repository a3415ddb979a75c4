/**
 * %.17g formatting (zset scores in DEBUG DIGEST, listpack score text) against glibc's output
 * (reference strings produced with C printf semantics), including exact ties, which C rounds
 * half to even and JS's toExponential would round up; and how Redis 7.0 stores listpack scores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatG17, listpackScore } from '../../src/persistence/numfmt.js';

test('formatG17 matches printf("%.17g")', () => {
  const cases: [number, string][] = [
    [1000000000000000.25, '1000000000000000.2'], // exact tie → even
    [1000000000000000.75, '1000000000000000.8'], // exact tie → even (up)
    [1125899906842624.125, '1125899906842624'],
    [0.1, '0.10000000000000001'],
    [1.5, '1.5'],
    [-0, '-0'],
    [0, '0'],
    [1e300, '1.0000000000000001e+300'],
    [5e-324, '4.9406564584124654e-324'],
    [2.5e-5, '2.5000000000000001e-05'],
    [1e-4, '0.0001'],
    [0.0001234, '0.00012339999999999999'],
    [1e16, '10000000000000000'],
    [1e17, '1e+17'],
    [123456789012345678, '1.2345678901234568e+17'],
    [2 ** 53 + 2, '9007199254740994'],
    [4611686018427387904, '4.6116860184273879e+18'],
    [1 / 3, '0.33333333333333331'],
    [-2 / 3, '-0.66666666666666663'],
    [100, '100'],
    [1e21, '1e+21'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [2.2250738585072014e-308, '2.2250738585072014e-308'],
    [12345678901234567890, '1.2345678901234567e+19'],
    [0.30000000000000004, '0.30000000000000004'],
    [3.0000000000000004, '3.0000000000000004'],
    [1e-5, '1.0000000000000001e-05'],
    [123.456, '123.456'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ];
  for (const [x, want] of cases) assert.equal(formatG17(x), want, String(x));
});

test('listpackScore: integers up to LLONG_MAX/2 as integers (-0 too), others as d2string text', () => {
  assert.equal(listpackScore(1), 1);
  assert.equal(listpackScore(-0), 0);
  assert.equal(listpackScore(2.5), '2.5');
  assert.equal(listpackScore(0.1), '0.10000000000000001');
  assert.equal(listpackScore(Infinity), 'inf');
  assert.equal(listpackScore(-Infinity), '-inf');
  assert.equal(listpackScore(2 ** 60), 2n ** 60n);
  assert.equal(listpackScore(4611686018427387904), 4611686018427387904n); // == (double)(LLONG_MAX/2): still an integer
  assert.equal(listpackScore(2 ** 63), '9.2233720368547758e+18');
  assert.equal(listpackScore(-4611686018427387904), -4611686018427387904n);
});
