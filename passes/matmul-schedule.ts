// Gemmini instructions for one (fused) matmul: C = act(scale * (A @ B + bias)),
// weight-stationary (WS) or output-stationary (OS), tiled, double-buffered.
// This is the instruction emission
// that the emit-instructions step performs for every accelerated matmul (and
// for convolutions once they are matmuls); the tile sizes come from the tiling
// step, the scratchpad/accumulator bases from memory mapping.
//
// Layout, in DIM x DIM blocks: A is M x K, B is K x N, C is M x N; a tile is
// ti x tk blocks of A, tk x tj of B, ti x tj of C. Sizes that are not
// multiples of DIM become partial blocks (rows/cols fields), never padding.
//
// The schedule is a software pipeline. The host issues commands in order,
// 4 cycles each, and stalls while the queue it issues to is full (8 load,
// 16 execute, 4 store entries; a compute holds its entry until it commits),
// so loads or stores issued in a batch stop the computes behind them: they
// are spread among the computes instead, a few mvins or mvouts per K block.
//
//   mvin K group 0 of the first step
//   for i < M tiles, j < N tiles (or j, i):  C tile in accumulator buffer (tile number) % copies
//     for k < K tiles:                        A, B tiles in scratchpad buffers (step number) % copies
//       for kk < tk:
//         mvin a share of the next K group's A and B blocks (this step's next group, or the next step's first)
//         k = 0: a share of the previous tile's C units: mvin their bias (accumulating), mvout
//         for jj < tj:
//           WS: preload B(kk, jj) -> C(0, jj); compute.preloaded A(0, kk)
//               for ii < ti - 1: preload garbage -> C(ii+1, jj); compute.accumulated A(ii+1, kk)
//           OS: for ii < ti: preload garbage -> C(ii, jj); compute.preloaded A(ii, kk), B(kk, jj)
//   mvin the last tile's bias (accumulating), mvout it (scale, activation)
//
// A K group is the K blocks one A mvin moves: maxBlockLen of them when they
// are DIM wide, else one. C is stored in units of up to maxBlockLen blocks
// of one block row per mvout (int8 C; raw int32 C one block at a time), as
// gemmini.h stores C, so one DMA request carries a whole 64-byte row. When
// only one copy of each buffer fits, the next step's loads would overwrite
// what this step reads and the next tile's computes what this one stores:
// each step then loads its first group before its computes, the bias goes
// into C first and C is stored at the end of its tile. With one step per tile, the tiles of a row (ijk) keep
// their A tile, those of a column (jik) their B tile, instead of loading it
// again.
//
// Both dataflows sum at most kStep products inside the mesh, whose partial
// sums are only spatialOutputBits wide and wrap; the 32-bit accumulator adds
// the blocks up (C's accumulate bit). In OS that means one K block per
// preload/compute pair: the garbage-D preload zeroes the PEs' sums, and each
// C receives exactly one block's result. Spike (and tc's host model) write C
// after every compute; the RTL writes a result once, when the next
// compute.preloaded flips the mesh or a flush drains it, to the C its preload
// named (ExecuteController.scala in_prop, flush): with one compute per C both
// give the same sums. Chaining compute.accumulated over K blocks, as
// Gemmini's own OS library code does, would keep a whole K tile's sum in the
// mesh and wrap.

import { ic, iadd, iceilDiv, imin, imod, imul, isub, iv, icmp, type IExpr } from '../ir/iexpr.js';
import type { Activation, Dataflow, Inst, LocalAddr, ProgramStmt } from '../ir/program-ir.js';

export interface MatmulSpec {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** i8 buffers, row-major; strides in elements. */
  readonly a: { readonly buffer: string; readonly rowStride: number };
  readonly b: { readonly buffer: string; readonly rowStride: number };
  /** i32 bias: one row repeated for every output row, or a full M x N matrix. */
  readonly bias?: { readonly buffer: string; readonly repeatRow: boolean };
  readonly out: { readonly buffer: string; readonly dtype: 'i8' | 'i32'; readonly rowStride: number };
  readonly scale: number;
  readonly activation: Activation;
}

