// The hard cases of Gemmini-exact numerics, each expected value derived by
// hand (in the comments) or with BigInt arithmetic mod 2^32, never with the
// interpreter itself: ties after scaling, saturation, negative scales, int32
// values above 2^24 in the int -> float32 conversion, i32 wrap-around in long
// sums. Then the seeded input generator against its specification, and .npy.

import { describe, expect, it } from 'vitest';
import { compileOrThrow, tensor } from './helpers.js';
import { interpret } from '../ir/interpret.js';
import { decodeNpy, encodeNpy } from '../ir/npy.js';
import { convertScalar, requantScalar, roundHalfEven } from '../ir/numerics.js';
import { streamState } from '../ir/random.js';
import type { TensorFunc } from '../ir/tensor-ir.js';
import { randomTensor, zeros, type Tensor } from '../ir/tensor-value.js';
import type { DType, TensorType } from '../ir/types.js';

const compile = (src: string, sizes: Record<string, number> = {}): TensorFunc => compileOrThrow('numerics.tc', src, sizes);

/** Runs a .tc program on the given inputs; the outputs as plain arrays. */
function run(src: string, inputs: Tensor[], sizes: Record<string, number> = {}): number[][] {
  return interpret(compile(src, sizes), inputs).map((t) => Array.from(t.data));
}

const I32_MAX = 2147483647;
const I32_MIN = -2147483648;
const wrap32 = (x: bigint): number => Number(BigInt.asIntN(32, x));

