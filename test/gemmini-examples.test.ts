// The correctness bar of the Gemmini lowering: every example, on every int8
// preset, for 5 seeds, matches the reference interpreter bit for bit on the
// host model. Each program is built once and run with each seed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../frontend/frontend.js';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { PRESETS } from '../gemmini/presets.js';
import { expectBitExactOnHost } from './helpers/host-check.js';

const SEEDS = [1, 2, 3, 4, 5];
const examples = readdirSync('examples').filter((f) => f.endsWith('.tc')).sort();
const presets = Object.values(PRESETS).filter((p) => p.config.inputType === 'int8');

describe.each(presets.map((p) => [p.config.name, p.config] as const))('examples on preset %s', (_name, config) => {
  it.concurrent.each(examples)('%s passes for 5 seeds', async (file) => {
    const path = join('examples', file);
    const { func } = compileSource(path, readFileSync(path, 'utf8'));
    const build = compileForGemmini(func!, config, path);
    await expectBitExactOnHost(func!, build, SEEDS);
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
    const expected = await expectBitExactOnHost(func!, build, [1]);
    expect(expected[0].data[0]).toBe(64 * 16384);
  });
});
