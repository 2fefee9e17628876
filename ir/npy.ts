// NumPy .npy (format version 1.0) encoding and decoding of tensors, C order,
// little-endian: '<i1' (i8), '<i4' (i32), '<f4' (f32).

import type { Tensor } from './tensor-value.js';
import { allocData } from './tensor-value.js';
import { numElements, type DType } from './types.js';

const DESCR: Readonly<Record<DType, string>> = { i8: '|i1', i32: '<i4', f32: '<f4' };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export function encodeNpy(t: Tensor): Uint8Array {
  const shape = t.type.shape.length === 1 ? `(${t.type.shape[0]},)` : `(${t.type.shape.join(', ')})`;
  let header = `{'descr': '${DESCR[t.type.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + t.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), 10 + header.length);
  return out;
}

export type NpyResult = { ok: true; tensor: Tensor } | { ok: false; error: string };

export function decodeNpy(bytes: Uint8Array): NpyResult {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) return { ok: false, error: 'not a .npy file (bad magic)' };
  const major = bytes[6];
  const headerLen = major === 1 ? bytes[8] | (bytes[9] << 8) : bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24);
  const start = major === 1 ? 10 : 12;
  const header = String.fromCharCode(...bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) return { ok: false, error: 'malformed .npy header' };
  if (fortran === 'True') return { ok: false, error: 'Fortran-order arrays are not supported; save with C order' };
  const dtype = (Object.keys(DESCR) as DType[]).find((d) => DESCR[d] === descr || (d === 'i8' && descr === '<i1'));
  if (!dtype) return { ok: false, error: `unsupported dtype '${descr}' (tc reads int8 '|i1', int32 '<i4', float32 '<f4')` };
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = numElements(shape);
  const dataStart = start + headerLen;
  const data = allocData(dtype, count);
  const byteLength = data.byteLength;
  if (bytes.length - dataStart < byteLength) return { ok: false, error: `file holds fewer bytes than shape (${shape.join(', ')}) needs` };
  new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + byteLength));
  return { ok: true, tensor: { type: { dtype, shape }, data } };
}
