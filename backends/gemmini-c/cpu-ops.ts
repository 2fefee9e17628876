// Plain C for the Tensor IR ops that run on the CPU beside Gemmini. Each
// mirrors ir/interpret.ts exactly: the same loop orders, integer wrap-around
// through unsigned arithmetic (signed overflow is undefined in C), float32
// rounding at every step (the program is built with -ffp-contract=off).

import { assertNever, type ScalarExpr, type TensorOp } from '../../ir/tensor-ir.js';
import { formatAffine } from '../../ir/tensor-ir.js';
import { numElements, stridesOf, type DType, type TensorType } from '../../ir/types.js';

export const C_TYPE: Readonly<Record<DType, string>> = { i8: 'int8_t', i32: 'int32_t', f32: 'float' };

/**
 * A float literal that C reads back as float32(x): the value is rounded to
 * float32 here, so C's decimal-to-float conversion is exact and agrees with
 * the interpreter's Math.fround.
 */
export function cFloat(value: number): string {
  const x = Math.fround(value);
  if (Number.isNaN(x)) return '(0.0f/0.0f)';
  if (!Number.isFinite(x)) return x > 0 ? '(1.0f/0.0f)' : '(-1.0f/0.0f)';
  const s = Object.is(x, -0) ? '-0.0' : String(x);
  return (/[.e]/.test(s) ? s : s + '.0') + 'f';
}

export function cInt(x: number): string {
  // INT32_MIN has no literal of type int in C.
  return x === -2147483648 ? '(-2147483647 - 1)' : String(x);
}

function cLit(value: number, dtype: DType): string {
  return dtype === 'f32' ? cFloat(value) : cInt(value);
}

/** C for a binary op on element values of `dtype` (after promotion). */
function cBinary(op: string, dtype: DType, a: string, b: string): string {
  if (dtype === 'f32') {
    switch (op) {
      case 'add':
        return `(${a} + ${b})`;
      case 'sub':
        return `(${a} - ${b})`;
      case 'mul':
        return `(${a} * ${b})`;
      case 'div':
        return `(${a} / ${b})`;
    }
  } else {
    switch (op) {
      case 'add':
        return `tc_wrap_add(${a}, ${b})`;
      case 'sub':
        return `tc_wrap_sub(${a}, ${b})`;
      case 'mul':
        return `tc_wrap_mul(${a}, ${b})`;
    }
  }
  // max/min: a > b ? a : b (ir/interpret.ts); float temporaries keep the rounding.
  const t = C_TYPE[dtype === 'i8' ? 'i8' : dtype];
  const cmp = op === 'max' ? '>' : '<';
  return `({ ${t} tc_a = ${a}, tc_b = ${b}; tc_a ${cmp} tc_b ? tc_a : tc_b; })`;
}

/** Offset expression of a broadcast operand for output loop variables o0, o1, ... */
function broadcastIndex(operand: TensorType, out: TensorType): string {
  const strides = stridesOf(operand.shape);
  const offset = out.shape.length - operand.shape.length;
  const terms: string[] = [];
  operand.shape.forEach((d, i) => {
    if (d !== 1) terms.push(strides[i] === 1 ? `o${i + offset}` : `o${i + offset} * ${strides[i]}`);
  });
  return terms.length ? terms.join(' + ') : '0';
}

function loopsOver(shape: readonly number[], prefix: string, body: string[], indent: string): string[] {
  const lines: string[] = [];
  shape.forEach((d, i) => lines.push(`${indent}${'  '.repeat(i)}for (int ${prefix}${i} = 0; ${prefix}${i} < ${d}; ${prefix}${i}++) {`));
  const inner = indent + '  '.repeat(shape.length);
  for (const b of body) lines.push(inner + b);
  for (let i = shape.length - 1; i >= 0; i--) lines.push(`${indent}${'  '.repeat(i)}}`);
  return lines;
}

function flatIndex(shape: readonly number[], prefix: string): string {
  const strides = stridesOf(shape);
  const terms = shape.map((_, i) => (strides[i] === 1 ? `${prefix}${i}` : `${prefix}${i} * ${strides[i]}`));
  return terms.length ? terms.join(' + ') : '0';
}

/**
 * C statements computing `op` into the array named op.result from arrays
 * named by its operands. `typeOf` gives operand types.
 */
