// How well the explicit schedule (passes/matmul-schedule.ts matmulProgram)
// overlaps DMA and mesh work, on the host model.
//
//   npx tsc -p . && node cli/copy-assets.mjs && node dist/bench/explicit-schedule.js
//
// tc issues the explicit schedule for output-stationary gemms, for DIM-32
// meshes whose 20-bit partial sums force K blocks of 31 (passes/target.ts
// kStep), and wherever the configuration has no loop_ws unroller. Each
// workload runs in those three settings, and weight-stationary with loop_ws
// on the default configuration as the reference. Columns: cycles, ideal
// cycles (MACs / DIM^2), utilisation, and each queue's busy cycles from the
// model's report (a queue busy for most of the run bounds it: load at DIM 32,
// where A's 31-byte rows move in small DMA requests). Every run's outputs are
// compared with the reference interpreter.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { compileSource } from '../frontend/frontend.js';
import type { GemminiConfig } from '../gemmini/config.js';
import { parseModelReport } from '../gemmini/model-report.js';
import { getPreset } from '../gemmini/presets.js';
import { interpret } from '../ir/interpret.js';
import { printProgram } from '../ir/program-print.js';
import { randomTensor } from '../ir/tensor-value.js';
import { compareOutputs } from '../spike/compare.js';
import { runOnHost } from '../spike/host.js';
import { table } from './stats.js';

interface Workload {
  readonly name: string;
  readonly file: string;
  readonly sizes?: ReadonlyMap<string, number>;
}

const workloads: Workload[] = [
  { name: 'gemm 256^3', file: 'gemm.tc' },
  { name: 'gemm 512^3', file: 'gemm.tc', sizes: new Map([['M', 512], ['K', 512], ['N', 512]]) },
  { name: 'resnet50_conv3x3', file: 'resnet50_conv3x3.tc' },
  { name: 'gemm_odd', file: 'gemm_odd.tc' },
];

const preset = (name: string): GemminiConfig => {
  const p = getPreset(name);
  if (!p) throw new Error(`no preset '${name}'`);
  return p.config;
};
const settings: { readonly label: string; readonly config: GemminiConfig; readonly dataflow: 'ws' | 'os' }[] = [
  { label: 'default os', config: preset('default'), dataflow: 'os' },
  { label: 'default ws, no loop_ws', config: { ...preset('default'), name: 'default-no-loop-ws', hasLoopWs: false }, dataflow: 'ws' },
  { label: 'dim32 ws (kStep 31)', config: preset('dim32'), dataflow: 'ws' },
  { label: 'default ws, loop_ws', config: preset('default'), dataflow: 'ws' },
];

const rows: string[][] = [];
let failures = 0;
for (const w of workloads) {
  const path = join('examples', w.file);
  const fe = compileSource(path, readFileSync(path, 'utf8'), { sizes: w.sizes });
  if (!fe.func) throw new Error(`${path}: ${fe.diagnostics.items.map((d) => d.message).join('; ')}`);
  const func = fe.func;
  const expected = interpret(func, func.params.map((p, i) => randomTensor(p.type, 1, i)));
  for (const s of settings) {
    const build = compileForGemmini(func, s.config, path, undefined, { dataflow: s.dataflow });
    if (build.diagnostics.hasErrors) throw new Error(`${w.name} on ${s.label}: ${build.diagnostics.items.map((d) => d.message).join('; ')}`);
    const schedule = /loop_ws/.test(printProgram(build.program!)) ? 'loop_ws' : 'explicit';
    const run = await runOnHost(build.cSource, build.paramsHeader, { seed: 1, timeoutMs: 600_000 });
    const model = run.status === 'ok' ? parseModelReport(run.stdout) : undefined;
    if (!run.report || !model) throw new Error(`${w.name} on ${s.label}: ${run.status} ${run.message ?? ''}`);
    const pass = compareOutputs(expected, run.report.outputs).pass;
    if (!pass) failures++;
    const busy = (q: string): string => String(model.queues[q]?.busyCycles ?? '-');
    rows.push([w.name, s.label, schedule, String(model.cycles), String(model.idealMacCycles), `${(100 * model.utilization).toFixed(1)}%`, busy('load'), busy('execute'), busy('store'), pass ? 'PASS' : 'FAIL']);
    process.stderr.write(`  ${w.name}, ${s.label}: ${model.cycles} cycles\n`);
  }
}
console.log('Explicit schedule on the host model, seed 1; util = ideal / cycles; busy = cycles each queue had work');
console.log(table(['workload', 'setting', 'schedule', 'cycles', 'ideal', 'util', 'load busy', 'ex busy', 'store busy', 'check'], rows));
process.exitCode = failures === 0 ? 0 : 1;
