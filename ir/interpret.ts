// The reference interpreter: evaluates Tensor IR on typed arrays with the
// numerics every target must reproduce bit for bit (ir/numerics.ts).
//
// Orders that decide float32 results, which every backend follows:
// - matmul, sum and `+=` reductions add terms one at a time, starting from 0,
//   in ascending order of the reduced index (several reduced indices of a
//   generic op: nested in their declaration order, the first outermost);
// - conv2d sums over kernel row, then kernel column, then input channel,
//   skipping padded positions;
// - max(a, b) is `a > b ? a : b`, min(a, b) is `a < b ? a : b`; maxpool and
//   `max=` start from the first element of their window in the same order;
// - relu(x) is `x > 0 ? x : 0`.

import { assertNever, operandsOf, type BinaryKind, type ScalarExpr, type TensorFunc, type TensorOp } from './tensor-ir.js';
import { addI32, convertScalar, f32, mulI32, requantScalar, subI32 } from './numerics.js';
import { zeros, type Tensor } from './tensor-value.js';
import { formatType, numElements, sameType, stridesOf, type DType } from './types.js';

export class InterpretError extends Error {}

export function interpret(f: TensorFunc, inputs: readonly Tensor[]): Tensor[] {
  if (inputs.length !== f.params.length)
    throw new InterpretError(`@${f.name} takes ${f.params.length} inputs, got ${inputs.length}`);
  const env = new Map<string, Tensor>();
  f.params.forEach((p, i) => {
    if (!sameType(p.type, inputs[i].type))
      throw new InterpretError(`input %${p.name} must be ${formatType(p.type)}, got ${formatType(inputs[i].type)}`);
    env.set(p.name, inputs[i]);
  });
  for (const op of f.body) {
    const args = operandsOf(op).map((n) => {
      const t = env.get(n);
      if (!t) throw new InterpretError(`%${n} is not defined`);
      return t;
    });
    env.set(op.result, evalOp(op, args, env));
  }
  return f.results.map((r) => env.get(r) as Tensor);
}

export function binaryScalar(op: BinaryKind, dtype: DType, a: number, b: number): number {
  if (dtype === 'f32') {
    switch (op) {
      case 'add':
        return f32(a + b);
      case 'sub':
        return f32(a - b);
      case 'mul':
        return f32(a * b);
      case 'div':
        return f32(a / b);
      case 'max':
        return a > b ? a : b;
      case 'min':
        return a < b ? a : b;
    }
  }
  switch (op) {
    case 'add':
      return addI32(a, b);
    case 'sub':
      return subI32(a, b);
    case 'mul':
      return mulI32(a, b);
    case 'div':
      throw new InterpretError('integer division is not defined');
    case 'max':
      return a > b ? a : b;
    case 'min':
      return a < b ? a : b;
  }
}

const reluScalar = (x: number): number => (x > 0 ? x : 0);

function evalOp(op: TensorOp, args: Tensor[], env: Map<string, Tensor>): Tensor {
  const out = zeros(op.type);
  const o = out.data;
  switch (op.kind) {
    case 'matmul':
      matmul(args[0], args[1], out);
      return out;
    case 'conv2d':
      conv2d(args[0], args[1], op.stride, op.padding, out);
      return out;
    case 'binary':
      broadcastBinary(args[0], args[1], out, (a, b) => binaryScalar(op.op, op.type.dtype, a, b));
      return out;
    case 'relu':
      for (let i = 0; i < o.length; i++) o[i] = reluScalar(args[0].data[i]);
      return out;
    case 'clip':
      for (let i = 0; i < o.length; i++) {
        const x = args[0].data[i];
        o[i] = x < op.lo ? op.lo : x > op.hi ? op.hi : x;
      }
      return out;
    case 'requant':
      for (let i = 0; i < o.length; i++) o[i] = requantScalar(args[0].data[i], op.scale);
      return out;
    case 'convert':
      for (let i = 0; i < o.length; i++) o[i] = convertScalar(args[0].data[i], args[0].type.dtype, op.type.dtype);
      return out;
    case 'transpose':
      transpose(args[0], op.perm, out);
      return out;
    case 'reshape':
      o.set(args[0].data);
      return out;
    case 'maxpool':
      maxpool(args[0], op.size, op.stride, op.padding, out);
      return out;
    case 'sum':
      sumAxis(args[0], op.axis, out);
      return out;
    case 'const':
      o[0] = op.value;
      return out;
    case 'gemm':
      gemm(args[0], args[1], op.bias === undefined ? undefined : args[2], op.scale, op.relu, out);
      return out;
    case 'im2col':
      im2col(args[0], op.kh, op.kw, op.stride, op.padding, out);
      return out;
    case 'generic':
      generic(op, env, out);
      return out;
    default:
      return assertNever(op);
  }
}