describe('requant: float32 scale, round half to even, saturate', () => {
  it('ties at +-0.5, +-1.5, +-2.5, +-3.5 after scaling by 0.5', () => {
    const xs = [1, 3, 5, 7, -1, -3, -5, -7, 0, 2, 4, -2];
    // x * 0.5 = 0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -3.5, 0, 1, 2, -1; ties go to the even neighbour.
    const want = [0, 2, 2, 4, 0, -2, -2, -4, 0, 1, 2, -1];
    const [got] = run('def q(x: i32[12]) -> i8[12] {\n  return requant(x, 0.5)\n}\n', [tensor('i32', [12], xs)]);
    expect(got).toEqual(want);
    // The same through the scalar function the C runtime mirrors.
    expect(xs.map((x) => requantScalar(x, 0.5))).toEqual(want);
  });

  it('ties at the saturation bounds: 126.5, 127.5, 128.5 and -127.5, -128.5, -129.5', () => {
    const xs = [253, 255, 257, -255, -257, -259, 254, -256];
    // 126.5 -> 126; 127.5 -> 128 -> 127; 128.5 -> 128 -> 127; -127.5 -> -128; -128.5 -> -128; -129.5 -> -130 -> -128; 127; -128
    const want = [126, 127, 127, -128, -128, -128, 127, -128];
    const [got] = run('def q(x: i32[8]) -> i8[8] {\n  return requant(x, 0.5)\n}\n', [tensor('i32', [8], xs)]);
    expect(got).toEqual(want);
  });

  it('saturates at 127 and -128', () => {
    const xs = [127, 128, 1000, I32_MAX, -128, -129, -1000, I32_MIN];
    const want = [127, 127, 127, 127, -128, -128, -128, -128];
    const [got] = run('def q(x: i32[8]) -> i8[8] {\n  return requant(x, 1.0)\n}\n', [tensor('i32', [8], xs)]);
    expect(got).toEqual(want);
  });

  it('negative scales flip the sign before rounding', () => {
    const xs = [1, 3, 5, -3, -5, 255, -255, 257, -257, 0];
    // x * -0.5 = -0.5, -1.5, -2.5, 1.5, 2.5, -127.5, 127.5, -128.5, 128.5, -0
    const want = [0, -2, -2, 2, 2, -128, 127, -128, 127, 0];
    const [got] = run('def q(x: i32[10]) -> i8[10] {\n  return requant(x, -0.5)\n}\n', [tensor('i32', [10], xs)]);
    expect(got).toEqual(want);
  });

  it('the product is rounded to float32 before rounding to an integer (scale 0.1)', () => {
    // float32(0.1) = 13421773 * 2^-27. 5 * that = 0.5 + 2^-27, below half an ulp of 0.5
    // (2^-25), so the float32 product is exactly 0.5 -> 0. Likewise 15 -> 1.5 + 3*2^-27 -> 1.5 -> 2
    // and 25 -> 2.5 + 5*2^-27 -> 2.5 -> 2. In double arithmetic these would give 1, 2, 3.
    const xs = [5, 15, 25, -5, -25, 35];
    const want = [0, 2, 2, 0, -2, 4];
    const [got] = run('def q(x: i32[6]) -> i8[6] {\n  return requant(x, 0.1)\n}\n', [tensor('i32', [6], xs)]);
    expect(got).toEqual(want);
  });

  it('int32 values above 2^24 are rounded to float32 (nearest, ties to even) before scaling', () => {
    // 2^24+1 lies halfway between float32 2^24 and 2^24+2: ties to the even mantissa, 2^24.
    // Times 2^-25 that is exactly 0.5 -> 0 (exact arithmetic would give 0.50000003 -> 1).
    // 2^24+3 is halfway between 2^24+2 (odd mantissa) and 2^24+4 (even): 2^24+4 -> 0.50000012 -> 1.
    // 2^30+64 is halfway between 2^30 (even) and 2^30+128: 2^30, times 2^-31 -> 0.5 -> 0.
    // 2^31-1 becomes 2^31, times 2^-32 -> 0.5 -> 0.
    // 2^24+1 -> 2^24, times 5*2^-25 is exactly 2.5 -> 2; rounding only the product, (2^24+1) * 5*2^-25
    // = 2.5 + 5*2^-25 would become float32 2.5 + 2^-22 -> 3.
    const xs = [2 ** 24 + 1, 2 ** 24 + 3, -(2 ** 24 + 1), 2 ** 30 + 64, I32_MAX, 2 ** 24 + 1, -(2 ** 24 + 1)];
    const scales = [2 ** -25, 2 ** -25, 2 ** -25, 2 ** -31, 2 ** -32, 5 * 2 ** -25, 5 * 2 ** -25];
    expect(xs.map((x, i) => requantScalar(x, scales[i]))).toEqual([0, 1, 0, 0, 0, 2, -2]);
    // Through a program: 2.98023223876953125e-8 is exactly 2^-25.
    const [got] = run('def q(x: i32[3]) -> i8[3] {\n  return requant(x, 2.98023223876953125e-8)\n}\n', [tensor('i32', [3], xs.slice(0, 3))]);
    expect(got).toEqual([0, 1, 0]);
  });

  it('requant of f32 values: ties, saturation, NaN', () => {
    const xs = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 127.5, -128.5, 1e30, -1e30];
    const want = [0, 2, 2, 0, -2, -2, 127, -128, 127, -128];
    const [got] = run('def q(x: f32[10]) -> i8[10] {\n  return requant(x, 1.0)\n}\n', [tensor('f32', [10], xs)]);
    expect(got).toEqual(want);
  });

  it('roundHalfEven on ties, near-ties and large values', () => {
    // (+ 0: the sign of a zero result does not matter once it is an integer)
    const r = (x: number): number => roundHalfEven(x) + 0;
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -3.5].map(r)).toEqual([0, 2, 2, 4, 0, -2, -2, -4]);
    expect([0.49999997, 0.50000006, 2.4999998, 2.5000002, -2.5000002].map(r)).toEqual([0, 1, 2, 3, -3]);
    // 2^23 + 0.5 is a float32 tie too (the last float32 with a half).
    expect(roundHalfEven(8388608.5)).toBe(8388608);
    expect(roundHalfEven(8388609.5)).toBe(8388610);
    expect(roundHalfEven(2 ** 40 + 1)).toBe(2 ** 40 + 1);
  });
});

