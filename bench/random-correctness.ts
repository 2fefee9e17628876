// Randomized correctness of the Gemmini lowering at scale: random GEMM and
// convolution programs on random small-memory configurations (bench/random-gemmini.ts),
// each compiled, built on the host model and run with 2 seeds, every output
// element compared with the reference interpreter.
//
//   npx tsc -p . && node cli/copy-assets.mjs && node dist/bench/random-correctness.js [CASES] [BASE_SEED] [FIRST]
//
// CASES defaults to 200 (or TC_RANDOM_CASES), BASE_SEED to 1 (the test's),
// FIRST (the first case index) to 0. Case i of a base seed is always the same
// program and configuration; the test runs the first few of seed 1.
// Failing cases are printed with their program, configuration and the `tc run`
// command, and written to out/random-correctness/case-I.{tc,json}.

import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DIMS, describeCase, randomCases, runCase, type CaseOutcome, type RandomCase } from './random-gemmini.js';
import { table } from './stats.js';

const count = Number(process.argv[2] ?? process.env.TC_RANDOM_CASES ?? 200);
const baseSeed = Number(process.argv[3] ?? 1);
const first = Number(process.argv[4] ?? 0);
const seeds = [1, 2];
// One more worker than cores: a worker waits on gcc and the model most of the time.
const workers = Number(process.env.TC_RANDOM_WORKERS ?? availableParallelism() + 1);

const cases = randomCases(baseSeed, count, first);
const outcomes = new Map<number, CaseOutcome>();
const t0 = performance.now();
let next = 0;
let done = 0;
async function worker(): Promise<void> {
  while (next < cases.length) {
    const c = cases[next++];
    let outcome: CaseOutcome;
    try {
      outcome = await runCase(c, seeds);
    } catch (e) {
      outcome = { pass: false, stage: 'run', message: `threw: ${(e as Error).stack ?? e}` };
    }
    outcomes.set(c.index, outcome);
    done++;
    if (!outcome.pass) process.stderr.write(`\nFAIL ${describeCase(c, outcome).split('\n')[0]}\n`);
    if (done % 10 === 0 || done === cases.length) process.stderr.write(`  ${done}/${cases.length} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s\r`);
  }
}
await Promise.all(Array.from({ length: workers }, worker));
process.stderr.write('\n');

const failed: RandomCase[] = cases.filter((c) => !outcomes.get(c.index)!.pass);
const row = (label: string, group: readonly RandomCase[]): string[] => {
  const bad = group.filter((c) => !outcomes.get(c.index)!.pass).length;
  return [label, String(group.length), String(group.filter((c) => c.kind === 'gemm').length), String(group.filter((c) => c.kind === 'conv').length), String(group.length - bad), String(bad)];
};
const dataflowOf = (c: RandomCase): string => c.dataflow ?? (c.config.dataflow === 'both' ? 'default' : c.config.dataflow.toLowerCase());
const rows = DIMS.map((d) => row(`DIM ${d}`, cases.filter((c) => c.config.dim === d)));
for (const flow of ['ws', 'os', 'default']) rows.push(row(`dataflow ${flow}`, cases.filter((c) => dataflowOf(c) === flow)));
rows.push(row('all', cases));
console.log(`random Gemmini programs: base seed ${baseSeed}, cases ${first}..${first + count - 1}, seeds ${seeds.join(', ')}, ${workers} workers, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(table(['config', 'cases', 'gemm', 'conv', 'passed', 'failed'], rows));

const byStage = new Map<string, number>();
for (const c of failed) byStage.set(outcomes.get(c.index)!.stage!, (byStage.get(outcomes.get(c.index)!.stage!) ?? 0) + 1);
if (failed.length > 0) {
  console.log(`\nfailures by stage: ${[...byStage].map(([s, n]) => `${s} ${n}`).join(', ')}`);
  const dir = join('out', 'random-correctness');
  mkdirSync(dir, { recursive: true });
  for (const c of failed) {
    console.log(`\n${describeCase(c, outcomes.get(c.index))}`);
    writeFileSync(join(dir, `case-${c.index}.tc`), c.source);
    writeFileSync(join(dir, `case-${c.index}.json`), `${JSON.stringify(c.configJson, null, 2)}\n`);
  }
  console.log(`\nfailing programs and configurations written to ${dir}/`);
}
process.exitCode = failed.length === 0 ? 0 : 1;