function matmul(a: Tensor, b: Tensor, out: Tensor): void {
  const isFloat = out.type.dtype === 'f32';
  const [m, k] = a.type.shape.length === 2 ? a.type.shape : [1, a.type.shape[0]];
  const n = b.type.shape.length === 2 ? b.type.shape[1] : 1;
  const A = a.data;
  const B = b.data;
  const C = out.data;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      if (isFloat) for (let kk = 0; kk < k; kk++) acc = f32(acc + f32(A[i * k + kk] * B[kk * n + j]));
      else for (let kk = 0; kk < k; kk++) acc = (acc + Math.imul(A[i * k + kk], B[kk * n + j])) | 0;
      C[i * n + j] = acc;
    }
  }
}

/** acc = a @ b (+ bias), then requant (when scaled) and relu: Gemmini's mvout order. */
function gemm(a: Tensor, b: Tensor, bias: Tensor | undefined, scale: number | undefined, relu: boolean, out: Tensor): void {
  const [m, k] = a.type.shape;
  const n = b.type.shape[1];
  const repeat = bias !== undefined && bias.type.shape.length === 1;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let kk = 0; kk < k; kk++) acc = (acc + Math.imul(a.data[i * k + kk], b.data[kk * n + j])) | 0;
      if (bias) acc = (acc + bias.data[repeat ? j : i * n + j]) | 0;
      let v = scale === undefined ? acc : requantScalar(acc, scale);
      if (relu) v = reluScalar(v);
      out.data[i * n + j] = v;
    }
}

function im2col(x: Tensor, kh: number, kw: number, stride: number, padding: number, out: Tensor): void {
  const [n, h, w, c] = x.type.shape;
  const cols = kh * kw * c;
  const ow = Math.floor((w + 2 * padding - kw) / stride) + 1;
  const oh = out.type.shape[0] / (n * ow);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let xo = 0; xo < ow; xo++) {
        const row = ((b * oh + y) * ow + xo) * cols;
        for (let r = 0; r < kh; r++)
          for (let s = 0; s < kw; s++) {
            const iy = y * stride - padding + r;
            const ix = xo * stride - padding + s;
            const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            for (let ci = 0; ci < c; ci++) out.data[row + (r * kw + s) * c + ci] = inside ? x.data[((b * h + iy) * w + ix) * c + ci] : 0;
          }
      }
}

function conv2d(x: Tensor, w: Tensor, stride: number, padding: number, out: Tensor): void {
  const isFloat = out.type.dtype === 'f32';
  const [, h, wd, c] = x.type.shape;
  const [kh, kw, , co] = w.type.shape;
  const [n, oh, ow] = out.type.shape;
  const X = x.data;
  const W = w.data;
  const O = out.data;
  let idx = 0;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let xo = 0; xo < ow; xo++)
        for (let oc = 0; oc < co; oc++) {
          let acc = 0;
          for (let r = 0; r < kh; r++) {
            const iy = y * stride - padding + r;
            if (iy < 0 || iy >= h) continue;
            for (let s = 0; s < kw; s++) {
              const ix = xo * stride - padding + s;
              if (ix < 0 || ix >= wd) continue;
              const xBase = ((b * h + iy) * wd + ix) * c;
              const wBase = (r * kw + s) * c * co + oc;
              if (isFloat) for (let ci = 0; ci < c; ci++) acc = f32(acc + f32(X[xBase + ci] * W[wBase + ci * co]));
              else for (let ci = 0; ci < c; ci++) acc = (acc + Math.imul(X[xBase + ci], W[wBase + ci * co])) | 0;
            }
          }
          O[idx++] = acc;
        }
}