describe('convert', () => {
  it('f32 -> i32 rounds half to even and saturates', () => {
    const xs = [2.5, 3.5, -2.5, -0.5, 0.49999997, 1e10, -1e10, 2147483520, -2147483648];
    // 2147483520 is the largest float32 below 2^31; -2^31 is a float32.
    const want = [2, 4, -2, 0, 0, I32_MAX, I32_MIN, 2147483520, I32_MIN];
    const [got] = run('def c(x: f32[9]) -> i32[9] {\n  return i32(x)\n}\n', [tensor('f32', [9], xs)]);
    expect(got).toEqual(want);
  });

  it('f32 -> i8 and i32 -> i8 saturate (no wrap-around)', () => {
    const [a] = run('def c(x: f32[4]) -> i8[4] {\n  return i8(x)\n}\n', [tensor('f32', [4], [200.7, -127.5, 126.5, -300])]);
    expect(a).toEqual([127, -128, 126, -128]);
    const [b] = run('def c(x: i32[4]) -> i8[4] {\n  return i8(x)\n}\n', [tensor('i32', [4], [300, -129, 128, 256])]);
    expect(b).toEqual([127, -128, 127, 127]);
  });

  it('i32 -> f32 rounds to nearest float32, ties to even', () => {
    const xs = [2 ** 24 + 1, 2 ** 24 + 3, -(2 ** 24 + 1), 2 ** 25 + 3, I32_MAX, I32_MIN];
    // spacing 2 above 2^24: 16777217 -> 16777216, 16777219 -> 16777220; spacing 4 above 2^25:
    // 33554435 -> 33554436 (nearer); 2^31-1 -> 2^31.
    const want = [16777216, 16777220, -16777216, 33554436, 2147483648, -2147483648];
    const [got] = run('def c(x: i32[6]) -> f32[6] {\n  return f32(x)\n}\n', [tensor('i32', [6], xs)]);
    expect(got).toEqual(want);
    expect(xs.map((x) => convertScalar(x, 'i32', 'f32'))).toEqual(want);
  });
});

