// Element types, shapes and tensor types shared by every IR level.

export type DType = 'i8' | 'i32' | 'f32';
export const DTYPES: readonly DType[] = ['i8', 'i32', 'f32'];

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}

export function isIntDType(d: DType): boolean {
  return d !== 'f32';
}

export interface TensorType {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export function tensorType(dtype: DType, shape: readonly number[]): TensorType {
  return { dtype, shape: [...shape] };
}

export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function sameType(a: TensorType, b: TensorType): boolean {
  return a.dtype === b.dtype && sameShape(a.shape, b.shape);
}

export function formatType(t: TensorType): string {
  return `${t.dtype}[${t.shape.join(', ')}]`;
}

/** Row-major strides in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export const DTYPE_RANGE: Readonly<Record<'i8' | 'i32', { min: number; max: number }>> = {
  i8: { min: -128, max: 127 },
  i32: { min: -2147483648, max: 2147483647 },
};

export const DTYPE_BYTES: Readonly<Record<DType, number>> = { i8: 1, i32: 4, f32: 4 };