/** Strides of `shape` seen from an output of rank `rank`, 0 where broadcast. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((d, i) => (i < offset || shape[i - offset] === 1 ? 0 : own[i - offset]));
}

function broadcastBinary(a: Tensor, b: Tensor, out: Tensor, fn: (x: number, y: number) => number): void {
  const shape = out.type.shape;
  const sa = broadcastStrides(a.type.shape, shape);
  const sb = broadcastStrides(b.type.shape, shape);
  const rank = shape.length;
  const counter = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  const total = out.data.length;
  for (let i = 0; i < total; i++) {
    out.data[i] = fn(a.data[ia], b.data[ib]);
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      ia += sa[d];
      ib += sb[d];
      if (counter[d] < shape[d]) break;
      ia -= sa[d] * shape[d];
      ib -= sb[d] * shape[d];
      counter[d] = 0;
    }
  }
}

function transpose(x: Tensor, perm: readonly number[], out: Tensor): void {
  const inStrides = stridesOf(x.type.shape);
  const shape = out.type.shape;
  const s = perm.map((p) => inStrides[p]);
  const rank = shape.length;
  const counter = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < out.data.length; i++) {
    out.data[i] = x.data[src];
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      src += s[d];
      if (counter[d] < shape[d]) break;
      src -= s[d] * shape[d];
      counter[d] = 0;
    }
  }
}

function maxpool(x: Tensor, size: number, stride: number, padding: number, out: Tensor): void {
  const [, h, w, c] = x.type.shape;
  const [n, oh, ow] = out.type.shape;
  let idx = 0;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let xo = 0; xo < ow; xo++)
        for (let ch = 0; ch < c; ch++) {
          let best = 0;
          let first = true;
          for (let r = 0; r < size; r++) {
            const iy = y * stride - padding + r;
            if (iy < 0 || iy >= h) continue;
            for (let s = 0; s < size; s++) {
              const ix = xo * stride - padding + s;
              if (ix < 0 || ix >= w) continue;
              const v = x.data[((b * h + iy) * w + ix) * c + ch];
              if (first || v > best) best = v;
              first = false;
            }
          }
          out.data[idx++] = best;
        }
}

function sumAxis(x: Tensor, axis: number, out: Tensor): void {
  const isFloat = out.type.dtype === 'f32';
  const shape = x.type.shape;
  const outer = numElements(shape.slice(0, axis));
  const len = shape[axis];
  const inner = numElements(shape.slice(axis + 1));
  for (let a = 0; a < outer; a++)
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let r = 0; r < len; r++) {
        const v = x.data[(a * len + r) * inner + i];
        acc = isFloat ? f32(acc + v) : (acc + v) | 0;
      }
      out.data[a * inner + i] = acc;
    }
}

type Compiled = (idx: Int32Array) => number;

/** Turns a scalar expression into a closure over the current index values. */
function compileScalar(e: ScalarExpr, env: Map<string, Tensor>, slot: Map<string, number>): Compiled {
  switch (e.kind) {
    case 'read': {
      const t = env.get(e.tensor) as Tensor;
      const strides = stridesOf(t.type.shape);
      const data = t.data;
      // Flatten the affine subscripts into one affine offset.
      let base = 0;
      const coeff = new Map<number, number>();
      e.subscripts.forEach((s, d) => {
        base += s.constant * strides[d];
        for (const term of s.terms) {
          const k = slot.get(term.index) as number;
          coeff.set(k, (coeff.get(k) ?? 0) + term.coeff * strides[d]);
        }
      });
      const slots = [...coeff.keys()];
      const mults = slots.map((k) => coeff.get(k) as number);
      return (idx) => {
        let off = base;
        for (let i = 0; i < slots.length; i++) off += idx[slots[i]] * mults[i];
        return data[off];
      };
    }
    case 'lit': {
      const v = e.value;
      return () => v;
    }
    case 'bin': {
      const l = compileScalar(e.lhs, env, slot);
      const r = compileScalar(e.rhs, env, slot);
      const { op, dtype } = e;
      return (idx) => binaryScalar(op, dtype, l(idx), r(idx));
    }
    case 'neg': {
      const x = compileScalar(e.operand, env, slot);
      return e.dtype === 'f32' ? (idx) => -x(idx) : (idx) => -x(idx) | 0;
    }
  }
}

function generic(op: Extract<TensorOp, { kind: 'generic' }>, env: Map<string, Tensor>, out: Tensor): void {
  // Slots: output indices first (row-major over the result), then the
  // reduction indices in declaration order.
  const reduction = op.indices.filter((iv) => !op.outIndices.includes(iv.name));
  const order = [...op.outIndices, ...reduction.map((iv) => iv.name)];
  const extent = new Map(op.indices.map((iv) => [iv.name, iv.extent]));
  const slot = new Map(order.map((n, i) => [n, i]));
  const body = compileScalar(op.body, env, slot);
  const extents = order.map((n) => extent.get(n) as number);
  const nOut = op.outIndices.length;
  const redCount = numElements(extents.slice(nOut));
  const dtype = out.type.dtype;
  const idx = new Int32Array(order.length);
  const total = out.data.length;
  for (let o = 0; o < total; o++) {
    let acc = 0;
    for (let r = 0; r < redCount; r++) {
      const v = body(idx);
      switch (op.reduce) {
        case 'assign':
          acc = v;
          break;
        case 'add':
          acc = binaryScalar('add', dtype, acc, v);
          break;
        case 'max':
          acc = r === 0 || v > acc ? v : acc;
          break;
        case 'min':
          acc = r === 0 || v < acc ? v : acc;
          break;
      }
      // advance the reduction indices (innermost = last)
      for (let d = order.length - 1; d >= nOut; d--) {
        if (++idx[d] < extents[d]) break;
        idx[d] = 0;
      }
    }
    out.data[o] = acc;
    for (let d = nOut - 1; d >= 0; d--) {
      if (++idx[d] < extents[d]) break;
      idx[d] = 0;
    }
  }
}