describe('i32 wrap-around', () => {
  it('a long-K i8 matmul plus a bias wraps mod 2^32 (K = 140000)', () => {
    const K = 140000;
    const x = zeros({ dtype: 'i8', shape: [2, K] });
    const w = zeros({ dtype: 'i8', shape: [K, 3] });
    for (let k = 0; k < K; k++) {
      x.data[k] = 127;
      x.data[K + k] = -128;
      w.data[k * 3] = 127;
      w.data[k * 3 + 1] = -128;
      w.data[k * 3 + 2] = k % 2 === 0 ? 127 : -128;
    }
    const bias = tensor('i32', [3], [I32_MAX, I32_MIN, 12345]);
    const [got] = run('def mm(x: i8[2, K], w: i8[K, 3], b: i32[3]) -> i32[2, 3] {\n  return x @ w + b\n}\n', [x, w, bias], { K });
    // Row 0, column 0 by hand: 127 * 127 * 140000 = 2258060000; + (2^31 - 1) = 4405543647;
    // minus 2^32 = 110576351.
    expect(got[0]).toBe(110576351);
    const colSum = (xv: number, j: number): bigint => {
      let s = 0n;
      for (let k = 0; k < K; k++) s += BigInt(xv) * BigInt(w.data[k * 3 + j]);
      return s;
    };
    const want = [0, 1].flatMap((i) => [0, 1, 2].map((j) => wrap32(colSum(i === 0 ? 127 : -128, j) + BigInt(bias.data[j]))));
    expect(got).toEqual(want);
    // The sums really did pass 2^31: the wrap is being tested.
    expect(colSum(-128, 1) > BigInt(I32_MAX)).toBe(true);
  });

  it('an i32 @ i32 matmul wraps', () => {
    // c00 = 2^16 * 2^16 + 2^16 = 2^32 + 2^16 -> 65536; c01 = 3 * 2^16 - 2^16 = 131072;
    // c10 = (2^31 - 1) * 2^16 - 2^31 = 2^47 - 2^16 - 2^31 -> -2^16 - 2^31 + 2^32 = 2147418112;
    // c11 = 3 * (2^31 - 1) + 2^31 = 2^33 - 3 -> -3.
    const a = tensor('i32', [2, 2], [65536, 65536, I32_MAX, I32_MIN]);
    const b = tensor('i32', [2, 2], [65536, 3, 1, -1]);
    const [got] = run('def g(a: i32[2, 2], b: i32[2, 2]) -> i32[2, 2] {\n  return a @ b\n}\n', [a, b]);
    expect(got).toEqual([65536, 131072, 2147418112, -3]);
    // Products beyond 2^53 must still wrap exactly: (2^31-1)^2 - 3(2^31-1) = 2^62 - 5*2^31 + 4,
    // and mod 2^32: 4 - 5*2^31 = 4 - 2^31 (mod 2^32) = -2147483644. In doubles the low bits are lost.
    const c = run('def g(a: i32[1, 2], b: i32[2, 1]) -> i32[1, 1] {\n  return a @ b\n}\n', [
      tensor('i32', [1, 2], [I32_MAX, -I32_MAX]),
      tensor('i32', [2, 1], [I32_MAX, 3]),
    ]);
    expect(c[0]).toEqual([-2147483644]);
    expect(c[0]).toEqual([wrap32(BigInt(I32_MAX) * BigInt(I32_MAX) - 3n * BigInt(I32_MAX))]);
  });

  it('index-notation sums, sum(), +, -, * and negation wrap', () => {
    const a = tensor('i32', [1, 2], [I32_MAX, 1]);
    const b = tensor('i32', [2, 1], [1, 1]);
    // 2^31 - 1 + 1 = 2^31 -> -2^31
    expect(run('def g(a: i32[1, 2], b: i32[2, 1]) -> i32[1, 1] {\n  C[i, j] += a[i, k] * b[k, j]\n  return C\n}\n', [a, b])[0]).toEqual([I32_MIN]);
    expect(run('def s(x: i32[3]) -> i32[] {\n  return sum(x, axis=0)\n}\n', [tensor('i32', [3], [I32_MAX, 1, 5])])[0]).toEqual([I32_MIN + 5]);
    const x = tensor('i32', [4], [I32_MAX, I32_MIN, 65536, I32_MIN]);
    const y = tensor('i32', [4], [1, 1, 65536, 0]);
    const [sum, diff, prod, neg] = run(
      'def e(x: i32[4], y: i32[4]) -> (i32[4], i32[4], i32[4], i32[4]) {\n  return x + y, x - y, x * y, -x\n}\n',
      [x, y],
    );
    expect(sum).toEqual([I32_MIN, I32_MIN + 1, 131072, I32_MIN]);
    expect(diff).toEqual([I32_MAX - 1, I32_MAX, 0, I32_MIN]);
    expect(prod).toEqual([I32_MAX, I32_MIN, 0, 0]);
    expect(neg).toEqual([-I32_MAX, I32_MIN, -65536, I32_MIN]);
  });

  it('i8 + i8 and i8 * i8 are computed in i32 (no i8 wrap)', () => {
    const x = tensor('i8', [3], [127, -128, -128]);
    const y = tensor('i8', [3], [127, -128, 127]);
    const [s, p] = run('def e(x: i8[3], y: i8[3]) -> (i32[3], i32[3]) {\n  return x + y, x * y\n}\n', [x, y]);
    expect(s).toEqual([254, -256, -1]);
    expect(p).toEqual([16129, 16384, -16256]);
  });
});

