// tile (Tensor IR -> Tiled IR): chooses tile sizes, loop order and dataflow
// for every gemm from the target's DIM and memory sizes. Candidates are
// balanced tilings (n tiles of ceil(blocks / n) blocks each, so the last tile
// is never much smaller than the others) whose double-buffered tiles fit. A
// closed-form estimate of tc's schedule (schedule-estimate.ts) ranks them in
// microseconds each; the best few are then built exactly as map-memory and
// emit-instructions would build them, with each placement map-memory may
// choose, and costed by the analytical model of Gemmini (gemmini/cost.ts):
// the one with the fewest predicted cycles wins. Sizes that are not multiples of
// DIM stay as they are: the last blocks are partial.
// The dataflow is weight-stationary when the target has it (tc's WS
// schedules reuse a preloaded B block across a tile's rows and may use the
// loop_ws unroller), output-stationary otherwise; an option forces one.

import { BoundedCache } from '../ir/bounded-cache.js';
import type { Diagnostics } from '../ir/diagnostics.js';
import type { Dataflow } from '../ir/program-ir.js';
import { type GemmTiling, type TensorFunc, type TensorOp, typeMap } from '../ir/tensor-ir.js';
import type { TensorType } from '../ir/types.js';
import { DATAFLOW_NAME, gemmTileRows } from '../ir/tiled-verify.js';
import { placeGemm, rowsPlacement } from './map-memory.js';
import { gemmShapeOf, rowsScheduleEstimator } from './schedule-estimate.js';
import { withBody } from './rewrite.js';
import type { GemminiTarget } from './target.js';

/** Tile sizes (in blocks) that split `blocks` into n nearly equal tiles, for every n. */
function balancedTileSizes(blocks: number): number[] {
  const sizes = new Set<number>();
  for (let n = 1; n <= blocks; n++) sizes.add(Math.ceil(blocks / n));
  return [...sizes];
}

/**
 * Every balanced tiling of a gemm on a mesh, whatever the memories, in
 * candidate order, with the rows one copy of its A + B tiles and of its C
 * tile takes, and its size (its tile sizes without the loop order, numbered).
 */
interface TilingTable {
  readonly tilings: readonly GemmTiling[];
  readonly rowsAB: Int32Array;
  readonly rowsC: Int32Array;
  readonly size: Int32Array;
}

// By gemm, mesh and dataflow: the scratchpad sizes of a sweep filter one table.
const tables = new BoundedCache<TilingTable>(8);

function tilingTable(m: number, n: number, k: number, target: GemminiTarget, dataflow: Dataflow): TilingTable {
  const d = target.dim;
  return tables.get(JSON.stringify([m, n, k, d, target.kStep, dataflow]), () => {
    const [mb, nb, kb] = [Math.ceil(m / d), Math.ceil(n / d), Math.ceil(k / target.kStep)];
    const tilings: GemmTiling[] = [];
    const [ab, c, size]: number[][] = [[], [], []];
    for (const ti of balancedTileSizes(mb))
      for (const tj of balancedTileSizes(nb))
        for (const tk of balancedTileSizes(kb))
          for (const order of ['ijk', 'jik'] as const) {
            const t: GemmTiling = { tileM: ti * d, tileN: tj * d, tileK: tk * target.kStep, order, dataflow };
            const rows = gemmTileRows(t, d, target.kStep);
            tilings.push(t);
            ab.push(rows.a + rows.b);
            c.push(rows.c);
            size.push((tilings.length - 1) >> 1); // the two orders of one size are adjacent
          }
    return { tilings, rowsAB: Int32Array.from(ab), rowsC: Int32Array.from(c), size: Int32Array.from(size) };
  });
}

/** The entries of the table whose tilings fit the target's memories twice (double-buffered). */
function fittingTwice(table: TilingTable, target: GemminiTarget): number[] {
  const out: number[] = [];
  for (let x = 0; x < table.tilings.length; x++) if (2 * table.rowsAB[x] <= target.scratchpadRows && 2 * table.rowsC[x] <= target.accumulatorRows) out.push(x);
  return out;
}

