// Helpers shared by the Tensor IR rewrites: use counts and fresh names.

import { operandsOf, type TensorFunc, type TensorOp } from '../ir/tensor-ir.js';

export function useCounts(f: TensorFunc): Map<string, number> {
  const uses = new Map<string, number>();
  for (const op of f.body) for (const o of operandsOf(op)) uses.set(o, (uses.get(o) ?? 0) + 1);
  for (const r of f.results) uses.set(r, (uses.get(r) ?? 0) + 1);
  return uses;
}

/** Fresh SSA names: `base`, else `base.N`, never used in `f`. */
export function nameSupply(f: TensorFunc): (base: string) => string {
  const taken = new Set([...f.params.map((p) => p.name), ...f.body.map((o) => o.result)]);
  return (base) => {
    if (!taken.has(base)) {
      taken.add(base);
      return base;
    }
    for (let i = 1; ; i++) {
      const n = `${base}.${i}`;
      if (!taken.has(n)) {
        taken.add(n);
        return n;
      }
    }
  };
}

export function withBody(f: TensorFunc, body: readonly TensorOp[]): TensorFunc {
  return { ...f, body };
}
