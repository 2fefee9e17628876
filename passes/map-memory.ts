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

import { BoundedCache } from '../ir/bounded-cache.js';
import type { Diagnostics } from '../ir/diagnostics.js';
import { type GemmPlacement, type GemmTiling, type TensorFunc, type TensorOp, typeMap } from '../ir/tensor-ir.js';
import { gemmTileRows } from '../ir/tiled-verify.js';
import type { TensorType } from '../ir/types.js';
import { DTYPE_BYTES } from '../ir/types.js';
import { timeStatements, type TimedEstimate } from '../gemmini/cost.js';
import { gemmKey, gemmStatements } from './emit-instructions.js';
import { withBody } from './rewrite.js';
import { codegenKey, scheduleKey, timingKey, type GemminiTarget } from './target.js';

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

/**
 * Whether the analytical model times this placement alike wherever its
 * buffers sit: it reads scratchpad rows only to tell whether a preload's
 * weights (B) and a compute's A rows share a single-ported bank, and keeps
 * accumulator rows apart from scratchpad rows by offset. A rows placement
 * whose B starts at a bank boundary past A's rows never shares one; nor does
 * anything on a dual-ported scratchpad. loop_ws's halves move with the
 * capacities, and where B follows A in its bank the rows that share it do.
 * (Relocated, A and C stay at row 0 and B past A: key them by their copies.)
 */
export function relocatable(tiling: GemmTiling, placement: GemmPlacement, target: GemminiTarget): boolean {
  if (placement.kind !== 'rows' || placement.aRow !== 0 || placement.cRow !== 0) return false;
  const aEnd = placement.copies * gemmTileRows(tiling, target.dim, target.kStep).a;
  return placement.bRow >= aEnd && (!target.config.scratchpadSinglePorted || placement.bRow % target.scratchpadBankRows === 0);
}

// Estimates by gemm, tiling, placement and target, across a sweep's points:
// a relocatable placement is keyed by its copies and the target less its
// capacities (scheduleKey), so the scratchpad sizes a sweep steps through
// cost a tiling they share once. The tile step's shortlist is costed again
// by map-memory in the same compile. Oldest first; a few hundred at most.
const estimates = new BoundedCache<TimedEstimate>(256);

/** The placement with the fewest predicted cycles, and its estimate (also used by the tile step to cost its candidates; only the winner's exact totals are ever asked for). */
export function placeGemm(op: GemmOp, tiling: GemmTiling, typeOf: (name: string) => TensorType, target: GemminiTarget): Placed {
  const bytesOf = (name: string): number => DTYPE_BYTES[typeOf(name).dtype];
  // The op as the tile step saw it (map-memory's carries its tiling too).
  const gemm = JSON.stringify([gemmKey(op, typeOf), tiling, timingKey(target)]);
  let best: Placed | undefined;
  for (const placement of placementCandidates(tiling, target)) {
    const where = relocatable(tiling, placement, target) ? [placement.kind === 'rows' ? placement.copies : 0, scheduleKey(target)] : [placement, codegenKey(target)];
    const estimate = estimates.get(JSON.stringify(where) + gemm, () => timeStatements(gemmStatements(op, tiling, placement, typeOf, target), target.config, bytesOf));
    if (!best || estimate.cycles < best.estimate.cycles) best = { placement, estimate };
  }
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
