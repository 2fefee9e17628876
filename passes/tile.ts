// tile (Tensor IR -> Tiled IR): chooses tile sizes and loop order for every
// gemm from the target's DIM and memory sizes. Candidates are the tilings
// whose tiles divide the DIM-rounded extents and whose double-buffered tiles
// fit; the choice minimises the modelled cost (gemmini/cost.ts's estimate of
// DRAM traffic and instruction issue). Sizes that are not multiples of DIM
// stay as they are: the last blocks are partial.
// The dataflow is weight-stationary when the target has it (tc's WS
// schedules reuse a preloaded B block across a tile's rows and may use the
// loop_ws unroller), output-stationary otherwise; an option forces one.

import type { Diagnostics } from '../ir/diagnostics.js';
import type { Dataflow } from '../ir/program-ir.js';
import type { GemmTiling, TensorFunc, TensorOp } from '../ir/tensor-ir.js';
import type { TensorType } from '../ir/types.js';
import { DATAFLOW_NAME, gemmTileRows } from '../ir/tiled-verify.js';
import { withBody } from './rewrite.js';
import type { GemminiTarget } from './target.js';

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) out.push(i);
  return out;
}

/** Every tiling (in elements) whose double-buffered tiles fit. */
export function candidateTilings(m: number, n: number, k: number, target: GemminiTarget, dataflow: Dataflow = defaultDataflow(target)): GemmTiling[] {
  const d = target.dim;
  const [mb, nb, kb] = [Math.ceil(m / d), Math.ceil(n / d), Math.ceil(k / target.kStep)];
  const out: GemmTiling[] = [];
  for (const ti of divisors(mb))
    for (const tj of divisors(nb))
      for (const tk of divisors(kb))
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
  const [mt, nt] = [mb / (t.tileM / d), nb / (t.tileN / d)];
  // A is read once per column tile, B once per row tile; C written once.
  const bytes = m * k * nt + k * n * mt + m * n;
  const instructions = mb * nb * kb * 2 + mt * nt * (kb / (t.tileK / target.kStep)) * ((t.tileM / d) + (t.tileK / target.kStep));
  return bytes / 16 + instructions * 4;
}

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
    let best = candidates[0];
    let bestCost = Infinity;
    for (const c of candidates) {
      const cost = tilingCost(m, n, k, c, target);
      if (cost < bestCost) [best, bestCost] = [c, cost];
    }
    return { ...op, tiling: best };
  });
  return withBody(f, body);
}
