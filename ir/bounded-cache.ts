// A map that keeps its newest entries: what a sweep's points share (a tiling's
// statements, a gemm's step layouts, a program's counts) without holding on
// to everything a long sweep has seen.

export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit: number) {}

  /** The value kept under `key`, or `make()`'s, kept (the oldest entry goes past the limit). */
  get(key: string, make: () => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      value = make();
      this.entries.set(key, value);
      if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
    }
    return value;
  }
}
