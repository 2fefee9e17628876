// Randomized correctness of the Gemmini lowering: random GEMM and conv
// programs (sizes 1..127 with primes, bias / residual / requant / ReLU /
// extreme-operand variants) on random configurations (DIM 4..32, memories small enough to
// force many tiles), each compiled, built once on the host model and run for
// 2 seeds, every element equal to the reference interpreter.
// The generator is bench/random-gemmini.ts; case i of a base seed is always the
// same program and configuration. `npm test` runs a few; more with
//   TC_RANDOM_CASES=50 npx vitest run test/gemmini-random.test.ts
// (TC_RANDOM_SEED picks another base seed), or hundreds with
// bench/random-correctness.ts.
import { describe, expect, it } from 'vitest';
import { describeCase, randomCases, runCase } from '../bench/random-gemmini.js';

const count = Number(process.env.TC_RANDOM_CASES ?? 8);
const baseSeed = Number(process.env.TC_RANDOM_SEED ?? 1);
const cases = randomCases(baseSeed, count);

describe(`random Gemmini programs (base seed ${baseSeed})`, () => {
  it('covers every DIM and both kinds of program in the default cases', () => {
    const all = randomCases(1, 8);
    expect(new Set(all.map((c) => c.config.dim))).toEqual(new Set([4, 8, 16, 32]));
    expect(new Set(all.map((c) => c.kind))).toEqual(new Set(['gemm', 'conv']));
  });

  it('is a function of the base seed and the case index only', () => {
    expect(randomCases(1, 3, 5).map((c) => c.source)).toEqual(randomCases(1, 8).slice(5).map((c) => c.source));
  });

  it.concurrent.each(cases.map((c) => [`case ${c.index}: ${c.summary}, DIM ${c.config.dim} ${c.dataflow ?? c.config.dataflow}`, c] as const))('%s', async (_title, c) => {
    const outcome = await runCase(c, [1, 2]);
    expect(outcome.pass, describeCase(c, outcome)).toBe(true);
  });
});
