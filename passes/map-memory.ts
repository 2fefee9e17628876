// map-memory (Tiled IR -> Mapped IR): places every gemm's tile buffers.
// Gemms run one after another (a fence separates them), so each may use the
// whole scratchpad and accumulator. Two placements are possible:
// - `rows`: A tiles from row 0, the C tile at accumulator row 0, and B tiles
//   from the first scratchpad bank after A's, so that a preload's weights and
//   a compute's A rows stream from different single-ported banks at once
//   (Configs.scala sp_singleported; the host model serialises them
//   otherwise); right after A when no bank is free. Two copies of each buffer
//   (double-buffering) when they fit, so loads of the next tile overlap the
//   compute of this one; one copy otherwise. tc's software-pipelined schedule
//   (matmul-schedule.ts) runs on it.
// - `loop_ws`: Gemmini's matmul unroller places the tiles in its halves of
//   the memories and overlaps loads, computes and stores in hardware. Only
//   weight-stationary, and only when the tiles fit its halves.
// Where both are possible, the analytical cost model (gemmini/cost.ts) costs
// the instructions each would produce and the one with fewer predicted cycles
// wins: the unroller issues one command per cycle, but tc's schedule overlaps
// the next tile's loads with this tile's computes across K groups, and which
// is faster depends on the shape.

import type { Diagnostics } from '../ir/diagnostics.js';
import { type GemmPlacement, type GemmTiling, type TensorFunc, type TensorOp, typeMap } from '../ir/tensor-ir.js';
import { gemmTileRows } from '../ir/tiled-verify.js';
import type { TensorType } from '../ir/types.js';
import { DTYPE_BYTES } from '../ir/types.js';
import { timeStatements, type TimedEstimate } from '../gemmini/cost.js';
import { gemmStatements } from './emit-instructions.js';
import { withBody } from './rewrite.js';
import type { GemminiTarget } from './target.js';

type GemmOp = Extract<TensorOp, { kind: 'gemm' }>;

/** The explicit placement of a gemm with this tiling: double-buffered where two copies fit, B in its own bank where one is free. */
export function rowsPlacement(tiling: GemmTiling, target: GemminiTarget): Extract<GemmPlacement, { kind: 'rows' }> {
  const rows = gemmTileRows(tiling, target.dim, target.kStep);
  const fits = (copies: number): boolean => copies * (rows.a + rows.b) <= target.scratchpadRows && copies * rows.c <= target.accumulatorRows;
  const copies = fits(2) ? 2 : 1;
  const aEnd = copies * rows.a;
  const nextBank = Math.ceil(aEnd / target.scratchpadBankRows) * target.scratchpadBankRows;
  const bRow = nextBank + copies * rows.b <= target.scratchpadRows ? nextBank : aEnd;
  return { kind: 'rows', aRow: 0, bRow, cRow: 0, copies };
}

/** The placements a gemm with this tiling may have: rows always, loop_ws where the unroller can take it. */
export function placementCandidates(tiling: GemmTiling, target: GemminiTarget): GemmPlacement[] {
  const rows = gemmTileRows(tiling, target.dim, target.kStep);
  const out: GemmPlacement[] = [rowsPlacement(tiling, target)];
  if (target.hasLoopWs && tiling.dataflow === 'ws' && target.kStep === target.dim && rows.a + rows.b <= target.scratchpadRows / 2 && rows.c <= target.accumulatorRows / 2)
    out.push({ kind: 'loop_ws' });
  return out;
}

type Placed = { placement: GemmPlacement; estimate: TimedEstimate };
// The tile step costs its chosen tiling's placements before map-memory does:
// remembered per target (one compile), so the second asks nothing twice.
const placedBefore = new WeakMap<GemminiTarget, Map<string, Placed>>();

/** The placement with the fewest predicted cycles, and its estimate (also used by the tile step to cost its candidates; only the winner's exact totals are ever asked for). */
export function placeGemm(op: GemmOp, tiling: GemmTiling, typeOf: (name: string) => TensorType, target: GemminiTarget): Placed {
  const memo = placedBefore.get(target) ?? new Map<string, Placed>();
  placedBefore.set(target, memo);
  // The op as the tile step saw it (map-memory's carries its tiling too).
  const key = JSON.stringify([{ ...op, tiling: undefined, placement: undefined }, tiling, typeOf(op.a), typeOf(op.b), op.bias === undefined ? null : typeOf(op.bias)]);
  const known = memo.get(key);
  if (known) return known;
  const bytesOf = (name: string): number => DTYPE_BYTES[typeOf(name).dtype];
  let best: Placed | undefined;
  for (const placement of placementCandidates(tiling, target)) {
    const estimate = timeStatements(gemmStatements(op, tiling, placement, typeOf, target), target.config, bytesOf);
    if (!best || estimate.cycles < best.estimate.cycles) best = { placement, estimate };
  }
  memo.set(key, best as Placed);
  return best as Placed;
}

export function mapMemory(f: TensorFunc, target: GemminiTarget, log: Diagnostics): TensorFunc {
  const types = typeMap(f);
  const typeOf = (name: string): TensorType => types.get(name) as TensorType;
  const body = f.body.map((op): TensorOp => {
    if (op.kind !== 'gemm') return op;
    if (!op.tiling) {
      log.error(`gemm %${op.result} has no tile sizes; run the tile step first`, op.loc);
      return op;
    }
    return { ...op, placement: placeGemm(op, op.tiling, typeOf, target).placement };
  });
  return withBody(f, body);
}
