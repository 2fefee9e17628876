// The real-hardware path, run here: every example cross-builds into a bare-metal
// RISC-V ELF and runs PASS on QEMU's virt machine, each Gemmini instruction
// trapping into tc's model compiled for RISC-V. For each example the test also
// checks that
// - the custom-3 instructions in the binary are exactly the kinds the Program
//   IR emits (ELF decoder), each a RoCC command without rd;
// - the model inside QEMU executed exactly what the Program IR issues, counted
//   by kind (so no instruction escaped the trap handler);
// - the model inside QEMU reports what the host model reports for the same
//   program and seed, cycles included.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../frontend/frontend.js';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { interpret } from '../ir/interpret.js';
import { randomTensor } from '../ir/tensor-value.js';
import { PRESETS } from '../gemmini/presets.js';
import { compareOutputs } from '../spike/compare.js';
import { parseElf, roccInstructions } from '../spike/elf.js';
import { buildOnHost, removeHostBuild, runHostBinary } from '../spike/host.js';
import { binaryMix, FUNCT, functName, programMix } from '../spike/instruction-mix.js';
import type { ModelRecord } from '../spike/report.js';
import { buildForRiscv } from '../spike/riscv-build.js';
import { runRiscvElf } from '../spike/riscv-run.js';
import { findQemu, findRiscvToolchain } from '../spike/tools.js';

const SEED = 7;
const examples = readdirSync('examples').filter((f) => f.endsWith('.tc')).sort();
const config = PRESETS.default.config;
const toolchain = await findRiscvToolchain();
const qemu = findQemu();
const missing = [toolchain.problem, qemu.problem].filter((p): p is string => p !== undefined);

describe('RISC-V tools', () => {
  it('the cross toolchain (with picolibc) and QEMU are installed (.ci/run installs them)', () => {
    expect(missing).toEqual([]);
  });
});

/** The model's records that must agree between two runs of one program. */
function modelFacts(records: readonly ModelRecord[]): string[] {
  return records.filter((r) => r.record === 'summary' || r.record === 'queue' || r.record === 'kind').map((r) => `${r.record} ${JSON.stringify(r.fields)}`);
}

function kindCounts(records: readonly ModelRecord[]): Map<string, number> {
  return new Map(records.filter((r) => r.record === 'kind').map((r) => [r.fields.name, Number(r.fields.count)]));
}

describe.skipIf(missing.length > 0)('every example on QEMU (default preset)', () => {
  it.concurrent.each(examples)('%s cross-builds, its instruction mix matches the Program IR, and it runs PASS', async (file) => {
    const path = join('examples', file);
    const { func } = compileSource(path, readFileSync(path, 'utf8'));
    const build = compileForGemmini(func!, config, path);
    expect(build.diagnostics.items).toEqual([]);
    const program = build.program!;
    const elf = await buildForRiscv(build.cSource, build.paramsHeader, { toolchain, platform: 'virt', emulateGemmini: true, seed: SEED });
    const host = await buildOnHost(build.cSource, build.paramsHeader);
    try {
      expect(elf.message ?? '').toBe('');

      // Static: which Gemmini instructions the binary holds.
      const rocc = roccInstructions(parseElf(readFileSync(elf.elf)));
      const mix = programMix(program);
      const names = (functs: Iterable<number>): string[] => [...new Set(functs)].sort((a, b) => a - b).map(functName);
      expect(names(binaryMix(rocc).keys())).toEqual(names(mix.issued.keys()));
      for (const i of rocc) expect({ xs1: i.xs1, xs2: i.xs2, xd: i.xd, rd: i.rd }).toEqual({ xs1: true, xs2: true, xd: false, rd: 0 });

      // Run, and compare with the reference interpreter.
      const run = await runRiscvElf('qemu', elf, { timeoutMs: 150_000 });
      expect(run.message ?? '').toBe('');
      const expected = interpret(func!, func!.params.map((p, i) => randomTensor(p.type, SEED, i)));
      const cmp = compareOutputs(expected, run.report!.outputs);
      expect({ mismatches: cmp.mismatchCount, first: cmp.firstMismatches.slice(0, 3), problems: cmp.problems }).toEqual({ mismatches: 0, first: [], problems: [] });
      expect(run.report!.cycles).toBeGreaterThan(0); // rdcycle around the kernel
      expect(run.cyclesSource).toBe('qemu');

      // Dynamic: the model executed what the Program IR issues.
      const kinds = kindCounts(run.report!.model);
      const ops = mix.ops;
      // A program with no Gemmini instruction never wakes the model: no report.
      const summary = run.report!.model.find((r) => r.record === 'summary')?.fields;
      expect(Number(summary?.host_instructions ?? 0)).toBe([...mix.issued.values()].reduce((a, b) => a + b, 0));
      const dynamic = {
        config_ex: kinds.get('config_ex') ?? 0,
        config_ld: kinds.get('config_ld') ?? 0,
        config_st: kinds.get('config_st') ?? 0,
        loop_ws: kinds.get('loop_ws') ?? 0,
        loop_ws_config: kinds.get('loop_ws_config') ?? 0,
        fence: kinds.get('fence') ?? 0,
      };
      expect(dynamic).toEqual({
        config_ex: ops.get('config_ex') ?? 0,
        config_ld: ops.get('config_ld') ?? 0,
        config_st: ops.get('config_st') ?? 0,
        loop_ws: ops.get('loop_ws') ?? 0,
        loop_ws_config: 5 * (ops.get('loop_ws') ?? 0),
        fence: ops.get('fence') ?? 0,
      });
      if (!ops.has('loop_ws')) {
        // Without the hardware unroller, every data instruction is the host's own.
        const data = ['mvin', 'mvin2', 'mvin3', 'mvout', 'preload', 'compute_preloaded', 'compute_accumulated'];
        expect(Object.fromEntries(data.map((k) => [k, kinds.get(k) ?? 0]))).toEqual(
          Object.fromEntries(data.map((k) => [k, mix.issued.get(FUNCT[k as keyof typeof FUNCT]) ?? 0])),
        );
      }

      // The same model on the host says the same, cycles included.
      const hostRun = await runHostBinary(host, { seed: SEED });
      expect(hostRun.message ?? '').toBe('');
      expect(modelFacts(run.report!.model)).toEqual(modelFacts(hostRun.report!.model));
      expect(run.report!.outputs).toEqual(hostRun.report!.outputs);
    } finally {
      rmSync(elf.dir, { recursive: true, force: true });
      removeHostBuild(host);
    }
  }, 180_000);
});
