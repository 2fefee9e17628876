// fuse (Tensor IR -> Tensor IR): folds into each i8 x i8 matmul the epilogue
// Gemmini applies on the way out of the accumulator, making one gemm op:
//   matmul -> [add i32 bias row or i32 matrix (a residual)] -> [requant] -> [relu]
// Each folded op must be the only user of the value before it. relu before
// requant folds too when the scale is positive (then the two orders agree);
// Gemmini itself scales first. A matmul with nothing to fold still becomes a
// gemm (raw i32 results), so every accelerated op has one form.

import type { Diagnostics } from '../ir/diagnostics.js';
import { operandsOf, type TensorFunc, type TensorOp, typeMap } from '../ir/tensor-ir.js';
import type { TensorType } from '../ir/types.js';
import { useCounts, withBody } from './rewrite.js';
import type { GemminiTarget } from './target.js';

export function fuse(f: TensorFunc, target: GemminiTarget, _log: Diagnostics): TensorFunc {
  const uses = useCounts(f);
  const types = typeMap(f);
  /** The op that uses `name` once and alone, if any. */
  const soleUser = (name: string): TensorOp | undefined => {
    if (uses.get(name) !== 1 || f.results.includes(name)) return undefined;
    return f.body.find((op) => operandsOf(op).includes(name));
  };
  const replaced = new Map<string, TensorOp>();
  const removed = new Set<string>();
  for (const op of f.body) {
    if (op.kind !== 'matmul') continue;
    const a = types.get(op.lhs) as TensorType;
    const b = types.get(op.rhs) as TensorType;
    if (a.dtype !== 'i8' || b.dtype !== 'i8' || a.shape.length !== 2 || b.shape.length !== 2) continue;
    const [m, n] = op.type.shape;
    const folded: TensorOp[] = [];
    let last: TensorOp = op;
    let bias: string | undefined;
    let scale: number | undefined;
    let relu = false;
    let next = soleUser(last.result);
    if (next?.kind === 'binary' && next.op === 'add') {
      const other = next.lhs === last.result ? next.rhs : next.lhs;
      const t = types.get(other) as TensorType;
      const fits = t.dtype === 'i32' && ((t.shape.length === 1 && t.shape[0] === n) || (t.shape.length === 2 && t.shape[0] === m && t.shape[1] === n));
      if (fits) {
        bias = other;
        folded.push(next);
        last = next;
        next = soleUser(last.result);
      }
    }
    if (next?.kind === 'requant') {
      scale = next.scale;
      folded.push(next);
      last = next;
      next = soleUser(last.result);
      if (next?.kind === 'relu' && target.hasRelu) {
        relu = true;
        folded.push(next);
        last = next;
      }
    } else if (next?.kind === 'relu' && target.hasRelu) {
      const after = soleUser(next.result);
      if (after?.kind === 'requant' && after.scale > 0) {
        relu = true;
        scale = after.scale;
        folded.push(next, after);
        last = after;
      }
    }
    const gemm: TensorOp = {
      kind: 'gemm',
      a: op.lhs,
      b: op.rhs,
      ...(bias !== undefined ? { bias } : {}),
      ...(scale !== undefined ? { scale } : {}),
      relu,
      result: last.result,
      type: last.type,
      loc: op.loc,
    };
    // The gemm takes the place of the last folded op, where all its inputs exist.
    replaced.set(last.result, gemm);
    removed.add(op.result);
    for (const x of folded) if (x !== last) removed.add(x.result);
  }
  const body: TensorOp[] = [];
  for (const op of f.body) {
    if (replaced.has(op.result)) body.push(replaced.get(op.result) as TensorOp);
    else if (!removed.has(op.result)) body.push(op);
  }
  return withBody(f, body);
}
