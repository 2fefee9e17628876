// Tensor IR: one function of SSA values with static shapes and dtypes.
// Values are named without the '%' the text form puts in front of them.

import type { SourceLoc } from './diagnostics.js';
import type { Dataflow } from './program-ir.js';
import { DTYPE_RANGE, formatType, isIntDType, numElements, sameShape, type DType, type TensorType } from './types.js';

export type BinaryKind = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min';
export const BINARY_KINDS: readonly BinaryKind[] = ['add', 'sub', 'mul', 'div', 'max', 'min'];

/** How a generic op combines the values it computes for one output element. */
export type ReduceKind = 'assign' | 'add' | 'max' | 'min';
export const REDUCE_SYMBOL: Readonly<Record<ReduceKind, string>> = { assign: '=', add: '+=', max: 'max=', min: 'min=' };

/** sum of coeff * index plus a constant: a subscript in a generic op. */
export interface Affine {
  readonly terms: readonly { readonly index: string; readonly coeff: number }[];
  readonly constant: number;
}

/** The per-element expression of a generic op; every node carries its dtype. */
export type ScalarExpr =
  | { readonly kind: 'read'; readonly dtype: DType; readonly tensor: string; readonly subscripts: readonly Affine[] }
  | { readonly kind: 'lit'; readonly dtype: DType; readonly value: number }
  | { readonly kind: 'bin'; readonly dtype: DType; readonly op: BinaryKind; readonly lhs: ScalarExpr; readonly rhs: ScalarExpr }
  | { readonly kind: 'neg'; readonly dtype: DType; readonly operand: ScalarExpr };

export interface IndexVar {
  readonly name: string;
  readonly extent: number;
}

/**
 * Tile sizes of a gemm in elements (multiples of DIM), which output loop is
 * outermost, and the mesh's dataflow: `ws` keeps a B block in the array while
 * A rows stream through, `os` keeps the C block's partial sums there while A
 * and B stream through.
 */
export interface GemmTiling {
  readonly tileM: number;
  readonly tileN: number;
  readonly tileK: number;
  readonly order: 'ijk' | 'jik';
  readonly dataflow: Dataflow;
}

/**
 * Where a gemm's tile buffers live. `rows`: first rows of the A and B tiles
 * in the scratchpad and of the C tile in the accumulator, each with `copies`
 * copies (2 = double-buffered), addressed by tc's own instructions.
 * `loop_ws`: Gemmini's matmul unroller places them itself, in one half of
 * each memory per loop, alternating halves (LoopMatmul.scala).
 */
export type GemmPlacement =
  | { readonly kind: 'rows'; readonly aRow: number; readonly bRow: number; readonly cRow: number; readonly copies: number }
  | { readonly kind: 'loop_ws' };

interface OpBase {
  readonly result: string;
  readonly type: TensorType;
  readonly loc?: SourceLoc;
}

/** The type of every value a function names: its parameters and its ops' results. */
export function typeMap(f: TensorFunc): Map<string, TensorType> {
  return new Map<string, TensorType>([...f.params.map((p) => [p.name, p.type] as const), ...f.body.map((o) => [o.result, o.type] as const)]);
}

