// The one result type every runner (host, spike, verilator, qemu) returns.

import type { HarnessReport } from './report.js';

export type RunStatus = 'ok' | 'build-error' | 'crash' | 'timeout' | 'malformed' | 'tool-missing';

/** Where a program ran. */
export type SimKind = 'host' | 'spike' | 'verilator' | 'qemu';

/**
 * What `report.cycles` (the harness's tc-cycles line) counts:
 * - `model`: the host model's Gemmini cycles for the kernel;
 * - `rtl`: rdcycle on an RTL simulation of the SoC: hardware cycles;
 * - `spike`: rdcycle on Spike, an instruction-set simulator without timing:
 *   not hardware cycles;
 * - `qemu`: rdcycle on QEMU: QEMU's own counter, not hardware cycles (the
 *   model's Gemmini cycles are in the report's tc-model summary).
 */
export type CyclesSource = 'model' | 'rtl' | 'spike' | 'qemu';

export interface RunResult {
  readonly status: RunStatus;
  readonly report?: HarnessReport;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the build and of the run, milliseconds. */
  readonly buildMs: number;
  readonly runMs: number;
  /** What went wrong, for a person, when status is not ok. */
  readonly message?: string;
  /** Where the build lives when kept (--keep). */
  readonly buildDir?: string;
  /** The runner; absent means host (results made before runners said so). */
  readonly sim?: SimKind;
  /** What report.cycles counts; absent means model. */
  readonly cyclesSource?: CyclesSource;
  /** The simulator's command line, when one ran. */
  readonly command?: readonly string[];
}

/** A person's words for what a result's cycles are. */
export function describeCycles(source: CyclesSource = 'model'): string {
  switch (source) {
    case 'model':
      return "Gemmini cycles by tc's host model";
    case 'rtl':
      return 'hardware cycles (rdcycle on the RTL simulation)';
    case 'spike':
      return "Spike's cycle counter: an instruction-set simulation, not hardware cycles";
    case 'qemu':
      return "QEMU's cycle counter, not hardware cycles";
  }
}
