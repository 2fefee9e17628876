// Element-by-element comparison of a run's outputs with the reference
// interpreter's. Bit-exact: floats are compared by their bits.

import type { Tensor } from '../ir/tensor-value.js';
import { numElements } from '../ir/types.js';
import type { ReportedOutput } from './report.js';

export interface Mismatch {
  readonly output: number;
  readonly flatIndex: number;
  readonly index: readonly number[];
  readonly expected: number;
  readonly actual: number;
}

export interface Comparison {
  readonly pass: boolean;
  readonly mismatchCount: number;
  readonly firstMismatches: readonly Mismatch[];
  readonly problems: readonly string[];
}

function unflatten(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

export function compareOutputs(expected: readonly Tensor[], actual: readonly ReportedOutput[], maxShown = 10): Comparison {
  const problems: string[] = [];
  const first: Mismatch[] = [];
  let count = 0;
  if (actual.length !== expected.length) problems.push(`the program reported ${actual.length} outputs, expected ${expected.length}`);
  expected.forEach((want, o) => {
    const got = actual.find((a) => a.index === o);
    if (!got) return void problems.push(`output ${o} is missing`);
    if (got.dtype !== want.type.dtype || got.count !== numElements(want.type.shape) || got.bytes.length !== want.data.byteLength)
      return void problems.push(`output ${o} is ${got.dtype}x${got.count}, expected ${want.type.dtype}x${numElements(want.type.shape)}`);
    const wantBytes = new Uint8Array(want.data.buffer, want.data.byteOffset, want.data.byteLength);
    const elemBytes = want.data.BYTES_PER_ELEMENT;
    const view = new DataView(got.bytes.buffer, got.bytes.byteOffset, got.bytes.byteLength);
    for (let i = 0; i < want.data.length; i++) {
      let same = true;
      for (let b = 0; b < elemBytes; b++) if (wantBytes[i * elemBytes + b] !== got.bytes[i * elemBytes + b]) same = false;
      if (same) continue;
      count++;
      if (first.length < maxShown) {
        const actualValue =
          want.type.dtype === 'i8' ? view.getInt8(i) : want.type.dtype === 'i32' ? view.getInt32(i * 4, true) : view.getFloat32(i * 4, true);
        first.push({ output: o, flatIndex: i, index: unflatten(i, want.type.shape), expected: want.data[i], actual: actualValue });
      }
    }
  });
  return { pass: problems.length === 0 && count === 0, mismatchCount: count, firstMismatches: first, problems };
}