export type TensorOp =
  | (OpBase & { readonly kind: 'matmul'; readonly lhs: string; readonly rhs: string })
  | (OpBase & { readonly kind: 'conv2d'; readonly input: string; readonly weight: string; readonly stride: number; readonly padding: number })
  | (OpBase & { readonly kind: 'binary'; readonly op: BinaryKind; readonly lhs: string; readonly rhs: string })
  | (OpBase & { readonly kind: 'relu'; readonly input: string })
  | (OpBase & { readonly kind: 'clip'; readonly input: string; readonly lo: number; readonly hi: number })
  | (OpBase & { readonly kind: 'requant'; readonly input: string; readonly scale: number })
  | (OpBase & { readonly kind: 'convert'; readonly input: string })
  | (OpBase & { readonly kind: 'transpose'; readonly input: string; readonly perm: readonly number[] })
  | (OpBase & { readonly kind: 'reshape'; readonly input: string })
  | (OpBase & { readonly kind: 'maxpool'; readonly input: string; readonly size: number; readonly stride: number; readonly padding: number })
  | (OpBase & { readonly kind: 'sum'; readonly input: string; readonly axis: number })
  | (OpBase & { readonly kind: 'const'; readonly value: number })
  | (OpBase & {
      /** A matmul with the epilogue Gemmini applies on the way out of the accumulator (made by the fuse pass). */
      readonly kind: 'gemm';
      readonly a: string;
      readonly b: string;
      /** i32 added before scaling: one row [N] repeated, or a whole [M, N] matrix. */
      readonly bias?: string;
      /** Present: requant to i8 with this float32 scale; absent: the raw i32 sums. */
      readonly scale?: number;
      readonly relu: boolean;
      /** Tiled IR: tile sizes (elements) and loop order, set by the tile step. */
      readonly tiling?: GemmTiling;
      /** Mapped IR: where the tile buffers live, set by the map-memory step. */
      readonly placement?: GemmPlacement;
    })
  | (OpBase & {
      /** Rows of convolution windows: [N*OH*OW, KH*KW*C] from NHWC input, zeros where padded. */
      readonly kind: 'im2col';
      readonly input: string;
      readonly kh: number;
      readonly kw: number;
      readonly stride: number;
      readonly padding: number;
    })
  | (OpBase & {
      readonly kind: 'generic';
      readonly indices: readonly IndexVar[];
      readonly outIndices: readonly string[];
      readonly reduce: ReduceKind;
      readonly body: ScalarExpr;
    });

export type TensorOpKind = TensorOp['kind'];

export interface TensorParam {
  readonly name: string;
  readonly type: TensorType;
}

export interface TensorFunc {
  readonly name: string;
  readonly params: readonly TensorParam[];
  readonly body: readonly TensorOp[];
  readonly results: readonly string[];
  readonly resultTypes: readonly TensorType[];
  readonly loc?: SourceLoc;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}

/** Names of the tensor values an op reads, in order. */
export function operandsOf(op: TensorOp): string[] {
  switch (op.kind) {
    case 'matmul':
    case 'binary':
      return [op.lhs, op.rhs];
    case 'conv2d':
      return [op.input, op.weight];
    case 'gemm':
      return op.bias ? [op.a, op.b, op.bias] : [op.a, op.b];
    case 'im2col':
    case 'relu':
    case 'clip':
    case 'requant':
    case 'convert':
    case 'transpose':
    case 'reshape':
    case 'maxpool':
    case 'sum':
      return [op.input];
    case 'const':
      return [];
    case 'generic':
      return scalarReads(op.body);
  }
}

/** Tensors read by a scalar expression, each once, in order of first read. */
export function scalarReads(e: ScalarExpr): string[] {
  const seen: string[] = [];
  const walk = (x: ScalarExpr): void => {
    switch (x.kind) {
      case 'read':
        if (!seen.includes(x.tensor)) seen.push(x.tensor);
        return;
      case 'lit':
        return;
      case 'bin':
        walk(x.lhs);
        walk(x.rhs);
        return;
      case 'neg':
        walk(x.operand);
        return;
    }
  };
  walk(e);
  return seen;
}

// ---------------------------------------------------------------------------
// Type rules. One place decides what each op accepts and produces; the
// frontend uses it to type programs, the verifier to check IR text.

export type TypeResult = { readonly ok: true; readonly type: TensorType } | { readonly ok: false; readonly error: string };
const ok = (type: TensorType): TypeResult => ({ ok: true, type });
const fail = (error: string): TypeResult => ({ ok: false, error });

/**
 * The dtype of arithmetic on two element types: int8 promotes to int32 (C's
 * integer promotion; an int8 product always fits), floats stay float32, and
 * ints never mix with floats silently.
 */
