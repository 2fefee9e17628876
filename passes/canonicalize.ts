// canonicalize (Tensor IR -> Tensor IR): puts accelerable work in the one form
// the later steps know, a 2-D matmul.
// - generic ops that are matrix products (C[i, j] += A[i, k] * B[k, j] and its
//   transposed variants) become matmul, with transposes where a side is stored
//   the other way round;
// - conv2d becomes a matmul over windows: reshapes for 1x1 stride-1 unpadded
//   convolutions, im2col rows otherwise; the weights are viewed as
//   [KH*KW*C, OC] and the result reshaped back to NHWC;
// - reshapes sink below the elementwise ops that follow them (relu, requant,
//   clip, convert, and adds of a row that broadcasts along the last
//   dimension), so an epilogue sits right after its matmul for fuse.

import type { Diagnostics } from '../ir/diagnostics.js';
import { type ScalarExpr, type TensorFunc, type TensorOp, typeMap } from '../ir/tensor-ir.js';
import type { TensorType } from '../ir/types.js';
import { nameSupply, useCounts, withBody } from './rewrite.js';
import type { GemminiTarget } from './target.js';

export function canonicalize(f: TensorFunc, _target: GemminiTarget, _log: Diagnostics): TensorFunc {
  return sinkReshapes(lowerConvs(recogniseMatmuls(f)));
}

type Read = Extract<ScalarExpr, { kind: 'read' }>;

/** The plain index a subscript is, or undefined. */
function plainIndex(s: Read['subscripts'][number]): string | undefined {
  return s.constant === 0 && s.terms.length === 1 && s.terms[0].coeff === 1 ? s.terms[0].index : undefined;
}

function recogniseMatmuls(f: TensorFunc): TensorFunc {
  const fresh = nameSupply(f);
  const types = typeMap(f);
  const body: TensorOp[] = [];
  for (const op of f.body) {
    const m = op.kind === 'generic' ? matchMatmul(op) : undefined;
    if (!m || op.kind !== 'generic') {
      body.push(op);
      continue;
    }
    const side = (read: Read, rowIdx: string): string => {
      const [d0] = read.subscripts.map(plainIndex);
      if (d0 === rowIdx) return read.tensor;
      const t = types.get(read.tensor) as TensorType;
      const name = fresh(`${read.tensor}.t`);
      body.push({ kind: 'transpose', input: read.tensor, perm: [1, 0], result: name, type: { dtype: t.dtype, shape: [t.shape[1], t.shape[0]] }, loc: op.loc });
      types.set(name, { dtype: t.dtype, shape: [t.shape[1], t.shape[0]] });
      return name;
    };
    const a = side(m.a, m.i);
    const b = side(m.b, m.k);
    body.push({ kind: 'matmul', lhs: a, rhs: b, result: op.result, type: op.type, loc: op.loc });
  }
  return withBody(f, body);
}

/** out[i, j] += mul(X[.., ..], Y[.., ..]) where X holds i and k, Y holds k and j. */
function matchMatmul(op: Extract<TensorOp, { kind: 'generic' }>): { a: Read; b: Read; i: string; k: string } | undefined {
  if (op.reduce !== 'add' || op.outIndices.length !== 2 || op.indices.length !== 3) return undefined;
  const e = op.body;
  if (e.kind !== 'bin' || e.op !== 'mul' || e.lhs.kind !== 'read' || e.rhs.kind !== 'read') return undefined;
  if (e.lhs.dtype !== e.rhs.dtype) return undefined;
  const [i, j] = op.outIndices;
  const k = op.indices.find((iv) => iv.name !== i && iv.name !== j)?.name as string;
  const idx = (r: Read): string[] | undefined => {
    const p = r.subscripts.map(plainIndex);
    return p.length === 2 && p.every((x) => x !== undefined) ? (p as string[]) : undefined;
  };
  const has = (p: string[] | undefined, x: string, y: string): boolean => !!p && p.includes(x) && p.includes(y) && x !== y;
  const [l, r] = [idx(e.lhs), idx(e.rhs)];
  if (has(l, i, k) && has(r, k, j)) return { a: e.lhs, b: e.rhs, i, k };
  if (has(r, i, k) && has(l, k, j)) return { a: e.rhs, b: e.lhs, i, k };
  return undefined;
}

