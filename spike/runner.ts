// One runner interface over every place a generated program can run:
// `tc run --sim host|spike|verilator|qemu`. A runner builds the program,
// runs it once on inputs drawn from the seed, parses the harness's report and
// removes its build directory unless asked to keep it. Every runner returns
// the same RunResult.

import { runOnHost } from './host.js';
import { runOnRiscv, type RiscvRunOptions } from './riscv-run.js';
import type { RunResult, SimKind } from './result.js';

export const SIM_KINDS: readonly SimKind[] = ['host', 'qemu', 'spike', 'verilator'];

export interface RunOptions extends RiscvRunOptions {
  /** host only: write the model's timeline as a Chrome/Perfetto trace. */
  readonly tracePath?: string;
  /** host only: the C compiler (default CC or cc). */
  readonly cc?: string;
}

export interface Runner {
  readonly sim: SimKind;
  run(cSource: string, paramsHeader: string, options?: RunOptions): Promise<RunResult>;
}

const hostRunner: Runner = {
  sim: 'host',
  async run(cSource, paramsHeader, options = {}) {
    const result = await runOnHost(cSource, paramsHeader, options);
    return { ...result, sim: 'host', cyclesSource: 'model' };
  },
};

function riscvRunner(sim: Exclude<SimKind, 'host'>): Runner {
  return { sim, run: (cSource, paramsHeader, options = {}) => runOnRiscv(sim, cSource, paramsHeader, options) };
}

export const RUNNERS: Readonly<Record<SimKind, Runner>> = {
  host: hostRunner,
  qemu: riscvRunner('qemu'),
  spike: riscvRunner('spike'),
  verilator: riscvRunner('verilator'),
};

export function isSimKind(text: string): text is SimKind {
  return (SIM_KINDS as readonly string[]).includes(text);
}
