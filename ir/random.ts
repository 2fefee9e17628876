// The seeded input generator. The C harnesses reproduce it exactly, so it is
// specified here in full:
//
//   stream state for input number k (0-based) of seed s:
//     state = mix32((s * 0x9E3779B9 + (k + 1) * 0x85EBCA6B) mod 2^32), 1 if 0
//     mix32(x): x ^= x >>> 16; x *= 0x7FEB352D; x ^= x >>> 15; x *= 0x846CA68B; x ^= x >>> 16
//   next(): xorshift32 — x ^= x << 13; x ^= x >>> 17; x ^= x << 5 (mod 2^32)
//   element values, in row-major order, one next() each (u = next(), unsigned):
//     i8:  (u >>> 24) as a signed byte          -> [-128, 127]
//     i32: (u >>> 16) - 32768                   -> [-32768, 32767]
//     f32: ((u >>> 8) - 2^23) / 2^23            -> [-1, 1), exact in float32

import type { DType } from './types.js';

export function mix32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

export function streamState(seed: number, inputIndex: number): number {
  const s = (Math.imul(seed >>> 0, 0x9e3779b9) + Math.imul(inputIndex + 1, 0x85ebca6b)) >>> 0;
  const state = mix32(s);
  return state === 0 ? 1 : state;
}

export function fillRandom(data: Int8Array | Int32Array | Float32Array, dtype: DType, seed: number, inputIndex: number): void {
  let x = streamState(seed, inputIndex);
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u = x >>> 0;
    switch (dtype) {
      case 'i8':
        data[i] = (u >>> 24) << 24 >> 24;
        break;
      case 'i32':
        data[i] = (u >>> 16) - 32768;
        break;
      case 'f32':
        data[i] = ((u >>> 8) - 8388608) / 8388608;
        break;
    }
  }
}