export interface MatmulTiling {
  /** Tile sizes in DIM x DIM blocks. */
  readonly ti: number;
  readonly tj: number;
  readonly tk: number;
  /** Which output-tile loop is outermost. */
  readonly order: 'ijk' | 'jik';
  readonly dataflow: Dataflow;
}

export interface MatmulTarget {
  readonly dim: number;
  /** Elements of K per block: DIM, or fewer where the mesh's partial sums are narrow. */
  readonly kStep: number;
  readonly maxBlockLen: number;
  readonly maxBlockLenAcc: number;
}

export interface MatmulPlacement {
  readonly kind: 'rows';
  /** First rows of the A and B buffers (scratchpad) and of the C buffer (accumulator). */
  readonly aRow: number;
  readonly bRow: number;
  readonly cRow: number;
  /** Copies of each buffer: 2 alternates them (double-buffering), 1 reuses one. */
  readonly copies: number;
}

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** floor(a / b) for a >= 0, b > 0. */
const idiv = (a: IExpr, b: IExpr): IExpr =>
  a.kind === 'const' && b.kind === 'const' ? ic(Math.floor(a.value / b.value)) : b.kind === 'const' && b.value === 1 ? a : { kind: 'div', lhs: a, rhs: b };
/**
 * `count` trips where `when` (0 or 1) holds, none otherwise (a count below 0
 * is none too). Never a bare comparison, which reads ambiguously as a loop
 * bound (`for x < a < b`, in the IR text and in C).
 */
const tripsIf = (when: IExpr, count: IExpr): IExpr => {
  const trips = imul(when, count);
  return ['lt', 'le', 'gt', 'ge', 'eq', 'ne'].includes(trips.kind) ? imin(ic(1), trips) : trips;
};
const inst = (i: Inst): ProgramStmt => ({ kind: 'inst', inst: i });
const loop = (v: string, extent: IExpr | number, body: ProgramStmt[]): ProgramStmt[] => {
  const e = typeof extent === 'number' ? ic(extent) : extent;
  return e.kind === 'const' && e.value <= 0 ? [] : [{ kind: 'for', var: v, extent: e, body }];
};
/** `body` where `when` (0 or 1) holds: as it is when it always does, else in a loop of 0 or 1 trips over `v`. */
const onlyIf = (v: string, when: IExpr, body: ProgramStmt[]): ProgramStmt[] => (when.kind === 'const' ? (when.value > 0 ? body : []) : loop(v, tripsIf(when, ic(1)), body));

/** Blocks in tile `t` of `tile` blocks when there are `total`: `tile`, or what is left in the last tile. */
const blocksIn = (t: IExpr, tile: number, total: number): IExpr => (total % tile === 0 ? ic(tile) : imin(ic(tile), isub(ic(total), imul(t, ic(tile)))));

