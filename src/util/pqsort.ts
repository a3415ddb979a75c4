/**
 * Redis's pqsort: SORT ... LIMIT and GEO searches with COUNT sort only the part of the result
 * they return, and which of several equal elements survive the cut depends on its swaps, so
 * the algorithm is reproduced step by step rather than replaced by a full sort.
 */
type Cmp<T> = (a: T, b: T) => number;

function swap<T>(v: T[], i: number, j: number): void {
  const t = v[i];
  v[i] = v[j];
  v[j] = t;
}

function med3<T>(v: T[], a: number, b: number, c: number, cmp: Cmp<T>): number {
  return cmp(v[a], v[b]) < 0
    ? cmp(v[b], v[c]) < 0
      ? b
      : cmp(v[a], v[c]) < 0
        ? c
        : a
    : cmp(v[b], v[c]) > 0
      ? b
      : cmp(v[a], v[c]) < 0
        ? a
        : c;
}

/**
 * Sorts v[lo, lo+n) enough that positions lrange..rrange hold what a full sort would put there:
 * a Bentley–McIlroy three-way quicksort that skips partitions lying wholly outside the window.
 */
export function partialSort<T>(v: T[], lo: number, n: number, cmp: Cmp<T>, lrange: number, rrange: number): void {
  const outside = (l: number, r: number): boolean => (lrange < l && rrange < l) || (lrange > r && rrange > r);
  for (;;) {
    if (n < 7) {
      for (let m = lo + 1; m < lo + n; m++) for (let l = m; l > lo && cmp(v[l - 1], v[l]) > 0; l--) swap(v, l, l - 1);
      return;
    }
    let pm = lo + Math.floor(n / 2);
    if (n > 7) {
      let pl = lo;
      let pn = lo + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(v, pm - d, pm, pm + d, cmp);
        pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(v, pl, pm, pn, cmp);
    }
    swap(v, lo, pm);
    let pa = lo + 1;
    let pb = pa;
    let pc = lo + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(v[pb], v[lo])) <= 0) {
        if (r === 0) swap(v, pa++, pb);
        pb++;
      }
      while (pb <= pc && (r = cmp(v[pc], v[lo])) >= 0) {
        if (r === 0) swap(v, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(v, pb++, pc--);
    }
    const end = lo + n;
    let r = Math.min(pa - lo, pb - pa);
    for (let i = 0; i < r; i++) swap(v, lo + i, pb - r + i);
    r = Math.min(pd - pc, end - pd - 1);
    for (let i = 0; i < r; i++) swap(v, pb + i, end - r + i);
    if ((r = pb - pa) > 1 && !outside(lo, lo + r - 1)) partialSort(v, lo, r, cmp, lrange, rrange);
    if ((r = pd - pc) > 1 && !outside(end - r, end - 1)) {
      lo = end - r;
      n = r;
      continue;
    }
    return;
  }
}
