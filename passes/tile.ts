// tile (Tensor IR -> Tiled IR): chooses tile sizes, loop order and dataflow
// for every gemm from the target's DIM and memory sizes. Candidates are
// balanced tilings (n tiles of ceil(blocks / n) blocks each, so the last tile
// is never much smaller than the others) whose double-buffered tiles fit. A
// quick model of DRAM traffic and instruction issue ranks them; the best few
// are then built exactly as map-memory and emit-instructions would build them
// and costed by the analytical model of Gemmini (gemmini/cost.ts), and the
// one with the fewest predicted cycles wins. Sizes that are not multiples of
// DIM stay as they are: the last blocks are partial.
// The dataflow is weight-stationary when the target has it (tc's WS
// schedules reuse a preloaded B block across a tile's rows and may use the
// loop_ws unroller), output-stationary otherwise; an option forces one.

import type { Diagnostics } from '../ir/diagnostics.js';
import type { Dataflow } from '../ir/program-ir.js';
import type { GemmTiling, TensorFunc, TensorOp } from '../ir/tensor-ir.js';
import type { TensorType } from '../ir/types.js';
import { DATAFLOW_NAME, gemmTileRows } from '../ir/tiled-verify.js';
import { estimateStatements } from '../gemmini/cost.js';
import { DTYPE_BYTES } from '../ir/types.js';
import { gemmStatements } from './emit-instructions.js';
import { placeGemm } from './map-memory.js';
import { withBody } from './rewrite.js';
import type { GemminiTarget } from './target.js';

/** Tile sizes (in blocks) that split `blocks` into n nearly equal tiles, for every n. */
function balancedTileSizes(blocks: number): number[] {
  const sizes = new Set<number>();
  for (let n = 1; n <= blocks; n++) sizes.add(Math.ceil(blocks / n));
  return [...sizes];
}

/** Every tiling (in elements) whose double-buffered tiles fit. */
export function candidateTilings(m: number, n: number, k: number, target: GemminiTarget, dataflow: Dataflow = defaultDataflow(target)): GemmTiling[] {
  const d = target.dim;
  const [mb, nb, kb] = [Math.ceil(m / d), Math.ceil(n / d), Math.ceil(k / target.kStep)];
  const out: GemmTiling[] = [];
  for (const ti of balancedTileSizes(mb))
    for (const tj of balancedTileSizes(nb))
      for (const tk of balancedTileSizes(kb))
        for (const order of ['ijk', 'jik'] as const) {
          const t: GemmTiling = { tileM: ti * d, tileN: tj * d, tileK: tk * target.kStep, order, dataflow };
          const rows = gemmTileRows(t, d, target.kStep);
          if (2 * (rows.a + rows.b) <= target.scratchpadRows && 2 * rows.c <= target.accumulatorRows) out.push(t);
        }
  return out;
}

/**
 * Modelled cost of a tiling, in DRAM bytes moved plus instructions issued
 * (each weighed by what it costs the default Gemmini: a 16-byte bus beat and
 * a few cycles per issued instruction).
 */
export function tilingCost(m: number, n: number, k: number, t: GemmTiling, target: GemminiTarget): number {
  const d = target.dim;
  const [mb, nb, kb] = [Math.ceil(m / d), Math.ceil(n / d), Math.ceil(k / target.kStep)];
  const [mt, nt, kt] = [Math.ceil(mb / (t.tileM / d)), Math.ceil(nb / (t.tileN / d)), Math.ceil(kb / (t.tileK / target.kStep))];
  // A is read once per column tile, B once per row tile; C written once.
  const bytes = m * k * nt + k * n * mt + m * n;
  const instructions = mb * nb * kb * 2 + mt * nt * kt * (t.tileM / d + t.tileK / target.kStep);
  return bytes / 16 + instructions * 4;
}

/** Candidates the cost model sees per gemm: enough to cover the quick model's blind spots, few enough for fast compiles. */
const SHORTLIST = 8;

export interface TileOptions {
  /** Forces a dataflow; without it, WS where the target has it. */
  readonly dataflow?: Dataflow;
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
  const types = new Map<string, TensorType>([...f.params.map((p) => [p.name, p.type] as const), ...f.body.map((o) => [o.result, o.type] as const)]);
  const body = f.body.map((op): TensorOp => {
    if (op.kind !== 'gemm') return op;
    const [m, k] = (types.get(op.a) as TensorType).shape;
    const n = (types.get(op.b) as TensorType).shape[1];
    const candidates = candidateTilings(m, n, k, target, dataflow);
    if (candidates.length === 0) {
      log.error(`gemm %${op.result} (${m}x${k} @ ${k}x${n}): no tile fits the scratchpad of ${target.name} twice`, op.loc);
      return op;
    }
    // Rank by the quick model, then let the cost model pick among the best.
    const shortlist = candidates
      .map((c) => ({ c, quick: tilingCost(m, n, k, c, target) }))
      .sort((x, y) => x.quick - y.quick)
      .slice(0, SHORTLIST)
      .map((x) => x.c);
    const typeOf = (name: string): TensorType => types.get(name) as TensorType;
    const bytesOf = (name: string): number => DTYPE_BYTES[typeOf(name).dtype];
    let best = shortlist[0];
    let bestCycles = Infinity;
    for (const c of shortlist) {
      const cycles = estimateStatements(gemmStatements(op, c, placeGemm(c, target), typeOf, target), target.config, bytesOf).cycles;
      if (cycles < bestCycles) [best, bestCycles] = [c, cycles];
    }
    return { ...op, tiling: best };
  });
  return withBody(f, body);
}