function lowerConvs(f: TensorFunc): TensorFunc {
  const fresh = nameSupply(f);
  const types = typeMap(f);
  const body: TensorOp[] = [];
  for (const op of f.body) {
    if (op.kind !== 'conv2d' || types.get(op.input)?.dtype !== 'i8') {
      body.push(op);
      continue;
    }
    const [n, h, w, c] = (types.get(op.input) as TensorType).shape;
    const [kh, kw, , oc] = (types.get(op.weight) as TensorType).shape;
    const [, oh, ow] = op.type.shape;
    const loc = op.loc;
    const rows = n * oh * ow;
    const depth = kh * kw * c;
    let a: string;
    if (kh === 1 && kw === 1 && op.stride === 1 && op.padding === 0) {
      a = fresh(`${op.input}.rows`);
      body.push({ kind: 'reshape', input: op.input, result: a, type: { dtype: 'i8', shape: [n * h * w, c] }, loc });
    } else {
      a = fresh(`${op.input}.im2col`);
      body.push({ kind: 'im2col', input: op.input, kh, kw, stride: op.stride, padding: op.padding, result: a, type: { dtype: 'i8', shape: [rows, depth] }, loc });
    }
    const b = fresh(`${op.weight}.mat`);
    body.push({ kind: 'reshape', input: op.weight, result: b, type: { dtype: 'i8', shape: [depth, oc] }, loc });
    const mm = fresh(`${op.result}.mm`);
    body.push({ kind: 'matmul', lhs: a, rhs: b, result: mm, type: { dtype: op.type.dtype, shape: [rows, oc] }, loc });
    body.push({ kind: 'reshape', input: mm, result: op.result, type: op.type, loc });
  }
  return withBody(f, body);
}

/** op(reshape(x)) -> reshape(op(x)) while it helps an epilogue meet its matmul. */
function sinkReshapes(f: TensorFunc): TensorFunc {
  let current = f;
  for (;;) {
    const next = sinkOne(current);
    if (next === current) return current;
    current = next;
  }
}

function sinkOne(f: TensorFunc): TensorFunc {
  const uses = useCounts(f);
  const types = typeMap(f);
  const byResult = new Map(f.body.map((op) => [op.result, op]));
  for (const user of f.body) {
    const src = elementwiseSource(user, types);
    if (src === undefined) continue;
    const reshape = byResult.get(src);
    if (reshape?.kind !== 'reshape' || uses.get(reshape.result) !== 1 || f.results.includes(reshape.result)) continue;
    const inner = types.get(reshape.input) as TensorType;
    const outer = reshape.type.shape;
    // Only views that keep the last dimension, so row broadcasts stay valid.
    if (inner.shape[inner.shape.length - 1] !== outer[outer.length - 1]) continue;
    const fresh = nameSupply(f);
    const moved = fresh(`${user.result}.pre`);
    const innerType: TensorType = { dtype: user.type.dtype, shape: inner.shape };
    const newUser = { ...replaceOperand(user, reshape.result, reshape.input), result: moved, type: innerType } as TensorOp;
    const newReshape: TensorOp = { kind: 'reshape', input: moved, result: user.result, type: user.type, loc: reshape.loc };
    const body: TensorOp[] = [];
    for (const op of f.body) {
      if (op === reshape) continue;
      if (op === user) body.push(newUser, newReshape);
      else body.push(op);
    }
    return withBody(f, body);
  }
  return f;
}

/** The operand an elementwise op maps over, if it is one that commutes with a reshape. */
function elementwiseSource(op: TensorOp, types: Map<string, TensorType>): string | undefined {
  switch (op.kind) {
    case 'relu':
    case 'requant':
    case 'clip':
    case 'convert':
      return op.input;
    case 'binary': {
      if (op.op !== 'add') return undefined;
      const lt = types.get(op.lhs) as TensorType;
      const rt = types.get(op.rhs) as TensorType;
      if (rt.shape.length === 1 && lt.shape.length > 1) return op.lhs;
      if (lt.shape.length === 1 && rt.shape.length > 1) return op.rhs;
      return undefined;
    }
    default:
      return undefined;
  }
}

function replaceOperand(op: TensorOp, from: string, to: string): TensorOp {
  switch (op.kind) {
    case 'relu':
    case 'requant':
    case 'clip':
    case 'convert':
      return { ...op, input: op.input === from ? to : op.input };
    case 'binary':
      return { ...op, lhs: op.lhs === from ? to : op.lhs, rhs: op.rhs === from ? to : op.rhs };
    default:
      return op;
  }
}
