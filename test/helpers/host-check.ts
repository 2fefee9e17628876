// Builds a compiled program once on the host model, runs it for each seed and
// expects every output element to equal the reference interpreter's.
import { expect } from 'vitest';
import type { GemminiBuild } from '../../cli/gemmini-driver.js';
import { interpret } from '../../ir/interpret.js';
import type { TensorFunc } from '../../ir/tensor-ir.js';
import { randomTensor, type Tensor } from '../../ir/tensor-value.js';
import { compareOutputs } from '../../spike/compare.js';
import { buildOnHost, removeHostBuild, runHostBinary } from '../../spike/host.js';

/** Returns the reference outputs of the first seed, for extra checks. */
export async function expectBitExactOnHost(func: TensorFunc, build: GemminiBuild, seeds: readonly number[]): Promise<Tensor[]> {
  expect(build.diagnostics.items).toEqual([]);
  const binary = await buildOnHost(build.cSource, build.paramsHeader);
  let first: Tensor[] = [];
  try {
    expect(binary.message ?? '').toBe('');
    for (const seed of seeds) {
      const run = await runHostBinary(binary, { seed });
      expect(run.message ?? '', `seed ${seed}`).toBe('');
      const expected = interpret(func, func.params.map((p, i) => randomTensor(p.type, seed, i)));
      if (seed === seeds[0]) first = expected;
      const cmp = compareOutputs(expected, run.report!.outputs);
      expect({ seed, mismatches: cmp.mismatchCount, first: cmp.firstMismatches.slice(0, 3), problems: cmp.problems }).toEqual({
        seed,
        mismatches: 0,
        first: [],
        problems: [],
      });
    }
  } finally {
    removeHostBuild(binary);
  }
  return first;
}