export function cpuOpC(op: TensorOp, typeOf: (name: string) => TensorType, indent = '  '): string[] {
  const out = op.type;
  const o = op.result;
  const L: string[] = [];
  const push = (...lines: string[]): void => {
    for (const l of lines) L.push(indent + l);
  };
  switch (op.kind) {
    case 'matmul': {
      const a = typeOf(op.lhs);
      const b = typeOf(op.rhs);
      const [m, k] = a.shape.length === 2 ? a.shape : [1, a.shape[0]];
      const n = b.shape.length === 2 ? b.shape[1] : 1;
      const f = out.dtype === 'f32';
      push(`for (int i = 0; i < ${m}; i++)`, `  for (int j = 0; j < ${n}; j++) {`);
      push(`    ${f ? 'float acc = 0.0f' : 'int32_t acc = 0'};`);
      push(`    for (int k = 0; k < ${k}; k++) acc = ${f ? `acc + ${op.lhs}[i * ${k} + k] * ${op.rhs}[k * ${n} + j]` : `tc_wrap_add(acc, tc_wrap_mul(${op.lhs}[i * ${k} + k], ${op.rhs}[k * ${n} + j]))`};`);
      push(`    ${o}[i * ${n} + j] = acc;`, `  }`);
      return L;
    }
    case 'conv2d': {
      const [, h, w, c] = typeOf(op.input).shape;
      const [kh, kw, , co] = typeOf(op.weight).shape;
      const [n, oh, ow] = out.shape;
      const f = out.dtype === 'f32';
      push(`for (int b = 0; b < ${n}; b++) for (int y = 0; y < ${oh}; y++) for (int x = 0; x < ${ow}; x++) for (int oc = 0; oc < ${co}; oc++) {`);
      push(`  ${f ? 'float acc = 0.0f' : 'int32_t acc = 0'};`);
      push(`  for (int r = 0; r < ${kh}; r++) {`, `    int iy = y * ${op.stride} - ${op.padding} + r;`, `    if (iy < 0 || iy >= ${h}) continue;`);
      push(`    for (int s = 0; s < ${kw}; s++) {`, `      int ix = x * ${op.stride} - ${op.padding} + s;`, `      if (ix < 0 || ix >= ${w}) continue;`);
      const xi = `${op.input}[((b * ${h} + iy) * ${w} + ix) * ${c} + ci]`;
      const wi = `${op.weight}[((r * ${kw} + s) * ${c} + ci) * ${co} + oc]`;
      push(`      for (int ci = 0; ci < ${c}; ci++) acc = ${f ? `acc + ${xi} * ${wi}` : `tc_wrap_add(acc, tc_wrap_mul(${xi}, ${wi}))`};`);
      push(`    }`, `  }`, `  ${o}[((b * ${oh} + y) * ${ow} + x) * ${co} + oc] = acc;`, `}`);
      return L;
    }
    case 'binary': {
      const a = `${op.lhs}[${broadcastIndex(typeOf(op.lhs), out)}]`;
      const b = `${op.rhs}[${broadcastIndex(typeOf(op.rhs), out)}]`;
      L.push(...loopsOver(out.shape, 'o', [`${o}[${flatIndex(out.shape, 'o')}] = ${cBinary(op.op, out.dtype, a, b)};`], indent));
      return L;
    }
    case 'relu':
      push(`for (int i = 0; i < ${numElements(out.shape)}; i++) ${o}[i] = ${op.input}[i] > 0 ? ${op.input}[i] : 0;`);
      return L;
    case 'clip': {
      const [lo, hi] = [cLit(op.lo, out.dtype), cLit(op.hi, out.dtype)];
      push(`for (int i = 0; i < ${numElements(out.shape)}; i++) ${o}[i] = ${op.input}[i] < ${lo} ? ${lo} : ${op.input}[i] > ${hi} ? ${hi} : ${op.input}[i];`);
      return L;
    }
    case 'requant':
      push(`for (int i = 0; i < ${numElements(out.shape)}; i++) ${o}[i] = tc_requant((float)${op.input}[i], ${cFloat(op.scale)});`);
      return L;
    case 'convert': {
      const from = typeOf(op.input).dtype;
      const x = `${op.input}[i]`;
      const conv =
        out.dtype === 'f32'
          ? `(float)${x}`
          : from === 'f32'
            ? `(${C_TYPE[out.dtype]})tc_saturating_round(${x}, ${out.dtype === 'i8' ? '-128, 127' : '-2147483648LL, 2147483647LL'})`
            : `(${C_TYPE[out.dtype]})(${x} < -128 ? -128 : ${x} > 127 ? 127 : ${x})`;
      push(`for (int i = 0; i < ${numElements(out.shape)}; i++) ${o}[i] = ${conv};`);
      return L;
    }
    case 'transpose': {
      const inStrides = stridesOf(typeOf(op.input).shape);
      const src = op.perm.map((p, i) => `o${i} * ${inStrides[p]}`).join(' + ') || '0';
      L.push(...loopsOver(out.shape, 'o', [`${o}[${flatIndex(out.shape, 'o')}] = ${op.input}[${src}];`], indent));
      return L;
    }
    case 'reshape':
      push(`memcpy(${o}, ${op.input}, sizeof ${o});`);
      return L;
    case 'maxpool': {
      const [, h, w, c] = typeOf(op.input).shape;
      const [n, oh, ow] = out.shape;
      const t = C_TYPE[out.dtype];
      push(`for (int b = 0; b < ${n}; b++) for (int y = 0; y < ${oh}; y++) for (int x = 0; x < ${ow}; x++) for (int ch = 0; ch < ${c}; ch++) {`);
      push(`  ${t} best = 0;`, `  int first = 1;`);
      push(`  for (int r = 0; r < ${op.size}; r++) {`, `    int iy = y * ${op.stride} - ${op.padding} + r;`, `    if (iy < 0 || iy >= ${h}) continue;`);
      push(`    for (int s = 0; s < ${op.size}; s++) {`, `      int ix = x * ${op.stride} - ${op.padding} + s;`, `      if (ix < 0 || ix >= ${w}) continue;`);
      push(`      ${t} v = ${op.input}[((b * ${h} + iy) * ${w} + ix) * ${c} + ch];`, `      if (first || v > best) best = v;`, `      first = 0;`, `    }`, `  }`);
      push(`  ${o}[((b * ${oh} + y) * ${ow} + x) * ${c} + ch] = best;`, `}`);
      return L;
    }
    case 'sum': {
      const shape = typeOf(op.input).shape;
      const outer = numElements(shape.slice(0, op.axis));
      const len = shape[op.axis];
      const inner = numElements(shape.slice(op.axis + 1));
      const f = out.dtype === 'f32';
      push(`for (int a = 0; a < ${outer}; a++) for (int i = 0; i < ${inner}; i++) {`);
      push(`  ${f ? 'float' : 'int32_t'} acc = 0;`);
      push(`  for (int r = 0; r < ${len}; r++) acc = ${f ? `acc + ${op.input}[(a * ${len} + r) * ${inner} + i]` : `tc_wrap_add(acc, ${op.input}[(a * ${len} + r) * ${inner} + i])`};`);
      push(`  ${o}[a * ${inner} + i] = acc;`, `}`);
      return L;
    }
    case 'const':
      push(`${o}[0] = ${cLit(op.value, out.dtype)};`);
      return L;
    case 'generic':
      return genericC(op, typeOf, indent);
    case 'gemm': {
      const [m, k] = typeOf(op.a).shape;
      const n = typeOf(op.b).shape[1];
      const repeat = op.bias !== undefined && typeOf(op.bias).shape.length === 1;
      push(`for (int i = 0; i < ${m}; i++)`, `  for (int j = 0; j < ${n}; j++) {`, `    int32_t acc = 0;`);
      push(`    for (int k = 0; k < ${k}; k++) acc = tc_wrap_add(acc, tc_wrap_mul(${op.a}[i * ${k} + k], ${op.b}[k * ${n} + j]));`);
      if (op.bias) push(`    acc = tc_wrap_add(acc, ${op.bias}[${repeat ? 'j' : `i * ${n} + j`}]);`);
      const v = op.scale === undefined ? 'acc' : `tc_requant((float)acc, ${cFloat(op.scale)})`;
      push(`    ${C_TYPE[out.dtype]} v = ${v};`);
      if (op.relu) push('    if (v < 0) v = 0;');
      push(`    ${o}[i * ${n} + j] = v;`, '  }');
      return L;
    }
    case 'im2col': {
      const [n, h, w, c] = typeOf(op.input).shape;
      const cols = op.kh * op.kw * c;
      const oh = Math.floor((h + 2 * op.padding - op.kh) / op.stride) + 1;
      const ow = Math.floor((w + 2 * op.padding - op.kw) / op.stride) + 1;
      push(`for (int b = 0; b < ${n}; b++) for (int y = 0; y < ${oh}; y++) for (int x = 0; x < ${ow}; x++)`);
      push(`  for (int r = 0; r < ${op.kh}; r++) for (int s = 0; s < ${op.kw}; s++) {`);
      push(`    int iy = y * ${op.stride} - ${op.padding} + r, ix = x * ${op.stride} - ${op.padding} + s;`);
      push(`    int inside = iy >= 0 && iy < ${h} && ix >= 0 && ix < ${w};`);
      push(`    for (int ci = 0; ci < ${c}; ci++)`);
      push(`      ${o}[((b * ${oh} + y) * ${ow} + x) * ${cols} + (r * ${op.kw} + s) * ${c} + ci] = inside ? ${op.input}[((b * ${h} + iy) * ${w} + ix) * ${c} + ci] : 0;`);
      push('  }');
      return L;
    }
    default:
      return assertNever(op);
  }
}