export function promoteDTypes(a: DType, b: DType, what: string): { ok: true; dtype: DType } | { ok: false; error: string } {
  if (a === 'f32' && b === 'f32') return { ok: true, dtype: 'f32' };
  if (a === 'f32' || b === 'f32')
    return { ok: false, error: `${what} mixes ${a} and ${b}; convert one side with f32(x) or i32(x)` };
  return { ok: true, dtype: 'i32' };
}

/** Result dtype of a binary op on element types (max/min keep equal types). */
export function binaryDType(op: BinaryKind, a: DType, b: DType): { ok: true; dtype: DType } | { ok: false; error: string } {
  if ((op === 'max' || op === 'min') && a === b) return { ok: true, dtype: a };
  const p = promoteDTypes(a, b, op);
  if (!p.ok) return p;
  if (op === 'div' && p.dtype !== 'f32') return { ok: false, error: `division is defined for f32 only, not ${a} / ${b}` };
  return p;
}

/** numpy-style broadcasting: align trailing dimensions; each pair equal or one of them 1. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

function productDType(a: DType, b: DType, what: string): { ok: true; dtype: DType } | { ok: false; error: string } {
  if (a !== b) return { ok: false, error: `${what} needs operands of one dtype, got ${a} and ${b}` };
  return { ok: true, dtype: a === 'f32' ? 'f32' : 'i32' };
}

export function matmulType(a: TensorType, b: TensorType): TypeResult {
  const d = productDType(a.dtype, b.dtype, 'matmul');
  if (!d.ok) return fail(d.error);
  const [ra, rb] = [a.shape.length, b.shape.length];
  if (ra < 1 || ra > 2 || rb < 1 || rb > 2 || (ra === 1 && rb === 1))
    return fail(`matmul needs a matrix and a matrix or vector, got ${formatType(a)} @ ${formatType(b)}`);
  const k1 = a.shape[ra - 1];
  const k2 = b.shape[0];
  if (k1 !== k2) return fail(`matmul inner dimensions differ: ${formatType(a)} @ ${formatType(b)} (${k1} vs ${k2})`);
  const shape = [...(ra === 2 ? [a.shape[0]] : []), ...(rb === 2 ? [b.shape[1]] : [])];
  return ok({ dtype: d.dtype, shape });
}

export function convOutputSize(size: number, window: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - window) / stride) + 1;
}

export function conv2dType(x: TensorType, w: TensorType, stride: number, padding: number): TypeResult {
  const d = productDType(x.dtype, w.dtype, 'conv2d');
  if (!d.ok) return fail(d.error);
  if (x.shape.length !== 4) return fail(`conv2d input must be NHWC (rank 4), got ${formatType(x)}`);
  if (w.shape.length !== 4) return fail(`conv2d weight must be HWIO (rank 4), got ${formatType(w)}`);
  if (!(Number.isInteger(stride) && stride >= 1)) return fail(`conv2d stride must be a positive integer, got ${stride}`);
  if (!(Number.isInteger(padding) && padding >= 0)) return fail(`conv2d padding must be a non-negative integer, got ${padding}`);
  const [n, h, wd, c] = x.shape;
  const [kh, kw, ci, co] = w.shape;
  if (c !== ci) return fail(`conv2d channels differ: input has ${c}, weight expects ${ci}`);
  const oh = convOutputSize(h, kh, stride, padding);
  const ow = convOutputSize(wd, kw, stride, padding);
  if (oh < 1 || ow < 1) return fail(`conv2d window ${kh}x${kw} does not fit the padded ${h}x${wd} input`);
  return ok({ dtype: d.dtype, shape: [n, oh, ow, co] });
}

export function gemmType(a: TensorType, b: TensorType, bias: TensorType | undefined, scale: number | undefined, relu: boolean): TypeResult {
  if (a.dtype !== 'i8' || b.dtype !== 'i8') return fail(`gemm multiplies i8 matrices, got ${formatType(a)} and ${formatType(b)}`);
  if (a.shape.length !== 2 || b.shape.length !== 2) return fail(`gemm multiplies matrices (rank 2), got ${formatType(a)} and ${formatType(b)}`);
  const [m, k] = a.shape;
  const [k2, n] = b.shape;
  if (k !== k2) return fail(`gemm inner dimensions differ: ${formatType(a)} x ${formatType(b)}`);
  if (bias) {
    const ok1 = bias.shape.length === 1 && bias.shape[0] === n;
    const ok2 = bias.shape.length === 2 && bias.shape[0] === m && bias.shape[1] === n;
    if (bias.dtype !== 'i32' || !(ok1 || ok2)) return fail(`gemm bias must be i32[${n}] or i32[${m}, ${n}], got ${formatType(bias)}`);
  }
  if (scale !== undefined && !Number.isFinite(scale)) return fail('gemm scale must be finite');
  if (relu && scale === undefined) return fail('gemm applies relu only after scaling (give a scale)');
  return ok({ dtype: scale === undefined ? 'i32' : 'i8', shape: [m, n] });
}

export function im2colType(x: TensorType, kh: number, kw: number, stride: number, padding: number): TypeResult {
  if (x.shape.length !== 4) return fail(`im2col input must be NHWC (rank 4), got ${formatType(x)}`);
  if (![kh, kw, stride].every((v) => Number.isInteger(v) && v >= 1) || !(Number.isInteger(padding) && padding >= 0))
    return fail('im2col needs positive integer kernel sizes and stride and a non-negative padding');
  const [n, h, w, c] = x.shape;
  const oh = convOutputSize(h, kh, stride, padding);
  const ow = convOutputSize(w, kw, stride, padding);
  if (oh < 1 || ow < 1) return fail(`im2col window ${kh}x${kw} does not fit the padded ${h}x${w} input`);
  return ok({ dtype: x.dtype, shape: [n * oh * ow, kh * kw * c] });
}

export function maxpoolType(x: TensorType, size: number, stride: number, padding: number): TypeResult {
  if (x.shape.length !== 4) return fail(`maxpool input must be NHWC (rank 4), got ${formatType(x)}`);
  if (!(Number.isInteger(size) && size >= 1)) return fail(`maxpool size must be a positive integer, got ${size}`);
  if (!(Number.isInteger(stride) && stride >= 1)) return fail(`maxpool stride must be a positive integer, got ${stride}`);
  if (!(Number.isInteger(padding) && padding >= 0 && padding < size))
    return fail(`maxpool padding must be an integer in [0, size), got ${padding}`);
  const [n, h, w, c] = x.shape;
  const oh = convOutputSize(h, size, stride, padding);
  const ow = convOutputSize(w, size, stride, padding);
  if (oh < 1 || ow < 1) return fail(`maxpool window ${size}x${size} does not fit the padded ${h}x${w} input`);
  return ok({ dtype: x.dtype, shape: [n, oh, ow, c] });
}

export function binaryType(op: BinaryKind, a: TensorType, b: TensorType): TypeResult {
  const d = binaryDType(op, a.dtype, b.dtype);
  if (!d.ok) return fail(d.error);
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) return fail(`${op}: shapes ${formatType(a)} and ${formatType(b)} do not broadcast`);
  return ok({ dtype: d.dtype, shape });
}

export function clipType(x: TensorType, lo: number, hi: number): TypeResult {
  if (isIntDType(x.dtype)) {
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) return fail(`clip bounds of ${x.dtype} must be integers`);
    const r = DTYPE_RANGE[x.dtype as 'i8' | 'i32'];
    if (lo < r.min || hi > r.max) return fail(`clip bounds [${lo}, ${hi}] exceed the range of ${x.dtype}`);
  }
  if (lo > hi) return fail(`clip needs lo <= hi, got [${lo}, ${hi}]`);
  return ok(x);
}

export function requantType(x: TensorType, scale: number): TypeResult {
  if (x.dtype === 'i8') return fail(`requant scales i32 or f32 values to i8; its input is already i8`);
  if (!Number.isFinite(scale)) return fail(`requant scale must be a finite number`);
  return ok({ dtype: 'i8', shape: x.shape });
}

export function transposeType(x: TensorType, perm: readonly number[]): TypeResult {
  const rank = x.shape.length;
  const sorted = [...perm].sort((p, q) => p - q);
  if (perm.length !== rank || !sorted.every((p, i) => p === i))
    return fail(`transpose permutation [${perm.join(', ')}] is not a permutation of the ${rank} dimensions of ${formatType(x)}`);
  return ok({ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) });
}

export function reshapeType(x: TensorType, shape: readonly number[]): TypeResult {
  if (shape.some((d) => !Number.isInteger(d) || d < 1)) return fail(`reshape sizes must be positive integers, got [${shape.join(', ')}]`);
  if (numElements(shape) !== numElements(x.shape))
    return fail(`reshape of ${formatType(x)} (${numElements(x.shape)} elements) to [${shape.join(', ')}] (${numElements(shape)} elements)`);
  return ok({ dtype: x.dtype, shape });
}

export function sumType(x: TensorType, axis: number): TypeResult {
  if (!(Number.isInteger(axis) && axis >= 0 && axis < x.shape.length))
    return fail(`sum axis ${axis} is out of range for ${formatType(x)}`);
  return ok({ dtype: x.dtype === 'f32' ? 'f32' : 'i32', shape: x.shape.filter((_, i) => i !== axis) });
}

/** Result dtype of a reduction over a body of this dtype: sums of ints are i32. */
export function reduceDType(reduce: ReduceKind, body: DType): DType {
  return reduce === 'add' && body === 'i8' ? 'i32' : body;
}

