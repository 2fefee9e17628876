// Tensor IR -> Program IR for Gemmini, in one step for now: matmuls (with
// their bias, scale and activation fused) run on Gemmini, every other op on
// the CPU. The tile / map-memory / emit-instructions split of the
// architecture is built from these pieces (issue 4).

import type { Diagnostics } from '../ir/diagnostics.js';
import type { DramBuffer, ProgramFunc, ProgramStmt } from '../ir/program-ir.js';
import { operandsOf, type TensorFunc, type TensorOp } from '../ir/tensor-ir.js';
import type { TensorType } from '../ir/types.js';
import { ceilDiv, matmulConfig, matmulFootprint, matmulProgram, type MatmulSpec, type MatmulTiling } from './matmul-schedule.js';

export interface GemminiTarget {
  readonly dim: number;
  readonly scratchpadRows: number;
  readonly accumulatorRows: number;
  readonly maxBlockLen: number;
  readonly maxBlockLenAcc: number;
}

/** A matmul with the epilogue Gemmini applies on its way out of the accumulator. */
interface FusedMatmul {
  readonly matmul: Extract<TensorOp, { kind: 'matmul' }>;
  readonly bias?: { readonly name: string; readonly repeatRow: boolean };
  readonly scale: number;
  readonly activation: 'none' | 'relu';
  /** The op whose result the fused group produces. */
  readonly last: TensorOp;
  readonly ops: readonly TensorOp[];
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) out.push(i);
  return out;
}

/** Largest tiles that fit (double-buffered): fewer, bigger tiles reuse more data. */
export function chooseTiling(m: number, k: number, n: number, t: GemminiTarget): MatmulTiling {
  const [mb, kb, nb] = [ceilDiv(m, t.dim), ceilDiv(k, t.dim), ceilDiv(n, t.dim)];
  let best: MatmulTiling = { ti: 1, tj: 1, tk: 1 };
  let bestScore = -Infinity;
  for (const ti of divisors(mb))
    for (const tj of divisors(nb))
      for (const tk of divisors(kb)) {
        const fp = matmulFootprint({ ti, tj, tk }, t.dim);
        if (fp.spRows > t.scratchpadRows || fp.accRows > t.accumulatorRows) continue;
        // DRAM traffic in blocks: A read once per column tile, B once per row tile.
        const traffic = mb * kb * (nb / tj) + kb * nb * (mb / ti) + mb * nb;
        const score = -traffic - 0.01 * (mb / ti) * (nb / tj) * (kb / tk);
        if (score > bestScore) [best, bestScore] = [{ ti, tj, tk }, score];
      }
  return best;
}

export function lowerToGemmini(f: TensorFunc, target: GemminiTarget, diags: Diagnostics): ProgramFunc {
  const uses = new Map<string, number>();
  for (const op of f.body) for (const o of operandsOf(op)) uses.set(o, (uses.get(o) ?? 0) + 1);
  for (const r of f.results) uses.set(r, (uses.get(r) ?? 0) + 1);
  const producer = new Map(f.body.map((op) => [op.result, op]));
  const types = new Map<string, TensorType>([...f.params.map((p) => [p.name, p.type] as const), ...f.body.map((op) => [op.result, op.type] as const)]);

  // Group each i8 matmul with the bias add, requant and ReLU that follow it alone.
  const groups = new Map<string, FusedMatmul>();
  const fusedAway = new Set<string>();
  const singleUser = (name: string): TensorOp | undefined => {
    if (uses.get(name) !== 1 || f.results.includes(name)) return undefined;
    return f.body.find((op) => operandsOf(op).includes(name));
  };
  for (const op of f.body) {
    if (op.kind !== 'matmul' || op.type.shape.length !== 2 || types.get(op.lhs)?.dtype !== 'i8') continue;
    if (types.get(op.lhs)?.shape.length !== 2 || types.get(op.rhs)?.shape.length !== 2) continue;
    const ops: TensorOp[] = [op];
    let last: TensorOp = op;
    let bias: FusedMatmul['bias'];
    let scale = 1;
    let activation: 'none' | 'relu' = 'none';
    let next = singleUser(last.result);
    if (next?.kind === 'binary' && next.op === 'add') {
      const other = next.lhs === last.result ? next.rhs : next.lhs;
      const ot = types.get(other);
      if (ot?.dtype === 'i32' && (ot.shape.length === 1 || (ot.shape.length === 2 && ot.shape[0] === op.type.shape[0])) && ot.shape[ot.shape.length - 1] === op.type.shape[1] && producer.get(other) !== op) {
        bias = { name: other, repeatRow: ot.shape.length === 1 };
        ops.push(next);
        last = next;
        next = singleUser(last.result);
      }
    }
    // relu before requant equals relu after it when the scale is positive.
    if (next?.kind === 'relu') {
      const after = singleUser(next.result);
      if (after?.kind === 'requant' && after.scale > 0) {
        ops.push(next, after);
        activation = 'relu';
        scale = after.scale;
        last = after;
        next = singleUser(last.result);
      }
    } else if (next?.kind === 'requant') {
      ops.push(next);
      scale = next.scale;
      last = next;
      next = singleUser(last.result);
      if (next?.kind === 'relu') {
        ops.push(next);
        activation = 'relu';
        last = next;
      }
    }
    groups.set(op.result, { matmul: op, bias, scale, activation, last, ops });
    for (const o of ops) if (o !== last) fusedAway.add(o.result);
  }

  const buffers: DramBuffer[] = f.params.map((p) => ({ name: p.name, type: p.type, role: 'input' }));
  const resultSet = new Set(f.results);
  for (const op of f.body) {
    if (fusedAway.has(op.result)) continue;
    buffers.push({ name: op.result, type: op.type, role: resultSet.has(op.result) ? 'output' : 'temp' });
  }
  // A function that returns an input directly gets a CPU copy into an output.
  const body: ProgramStmt[] = [];
  const inGroup = new Set([...groups.values()].flatMap((g) => g.ops.map((o) => o.result)));
  for (const op of f.body) {
    const g = groups.get(op.result);
    if (g) {
      const [m, k] = types.get(g.matmul.lhs)!.shape;
      const n = types.get(g.matmul.rhs)!.shape[1];
      const spec: MatmulSpec = {
        m,
        k,
        n,
        a: { buffer: g.matmul.lhs, rowStride: k },
        b: { buffer: g.matmul.rhs, rowStride: n },
        bias: g.bias ? { buffer: g.bias.name, repeatRow: g.bias.repeatRow } : undefined,
        out: { buffer: g.last.result, dtype: g.last.type.dtype === 'i8' ? 'i8' : 'i32', rowStride: n },
        scale: g.scale,
        activation: g.activation,
      };
      const tiling = chooseTiling(m, k, n, target);
      body.push(...matmulConfig(spec), ...matmulProgram(spec, tiling, target, { spBase: 0, accBase: 0 }), { kind: 'inst', inst: { op: 'fence' } });
      continue;
    }
    if (inGroup.has(op.result)) continue;
    body.push({ kind: 'cpu', op });
  }
  for (const r of f.results)
    if (f.params.some((p) => p.name === r)) diags.error(`@${f.name} returns its input %${r} unchanged; tc cannot compile that yet`);
  return { name: f.name, dim: target.dim, buffers, body };
}