function genericC(op: Extract<TensorOp, { kind: 'generic' }>, typeOf: (name: string) => TensorType, indent: string): string[] {
  const reduction = op.indices.filter((iv) => !op.outIndices.includes(iv.name));
  const extent = new Map(op.indices.map((iv) => [iv.name, iv.extent]));
  const outStrides = stridesOf(op.type.shape);
  const dtype = op.type.dtype;
  const t = dtype === 'f32' ? 'float' : dtype === 'i8' ? 'int8_t' : 'int32_t';
  // Reads become flat offsets with the read tensor's own strides.
  const body = cScalarWithStrides(op.body, typeOf);
  const L: string[] = [];
  let depth = 0;
  const line = (s: string): void => {
    L.push(indent + '  '.repeat(depth) + s);
  };
  for (const n of op.outIndices) {
    line(`for (int ${n} = 0; ${n} < ${extent.get(n)}; ${n}++) {`);
    depth++;
  }
  line(`${t} acc = 0;`);
  if (reduction.length) line('int first = 1;');
  for (const iv of reduction) {
    line(`for (int ${iv.name} = 0; ${iv.name} < ${iv.extent}; ${iv.name}++) {`);
    depth++;
  }
  line(`${t} v = ${body};`);
  switch (op.reduce) {
    case 'assign':
      line('acc = v;');
      break;
    case 'add':
      line(dtype === 'f32' ? 'acc = acc + v;' : 'acc = tc_wrap_add(acc, v);');
      break;
    case 'max':
      line('if (first || v > acc) acc = v;');
      break;
    case 'min':
      line('if (first || v < acc) acc = v;');
      break;
  }
  if (reduction.length) line('first = 0;');
  for (let i = 0; i < reduction.length; i++) {
    depth--;
    line('}');
  }
  const outIdx = op.outIndices.map((n, i) => (outStrides[i] === 1 ? n : `${n} * ${outStrides[i]}`)).join(' + ') || '0';
  line(`${op.result}[${outIdx}] = acc;`);
  for (let i = 0; i < op.outIndices.length; i++) {
    depth--;
    line('}');
  }
  return L;
}

function cScalarWithStrides(e: ScalarExpr, typeOf: (name: string) => TensorType): string {
  switch (e.kind) {
    case 'read': {
      const strides = stridesOf(typeOf(e.tensor).shape);
      const terms = e.subscripts.map((s, d) => `(${formatAffine(s)}) * ${strides[d]}`);
      return `${e.tensor}[${terms.join(' + ') || '0'}]`;
    }
    case 'lit':
      return cLit(e.value, e.dtype);
    case 'bin':
      return cBinary(e.op, e.dtype, cScalarWithStrides(e.lhs, typeOf), cScalarWithStrides(e.rhs, typeOf));
    case 'neg':
      return e.dtype === 'f32' ? `(-${cScalarWithStrides(e.operand, typeOf)})` : `tc_wrap_sub(0, ${cScalarWithStrides(e.operand, typeOf)})`;
  }
}

