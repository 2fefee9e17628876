// Verifiers of the two annotated levels of Tensor IR:
// - Tiled IR: every gemm has tile sizes that are multiples of DIM (the last
//   tile in a dimension may cover fewer blocks), no larger than its
//   DIM-rounded extents, whose tiles fit the memories once, and a dataflow
//   the target has;
// - Mapped IR: every gemm's tile buffers (all their copies) lie inside the
//   scratchpad / accumulator and the A and B buffers never overlap; loop_ws
//   (weight-stationary only) places only weight-stationary gemms.
// Ops other than gemm run on the CPU and carry no annotation.

import { Diagnostics } from './diagnostics.js';
import type { Dataflow } from './program-ir.js';
import { type GemmTiling, type TensorFunc, type TensorOp, typeMap } from './tensor-ir.js';
import type { TensorType } from './types.js';
import { verifyTensorFunc } from './tensor-verify.js';

export interface MemoryTarget {
  readonly dim: number;
  /** Elements of K per block (DIM, or fewer where the mesh's sums are narrow). */
  readonly kStep: number;
  readonly scratchpadRows: number;
  readonly accumulatorRows: number;
  /** Dataflows the mesh supports. */
  readonly dataflows: readonly Dataflow[];
  readonly name: string;
}

export const DATAFLOW_NAME: Readonly<Record<Dataflow, string>> = { ws: 'weight-stationary (ws)', os: 'output-stationary (os)' };

type Gemm = Extract<TensorOp, { kind: 'gemm' }>;

const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;

/** Rows of one copy of each tile buffer; every block takes DIM rows. */
export function gemmTileRows(t: GemmTiling, dim: number, kStep: number): { a: number; b: number; c: number } {
  // A tile: tileM rows x tileK cols = (tileM/DIM) x (tileK/kStep) blocks.
  return {
    a: (t.tileM / dim) * (t.tileK / kStep) * dim,
    b: (t.tileK / kStep) * (t.tileN / dim) * dim,
    c: (t.tileM / dim) * (t.tileN / dim) * dim,
  };
}

function gemmDims(op: Gemm, typeOf: (n: string) => TensorType): { m: number; n: number; k: number } {
  const [m, k] = typeOf(op.a).shape;
  return { m, k, n: typeOf(op.b).shape[1] };
}

function typeMapOf(f: TensorFunc): (n: string) => TensorType {
  const types = typeMap(f);
  return (n) => types.get(n) as TensorType;
}

export function verifyTiledFunc(f: TensorFunc, target: MemoryTarget, diags: Diagnostics = new Diagnostics()): Diagnostics {
  verifyTensorFunc(f, diags);
  if (diags.hasErrors) return diags;
  const typeOf = typeMapOf(f);
  const d = target.dim;
  for (const op of f.body) {
    if (op.kind !== 'gemm') continue;
    const t = op.tiling;
    if (!t) {
      diags.error(`gemm %${op.result} has no tile sizes (Tiled IR needs tile=[M, N, K] on every gemm)`, op.loc);
      continue;
    }
    if (!target.dataflows.includes(t.dataflow))
      diags.error(`gemm %${op.result}: configuration '${target.name}' has no ${DATAFLOW_NAME[t.dataflow]} dataflow (it has ${target.dataflows.join(', ')})`, op.loc);
    const { m, n, k } = gemmDims(op, typeOf);
    for (const [name, tile, size, step] of [['M', t.tileM, m, d], ['N', t.tileN, n, d], ['K', t.tileK, k, target.kStep]] as const) {
      const unit = step === d ? `DIM ${d}` : `the K step ${step}`;
      if (!(Number.isInteger(tile) && tile >= step && tile % step === 0))
        diags.error(`gemm %${op.result}: tile ${name} = ${tile} must be a positive multiple of ${unit}`, op.loc);
      else if (tile > roundUp(size, step))
        diags.error(`gemm %${op.result}: tile ${name} = ${tile} is larger than ${name} = ${size} rounded up to ${unit} (${roundUp(size, step)})`, op.loc);
    }
    if (diags.hasErrors) continue;
    const rows = gemmTileRows(t, d, target.kStep);
    if (rows.a + rows.b > target.scratchpadRows)
      diags.error(`gemm %${op.result}: A and B tiles need ${rows.a + rows.b} scratchpad rows, the scratchpad has ${target.scratchpadRows}`, op.loc);
    if (rows.c > target.accumulatorRows)
      diags.error(`gemm %${op.result}: the C tile needs ${rows.c} accumulator rows, the accumulator has ${target.accumulatorRows}`, op.loc);
  }
  return diags;
}

export function verifyMappedFunc(f: TensorFunc, target: MemoryTarget, diags: Diagnostics = new Diagnostics()): Diagnostics {
  verifyTiledFunc(f, target, diags);
  if (diags.hasErrors) return diags;
  for (const op of f.body) {
    if (op.kind !== 'gemm') continue;
    const p = op.placement;
    if (!p) {
      diags.error(`gemm %${op.result} has no memory placement (Mapped IR needs map=[...] on every gemm)`, op.loc);
      continue;
    }
    const rows = gemmTileRows(op.tiling as GemmTiling, target.dim, target.kStep);
    if (p.kind === 'loop_ws') {
      if ((op.tiling as GemmTiling).dataflow !== 'ws')
        diags.error(`gemm %${op.result}: loop_ws runs weight-stationary only, but the gemm is tiled for dataflow=${(op.tiling as GemmTiling).dataflow}`, op.loc);
      // LoopMatmul.scala: one loop's A and B tiles share half the scratchpad, its C tile half the accumulator.
      if (rows.a + rows.b > target.scratchpadRows / 2)
        diags.error(`gemm %${op.result}: loop_ws tiles need ${rows.a + rows.b} scratchpad rows, half the scratchpad is ${target.scratchpadRows / 2}`, op.loc);
      if (rows.c > target.accumulatorRows / 2)
        diags.error(`gemm %${op.result}: loop_ws C tile needs ${rows.c} accumulator rows, half the accumulator is ${target.accumulatorRows / 2}`, op.loc);
      continue;
    }
    if (!(Number.isInteger(p.copies) && p.copies >= 1)) diags.error(`gemm %${op.result}: copies must be at least 1`, op.loc);
    const a = { start: p.aRow, end: p.aRow + p.copies * rows.a };
    const b = { start: p.bRow, end: p.bRow + p.copies * rows.b };
    const c = { start: p.cRow, end: p.cRow + p.copies * rows.c };
    for (const [name, r, cap, mem] of [['A', a, target.scratchpadRows, 'scratchpad'], ['B', b, target.scratchpadRows, 'scratchpad'], ['C', c, target.accumulatorRows, 'accumulator']] as const)
      if (r.start < 0 || r.end > cap) diags.error(`gemm %${op.result}: ${name} buffers occupy rows ${r.start}..${r.end - 1}, outside the ${mem} (${cap} rows)`, op.loc);
    if (a.start < b.end && b.start < a.end)
      diags.error(`gemm %${op.result}: A buffers (rows ${a.start}..${a.end - 1}) and B buffers (rows ${b.start}..${b.end - 1}) overlap`, op.loc);
  }
  return diags;
}
