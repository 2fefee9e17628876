// map-memory (Tiled IR -> Mapped IR): places every gemm's tile buffers.
// Gemms run one after another (a fence separates them), so each may use the
// whole scratchpad and accumulator: A tiles from row 0, B tiles after all
// copies of A, the C tile at accumulator row 0. Two copies of each
// (double-buffering) when they fit, so loads of the next tile overlap the
// compute of this one; one copy otherwise.

import type { Diagnostics } from '../ir/diagnostics.js';
import type { GemmTiling, TensorFunc, TensorOp } from '../ir/tensor-ir.js';
import { gemmTileRows } from '../ir/tiled-verify.js';
import { withBody } from './rewrite.js';
import type { GemminiTarget } from './target.js';

export function mapMemory(f: TensorFunc, target: GemminiTarget, log: Diagnostics): TensorFunc {
  const body = f.body.map((op): TensorOp => {
    if (op.kind !== 'gemm') return op;
    if (!op.tiling) {
      log.error(`gemm %${op.result} has no tile sizes; run the tile step first`, op.loc);
      return op;
    }
    const rows = gemmTileRows(op.tiling as GemmTiling, target.dim);
    const fits = (copies: number): boolean => copies * (rows.a + rows.b) <= target.scratchpadRows && copies * rows.c <= target.accumulatorRows;
    const copies = fits(2) ? 2 : 1;
    return { ...op, placement: { aRow: 0, bRow: copies * rows.a, cRow: 0, copies } };
  });
  return withBody(f, body);
}
