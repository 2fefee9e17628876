// The correctness bar of the Gemmini lowering: every example, on every int8
// preset, for 5 seeds, matches the reference interpreter bit for bit on the
// host model. Each program is built once and run with each seed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../frontend/frontend.js';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { interpret } from '../ir/interpret.js';
import { randomTensor } from '../ir/tensor-value.js';
import { PRESETS } from '../gemmini/presets.js';
import { compareOutputs } from '../spike/compare.js';
import { buildOnHost, removeHostBuild, runHostBinary } from '../spike/host.js';

const SEEDS = [1, 2, 3, 4, 5];
const examples = readdirSync('examples').filter((f) => f.endsWith('.tc')).sort();
const presets = Object.values(PRESETS).filter((p) => p.config.inputType === 'int8');

describe.each(presets.map((p) => [p.config.name, p.config] as const))('examples on preset %s', (_name, config) => {
  it.concurrent.each(examples)('%s passes for 5 seeds', async (file) => {
    const path = join('examples', file);
    const { func } = compileSource(path, readFileSync(path, 'utf8'));
    const build = compileForGemmini(func!, config, path);
    expect(build.diagnostics.items).toEqual([]);
    const binary = await buildOnHost(build.cSource, build.paramsHeader);
    try {
      expect(binary.message ?? '').toBe('');
      for (const seed of SEEDS) {
        const run = await runHostBinary(binary, { seed });
        expect(run.message ?? '', `seed ${seed}`).toBe('');
        const expected = interpret(func!, func!.params.map((p, i) => randomTensor(p.type, seed, i)));
        const cmp = compareOutputs(expected, run.report!.outputs);
        expect({ seed, mismatches: cmp.mismatchCount, first: cmp.firstMismatches.slice(0, 3), problems: cmp.problems }).toEqual({ seed, mismatches: 0, first: [], problems: [] });
      }
    } finally {
      removeHostBuild(binary);
    }
  });
});

// Every product (-128) * (-128): a DIM-32 mesh's 20-bit partial sums cannot
// hold 32 of them (2^19), so tc sums fewer per compute there (target.kStep).
const EXTREME = `def extreme(a: i8[64, 64], b: i8[64, 64]) -> i32[64, 64] {
  x = clip(a, -128, -128)
  y = clip(b, -128, -128)
  return x @ y
}
`;

describe('extreme int8 products stay exact', () => {
  it.concurrent.each(presets.map((p) => p.config.name))('on preset %s', async (name) => {
    const config = presets.find((p) => p.config.name === name)!.config;
    const { func } = compileSource('extreme.tc', EXTREME);
    const build = compileForGemmini(func!, config, 'extreme.tc');
    expect(build.diagnostics.items).toEqual([]);
    const binary = await buildOnHost(build.cSource, build.paramsHeader);
    try {
      const run = await runHostBinary(binary, { seed: 1 });
      const expected = interpret(func!, func!.params.map((p, i) => randomTensor(p.type, 1, i)));
      expect(expected[0].data[0]).toBe(64 * 16384);
      expect(compareOutputs(expected, run.report!.outputs).mismatchCount).toBe(0);
    } finally {
      removeHostBuild(binary);
    }
  });
});
