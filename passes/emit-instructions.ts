// emit-instructions (Mapped IR -> Program IR): every gemm becomes its
// configuration, its tiled loops of mvin / preload / compute / mvout in its
// tiling's dataflow (matmul-schedule.ts) and a fence; every other op runs on
// the CPU. Reshapes of intermediate values are views, not copies. Nothing is
// decided later: the C emitter prints what this step produces.

import { BoundedCache } from '../ir/bounded-cache.js';
import type { Diagnostics } from '../ir/diagnostics.js';
import { simplifyI } from '../ir/iexpr.js';
import type { DramBuffer, ProgramStmt } from '../ir/program-ir.js';
import { mapProgramExprs } from '../ir/program-map.js';
import type { ProgramFunc } from '../ir/program-ir.js';
import { type GemmPlacement, type GemmTiling, type TensorFunc, type TensorOp, typeMap } from '../ir/tensor-ir.js';
import type { TensorType } from '../ir/types.js';
import { loopWsProgram, matmulConfig, matmulProgram, type MatmulSpec } from './matmul-schedule.js';
import { codegenKey, type GemminiTarget } from './target.js';

export function emitInstructions(f: TensorFunc, target: GemminiTarget, log: Diagnostics): ProgramFunc {
  const types = typeMap(f);
  const results = new Set(f.results);
  for (const r of f.results) {
    if (f.params.some((p) => p.name === r)) log.error(`@${f.name} returns its input %${r} unchanged; nothing to compute`, f.loc);
    if (f.results.indexOf(r) !== f.results.lastIndexOf(r)) log.error(`@${f.name} returns %${r} twice; return it once`, f.loc);
  }
  const buffers: DramBuffer[] = f.params.map((p) => ({ name: p.name, type: p.type, role: 'input' }));
  const body: ProgramStmt[] = [];
  for (const op of f.body) {
    const role = results.has(op.result) ? 'output' : 'temp';
    // A reshape is a view of the same bytes, never a copy.
    if (op.kind === 'reshape') {
      buffers.push({ name: op.result, type: op.type, role, aliasOf: rootOf(op.input, buffers) });
      continue;
    }
    buffers.push({ name: op.result, type: op.type, role });
    if (op.kind !== 'gemm') {
      body.push({ kind: 'cpu', op });
      continue;
    }
    if (!op.tiling || !op.placement) {
      log.error(`gemm %${op.result} has no tiles or memory placement; run tile and map-memory first`, op.loc);
      continue;
    }
    body.push(...gemmStatements(op, op.tiling, op.placement, (n) => types.get(n) as TensorType, target));
  }
  // Addresses are in their normal form already (gemmStatements); CPU ops have none.
  return { name: f.name, dim: target.dim, buffers, body };
}

// Statements by gemm, tiling, placement and target less its timing-only
// parameters: the tile step and map-memory cost the same few tilings for
// every memory latency of a sweep. Oldest first; a few hundred at most.
const statementsCache = new BoundedCache<readonly ProgramStmt[]>(256);

/** What a gemm's instructions are built from, less its tiling and placement: the op (where it sits in the source apart) and its operands' types, as a cache key. */
export function gemmKey(op: Extract<TensorOp, { kind: 'gemm' }>, typeOf: (name: string) => TensorType): string {
  const { loc: _loc, tiling: _tiling, placement: _placement, ...what } = op;
  return JSON.stringify([what, typeOf(op.a), typeOf(op.b), op.bias === undefined ? null : typeOf(op.bias)]);
}

/** The instructions of one gemm with a tiling and a placement: its configuration, its loops, a fence. Shared: not to be changed. */
export function gemmStatements(
  op: Extract<TensorOp, { kind: 'gemm' }>,
  t: GemmTiling,
  p: GemmPlacement,
  typeOf: (name: string) => TensorType,
  target: GemminiTarget,
): readonly ProgramStmt[] {
  const key = JSON.stringify([gemmKey(op, typeOf), t, p, codegenKey(target)]);
  return statementsCache.get(key, () => buildGemmStatements(op, t, p, typeOf, target));
}

function buildGemmStatements(
  op: Extract<TensorOp, { kind: 'gemm' }>,
  t: GemmTiling,
  p: GemmPlacement,
  typeOf: (name: string) => TensorType,
  target: GemminiTarget,
): readonly ProgramStmt[] {
  const [m, k] = typeOf(op.a).shape;
  const n = typeOf(op.b).shape[1];
  const spec: MatmulSpec = {
    m,
    k,
    n,
    a: { buffer: op.a, rowStride: k },
    b: { buffer: op.b, rowStride: n },
    bias: op.bias === undefined ? undefined : { buffer: op.bias, repeatRow: typeOf(op.bias).shape.length === 1 },
    out: { buffer: op.result, dtype: op.type.dtype === 'i8' ? 'i8' : 'i32', rowStride: n },
    scale: op.scale ?? 1,
    activation: op.relu ? 'relu' : 'none',
  };
  const d = target.dim;
  const tiling = { ti: t.tileM / d, tj: t.tileN / d, tk: t.tileK / target.kStep, order: t.order, dataflow: t.dataflow };
  const body: ProgramStmt[] = [
    ...matmulConfig(spec, t.dataflow),
    ...(p.kind === 'loop_ws' ? loopWsProgram(spec, tiling, target) : matmulProgram(spec, tiling, target, p)),
    { kind: 'inst', inst: { op: 'fence' } },
  ];
  // In the normal form the program will have, so that what map-memory costs is what runs.
  return [...mapProgramExprs({ name: op.result, dim: target.dim, buffers: [], body }, simplifyI).body];
}

/** The buffer that owns the bytes of `name`, following views. */
function rootOf(name: string, buffers: readonly DramBuffer[]): string {
  const b = buffers.find((x) => x.name === name);
  return b?.aliasOf ?? name;
}