export function matmulProgram(spec: MatmulSpec, tiling: MatmulTiling, target: MatmulTarget, place: MatmulPlacement): ProgramStmt[] {
  const d = target.dim;
  const dk = target.kStep;
  const { ti, tj, tk } = tiling;
  const [mb, nb, kb] = [ceilDiv(spec.m, d), ceilDiv(spec.n, d), ceilDiv(spec.k, dk)];
  const [mt, nt, kt] = [ceilDiv(mb, ti), ceilDiv(nb, tj), ceilDiv(kb, tk)];
  const aTileRows = ti * tk * d;
  const bTileRows = tk * tj * d;
  const cTileRows = ti * tj * d;
  const mbl = target.maxBlockLen;
  // C blocks per mvout: scaled int8 rows up to the DMA's block limit, as
  // gemmini.h stores C; raw int32 rows one block at a time, as it does for
  // full_C. Bias blocks per mvin: the limit for acc_t rows.
  const storeGroup = spec.out.dtype === 'i32' ? 1 : mbl;
  const biasGroup = target.maxBlockLenAcc;
  // K blocks per A mvin: A's K blocks are contiguous rows only when DIM wide.
  const kGroup = dk === d ? mbl : 1;
  // With two copies of every buffer the pipeline reaches across steps: the
  // next step's first loads and the previous tile's stores overlap this
  // step's computes. With one copy a step loads, computes and stores alone.
  const acrossSteps = place.copies === 2 && mt * nt * kt > 1;
  // Rows or cols of a block: DIM, or what is left at the edge.
  const extentOf = (block: IExpr, size: number, step = d): IExpr => (size % step === 0 ? ic(step) : imin(ic(step), isub(ic(size), imul(block, ic(step)))));
  // Output tiles are numbered in loop order; tileAt gives (i, j) of a number.
  const tileNumber = (i: IExpr, j: IExpr): IExpr => (tiling.order === 'ijk' ? iadd(imul(i, ic(nt)), j) : iadd(imul(j, ic(mt)), i));
  // With one step per output tile (kt = 1), consecutive tiles of one row
  // (ijk) share their A tile, of one column (jik) their B tile: it is loaded
  // by the row's (column's) first tile only and kept, its copies alternating
  // with the row (column) instead of the step.
  const reused = kt > 1 ? undefined : tiling.order === 'ijk' ? (nt > 1 ? 'a' : undefined) : mt > 1 ? 'b' : undefined;
  const tileAt = (t: IExpr): [IExpr, IExpr] => (tiling.order === 'ijk' ? [idiv(t, ic(nt)), imod(t, ic(nt))] : [imod(t, ic(mt)), idiv(t, ic(mt))]);

  /** Addresses and instructions of step k of output tile `tile` = (i, j), step number `step` in loop order. */
  const stepAt = (tile: IExpr, i: IExpr, j: IExpr, k: IExpr, step: IExpr) => {
    // Block indices of the whole matrices.
    const rowBlock = (ii: IExpr): IExpr => iadd(imul(i, ic(ti)), ii);
    const colBlock = (jj: IExpr): IExpr => iadd(imul(j, ic(tj)), jj);
    const kBlock = (kk: IExpr): IExpr => iadd(imul(k, ic(tk)), kk);
    // Blocks of this tile (the last tile in each dimension may have fewer).
    const [tiHere, tjHere, tkHere] = [blocksIn(i, ti, mb), blocksIn(j, tj, nb), blocksIn(k, tk, kb)];
    // Buffer copies alternate with every step for A and B (a kept tile's
    // with its row or column), and with every output tile for C, so the
    // next step's loads never wait for this step's computes.
    const aBuf = imod(reused === 'a' ? i : step, ic(place.copies));
    const bBuf = imod(reused === 'b' ? j : step, ic(place.copies));
    // Whether this step loads A and B (0 or 1).
    const [loadsA, loadsB] = [reused === 'a' ? icmp('eq', j, ic(0)) : ic(1), reused === 'b' ? icmp('eq', i, ic(0)) : ic(1)];
    const accBuf = imod(tile, ic(place.copies));
    const aRow = (ii: IExpr, kk: IExpr): IExpr => iadd(ic(place.aRow), iadd(imul(aBuf, ic(aTileRows)), imul(iadd(imul(ii, ic(tk)), kk), ic(d))));
    const bRow = (kk: IExpr, jj: IExpr): IExpr => iadd(ic(place.bRow), iadd(imul(bBuf, ic(bTileRows)), imul(iadd(imul(kk, ic(tj)), jj), ic(d))));
    const cRow = (ii: IExpr, jj: IExpr): IExpr => iadd(ic(place.cRow), iadd(imul(accBuf, ic(cTileRows)), imul(iadd(imul(ii, ic(tj)), jj), ic(d))));
    const mRows = (ii: IExpr): IExpr => extentOf(rowBlock(ii), spec.m);
    const nCols = (jj: IExpr): IExpr => extentOf(colBlock(jj), spec.n);
    const kRows = (kk: IExpr): IExpr => extentOf(kBlock(kk), spec.k, dk);
    // Block row ii of A's K group from kFirst, in one mvin.
    const mvinA = (ii: IExpr, kFirst: IExpr): ProgramStmt =>
      inst({
        op: 'mvin',
        channel: 0,
        src: { buffer: spec.a.buffer, offset: iadd(imul(imul(rowBlock(ii), ic(d)), ic(spec.a.rowStride)), imul(kBlock(kFirst), ic(dk))) },
        dst: { space: 'sp', row: aRow(ii, kFirst) },
        rows: mRows(ii),
        cols: groupCols(kBlock(kFirst), imin(ic(kGroup), isub(tkHere, kFirst)), spec.k, dk),
      });
    // Block row kk of B, maxBlockLen blocks per mvin ((kk, jj) and (kk, jj + 1) are DIM rows apart).
    const mvinBRow = (kk: IExpr): ProgramStmt[] => {
      const jFirst = imul(iv('jg'), ic(mbl));
      return loop('jg', iceilDiv(tjHere, mbl), [
        inst({
          op: 'mvin',
          channel: 1,
          src: { buffer: spec.b.buffer, offset: iadd(imul(imul(kBlock(kk), ic(dk)), ic(spec.b.rowStride)), imul(colBlock(jFirst), ic(d))) },
          dst: { space: 'sp', row: bRow(kk, jFirst) },
          rows: kRows(kk),
          cols: groupCols(colBlock(jFirst), imin(ic(mbl), isub(tjHere, jFirst)), spec.n, d),
        }),
      ]);
    };
    // C is stored and its bias loaded in units of up to storeGroup blocks of
    // one block row, (ii, jj) .. (ii, jj + blocks - 1): they sit DIM rows
    // apart in the accumulator, as multi-block moves need.
    const unitsPerRow = (tjTile: IExpr): IExpr => iceilDiv(tjTile, storeGroup);
    const unitBlocks = (ug: IExpr): IExpr => imin(ic(storeGroup), isub(tjHere, imul(ug, ic(storeGroup))));
    // The bias rows of C unit (ii, ug), biasGroup blocks per mvin: written
    // before the first product, or added after the last.
    const mvinBias = (bias: NonNullable<MatmulSpec['bias']>, ii: IExpr, ug: IExpr, accumulate: boolean): ProgramStmt[] => {
      const inUnit = imul(iv('bg'), ic(biasGroup));
      const jFirst = iadd(imul(ug, ic(storeGroup)), inUnit);
      return loop('bg', iceilDiv(unitBlocks(ug), biasGroup), [
        inst({
          op: 'mvin',
          channel: 2,
          src: { buffer: bias.buffer, offset: bias.repeatRow ? imul(colBlock(jFirst), ic(d)) : iadd(imul(rowBlock(ii), ic(d * spec.n)), imul(colBlock(jFirst), ic(d))) },
          dst: { space: 'acc', row: cRow(ii, jFirst), accumulate: ic(accumulate ? 1 : 0), raw: false },
          rows: mRows(ii),
          cols: groupCols(colBlock(jFirst), imin(ic(biasGroup), isub(unitBlocks(ug), inUnit)), spec.n, d),
        }),
      ]);
    };
    const mvout = (ii: IExpr, ug: IExpr): ProgramStmt => {
      const jFirst = imul(ug, ic(storeGroup));
      return inst({
        op: 'mvout',
        src: { space: 'acc', row: cRow(ii, jFirst), accumulate: ic(0), raw: spec.out.dtype === 'i32' },
        dst: { buffer: spec.out.buffer, offset: iadd(imul(imul(rowBlock(ii), ic(d)), ic(spec.out.rowStride)), imul(colBlock(jFirst), ic(d))) },
        rows: mRows(ii),
        cols: groupCols(colBlock(jFirst), unitBlocks(ug), spec.n, d),
      });
    };
    // A's and B's blocks of the K group from kFirst, all at once; B's first
    // row first, so that the first computes need only it and A's first row.
    const loadGroup = (kFirst: IExpr): ProgramStmt[] => [
      ...onlyIf('kb', loadsB, mvinBRow(kFirst)),
      ...loop('ii', tripsIf(loadsA, tiHere), [mvinA(iv('ii'), kFirst)]),
      ...loop('kk', tripsIf(loadsB, isub(imin(ic(kGroup), isub(tkHere, kFirst)), ic(1))), mvinBRow(iadd(iadd(kFirst, iv('kk')), ic(1)))),
    ];
    const biasAll = (bias: NonNullable<MatmulSpec['bias']>, accumulate: boolean): ProgramStmt[] =>
      loop('ii', tiHere, loop('ug', unitsPerRow(tjHere), mvinBias(bias, iv('ii'), iv('ug'), accumulate)));
    const storeAll = (): ProgramStmt[] => loop('ii', tiHere, loop('ug', unitsPerRow(tjHere), [mvout(iv('ii'), iv('ug'))]));
    return { kBlock, tiHere, tjHere, tkHere, loadsA, loadsB, aRow, bRow, cRow, mRows, nCols, kRows, mvinA, mvinBRow, mvinBias, mvout, unitsPerRow, loadGroup, biasAll, storeAll };
  };
  type Step = ReturnType<typeof stepAt>;

  // Tile loops of one trip are left out: their index is 0.
  const [i, j, k] = ([['i', mt], ['j', nt], ['k', kt]] as const).map(([v, n]) => (n > 1 ? iv(v) : ic(0)));
  const tileLoop = (v: string, n: number, body: ProgramStmt[]): ProgramStmt[] => (n > 1 ? loop(v, n, body) : body);
  const [kk, jj, ii] = ['kk', 'jj', 'ii'].map(iv);
  const tile = tileNumber(i, j);
  const stepNumber = iadd(imul(tile, ic(kt)), k);
  const cur = stepAt(tile, i, j, k, stepNumber);

  // The computes of K block kk. One K block (at most kStep) per compute, so
  // the mesh's narrow partial sums never wrap; the accumulator adds the
  // blocks up. The first K block overwrites C unless the bias went in first.
  const biasFirst = spec.bias !== undefined && !acrossSteps;
  const cAddr = (row: IExpr): LocalAddr => ({ space: 'acc', row, accumulate: biasFirst ? ic(1) : icmp('gt', cur.kBlock(kk), ic(0)), raw: false });
  const [kRows, nCols] = [cur.kRows(kk), cur.nCols(jj)];
  const compute: ProgramStmt[] =
    tiling.dataflow === 'ws'
      ? [
          inst({ op: 'preload', bd: { space: 'sp', row: cur.bRow(kk, jj) }, c: cAddr(cur.cRow(ic(0), jj)), bdRows: kRows, bdCols: nCols, cRows: cur.mRows(ic(0)), cCols: nCols }),
          inst({ op: 'compute', accumulated: false, a: { space: 'sp', row: cur.aRow(ic(0), kk) }, bd: { space: 'garbage' }, aRows: cur.mRows(ic(0)), aCols: kRows, bdRows: kRows, bdCols: nCols }),
          ...loop('ii', isub(cur.tiHere, ic(1)), [
            inst({ op: 'preload', bd: { space: 'garbage' }, c: cAddr(cur.cRow(iadd(ii, ic(1)), jj)), bdRows: kRows, bdCols: nCols, cRows: cur.mRows(iadd(ii, ic(1))), cCols: nCols }),
            inst({ op: 'compute', accumulated: true, a: { space: 'sp', row: cur.aRow(iadd(ii, ic(1)), kk) }, bd: { space: 'garbage' }, aRows: cur.mRows(iadd(ii, ic(1))), aCols: kRows, bdRows: kRows, bdCols: nCols }),
          ]),
        ]
      : // OS: a fresh zero start (garbage D) and its own C for every block product.
        loop('ii', cur.tiHere, [
          inst({ op: 'preload', bd: { space: 'garbage' }, c: cAddr(cur.cRow(ii, jj)), bdRows: cur.mRows(ii), bdCols: nCols, cRows: cur.mRows(ii), cCols: nCols }),
          inst({ op: 'compute', accumulated: false, a: { space: 'sp', row: cur.aRow(ii, kk) }, bd: { space: 'sp', row: cur.bRow(kk, jj) }, aRows: cur.mRows(ii), aCols: kRows, bdRows: kRows, bdCols: nCols }),
        ]);

  // Software pipeline over K groups: the loads of the next group (of this
  // step, or the next step's first) are issued among the computes of this
  // one, a few mvins before each kk's, so the DMA and the mesh work at once
  // and no queue fills up and stalls the host for long. Slot q of a group
  // issues A's block rows q * aShare .. and B's block row q of the next
  // group; the last slot of a short group issues what is left.
  const aShare = ceilDiv(ti, kGroup);
  // Steps of at most kGroup K blocks are a single group.
  const oneGroup = Math.min(tk, kb) <= kGroup;
  const q = oneGroup ? kk : imod(kk, ic(kGroup));
  const groupStart = isub(kk, q);
  const nextStart = iadd(groupStart, ic(kGroup));
  // Every group is whole when the tiles' K blocks are multiples of kGroup.
  const groupsWhole = tk % kGroup === 0 && (kb % tk) % kGroup === 0;
  const lastSlot = groupsWhole ? ic(0) : icmp('eq', iadd(q, ic(1)), imin(ic(kGroup), isub(cur.tkHere, groupStart)));
  const prefetchGroup = (next: Step, kFirst: IExpr, when: IExpr): ProgramStmt[] => {
    const aCount = imin(iadd(ic(aShare), imul(lastSlot, ic(ti))), isub(next.tiHere, imul(q, ic(aShare))));
    const bCount = imin(iadd(ic(1), imul(lastSlot, ic(kGroup))), isub(imin(ic(kGroup), isub(next.tkHere, kFirst)), q));
    return [
      ...loop('ia', tripsIf(imul(when, next.loadsA), aCount), [next.mvinA(iadd(imul(q, ic(aShare)), iv('ia')), kFirst)]),
      ...loop('kn', tripsIf(imul(when, next.loadsB), bCount), next.mvinBRow(iadd(iadd(kFirst, q), iv('kn')))),
    ];
  };
  const kkPrelude: ProgramStmt[] = oneGroup ? [] : prefetchGroup(cur, nextStart, icmp('lt', nextStart, cur.tkHere));
  if (acrossSteps) {
    // The next step: (i, j, k + 1), or the next tile's first.
    const nextTile = kt === 1 ? iadd(tile, ic(1)) : iadd(tile, idiv(iadd(k, ic(1)), ic(kt)));
    const [ni, nj] = tileAt(nextTile);
    const next = stepAt(nextTile, ni, nj, imod(iadd(k, ic(1)), ic(kt)), iadd(stepNumber, ic(1)));
    const more = icmp('lt', iadd(stepNumber, ic(1)), ic(mt * nt * kt));
    kkPrelude.push(...prefetchGroup(next, ic(0), oneGroup ? more : imul(icmp('ge', nextStart, cur.tkHere), more)));

    // The previous tile's epilogue, spread over this tile's first step:
    // slot kk stores C units u = kk * share .. (row-major), or, with a bias
    // to add on the way out, adds the bias to them and stores them one slot later.
    const prevTile = isub(tile, ic(1));
    const [pi, pj] = tileAt(prevTile);
    const prev = stepAt(prevTile, pi, pj, ic(kt - 1), isub(stepNumber, ic(1)));
    const slots = Math.min(tk, kb);
    const lag = spec.bias !== undefined && slots > 1 ? 1 : 0;
    const share = ceilDiv(ti * ceilDiv(tj, storeGroup), slots - lag);
    const prevUnits = prev.unitsPerRow(prev.tjHere);
    const units = (slot: IExpr, v: string, visit: (ii: IExpr, ug: IExpr) => ProgramStmt[]): ProgramStmt[] => {
      const u = iadd(imul(slot, ic(share)), iv(v));
      return loop(v, imin(ic(share), isub(imul(prev.tiHere, prevUnits), imul(slot, ic(share)))), visit(idiv(u, prevUnits), imod(u, prevUnits)));
    };
    const epilogue: ProgramStmt[] = [];
    const bias = spec.bias;
    if (bias) epilogue.push(...units(kk, 'ub', (bi, bu) => prev.mvinBias(bias, bi, bu, true)));
    const store = (si: IExpr, su: IExpr): ProgramStmt[] => [prev.mvout(si, su)];
    epilogue.push(...(lag ? loop('ko', imin(ic(1), kk), units(isub(kk, ic(1)), 'uo', store)) : units(kk, 'uo', store)));
    kkPrelude.push(...onlyIf('prev', imul(icmp('eq', k, ic(0)), icmp('gt', tile, ic(0))), epilogue));
  }
  const stepBody = [...(acrossSteps ? [] : cur.loadGroup(ic(0))), ...loop('kk', cur.tkHere, [...kkPrelude, ...loop('jj', cur.tjHere, compute)])];
  const tileBody = [...(biasFirst && spec.bias ? cur.biasAll(spec.bias, false) : []), ...tileLoop('k', kt, stepBody), ...(acrossSteps ? [] : cur.storeAll())];
  const tileLoops = tiling.order === 'ijk' ? tileLoop('i', mt, tileLoop('j', nt, tileBody)) : tileLoop('j', nt, tileLoop('i', mt, tileBody));
  if (!acrossSteps) return tileLoops;
  // Prologue: the first step's first group. Epilogue: the last tile's bias and stores.
  const firstStep = stepAt(ic(0), ic(0), ic(0), ic(0), ic(0));
  const lastTile = ic(mt * nt - 1);
  const [li, lj] = tileAt(lastTile);
  const lastStep = stepAt(lastTile, li, lj, ic(kt - 1), ic(mt * nt * kt - 1));
  return [...firstStep.loadGroup(ic(0)), ...tileLoops, ...(spec.bias ? lastStep.biasAll(spec.bias, true) : []), ...lastStep.storeAll()];
}