describe('float32 evaluation order', () => {
  it('matmul and sum add in ascending index order, rounding each step to float32', () => {
    // ((0 + 1e8) + 1) + -1e8: 1e8 + 1 rounds back to 1e8 in float32 (spacing 8), so the result is 0,
    // where another order, or double arithmetic, would give 1.
    const a = tensor('f32', [1, 3], [1e8, 1, -1e8]);
    const b = tensor('f32', [3, 1], [1, 1, 1]);
    expect(run('def m(a: f32[1, 3], b: f32[3, 1]) -> f32[1, 1] {\n  return a @ b\n}\n', [a, b])[0]).toEqual([0]);
    expect(run('def s(x: f32[3]) -> f32[] {\n  return sum(x, axis=0)\n}\n', [tensor('f32', [3], [1e8, 1, -1e8])])[0]).toEqual([0]);
    expect(run('def s(x: f32[3]) -> f32[] {\n  return sum(x, axis=0)\n}\n', [tensor('f32', [3], [1, 1e8, -1e8])])[0]).toEqual([0]);
    expect(run('def s(x: f32[3]) -> f32[] {\n  return sum(x, axis=0)\n}\n', [tensor('f32', [3], [1e8, -1e8, 1])])[0]).toEqual([1]);
  });

  it('each product is rounded to float32 before it is added (no fused multiply-add)', () => {
    // acc = -(1 + 2^-11), then + (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24, which rounds to float32
    // 1 + 2^-11 (a tie, to even): the sum is 0. A fused multiply-add would keep 2^-24.
    const e = 1 + 2 ** -12;
    const a = tensor('f32', [1, 2], [-(1 + 2 ** -11), e]);
    const b = tensor('f32', [2, 1], [1, e]);
    expect(run('def m(a: f32[1, 2], b: f32[2, 1]) -> f32[1, 1] {\n  return a @ b\n}\n', [a, b])[0]).toEqual([0]);
  });

  it('elementwise f32 arithmetic rounds every intermediate', () => {
    // 16777216 + 1 = 16777217 -> 16777216 in float32; then - 16777216 = 0 (double: 1).
    const x = tensor('f32', [1], [16777216]);
    expect(run('def e(x: f32[1]) -> f32[1] {\n  y = x + 1.0\n  return y - x\n}\n', [x])[0]).toEqual([0]);
    // 1 / 3 in float32 is 0.3333333432674408.
    expect(run('def e(x: f32[1]) -> f32[1] {\n  return x / 3.0\n}\n', [tensor('f32', [1], [1])])[0]).toEqual([0.3333333432674408]);
  });
});

// ---------------------------------------------------------------------------
// The seeded generator, reimplemented from the specification in ir/random.ts
// with BigInt arithmetic mod 2^32.

const M32 = (1n << 32n) - 1n;
const mul32 = (a: bigint, b: bigint): bigint => (a * b) & M32;

function mix32Spec(x: bigint): bigint {
  x &= M32;
  x ^= x >> 16n;
  x = mul32(x, 0x7feb352dn);
  x ^= x >> 15n;
  x = mul32(x, 0x846ca68bn);
  x ^= x >> 16n;
  return x;
}

function stateSpec(seed: bigint, k: bigint): bigint {
  const s = mix32Spec((seed * 0x9e3779b9n + (k + 1n) * 0x85ebca6bn) & M32);
  return s === 0n ? 1n : s;
}

function streamSpec(seed: number, k: number, count: number, dtype: DType): number[] {
  let x = stateSpec(BigInt(seed), BigInt(k));
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    x ^= (x << 13n) & M32;
    x ^= x >> 17n;
    x ^= (x << 5n) & M32;
    const u = x;
    if (dtype === 'i8') {
      const byte = Number(u >> 24n);
      out.push(byte >= 128 ? byte - 256 : byte);
    } else if (dtype === 'i32') out.push(Number(u >> 16n) - 32768);
    else out.push((Number(u >> 8n) - 2 ** 23) / 2 ** 23);
  }
  return out;
}

/** The inverse of an odd number mod 2^32 (Newton's iteration). */
function inverse32(a: bigint): bigint {
  let x = a; // correct to 3 bits for odd a
  for (let i = 0; i < 5; i++) x = (x * (2n - a * x)) & M32;
  return x;
}

