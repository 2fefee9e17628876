// Gemmini-exact scalar numerics, shared by the reference interpreter and
// mirrored line for line by the C runtime (see gemmini/runtime).
//
// int8 x int8 products accumulate in int32 with two's-complement wrap-around
// (as C does on every target tc supports); scaling is float32 multiply, round
// half to even, saturate; float32 arithmetic rounds every intermediate to
// float32 (C with -ffp-contract=off). Doubles hold every float32 sum, product
// and quotient before its single rounding by Math.fround, and double rounding
// through binary64 is innocuous for + - * / on binary32 (53 >= 2*24+2), so
// Math.fround(a op b) is the correctly rounded float32 result.

import { DTYPE_RANGE, type DType } from './types.js';

export const f32 = Math.fround;

/** Round to the nearest integer, ties to even (C's nearbyint in the default mode). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Clamp to the range of an integer dtype; NaN (only from float arithmetic) becomes 0. */
export function saturate(x: number, dtype: 'i8' | 'i32'): number {
  const { min, max } = DTYPE_RANGE[dtype];
  if (Number.isNaN(x)) return 0;
  return x < min ? min : x > max ? max : x;
}

/**
 * Gemmini's scaling of an accumulator value on the way out (ACC_SCALE): the
 * int32 becomes float32 (rounded to nearest even above 2^24), is multiplied by
 * the float32 scale (rounded to float32), rounded half to even, saturated.
 */
export function requantScalar(x: number, scale: number, out: 'i8' | 'i32' = 'i8'): number {
  const product = f32(f32(x) * f32(scale));
  return saturate(roundHalfEven(product), out);
}

/** Conversion between element types as tc defines it (the `convert` op). */
export function convertScalar(x: number, from: DType, to: DType): number {
  if (to === 'f32') return f32(x);
  if (from === 'f32') return saturate(roundHalfEven(x), to);
  return saturate(x, to);
}

export const wrapI32 = (x: number): number => x | 0;
export const addI32 = (a: number, b: number): number => (a + b) | 0;
export const subI32 = (a: number, b: number): number => (a - b) | 0;
export const mulI32 = (a: number, b: number): number => Math.imul(a, b);