/** Every tiling (in elements) whose double-buffered tiles fit. */
export function candidateTilings(m: number, n: number, k: number, target: GemminiTarget, dataflow: Dataflow = defaultDataflow(target)): GemmTiling[] {
  const table = tilingTable(m, n, k, target, dataflow);
  return fittingTwice(table, target).map((x) => table.tilings[x]);
}

/**
 * Tile sizes the analytical model of Gemmini costs per gemm (each with every
 * placement it may have): the best of the closed-form estimate, whose
 * ranking is close but not exact (bench/tile-choice.ts measures it). Two
 * keep the slowest example's compile under 100 ms on this 2-core machine.
 */
const SHORTLIST = 2;

export interface TileOptions {
  /** Forces a dataflow; without it, WS where the target has it. */
  readonly dataflow?: Dataflow;
  /** Tile sizes the analytical model costs (default SHORTLIST); benches vary it to measure what the shortlist loses. */
  readonly shortlist?: number;
}

export function defaultDataflow(target: GemminiTarget): Dataflow {
  return target.dataflows.includes('ws') ? 'ws' : 'os';
}

export function tile(f: TensorFunc, target: GemminiTarget, log: Diagnostics, options: TileOptions = {}): TensorFunc {
  const dataflow = options.dataflow ?? defaultDataflow(target);
  if (!target.dataflows.includes(dataflow)) {
    log.error(`configuration '${target.name}' has no ${DATAFLOW_NAME[dataflow]} dataflow; it has ${target.dataflows.map((x) => DATAFLOW_NAME[x]).join(' and ')}`);
    return f;
  }
  const types = typeMap(f);
  const body = f.body.map((op): TensorOp => {
    if (op.kind !== 'gemm') return op;
    const typeOf = (name: string): TensorType => types.get(name) as TensorType;
    const shape = gemmShapeOf(op, typeOf);
    const { m, n, k } = shape;
    const table = tilingTable(m, n, k, target, dataflow);
    const candidates = fittingTwice(table, target); // entries of the table
    if (candidates.length === 0) {
      log.error(`gemm %${op.result} (${m}x${k} @ ${k}x${n}): no tile fits the scratchpad of ${target.name} twice`, op.loc);
      return op;
    }
    // Rank by the closed-form estimate of tc's schedule, then let the
    // analytical model pick among the best, each with its best placement.
    // Distinct tile sizes: the two loop orders of one size rank alike.
    const estimate = rowsScheduleEstimator(shape, target);
    const quick = candidates.map((x) => estimate(table.tilings[x], rowsPlacement(table.tilings[x], target)));
    // Among tilings the estimate cannot tell apart (equal to a millionth of
    // the best), the smaller tiles first: they fit a smaller scratchpad too,
    // so a larger one keeps the choice; then candidate order.
    const unit = 1e-6 * Math.max(1, quick.reduce((a, b) => Math.min(a, b), Infinity));
    const rank = quick.map((q) => Math.round(q / unit));
    const before = (x: number, y: number): boolean => rank[x] < rank[y] || (rank[x] === rank[y] && table.rowsAB[candidates[x]] < table.rowsAB[candidates[y]]);
    // The first few of that order, picked rather than sorted (thousands of candidates on a small mesh).
    const shortlist: GemmTiling[] = [];
    const sizes: number[] = [];
    while (shortlist.length < (options.shortlist ?? SHORTLIST)) {
      let pick = -1;
      for (let x = 0; x < candidates.length; x++) if ((pick < 0 || before(x, pick)) && !sizes.includes(table.size[candidates[x]])) pick = x;
      if (pick < 0) break;
      sizes.push(table.size[candidates[pick]]);
      shortlist.push(table.tilings[candidates[pick]]);
    }
    let best = shortlist[0];
    let bestCycles = Infinity;
    for (const c of shortlist) {
      const cycles = placeGemm(op, c, typeOf, target).estimate.cycles;
      if (cycles < bestCycles) [best, bestCycles] = [c, cycles];
    }
    return { ...op, tiling: best };
  });
  return withBody(f, body);
}