describe('the seeded input generator (ir/random.ts)', () => {
  const cases: [number, number][] = [
    [0, 0],
    [1, 0],
    [1, 1],
    [1, 2],
    [42, 3],
    [0xffffffff, 0],
    [2 ** 31, 7],
    [123456789, 1],
  ];

  it('matches the specification for every dtype', () => {
    for (const [seed, k] of cases)
      for (const dtype of ['i8', 'i32', 'f32'] as const) {
        const t = randomTensor({ dtype, shape: [4, 5] }, seed, k);
        expect(Array.from(t.data), `seed ${seed}, input ${k}, ${dtype}`).toEqual(streamSpec(seed, k, 20, dtype));
      }
  });

  it('the state for seed 1, input 0 (worked by hand)', () => {
    // s = 0x9E3779B9 + 0x85EBCA6B = 0x1_2423_4424 -> 0x24234424 mod 2^32, then mix32.
    expect(stateSpec(1n, 0n)).toBe(mix32Spec(0x24234424n));
    expect(streamState(1, 0)).toBe(Number(mix32Spec(0x24234424n)));
  });

  it('a seed whose mixed state would be 0 starts from 1 instead', () => {
    // seed * 0x9E3779B9 = -1 * 0x85EBCA6B (mod 2^32) makes the pre-mix value 0, and mix32(0) = 0.
    const seed = Number(mul32((1n << 32n) - 0x85ebca6bn, inverse32(0x9e3779b9n)));
    expect((mul32(BigInt(seed), 0x9e3779b9n) + 0x85ebca6bn) & M32).toBe(0n);
    expect(streamState(seed, 0)).toBe(1);
    // xorshift32 from 1: 1 ^ 1<<13 = 8193; 8193 >>> 17 = 0; 8193 ^ 8193<<5 = 270369.
    // i8: 270369 >>> 24 = 0; i32: (270369 >>> 16) - 32768 = 4 - 32768; f32: (270369 >>> 8) = 1056.
    expect(randomTensor({ dtype: 'i8', shape: [1] }, seed, 0).data[0]).toBe(0);
    expect(randomTensor({ dtype: 'i32', shape: [1] }, seed, 0).data[0]).toBe(-32764);
    expect(randomTensor({ dtype: 'f32', shape: [1] }, seed, 0).data[0]).toBe((1056 - 8388608) / 8388608);
  });

  it('different seeds and different inputs give different streams', () => {
    const seen = new Map<string, string>();
    for (let seed = 0; seed < 12; seed++)
      for (let k = 0; k < 4; k++) {
        const key = Array.from(randomTensor({ dtype: 'i32', shape: [8] }, seed, k).data).join(',');
        expect(seen.get(key), `seed ${seed} input ${k} repeats ${seen.get(key)}`).toBeUndefined();
        seen.set(key, `seed ${seed} input ${k}`);
      }
    // Same seed and input: the same stream, whatever the shape (row-major prefix).
    const a = randomTensor({ dtype: 'i8', shape: [2, 3] }, 9, 1).data;
    const b = randomTensor({ dtype: 'i8', shape: [6] }, 9, 1).data;
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('covers the stated ranges', () => {
    const i8 = randomTensor({ dtype: 'i8', shape: [20000] }, 5, 0).data;
    expect(Math.min(...i8)).toBe(-128);
    expect(Math.max(...i8)).toBe(127);
    const i32 = Array.from(randomTensor({ dtype: 'i32', shape: [20000] }, 5, 1).data);
    expect(i32.every((v) => v >= -32768 && v <= 32767)).toBe(true);
    const f = Array.from(randomTensor({ dtype: 'f32', shape: [20000] }, 5, 2).data);
    expect(f.every((v) => v >= -1 && v < 1 && Number.isInteger(v * 2 ** 23))).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// .npy

function npyBytes(header: string, data: number[], version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  let h = header;
  h += ' '.repeat((64 - ((pre + h.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  if (version === 1) out.set([h.length & 0xff, h.length >> 8], 8);
  else out.set([h.length & 0xff, h.length >> 8, 0, 0], 8);
  for (let i = 0; i < h.length; i++) out[pre + i] = h.charCodeAt(i);
  out.set(data, pre + h.length);
  return out;
}

describe('.npy', () => {
  it('decodes a hand-built int32 array', () => {
    // 1, -2, 3, 2^31-1, -2^31, 256 as little-endian int32
    const data = [1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0x80, 0, 1, 0, 0];
    const r = decodeNpy(npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.tensor.type).toEqual({ dtype: 'i32', shape: [2, 3] });
    expect(Array.from(r.tensor.data)).toEqual([1, -2, 3, I32_MAX, I32_MIN, 256]);
  });

  it('decodes hand-built float32 and int8 arrays, and a version 2.0 header', () => {
    // 1.0 = 0x3F800000, -2.5 = 0xC0200000, float32(0.1) = 0x3DCCCCCD
    const f = decodeNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}", [0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc0, 0xcd, 0xcc, 0xcc, 0x3d]));
    expect(f.ok && f.tensor.type).toEqual({ dtype: 'f32', shape: [3] });
    expect(f.ok && Array.from(f.tensor.data)).toEqual([1, -2.5, Math.fround(0.1)]);
    for (const descr of ['|i1', '<i1']) {
      const b = decodeNpy(npyBytes(`{'descr': '${descr}', 'fortran_order': False, 'shape': (2, 2), }`, [0xff, 0x80, 0x7f, 0]));
      expect(b.ok && b.tensor.type).toEqual({ dtype: 'i8', shape: [2, 2] });
      expect(b.ok && Array.from(b.tensor.data)).toEqual([-1, -128, 127, 0]);
    }
    const v2 = decodeNpy(npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", [7, 0, 0, 0], 2));
    expect(v2.ok && Array.from(v2.tensor.data)).toEqual([7]);
    const scalar = decodeNpy(npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (), }", [5, 0, 0, 0]));
    expect(scalar.ok && scalar.tensor.type).toEqual({ dtype: 'i32', shape: [] });
    expect(scalar.ok && Array.from(scalar.tensor.data)).toEqual([5]);
  });

  it('rejects what it cannot read, with a message', () => {
    const good = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
    const bad = [
      npyBytes(good, [1, 0, 0, 0]), // 4 of 8 bytes
      npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0, 0, 0, 0, 0]),
      npyBytes("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 1]),
      npyBytes("{'descr': '<i4', 'fortran_order': True, 'shape': (1,), }", [0, 0, 0, 1]),
      new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x58, 1, 0, 0, 0]),
      new Uint8Array([1, 2, 3]),
    ];
    for (const bytes of bad) {
      const r = decodeNpy(bytes);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
    }
  });

  it('encode then decode gives the tensor back, byte for byte', () => {
    const types: TensorType[] = [
      { dtype: 'i8', shape: [3, 5] },
      { dtype: 'i32', shape: [7] },
      { dtype: 'f32', shape: [2, 3, 4] },
      { dtype: 'f32', shape: [] },
      { dtype: 'i8', shape: [1, 1, 1, 9] },
    ];
    types.forEach((type, i) => {
      const t = randomTensor(type, 11, i);
      if (type.dtype === 'f32' && t.data.length > 2) t.data.set([-0, Number.NaN], 0);
      const bytes = encodeNpy(t);
      const headerLen = bytes[8] | (bytes[9] << 8);
      expect((10 + headerLen) % 64, 'data starts 64-byte aligned').toBe(0);
      expect(bytes[10 + headerLen - 1]).toBe(0x0a);
      const header = String.fromCharCode(...bytes.subarray(10, 10 + headerLen));
      const shape = type.shape.length === 1 ? `(${type.shape[0]},)` : `(${type.shape.join(', ')})`;
      expect(header).toContain(`'shape': ${shape}`);
      const r = decodeNpy(bytes);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.tensor.type).toEqual(type);
      const raw = (x: Tensor): number[] => Array.from(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
      expect(raw(r.tensor)).toEqual(raw(t));
    });
  });

  it('decodes from a view into a larger buffer (as readFileSync returns)', () => {
    const inner = npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", [1, 0, 0, 0, 2, 0, 0, 0]);
    const big = new Uint8Array(inner.length + 13);
    big.set(inner, 5);
    const r = decodeNpy(big.subarray(5, 5 + inner.length));
    expect(r.ok && Array.from(r.tensor.data)).toEqual([1, 2]);
  });
});