/** Columns moved by one mvin of `blocks` blocks of `step` columns starting at `firstBlock`. */
function groupCols(firstBlock: IExpr, blocks: IExpr, size: number, step: number): IExpr {
  const full = imul(blocks, ic(step));
  return size % step === 0 ? full : imin(full, isub(ic(size), imul(firstBlock, ic(step))));
}

/**
 * The same matmul through Gemmini's matmul unroller: one loop_ws per (i, j, k)
 * tile step. The bias is loaded by the first k step (which then accumulates
 * onto it), C is stored by the last; between them the sums stay in the
 * accumulator half the unroller keeps for C.
 */
export function loopWsProgram(spec: MatmulSpec, tiling: MatmulTiling, target: MatmulTarget): ProgramStmt[] {
  if (tiling.dataflow !== 'ws') throw new Error(`internal: loop_ws is weight-stationary only, not ${tiling.dataflow}`);
  const d = target.dim;
  const { ti, tj, tk } = tiling;
  const [mb, nb, kb] = [ceilDiv(spec.m, d), ceilDiv(spec.n, d), ceilDiv(spec.k, d)];
  const [mt, nt, kt] = [ceilDiv(mb, ti), ceilDiv(nb, tj), ceilDiv(kb, tk)];
  const [i, j, k] = [iv('i'), iv('j'), iv('k')];
  const [tiHere, tjHere, tkHere] = [blocksIn(i, ti, mb), blocksIn(j, tj, nb), blocksIn(k, tk, kb)];
  // Padding: the elements this tile's blocks cover beyond the matrix (only the last tile has any).
  const pad = (t: IExpr, here: IExpr, tile: number, size: number): IExpr =>
    size % d === 0 ? ic(0) : isub(imul(here, ic(d)), imin(imul(here, ic(d)), isub(ic(size), imul(t, ic(tile * d)))));
  const lastK = icmp('eq', k, ic(kt - 1));
  const loopWs: Inst = {
    op: 'loop_ws',
    a: { buffer: spec.a.buffer, offset: iadd(imul(imul(i, ic(ti * d)), ic(spec.a.rowStride)), imul(k, ic(tk * d))) },
    b: { buffer: spec.b.buffer, offset: iadd(imul(imul(k, ic(tk * d)), ic(spec.b.rowStride)), imul(j, ic(tj * d))) },
    ...(spec.bias
      ? {
          d: {
            buffer: spec.bias.buffer,
            offset: spec.bias.repeatRow ? imul(j, ic(tj * d)) : iadd(imul(imul(i, ic(ti * d)), ic(spec.n)), imul(j, ic(tj * d))),
            when: icmp('eq', k, ic(0)),
          },
        }
      : {}),
    c: { buffer: spec.out.buffer, offset: iadd(imul(imul(i, ic(ti * d)), ic(spec.out.rowStride)), imul(j, ic(tj * d))), when: lastK },
    blocksI: tiHere,
    blocksJ: tjHere,
    blocksK: tkHere,
    padI: pad(i, tiHere, ti, spec.m),
    padJ: pad(j, tjHere, tj, spec.n),
    padK: pad(k, tkHere, tk, spec.k),
    aStride: spec.a.rowStride,
    bStride: spec.b.rowStride,
    dStride: spec.bias?.repeatRow ? 0 : spec.n,
    cStride: spec.out.rowStride,
    fullC: spec.out.dtype === 'i32',
    // k = 0 overwrites C, unless the bias was loaded into it first.
    exAccumulate: spec.bias ? ic(1) : icmp('gt', k, ic(0)),
    activation: spec.activation,
  };
  const steps = loop('k', kt, [inst(loopWs)]);
  return tiling.order === 'ijk' ? loop('i', mt, loop('j', nt, steps)) : loop('j', nt, loop('i', mt, steps));
}

/**
 * The configuration instructions a matmul needs before its loops. OS results
 * leave the mesh shifted right by sysShift: 0 keeps the raw sums.
 */
export function matmulConfig(spec: MatmulSpec, dataflow: Dataflow): ProgramStmt[] {
  const stmts: ProgramStmt[] = [
    inst({ op: 'config_ex', dataflow, activation: 'none', sysShift: 0, aTranspose: false, bTranspose: false }),
    inst({ op: 'config_ld', channel: 0, strideBytes: spec.a.rowStride, scale: 1 }),
    inst({ op: 'config_ld', channel: 1, strideBytes: spec.b.rowStride, scale: 1 }),
  ];
  if (spec.bias) stmts.push(inst({ op: 'config_ld', channel: 2, strideBytes: spec.bias.repeatRow ? 0 : 4 * spec.n, scale: 1 }));
  stmts.push(inst({ op: 'config_st', strideBytes: spec.out.rowStride * (spec.out.dtype === 'i32' ? 4 : 1), activation: spec.activation, scale: spec.scale }));
  return stmts;
}
