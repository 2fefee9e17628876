// Speed of the Gemmini host model (gemmini/runtime/gemmini_model.c): a
// 512 x 512 x 512 int8 GEMM (bench/model-speed-gemm.c) issued tile by tile and
// with loop_ws on the default preset, model and program built with
// gcc -O2 -std=c11 -ffp-contract=off. Prints simulated MACs per second and Gemmini
// instructions per second (instructions executed by the model, loop_ws-unrolled
// ones included), medians of several runs, each run timing several GEMMs.
//
// Run: npm run build && node dist/bench/model-speed.js [runs] [gemms-per-run]

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelReport } from '../gemmini/model-report.js';
import { renderGemminiParams } from '../gemmini/params.js';
import { getPreset } from '../gemmini/presets.js';
import { median, table } from './stats.js';

/** The repository root: the nearest directory above this script with bench/model-speed-gemm.c. */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'bench', 'model-speed-gemm.c'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('model-speed: cannot find bench/model-speed-gemm.c above this script');
    dir = parent;
  }
  return dir;
}

const runs = Number(process.argv[2] ?? 7);
const gemmsPerRun = Number(process.argv[3] ?? 5);
const root = repoRoot();
const preset = getPreset('default');
if (!preset) throw new Error('no default preset');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-model-speed-'));
fs.writeFileSync(path.join(work, 'gemmini_params.h'), renderGemminiParams(preset.config));
const binary = path.join(work, 'gemm');
execFileSync('gcc', [
  '-O2', '-std=c11', '-ffp-contract=off',
  '-I', path.join(root, 'gemmini/runtime'), '-I', work,
  path.join(root, 'bench/model-speed-gemm.c'), path.join(root, 'gemmini/runtime/gemmini_model.c'),
  '-o', binary,
]);

const rows: string[][] = [];
for (const mode of ['tiles', 'loop_ws'] as const) {
  const macRates: number[] = [];
  const instructionRates: number[] = [];
  let lastOutput = '';
  for (let run = 0; run < runs; run++) {
    lastOutput = execFileSync(binary, [mode, String(gemmsPerRun)], { encoding: 'utf8' });
    const seconds = Number(/seconds_per_gemm=([0-9.]+)/.exec(lastOutput)?.[1]);
    if (!lastOutput.includes('spot_check_mismatches=0')) throw new Error(`${mode}: wrong results\n${lastOutput}`);
    const report = parseModelReport(lastOutput);
    if (!report || !Number.isFinite(seconds)) throw new Error(`${mode}: no timing or report\n${lastOutput}`);
    macRates.push(report.macs / gemmsPerRun / seconds);
    instructionRates.push(report.executedInstructions / gemmsPerRun / seconds);
  }
  const report = parseModelReport(lastOutput);
  if (!report) throw new Error('no report');
  rows.push([
    mode,
    (median(macRates) / 1e6).toFixed(0),
    (median(instructionRates) / 1e6).toFixed(2),
    String(report.executedInstructions / gemmsPerRun),
    String(Math.round(report.cycles / gemmsPerRun)),
    report.utilization.toFixed(3),
  ]);
}
fs.rmSync(work, { recursive: true, force: true });

console.log(`Gemmini host model speed: 512x512x512 int8 GEMM, preset default (DIM ${preset.config.dim}), gcc -O2;`);
console.log(`medians of ${runs} runs of ${gemmsPerRun} GEMMs each (targets: >= 300 M MAC/s, >= 5 M instructions/s)\n`);
console.log(
  table(['issue', 'M MAC/s', 'M instr/s', 'instructions/GEMM', 'sim. cycles/GEMM', 'sim. utilization'], rows),
);
