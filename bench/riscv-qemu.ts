// Wall time of the real-hardware path on this machine: every example
// cross-built into a bare-metal RISC-V ELF (riscv64-unknown-elf-gcc -O2 +
// picolibc + tc's runtime and model) and run on QEMU's virt machine, Gemmini
// emulated by tc's model behind the trap handler. One example at a time, so the
// times do not compete. The first build also compiles the runtime and the
// RISC-V model (cached afterwards); it is reported apart. Prints per example:
// build ms, QEMU run ms, the model's Gemmini cycles, QEMU's rdcycle over the
// kernel (not hardware cycles), the host run's ms for comparison, and PASS.
//
// Run: npm run build && node dist/bench/riscv-qemu.js [runs]   (medians of runs, default 3)

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSource } from '../frontend/frontend.js';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { interpret } from '../ir/interpret.js';
import { randomTensor } from '../ir/tensor-value.js';
import { getPreset } from '../gemmini/presets.js';
import { compareOutputs } from '../spike/compare.js';
import { runOnHost } from '../spike/host.js';
import { modelSummary } from '../spike/report.js';
import { buildForRiscv } from '../spike/riscv-build.js';
import { runRiscvElf } from '../spike/riscv-run.js';
import { findQemu, findRiscvToolchain } from '../spike/tools.js';
import { median, table } from './stats.js';

const runs = Number(process.argv[2] ?? 3);
const SEED = 1;
const preset = getPreset('default');
if (!preset) throw new Error('no default preset');
const toolchain = await findRiscvToolchain();
const qemu = findQemu();
for (const problem of [toolchain.problem, qemu.problem]) if (problem) throw new Error(problem);

// A fresh cache, so the first build shows the one-time cost of the runtime and model.
const cache = mkdtempSync(join(tmpdir(), 'tc-riscv-bench-cache-'));
process.env.TC_CACHE_DIR = cache;

const examples = readdirSync('examples').filter((f) => f.endsWith('.tc')).sort();
const rows: string[][] = [];
let firstBuildMs = 0;
let totalMs = 0;
for (const file of examples) {
  const path = join('examples', file);
  const { func } = compileSource(path, readFileSync(path, 'utf8'));
  if (!func) throw new Error(`${file}: does not compile`);
  const build = compileForGemmini(func, preset.config, path);
  if (!build.program) throw new Error(`${file}: no Gemmini program`);
  const expected = interpret(func, func.params.map((p, i) => randomTensor(p.type, SEED, i)));
  const buildTimes: number[] = [];
  const runTimes: number[] = [];
  const hostTimes: number[] = [];
  let pass = true;
  let modelCycles = '';
  let rdcycle = '';
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const elf = await buildForRiscv(build.cSource, build.paramsHeader, { toolchain, platform: 'virt', emulateGemmini: true, seed: SEED });
    const t1 = performance.now();
    const run = await runRiscvElf('qemu', elf, {});
    const t2 = performance.now();
    rmSync(elf.dir, { recursive: true, force: true });
    if (!firstBuildMs) firstBuildMs = t1 - t0;
    else buildTimes.push(t1 - t0);
    runTimes.push(t2 - t1);
    totalMs += t2 - t0;
    if (run.status !== 'ok' || !run.report) throw new Error(`${file}: ${run.message}`);
    pass &&= compareOutputs(expected, run.report.outputs).pass;
    modelCycles = String(modelSummary(run.report).cycles ?? '-');
    rdcycle = String(run.report.cycles ?? '-');
    const h0 = performance.now();
    const host = await runOnHost(build.cSource, build.paramsHeader, { seed: SEED });
    hostTimes.push(performance.now() - h0);
    pass &&= host.status === 'ok' && compareOutputs(expected, host.report!.outputs).pass;
  }
  const build_ = median(buildTimes.length ? buildTimes : [firstBuildMs]);
  const run_ = median(runTimes);
  rows.push([file, build_.toFixed(0), run_.toFixed(0), (build_ + run_).toFixed(0), modelCycles, rdcycle, median(hostTimes).toFixed(0), pass ? 'PASS' : 'FAIL']);
}
rmSync(cache, { recursive: true, force: true });

console.log(`RISC-V on QEMU (${qemu.path}), preset default, seed ${SEED}, medians of ${runs} runs; gcc ${toolchain.version}`);
console.log(`first build, with the runtime and the RISC-V model compiled (once per configuration): ${firstBuildMs.toFixed(0)} ms`);
console.log(table(['example', 'build ms', 'qemu ms', 'build+run ms', 'model cycles', 'rdcycle (qemu)', 'host build+run ms', ''], rows));
console.log(`all runs together: ${(totalMs / 1000).toFixed(1)} s`);