/** Checks an op's declared type against the rules, given the types of its operands. */
export function checkOpType(op: TensorOp, typeOf: (name: string) => TensorType): TypeResult {
  switch (op.kind) {
    case 'matmul':
      return matmulType(typeOf(op.lhs), typeOf(op.rhs));
    case 'conv2d':
      return conv2dType(typeOf(op.input), typeOf(op.weight), op.stride, op.padding);
    case 'binary':
      return binaryType(op.op, typeOf(op.lhs), typeOf(op.rhs));
    case 'relu':
      return ok(typeOf(op.input));
    case 'clip':
      return clipType(typeOf(op.input), op.lo, op.hi);
    case 'requant':
      return requantType(typeOf(op.input), op.scale);
    case 'convert': {
      const x = typeOf(op.input);
      return ok({ dtype: op.type.dtype, shape: x.shape });
    }
    case 'transpose':
      return transposeType(typeOf(op.input), op.perm);
    case 'reshape':
      return reshapeType(typeOf(op.input), op.type.shape);
    case 'maxpool':
      return maxpoolType(typeOf(op.input), op.size, op.stride, op.padding);
    case 'sum':
      return sumType(typeOf(op.input), op.axis);
    case 'gemm':
      return gemmType(typeOf(op.a), typeOf(op.b), op.bias === undefined ? undefined : typeOf(op.bias), op.scale, op.relu);
    case 'im2col':
      return im2colType(typeOf(op.input), op.kh, op.kw, op.stride, op.padding);
    case 'const':
      if (op.type.shape.length !== 0) return fail(`const must be a scalar (shape [])`);
      if (isIntDType(op.type.dtype) && !Number.isInteger(op.value)) return fail(`const ${op.value} is not an integer`);
      return ok(op.type);
    case 'generic':
      return genericType(op, typeOf);
  }
}

