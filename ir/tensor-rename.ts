// Renaming of SSA values inside ops (used when names are made dense or unique).

import { assertNever, type ScalarExpr, type TensorOp } from './tensor-ir.js';

function renameScalar(e: ScalarExpr, r: (n: string) => string): ScalarExpr {
  switch (e.kind) {
    case 'read':
      return { ...e, tensor: r(e.tensor) };
    case 'lit':
      return e;
    case 'bin':
      return { ...e, lhs: renameScalar(e.lhs, r), rhs: renameScalar(e.rhs, r) };
    case 'neg':
      return { ...e, operand: renameScalar(e.operand, r) };
  }
}

export function renameOp(op: TensorOp, names: ReadonlyMap<string, string>): TensorOp {
  const r = (n: string): string => names.get(n) ?? n;
  const result = r(op.result);
  switch (op.kind) {
    case 'matmul':
    case 'binary':
      return { ...op, result, lhs: r(op.lhs), rhs: r(op.rhs) };
    case 'conv2d':
      return { ...op, result, input: r(op.input), weight: r(op.weight) };
    case 'gemm':
      return { ...op, result, a: r(op.a), b: r(op.b), ...(op.bias !== undefined ? { bias: r(op.bias) } : {}) };
    case 'im2col':
    case 'relu':
    case 'clip':
    case 'requant':
    case 'convert':
    case 'transpose':
    case 'reshape':
    case 'maxpool':
    case 'sum':
      return { ...op, result, input: r(op.input) };
    case 'const':
      return { ...op, result };
    case 'generic':
      return { ...op, result, body: renameScalar(op.body, r) };
    default:
      return assertNever(op);
  }
}
