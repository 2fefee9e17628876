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
//   for i < M tiles, j < N tiles (or j, i):  C tile in accumulator buffer (tile number) % copies
//     [mvin bias rows into the C tile]
//     for k < K tiles:                        A, B tiles in scratchpad buffers (step number) % copies
//       mvin A tile, mvin B tile
//       for kk < tk, jj < tj:
//         WS: preload B(kk, jj) -> C(0, jj); compute.preloaded A(0, kk)
//             for ii < ti - 1: preload garbage -> C(ii+1, jj); compute.accumulated A(ii+1, kk)
//         OS: for ii < ti: preload garbage -> C(ii, jj); compute.preloaded A(ii, kk), B(kk, jj)
//     mvout C tile (scale, activation)
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

const inst = (i: Inst): ProgramStmt => ({ kind: 'inst', inst: i });
const loop = (v: string, extent: IExpr | number, body: ProgramStmt[]): ProgramStmt[] => {
  const e = typeof extent === 'number' ? ic(extent) : extent;
  return e.kind === 'const' && e.value <= 0 ? [] : [{ kind: 'for', var: v, extent: e, body }];
};

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
  const i = iv('i');
  const j = iv('j');
  const k = iv('k');
  // Block indices of the whole matrices.
  const rowBlock = (ii: IExpr): IExpr => iadd(imul(i, ic(ti)), ii);
  const colBlock = (jj: IExpr): IExpr => iadd(imul(j, ic(tj)), jj);
  const kBlock = (kk: IExpr): IExpr => iadd(imul(k, ic(tk)), kk);
  // Blocks of this tile (the last tile in each dimension may have fewer).
  const [tiHere, tjHere, tkHere] = [blocksIn(i, ti, mb), blocksIn(j, tj, nb), blocksIn(k, tk, kb)];
  // Rows or cols of a block: DIM, or what is left at the edge.
  const extentOf = (block: IExpr, size: number, step = d): IExpr => (size % step === 0 ? ic(step) : imin(ic(step), isub(ic(size), imul(block, ic(step)))));
  // Buffer copies alternate with every (i, j, k) step for A and B, and with
  // every output tile for C, so the next step's loads never wait for this
  // step's computes.
  const tileNumber = tiling.order === 'ijk' ? iadd(imul(i, ic(nt)), j) : iadd(imul(j, ic(mt)), i);
  const spBuf = imod(iadd(imul(tileNumber, ic(kt)), k), ic(place.copies));
  const accBuf = imod(tileNumber, ic(place.copies));
  const aRow = (ii: IExpr, kk: IExpr): IExpr => iadd(ic(place.aRow), iadd(imul(spBuf, ic(aTileRows)), imul(iadd(imul(ii, ic(tk)), kk), ic(d))));
  const bRow = (kk: IExpr, jj: IExpr): IExpr => iadd(ic(place.bRow), iadd(imul(spBuf, ic(bTileRows)), imul(iadd(imul(kk, ic(tj)), jj), ic(d))));
  const cRow = (ii: IExpr, jj: IExpr): IExpr => iadd(ic(place.cRow), iadd(imul(accBuf, ic(cTileRows)), imul(iadd(imul(ii, ic(tj)), jj), ic(d))));

  const body: ProgramStmt[] = [];
  // Bias rows go straight into the accumulator; then every product accumulates.
  const tileBody: ProgramStmt[] = [];
  if (spec.bias) {
    const bias = spec.bias;
    const jj = iv('jj');
    const ii = iv('ii');
    const biasOffset = bias.repeatRow ? imul(colBlock(jj), ic(d)) : iadd(imul(rowBlock(ii), ic(d * spec.n)), imul(colBlock(jj), ic(d)));
    tileBody.push(
      ...loop('ii', tiHere, loop('jj', tjHere, [
        inst({
          op: 'mvin',
          channel: 2,
          src: { buffer: bias.buffer, offset: biasOffset },
          dst: { space: 'acc', row: cRow(ii, jj), accumulate: ic(0), raw: false },
          rows: extentOf(rowBlock(ii), spec.m),
          cols: extentOf(colBlock(jj), spec.n),
        }),
      ])),
    );
  }
  // Loads of the A and B tiles, several blocks per mvin where rows are contiguous
  // (A's K blocks are contiguous only when they are DIM wide).
  const mbl = target.maxBlockLen;
  const mblA = dk === d ? mbl : 1;
  const loadA = loop('ii', tiHere, loop('kg', iceilDiv(tkHere, mblA), [
    inst({
      op: 'mvin',
      channel: 0,
      src: { buffer: spec.a.buffer, offset: iadd(imul(imul(rowBlock(iv('ii')), ic(d)), ic(spec.a.rowStride)), imul(kBlock(imul(iv('kg'), ic(mblA))), ic(dk))) },
      dst: { space: 'sp', row: aRow(iv('ii'), imul(iv('kg'), ic(mblA))) },
      rows: extentOf(rowBlock(iv('ii')), spec.m),
      cols: groupCols(kBlock(imul(iv('kg'), ic(mblA))), imin(ic(mblA), isub(tkHere, imul(iv('kg'), ic(mblA)))), spec.k, dk),
    }),
  ]));
  const loadB = loop('kk', tkHere, loop('jg', iceilDiv(tjHere, mbl), [
    inst({
      op: 'mvin',
      channel: 1,
      src: { buffer: spec.b.buffer, offset: iadd(imul(imul(kBlock(iv('kk')), ic(dk)), ic(spec.b.rowStride)), imul(colBlock(imul(iv('jg'), ic(mbl))), ic(d))) },
      // B blocks of one kk row are DIM rows apart: (kk, jj) at bRow(kk, jj).
      dst: { space: 'sp', row: bRow(iv('kk'), imul(iv('jg'), ic(mbl))) },
      rows: extentOf(kBlock(iv('kk')), spec.k, dk),
      cols: groupCols(colBlock(imul(iv('jg'), ic(mbl))), imin(ic(mbl), isub(tjHere, imul(iv('jg'), ic(mbl)))), spec.n, d),
    }),
  ]));
  const kk = iv('kk');
  const jj = iv('jj');
  const ii = iv('ii');
  const first = spec.bias ? ic(1) : icmp('gt', iadd(imul(k, ic(tk)), kk), ic(0));
  const cAddr = (row: IExpr): LocalAddr => ({ space: 'acc', row, accumulate: first, raw: false });
  const kRows = extentOf(kBlock(kk), spec.k, dk);
  const nCols = extentOf(colBlock(jj), spec.n);
  const mRows = (block: IExpr): IExpr => extentOf(rowBlock(block), spec.m);
  const compute: ProgramStmt[] =
    tiling.dataflow === 'ws'
      ? [
          inst({ op: 'preload', bd: { space: 'sp', row: bRow(kk, jj) }, c: cAddr(cRow(ic(0), jj)), bdRows: kRows, bdCols: nCols, cRows: mRows(ic(0)), cCols: nCols }),
          inst({ op: 'compute', accumulated: false, a: { space: 'sp', row: aRow(ic(0), kk) }, bd: { space: 'garbage' }, aRows: mRows(ic(0)), aCols: kRows, bdRows: kRows, bdCols: nCols }),
          ...loop('ii', isub(tiHere, ic(1)), [
            inst({ op: 'preload', bd: { space: 'garbage' }, c: cAddr(cRow(iadd(ii, ic(1)), jj)), bdRows: kRows, bdCols: nCols, cRows: mRows(iadd(ii, ic(1))), cCols: nCols }),
            inst({ op: 'compute', accumulated: true, a: { space: 'sp', row: aRow(iadd(ii, ic(1)), kk) }, bd: { space: 'garbage' }, aRows: mRows(iadd(ii, ic(1))), aCols: kRows, bdRows: kRows, bdCols: nCols }),
          ]),
        ]
      : // OS: a fresh zero start (garbage D) and its own C for every block product.
        loop('ii', tiHere, [
          inst({ op: 'preload', bd: { space: 'garbage' }, c: cAddr(cRow(ii, jj)), bdRows: mRows(ii), bdCols: nCols, cRows: mRows(ii), cCols: nCols }),
          inst({ op: 'compute', accumulated: false, a: { space: 'sp', row: aRow(ii, kk) }, bd: { space: 'sp', row: bRow(kk, jj) }, aRows: mRows(ii), aCols: kRows, bdRows: kRows, bdCols: nCols }),
        ]);
  tileBody.push(...loop('k', kt, [...loadA, ...loadB, ...loop('kk', tkHere, loop('jj', tjHere, compute))]));
  tileBody.push(
    ...loop('ii', tiHere, loop('jj', tjHere, [
      inst({
        op: 'mvout',
        src: { space: 'acc', row: cRow(ii, jj), accumulate: ic(0), raw: spec.out.dtype === 'i32' },
        dst: { buffer: spec.out.buffer, offset: iadd(imul(imul(rowBlock(ii), ic(d)), ic(spec.out.rowStride)), imul(colBlock(jj), ic(d))) },
        rows: extentOf(rowBlock(ii), spec.m),
        cols: extentOf(colBlock(jj), spec.n),
      }),
    ])),
  );
  body.push(...(tiling.order === 'ijk' ? loop('i', mt, loop('j', nt, tileBody)) : loop('j', nt, loop('i', mt, tileBody))));
  return body;
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
