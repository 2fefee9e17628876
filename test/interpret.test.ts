// Unit tests of the reference interpreter, one op at a time, on small inputs
// whose expected outputs are worked out by hand in the comments.

import { describe, expect, it } from 'vitest';
import { compileOrThrow, tensor } from './helpers.js';
import { interpret, InterpretError } from '../ir/interpret.js';
import type { TensorFunc, TensorOp } from '../ir/tensor-ir.js';
import { verifyTensorFunc } from '../ir/tensor-verify.js';
import type { Tensor } from '../ir/tensor-value.js';
import type { DType, TensorType } from '../ir/types.js';

const compile = (src: string): TensorFunc => compileOrThrow('unit.tc', src);

/** Runs a .tc program; each output's type and elements. */
function run(src: string, ...inputs: Tensor[]): { type: TensorType; data: number[] }[] {
  return interpret(compile(src), inputs).map((t) => ({ type: t.type, data: Array.from(t.data) }));
}

/** The single output of a one-result program. */
function run1(src: string, ...inputs: Tensor[]): { type: TensorType; data: number[] } {
  const out = run(src, ...inputs);
  expect(out.length).toBe(1);
  return out[0];
}

const seq = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('matmul', () => {
  it('2x2 @ 2x2 in i8 accumulates in i32', () => {
    // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]]
    const out = run1('def f(a: i8[2, 2], b: i8[2, 2]) -> i32[2, 2] {\n  return a @ b\n}\n', tensor('i8', [2, 2], [1, 2, 3, 4]), tensor('i8', [2, 2], [5, 6, 7, 8]));
    expect(out).toEqual({ type: { dtype: 'i32', shape: [2, 2] }, data: [19, 22, 43, 50] });
    // with signs: [[-1,2],[3,-4]] @ [[5,-6],[7,8]] = [[-5+14, 6+16], [15-28, -18-32]]
    const signed = run1('def f(a: i8[2, 2], b: i8[2, 2]) -> i32[2, 2] {\n  return a @ b\n}\n', tensor('i8', [2, 2], [-1, 2, 3, -4]), tensor('i8', [2, 2], [5, -6, 7, 8]));
    expect(signed.data).toEqual([9, 22, -13, -50]);
  });

  it('2x3 @ 3x4, not square', () => {
    // a = [[1,2,3],[4,5,6]], b[k][j] = k*4 + j + 1 = [[1,2,3,4],[5,6,7,8],[9,10,11,12]]
    // row 0: [1+10+27, 2+12+30, 3+14+33, 4+16+36]; row 1: [4+25+54, 8+30+60, 12+35+66, 16+40+72]
    const out = run1('def f(a: i32[2, 3], b: i32[3, 4]) -> i32[2, 4] {\n  return a @ b\n}\n', tensor('i32', [2, 3], seq(6)), tensor('i32', [3, 4], seq(12)));
    expect(out.data).toEqual([38, 44, 50, 56, 83, 98, 113, 128]);
  });

  it('matrix @ vector and vector @ matrix', () => {
    // [[1,2,3],[4,5,6]] @ [1, 0.5, -1] = [1+1-3, 4+2.5-6]
    const mv = run1('def f(A: f32[2, 3], x: f32[3]) -> f32[2] {\n  return A @ x\n}\n', tensor('f32', [2, 3], seq(6)), tensor('f32', [3], [1, 0.5, -1]));
    expect(mv).toEqual({ type: { dtype: 'f32', shape: [2] }, data: [-1, 0.5] });
    // [1, 2] @ [[1,2,3],[4,5,6]] = [1+8, 2+10, 3+12]
    const vm = run1('def f(x: i8[2], A: i8[2, 3]) -> i32[3] {\n  return x @ A\n}\n', tensor('i8', [2], [1, 2]), tensor('i8', [2, 3], seq(6)));
    expect(vm).toEqual({ type: { dtype: 'i32', shape: [3] }, data: [9, 12, 15] });
  });
});

