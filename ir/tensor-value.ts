// Concrete tensors: a type and a typed array in row-major order.

import { fillRandom } from './random.js';
import { numElements, type DType, type TensorType } from './types.js';

export type TensorData = Int8Array | Int32Array | Float32Array;

export interface Tensor {
  readonly type: TensorType;
  readonly data: TensorData;
}

export function allocData(dtype: DType, length: number): TensorData {
  switch (dtype) {
    case 'i8':
      return new Int8Array(length);
    case 'i32':
      return new Int32Array(length);
    case 'f32':
      return new Float32Array(length);
  }
}

export function zeros(type: TensorType): Tensor {
  return { type, data: allocData(type.dtype, numElements(type.shape)) };
}

/** Input number `inputIndex` of a program for `seed` (see ir/random.ts). */
export function randomTensor(type: TensorType, seed: number, inputIndex: number): Tensor {
  const t = zeros(type);
  fillRandom(t.data, type.dtype, seed, inputIndex);
  return t;
}

/** FNV-1a (32-bit) over the little-endian bytes of the elements; the C harness computes the same. */
export function checksum(t: Tensor): number {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function formatChecksum(h: number): string {
  return '0x' + h.toString(16).padStart(8, '0');
}
