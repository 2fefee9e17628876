// Helpers the unit tests share: tc source to Tensor IR (or a thrown error
// with line:col), and a tensor from literal values.

import { compileSource } from '../frontend/frontend.js';
import type { TensorFunc } from '../ir/tensor-ir.js';
import { zeros, type Tensor } from '../ir/tensor-value.js';
import type { DType } from '../ir/types.js';

/** The Tensor IR of `src`, with symbolic sizes bound; throws the diagnostics otherwise. */
export function compileOrThrow(name: string, src: string, sizes: Record<string, number> = {}): TensorFunc {
  const r = compileSource(name, src, { sizes: new Map(Object.entries(sizes)) });
  if (!r.func) throw new Error(r.diagnostics.items.map((d) => `${d.loc?.line}:${d.loc?.col}: ${d.message}`).join('\n'));
  return r.func;
}

/** A tensor holding `values` in row-major order. */
export function tensor(dtype: DType, shape: number[], values: readonly number[]): Tensor {
  const t = zeros({ dtype, shape });
  if (values.length !== t.data.length) throw new Error(`test bug: ${values.length} values for shape [${shape}]`);
  t.data.set(values);
  return t;
}
