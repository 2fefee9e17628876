// Async work on a few concurrent workers, for the bench and test steps that
// mostly wait on a C compiler or the host model.

/** fn over every item, at most `workers` at a time; the results in the items' order. */
export async function mapConcurrently<T, R>(items: readonly T[], workers: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  return results;
}
