// map-memory (Tiled IR -> Mapped IR): places every gemm's tile buffers.
// Gemms run one after another (a fence separates them), so each may use the
// whole scratchpad and accumulator: A tiles from row 0, the C tile at
// accumulator row 0, and B tiles from the first scratchpad bank after A's, so
// that a preload's weights and a compute's A rows stream from different
// single-ported banks at once (Configs.scala sp_singleported; the host model
// serialises them otherwise); right after A when no bank is free. Two copies
// of each buffer (double-buffering) when they fit, so loads of the next tile
// overlap the compute of this one; one copy otherwise.
// When the target has Gemmini's matmul unroller (loop_ws), the gemm is
// weight-stationary (the unroller's only dataflow) and the tiles fit its
// halves of the memories, the unroller places them and overlaps loads,
// computes and stores in hardware: placement `loop_ws`.

import type { Diagnostics } from '../ir/diagnostics.js';
import type { GemmPlacement, GemmTiling, TensorFunc, TensorOp } from '../ir/tensor-ir.js';
import { gemmTileRows } from '../ir/tiled-verify.js';
import { withBody } from './rewrite.js';
import type { GemminiTarget } from './target.js';

/** Where a gemm with this tiling goes (also used by the tile step to cost its candidates). */
export function placeGemm(tiling: GemmTiling, target: GemminiTarget): GemmPlacement {
  const rows = gemmTileRows(tiling, target.dim, target.kStep);
  // The hardware unroller overlaps loads, computes and stores by itself.
  if (target.hasLoopWs && tiling.dataflow === 'ws' && target.kStep === target.dim && rows.a + rows.b <= target.scratchpadRows / 2 && rows.c <= target.accumulatorRows / 2)
    return { kind: 'loop_ws' };
  const fits = (copies: number): boolean => copies * (rows.a + rows.b) <= target.scratchpadRows && copies * rows.c <= target.accumulatorRows;
  const copies = fits(2) ? 2 : 1;
  const aEnd = copies * rows.a;
  const nextBank = Math.ceil(aEnd / target.scratchpadBankRows) * target.scratchpadBankRows;
  const bRow = nextBank + copies * rows.b <= target.scratchpadRows ? nextBank : aEnd;
  return { kind: 'rows', aRow: 0, bRow, cRow: 0, copies };
}

export function mapMemory(f: TensorFunc, target: GemminiTarget, log: Diagnostics): TensorFunc {
  const body = f.body.map((op): TensorOp => {
    if (op.kind !== 'gemm') return op;
    if (!op.tiling) {
      log.error(`gemm %${op.result} has no tile sizes; run the tile step first`, op.loc);
      return op;
    }
    return { ...op, placement: placeGemm(op.tiling, target) };
  });
  return withBody(f, body);
}
