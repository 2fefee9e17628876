// The one result type every runner (host, spike, verilator, qemu) returns.

import type { HarnessReport } from './report.js';

export type RunStatus = 'ok' | 'build-error' | 'crash' | 'timeout' | 'malformed' | 'tool-missing';

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
}