describe('conv2d (NHWC input, HWIO weight)', () => {
  const input = tensor('i8', [1, 4, 4, 1], seq(16)); // rows [1..4], [5..8], [9..12], [13..16]
  const conv = 'def f(x: i8[1, 4, 4, 1], w: i8[3, 3, 1, 1]) -> i32[1, 2, 2, 1] {\n  return conv2d(x, w, stride=2, padding=1)\n}\n';

  it('3x3, padding 1, stride 2, all-ones kernel: window sums without the padding', () => {
    // output (0,0): rows -1..1, cols -1..1 -> 1+2+5+6; (0,1): rows 0..1, cols 1..3 -> 2+3+4+6+7+8;
    // (1,0): rows 1..3, cols 0..1 -> 5+6+9+10+13+14; (1,1): rows 1..3, cols 1..3 -> 6+7+8+10+11+12+14+15+16
    expect(run1(conv, input, tensor('i8', [3, 3, 1, 1], new Array(9).fill(1))).data).toEqual([14, 30, 57, 99]);
  });

  it('the kernel is not flipped: one-hot kernels pick single input pixels', () => {
    // Kernel tap (r, s) reads input (2*oy + r - 1, 2*ox + s - 1).
    // Tap (0,0): (-1,-1), (-1,1), (1,-1) are padding; (1,1) is 6.
    const tap00 = [1, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(run1(conv, input, tensor('i8', [3, 3, 1, 1], tap00)).data).toEqual([0, 0, 0, 6]);
    // Tap (2,2): (1,1)=6, (1,3)=8, (3,1)=14, (3,3)=16.
    const tap22 = [0, 0, 0, 0, 0, 0, 0, 0, 1];
    expect(run1(conv, input, tensor('i8', [3, 3, 1, 1], tap22)).data).toEqual([6, 8, 14, 16]);
    // Tap (0,2), weight -2, reads (2*oy - 1, 2*ox + 1): (-1,1) and (-1,3) are padding,
    // out(1,0) reads (1,1) = 6 and out(1,1) reads (1,3) = 8.
    const tap02 = [0, 0, -2, 0, 0, 0, 0, 0, 0];
    expect(run1(conv, input, tensor('i8', [3, 3, 1, 1], tap02)).data).toEqual([0, 0, -12, -16]);
  });

  it('channels: out[co] = sum over ci of x[ci] * w[0, 0, ci, co]', () => {
    // pixel 0 has channels (1, 2), pixel 1 has (3, 4); w[.., ci=0, :] = [1, 0, -1], w[.., ci=1, :] = [10, 100, 1000]
    // pixel 0: [1 + 20, 0 + 200, -1 + 2000]; pixel 1: [3 + 40, 400, -3 + 4000]
    const out = run1(
      'def f(x: i32[1, 1, 2, 2], w: i32[1, 1, 2, 3]) -> i32[1, 1, 2, 3] {\n  return conv2d(x, w)\n}\n',
      tensor('i32', [1, 1, 2, 2], [1, 2, 3, 4]),
      tensor('i32', [1, 1, 2, 3], [1, 0, -1, 10, 100, 1000]),
    );
    expect(out.data).toEqual([21, 200, 1999, 43, 400, 3997]);
  });

  it('a batch of two, stride 1, no padding, in f32', () => {
    // 2x2 kernel [[1, -1], [0.5, 0]] over 2x3 images: out(y, x) = in(y, x) - in(y, x+1) + 0.5 * in(y+1, x)
    // image 0 = [[1,2,3],[4,5,6]]: [1-2+2, 2-3+2.5]; image 1 = 10x image 0.
    const out = run1(
      'def f(x: f32[2, 2, 3, 1], w: f32[2, 2, 1, 1]) -> f32[2, 1, 2, 1] {\n  return conv2d(x, w)\n}\n',
      tensor('f32', [2, 2, 3, 1], [...seq(6), ...seq(6).map((v) => 10 * v)]),
      tensor('f32', [2, 2, 1, 1], [1, -1, 0.5, 0]),
    );
    expect(out.data).toEqual([1, 1.5, 10, 15]);
  });
});

describe('maxpool', () => {
  it('padding never wins: windows over negative values ignore the padded positions', () => {
    // [[-1,-2,-3],[-4,-5,-6],[-7,-8,-9]], size 2, stride 2, padding 1 -> 2x2 windows:
    // (0,0) covers only -1; (0,1) covers -2,-3; (1,0) covers -4,-7; (1,1) covers -5,-6,-8,-9.
    const out = run1(
      'def f(x: i8[1, 3, 3, 1]) -> i8[1, 2, 2, 1] {\n  return maxpool(x, size=2, stride=2, padding=1)\n}\n',
      tensor('i8', [1, 3, 3, 1], seq(9).map((v) => -v)),
    );
    expect(out.data).toEqual([-1, -2, -4, -5]);
  });

  it('overlapping windows (stride 1), two channels', () => {
    // channel 0 = [[1,5,2],[7,3,8],[4,9,6]] -> [[7,8],[9,9]]; channel 1 = -channel 0 -> [[-1,-2],[-3,-3]]
    const c0 = [1, 5, 2, 7, 3, 8, 4, 9, 6];
    const x = tensor('i32', [1, 3, 3, 2], c0.flatMap((v) => [v, -v]));
    const out = run1('def f(x: i32[1, 3, 3, 2]) -> i32[1, 2, 2, 2] {\n  return maxpool(x, size=2, stride=1)\n}\n', x);
    expect(out.data).toEqual([7, -1, 8, -2, 9, -3, 9, -3]);
  });

  it('stride defaults to the window size', () => {
    // 4x4 of 1..16, 2x2 windows: maxima are the bottom-right corners 6, 8, 14, 16
    const out = run1('def f(x: f32[1, 4, 4, 1]) -> f32[1, 2, 2, 1] {\n  return maxpool(x, size=2)\n}\n', tensor('f32', [1, 4, 4, 1], seq(16)));
    expect(out.data).toEqual([6, 8, 14, 16]);
  });
});

describe('sum', () => {
  const x23 = tensor('i8', [2, 3], seq(6)); // [[1,2,3],[4,5,6]]

  it('over each axis of a matrix; i8 sums are i32', () => {
    expect(run1('def f(x: i8[2, 3]) -> i32[3] {\n  return sum(x, axis=0)\n}\n', x23)).toEqual({ type: { dtype: 'i32', shape: [3] }, data: [5, 7, 9] });
    expect(run1('def f(x: i8[2, 3]) -> i32[2] {\n  return sum(x, axis=1)\n}\n', x23).data).toEqual([6, 15]);
    expect(run1('def f(x: i8[2, 3]) -> i32[2] {\n  return sum(x, axis=-1)\n}\n', x23).data).toEqual([6, 15]);
  });

  it('over each axis of a 2x2x2 tensor', () => {
    // x[a, b, c] = 4a + 2b + c
    const x = tensor('f32', [2, 2, 2], seq(8, 0));
    // axis 0: x[0,b,c] + x[1,b,c] = 4 + 2(2b + c) ... = [0+4, 1+5, 2+6, 3+7]
    expect(run1('def f(x: f32[2, 2, 2]) -> f32[2, 2] {\n  return sum(x, axis=0)\n}\n', x).data).toEqual([4, 6, 8, 10]);
    // axis 1: [0+2, 1+3, 4+6, 5+7]
    expect(run1('def f(x: f32[2, 2, 2]) -> f32[2, 2] {\n  return sum(x, axis=1)\n}\n', x).data).toEqual([2, 4, 10, 12]);
    // axis 2: [0+1, 2+3, 4+5, 6+7]
    expect(run1('def f(x: f32[2, 2, 2]) -> f32[2, 2] {\n  return sum(x, axis=2)\n}\n', x).data).toEqual([1, 5, 9, 13]);
  });
});

describe('transpose and reshape', () => {
  it('transpose of a matrix (default permutation)', () => {
    const out = run1('def f(x: i8[2, 3]) -> i8[3, 2] {\n  return transpose(x)\n}\n', tensor('i8', [2, 3], seq(6)));
    expect(out.data).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('transpose with perm=[2, 0, 1]: out[a, b, c] = in[b, c, a]', () => {
    // in[i, j, k] = 100i + 10j + k with shape [2, 3, 4]; out has shape [4, 2, 3].
    const values: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) values.push(100 * i + 10 * j + k);
    const out = run1('def f(x: i32[2, 3, 4]) -> i32[4, 2, 3] {\n  return transpose(x, perm=[2, 0, 1])\n}\n', tensor('i32', [2, 3, 4], values));
    const want: number[] = [];
    for (let a = 0; a < 4; a++) for (let b = 0; b < 2; b++) for (let c = 0; c < 3; c++) want.push(100 * b + 10 * c + a);
    expect(out).toEqual({ type: { dtype: 'i32', shape: [4, 2, 3] }, data: want });
    // spot checks: out[1, 1, 2] = in[1, 2, 1] = 121; out[3, 0, 1] = in[0, 1, 3] = 13
    expect(out.data[1 * 6 + 1 * 3 + 2]).toBe(121);
    expect(out.data[3 * 6 + 0 * 3 + 1]).toBe(13);
  });

  it('reshape keeps the row-major order; after a transpose it sees the transposed order', () => {
    expect(run1('def f(x: i8[2, 3]) -> i8[3, 2] {\n  return reshape(x, [3, 2])\n}\n', tensor('i8', [2, 3], seq(6))).data).toEqual(seq(6));
    // transpose([[1,2,3],[4,5,6]]) = [[1,4],[2,5],[3,6]] -> reshape [2, 3] = [[1,4,2],[5,3,6]]
    const out = run1('def f(x: i8[2, 3]) -> i8[2, 3] {\n  return reshape(transpose(x), [2, 3])\n}\n', tensor('i8', [2, 3], seq(6)));
    expect(out.data).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('elementwise ops and broadcasting', () => {
  it('a bias row is added to every row', () => {
    // [[1,2,3],[4,5,6]] + [10, 20, -30]
    const out = run1('def f(x: i32[2, 3], b: i32[3]) -> i32[2, 3] {\n  return x + b\n}\n', tensor('i32', [2, 3], seq(6)), tensor('i32', [3], [10, 20, -30]));
    expect(out.data).toEqual([11, 22, -27, 14, 25, -24]);
  });

  it('i8 + i32 bias gives i32; a column [2,1] and a row [3] broadcast to [2,3]', () => {
    const out = run1('def f(x: i8[2, 3], b: i32[3]) -> i32[2, 3] {\n  return x + b\n}\n', tensor('i8', [2, 3], [127, -128, 0, 1, 2, 3]), tensor('i32', [3], [1, -1, 1000]));
    expect(out).toEqual({ type: { dtype: 'i32', shape: [2, 3] }, data: [128, -129, 1000, 2, 1, 1003] });
    // outer difference: out[i, j] = a[i] - b[j] with a = [10, 20], b = [1, 2, 3]
    const outer = run1('def f(a: i32[2, 1], b: i32[3]) -> i32[2, 3] {\n  return a - b\n}\n', tensor('i32', [2, 1], [10, 20]), tensor('i32', [3], [1, 2, 3]));
    expect(outer.data).toEqual([9, 8, 7, 19, 18, 17]);
    // [3,1] * [1,2] -> [3,2]: out[i, j] = a[i] * b[j]
    const prod = run1('def f(a: f32[3, 1], b: f32[1, 2]) -> f32[3, 2] {\n  return a * b\n}\n', tensor('f32', [3, 1], [1, 2, 3]), tensor('f32', [1, 2], [0.5, -2]));
    expect(prod.data).toEqual([0.5, -2, 1, -4, 1.5, -6]);
  });

  it('scalars broadcast: numbers take the dtype of the other side', () => {
    const x = tensor('i8', [3], [1, -2, 100]);
    expect(run1('def f(x: i8[3]) -> i32[3] {\n  return x * 2 + 1\n}\n', x)).toEqual({ type: { dtype: 'i32', shape: [3] }, data: [3, -3, 201] });
    expect(run1('def f(x: f32[2]) -> f32[2] {\n  return 1.5 - x / 2.0\n}\n', tensor('f32', [2], [1, -3])).data).toEqual([1, 3]);
  });

  it('max, min and division', () => {
    const a = tensor('f32', [4], [1, -2, 3, -0.5]);
    const b = tensor('f32', [4], [2, -3, 3, 0.25]);
    const [mx, mn, dv] = run('def f(a: f32[4], b: f32[4]) -> (f32[4], f32[4], f32[4]) {\n  return max(a, b), min(a, b), a / b\n}\n', a, b);
    expect(mx.data).toEqual([2, -2, 3, 0.25]);
    expect(mn.data).toEqual([1, -3, 3, -0.5]);
    // -2 / -3 is 2/3 rounded to float32
    expect(dv.data).toEqual([0.5, Math.fround(2 / 3), 1, -2]);
    // i8 max i8 stays i8
    const m8 = run1('def f(a: i8[2], b: i8[2]) -> i8[2] {\n  return max(a, b)\n}\n', tensor('i8', [2], [-128, 5]), tensor('i8', [2], [127, -5]));
    expect(m8).toEqual({ type: { dtype: 'i8', shape: [2] }, data: [127, 5] });
  });

  it('relu clamps negatives (and -0) to +0', () => {
    expect(run1('def f(x: i32[4]) -> i32[4] {\n  return relu(x)\n}\n', tensor('i32', [4], [-2, 0, 3, -2147483648])).data).toEqual([0, 0, 3, 0]);
    const f = run1('def f(x: f32[4]) -> f32[4] {\n  return relu(x)\n}\n', tensor('f32', [4], [-1.5, -0, 2, 1e-45]));
    expect(f.data).toEqual([0, 0, 2, Math.fround(1e-45)]);
    expect(Object.is(f.data[1], 0)).toBe(true);
  });

  it('clip to [lo, hi]', () => {
    expect(run1('def f(x: i32[6]) -> i32[6] {\n  return clip(x, -3, 3)\n}\n', tensor('i32', [6], [-5, -3, 0, 2, 3, 9])).data).toEqual([-3, -3, 0, 2, 3, 3]);
    expect(run1('def f(x: f32[3]) -> f32[3] {\n  return clip(x, -0.5, 0.25)\n}\n', tensor('f32', [3], [-1, 0.125, 7])).data).toEqual([-0.5, 0.125, 0.25]);
    expect(run1('def f(x: i8[3]) -> i8[3] {\n  return clip(x, 0, 6)\n}\n', tensor('i8', [3], [-128, 5, 127])).data).toEqual([0, 5, 6]);
  });

  it('requant scales, rounds half to even, saturates', () => {
    // [100, -100, 37, 25, 15, 2000] * 0.1 = [10, -10, 3.7, 2.5, 1.5, 200] -> [10, -10, 4, 2, 2, 127]
    const out = run1('def f(x: i32[6]) -> i8[6] {\n  return requant(x, 0.1)\n}\n', tensor('i32', [6], [100, -100, 37, 25, 15, 2000]));
    expect(out).toEqual({ type: { dtype: 'i8', shape: [6] }, data: [10, -10, 4, 2, 2, 127] });
  });

  it('GEMM + bias + ReLU + requant in one program', () => {
    // a @ b = [[19, 22], [43, 50]]; + [1, -100] = [[20, -78], [44, -50]]; relu -> [[20, 0], [44, 0]];
    // * 0.5 -> [10, 0, 22, 0]
    const out = run1(
      'def f(a: i8[2, 2], b: i8[2, 2], bias: i32[2]) -> i8[2, 2] {\n  return requant(relu(a @ b + bias), 0.5)\n}\n',
      tensor('i8', [2, 2], [1, 2, 3, 4]),
      tensor('i8', [2, 2], [5, 6, 7, 8]),
      tensor('i32', [2], [1, -100]),
    );
    expect(out.data).toEqual([10, 0, 22, 0]);
  });
});

describe('convert', () => {
  it('f32 -> i32 rounds half to even and saturates; i32 -> f32 is exact below 2^24', () => {
    const out = run1('def f(x: f32[6]) -> i32[6] {\n  return i32(x)\n}\n', tensor('f32', [6], [0.5, 1.5, -1.5, 2.6, 3e9, -3e9]));
    expect(out.data).toEqual([0, 2, -2, 3, 2147483647, -2147483648]);
    expect(run1('def f(x: i32[3]) -> f32[3] {\n  return f32(x)\n}\n', tensor('i32', [3], [-7, 0, 16777215])).data).toEqual([-7, 0, 16777215]);
    expect(run1('def f(x: i8[2]) -> f32[2] {\n  return f32(x)\n}\n', tensor('i8', [2], [-128, 127])).data).toEqual([-128, 127]);
  });
});

describe('index notation (generic ops)', () => {
  const x23 = tensor('i32', [2, 3], [3, -1, 7, -5, -2, -9]);

  it('max= and min= reduce over the indices missing on the left', () => {
    // row maxima of [[3,-1,7],[-5,-2,-9]]: [7, -2]; column minima: [-5, -2, -9]
    expect(run1('def f(x: i32[2, 3]) -> i32[2] {\n  m[i] max= x[i, j]\n  return m\n}\n', x23).data).toEqual([7, -2]);
    expect(run1('def f(x: i32[2, 3]) -> i32[3] {\n  m[j] min= x[i, j]\n  return m\n}\n', x23).data).toEqual([-5, -2, -9]);
    // over everything: max 7
    expect(run1('def f(x: i32[2, 3]) -> i32[] {\n  m[] max= x[i, j]\n  return m\n}\n', x23).data).toEqual([7]);
  });

  it('+= sums products (a matmul), = assigns (a transpose)', () => {
    const mm = run1(
      'def f(a: i8[2, 2], b: i8[2, 2]) -> i32[2, 2] {\n  C[i, j] += a[i, k] * b[k, j]\n  return C\n}\n',
      tensor('i8', [2, 2], [1, 2, 3, 4]),
      tensor('i8', [2, 2], [5, 6, 7, 8]),
    );
    expect(mm.data).toEqual([19, 22, 43, 50]);
    expect(run1('def f(x: i32[2, 3]) -> i32[3, 2] {\n  T[j, i] = x[i, j]\n  return T\n}\n', x23).data).toEqual([3, -5, -1, -2, 7, -9]);
  });

  it('affine subscripts: differences, strides, reversal', () => {
    const x = tensor('i32', [4], [1, 4, 9, 16]);
    // y[i] = x[i+1] - x[i] = [3, 5, 7]
    expect(run1('def f(x: i32[4]) -> i32[3] {\n  y[i] = x[i + 1] - x[i] where i < 3\n  return y\n}\n', x).data).toEqual([3, 5, 7]);
    // y[i] = x[2*i] = [1, 9]; y[i] = x[3 - i] = [16, 9, 4, 1]
    expect(run1('def f(x: i32[4]) -> i32[2] {\n  y[i] = x[2*i] where i < 2\n  return y\n}\n', x).data).toEqual([1, 9]);
    expect(run1('def f(x: i32[4]) -> i32[4] {\n  y[i] = x[3 - i] where i < 4\n  return y\n}\n', x).data).toEqual([16, 9, 4, 1]);
  });

  it('a 2x2 max-pool written with max=', () => {
    // 4x4 of 1..16: maxima of the 2x2 blocks are 6, 8, 14, 16
    const out = run1(
      'def f(X: i8[1, 4, 4, 1]) -> i8[1, 2, 2, 1] {\n  Y[n, y, x, c] max= X[n, 2*y + r, 2*x + s, c] where y < 2, x < 2, r < 2, s < 2\n  return Y\n}\n',
      tensor('i8', [1, 4, 4, 1], seq(16)),
    );
    expect(out.data).toEqual([6, 8, 14, 16]);
  });

  it('f32 arithmetic with literals, max() and negation inside the body', () => {
    // y[i] = max(-x[i] * 2.0, 0.5) for x = [1, -1, -0.125] -> [max(-2, 0.5), max(2, 0.5), max(0.25, 0.5)]
    const out = run1('def f(x: f32[3]) -> f32[3] {\n  y[i] = max(-x[i] * 2.0, 0.5)\n  return y\n}\n', tensor('f32', [3], [1, -1, -0.125]));
    expect(out.data).toEqual([0.5, 2, 0.5]);
  });
});

describe('ops made by passes: gemm (with its epilogue) and im2col', () => {
  const t = (dtype: DType, shape: number[]): TensorType => ({ dtype, shape });
  const func = (params: [string, TensorType][], body: TensorOp[]): TensorFunc => {
    const last = body[body.length - 1];
    const f: TensorFunc = { name: 'f', params: params.map(([name, type]) => ({ name, type })), body, results: [last.result], resultTypes: [last.type] };
    expect(verifyTensorFunc(f).items).toEqual([]);
    return f;
  };
  const a = tensor('i8', [2, 2], [1, 2, 3, 4]);
  const b = tensor('i8', [2, 2], [5, 6, 7, 8]);

  it('gemm: i32 sums plus a bias row, scaled, then ReLU', () => {
    // a @ b = [[19, 22], [43, 50]]; + [1, -100] = [[20, -78], [44, -50]]; * 0.5 = [10, -39, 22, -25]; relu
    const params: [string, TensorType][] = [['a', t('i8', [2, 2])], ['b', t('i8', [2, 2])], ['bias', t('i32', [2])]];
    const bias = tensor('i32', [2], [1, -100]);
    const withRelu = func(params, [{ kind: 'gemm', result: 'c', type: t('i8', [2, 2]), a: 'a', b: 'b', bias: 'bias', scale: 0.5, relu: true }]);
    expect(Array.from(interpret(withRelu, [a, b, bias])[0].data)).toEqual([10, 0, 22, 0]);
    const noRelu = func(params, [{ kind: 'gemm', result: 'c', type: t('i8', [2, 2]), a: 'a', b: 'b', bias: 'bias', scale: 0.5, relu: false }]);
    expect(Array.from(interpret(noRelu, [a, b, bias])[0].data)).toEqual([10, -39, 22, -25]);
    const raw = func(params, [{ kind: 'gemm', result: 'c', type: t('i32', [2, 2]), a: 'a', b: 'b', bias: 'bias', relu: false }]);
    expect(Array.from(interpret(raw, [a, b, bias])[0].data)).toEqual([20, -78, 44, -50]);
  });

  it('gemm: a full [M, N] bias matrix', () => {
    // [[19, 22], [43, 50]] + [[1, 2], [3, 4]]
    const f = func(
      [['a', t('i8', [2, 2])], ['b', t('i8', [2, 2])], ['bias', t('i32', [2, 2])]],
      [{ kind: 'gemm', result: 'c', type: t('i32', [2, 2]), a: 'a', b: 'b', bias: 'bias', relu: false }],
    );
    expect(Array.from(interpret(f, [a, b, tensor('i32', [2, 2], [1, 2, 3, 4])])[0].data)).toEqual([20, 24, 46, 54]);
  });

  it('im2col: one row per output position, columns (kernel row, kernel column, channel), zeros for padding', () => {
    // x = [[1, 2], [3, 4]], 2x2 kernel, stride 1, padding 1 -> 3x3 positions; row (y, x) holds
    // x(y-1, x-1), x(y-1, x), x(y, x-1), x(y, x).
    const f = func([['x', t('i8', [1, 2, 2, 1])]], [{ kind: 'im2col', result: 'cols', type: t('i8', [9, 4]), input: 'x', kh: 2, kw: 2, stride: 1, padding: 1 }]);
    const want = [
      [0, 0, 0, 1], [0, 0, 1, 2], [0, 0, 2, 0],
      [0, 1, 0, 3], [1, 2, 3, 4], [2, 0, 4, 0],
      [0, 3, 0, 0], [3, 4, 0, 0], [4, 0, 0, 0],
    ].flat();
    expect(Array.from(interpret(f, [tensor('i8', [1, 2, 2, 1], [1, 2, 3, 4])])[0].data)).toEqual(want);
  });
});

describe('the interpreter checks its inputs', () => {
  const f = compile('def f(x: i8[2]) -> i8[2] {\n  return relu(x)\n}\n');

  it('the number and the types of the inputs', () => {
    expect(() => interpret(f, [])).toThrow(InterpretError);
    expect(() => interpret(f, [tensor('i32', [2], [1, 2])])).toThrow(InterpretError);
    expect(() => interpret(f, [tensor('i8', [3], [1, 2, 3])])).toThrow(InterpretError);
  });

  it('inputs are not modified', () => {
    const x = tensor('i8', [2], [-1, 1]);
    interpret(f, [x]);
    expect(Array.from(x.data)).toEqual([-1, 1]);
  });
});