/** Smallest and largest value of a subscript over the index box. */
export function affineRange(a: Affine, extentOf: ReadonlyMap<string, number>): { min: number; max: number } {
  let min = a.constant;
  let max = a.constant;
  for (const t of a.terms) {
    const hi = (extentOf.get(t.index) ?? 1) - 1;
    if (t.coeff >= 0) max += t.coeff * hi;
    else min += t.coeff * hi;
  }
  return { min, max };
}

export function formatAffine(a: Affine): string {
  const parts: string[] = [];
  for (const t of a.terms) {
    const mag = Math.abs(t.coeff);
    const term = mag === 1 ? t.index : `${mag}*${t.index}`;
    if (parts.length === 0) parts.push(t.coeff < 0 ? `-${term}` : term);
    else parts.push(t.coeff < 0 ? `- ${term}` : `+ ${term}`);
  }
  if (parts.length === 0) return String(a.constant);
  if (a.constant > 0) parts.push(`+ ${a.constant}`);
  if (a.constant < 0) parts.push(`- ${-a.constant}`);
  return parts.join(' ');
}

/** Checks a generic op: index extents, subscripts in range, body dtypes. */
export function genericType(op: Extract<TensorOp, { kind: 'generic' }>, typeOf: (name: string) => TensorType): TypeResult {
  const extentOf = new Map<string, number>();
  for (const iv of op.indices) {
    if (extentOf.has(iv.name)) return fail(`index '${iv.name}' is declared twice`);
    if (!(Number.isInteger(iv.extent) && iv.extent >= 1)) return fail(`index '${iv.name}' needs a positive extent, got ${iv.extent}`);
    extentOf.set(iv.name, iv.extent);
  }
  const outSeen = new Set<string>();
  for (const o of op.outIndices) {
    if (!extentOf.has(o)) return fail(`output index '${o}' is not declared`);
    if (outSeen.has(o)) return fail(`output index '${o}' appears twice`);
    outSeen.add(o);
  }
  if (op.reduce === 'assign' && op.indices.some((iv) => !outSeen.has(iv.name)))
    return fail(`a generic op with '=' cannot have reduction indices; use '+=', 'max=' or 'min='`);
  const check = (e: ScalarExpr): string | undefined => {
    switch (e.kind) {
      case 'read': {
        const t = typeOf(e.tensor);
        if (t.dtype !== e.dtype) return `read of %${e.tensor} is marked ${e.dtype} but the tensor is ${t.dtype}`;
        if (e.subscripts.length !== t.shape.length)
          return `%${e.tensor} has rank ${t.shape.length} but is read with ${e.subscripts.length} subscripts`;
        for (let d = 0; d < e.subscripts.length; d++) {
          const s = e.subscripts[d];
          for (const term of s.terms) if (!extentOf.has(term.index)) return `index '${term.index}' is not declared`;
          const r = affineRange(s, extentOf);
          if (r.min < 0 || r.max >= t.shape[d])
            return `subscript ${formatAffine(s)} of %${e.tensor} ranges over [${r.min}, ${r.max}] but dimension ${d} has size ${t.shape[d]}`;
        }
        return undefined;
      }
      case 'lit':
        if (isIntDType(e.dtype) && !Number.isInteger(e.value)) return `literal ${e.value} is not an integer but is typed ${e.dtype}`;
        return undefined;
      case 'bin': {
        const inner = check(e.lhs) ?? check(e.rhs);
        if (inner) return inner;
        const d = binaryDType(e.op, e.lhs.dtype, e.rhs.dtype);
        if (!d.ok) return d.error;
        if (d.dtype !== e.dtype) return `${e.op} of ${e.lhs.dtype} and ${e.rhs.dtype} is ${d.dtype}, not ${e.dtype}`;
        return undefined;
      }
      case 'neg':
        if (e.operand.dtype !== e.dtype && !(e.operand.dtype === 'i8' && e.dtype === 'i32'))
          return `neg of ${e.operand.dtype} is ${e.operand.dtype === 'i8' ? 'i32' : e.operand.dtype}, not ${e.dtype}`;
        return check(e.operand);
    }
  };
  const err = check(op.body);
  if (err) return fail(err);
  const shape = op.outIndices.map((o) => extentOf.get(o) as number);
  return ok({ dtype: reduceDType(op.reduce, op.body.dtype), shape });
}

export function sameTypeResult(r: TypeResult, t: TensorType): boolean {
  return r.ok && r.type.dtype === t.dtype && sameShape(r.type.shape, t.shape);
}
