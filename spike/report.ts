// Parser of what a tc harness prints (gemmini/runtime/tc_harness.h) and of
// the host model's report lines ("tc-model: RECORD key=value ...").

import type { DType } from '../ir/types.js';

export interface ReportedOutput {
  readonly index: number;
  readonly name: string;
  readonly dtype: DType;
  readonly count: number;
  readonly fnv1a: number;
  readonly bytes: Uint8Array;
}

export interface ModelRecord {
  readonly record: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface HarnessReport {
  readonly outputs: readonly ReportedOutput[];
  /** Accelerator cycles of the kernel, as the harness measured them. */
  readonly cycles?: number;
  readonly model: readonly ModelRecord[];
  /** True when the harness reached its end (tc-done). */
  readonly done: boolean;
}

export type ParsedReport = { ok: true; report: HarnessReport } | { ok: false; error: string };

export function parseHarnessReport(stdout: string): ParsedReport {
  const outputs: { index: number; name: string; dtype: DType; count: number; fnv1a: number; hex: string[] }[] = [];
  const model: ModelRecord[] = [];
  let cycles: number | undefined;
  let done = false;
  const lines = stdout.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].replace(/\r$/, '');
    if (line.startsWith('tc-output ')) {
      const m = /^tc-output (\d+) (\S+) (i8|i32|f32) (\d+) fnv1a=0x([0-9a-f]{8})$/.exec(line);
      if (!m) return { ok: false, error: `line ${n + 1}: malformed tc-output line: ${line.slice(0, 80)}` };
      outputs.push({ index: Number(m[1]), name: m[2], dtype: m[3] as DType, count: Number(m[4]), fnv1a: parseInt(m[5], 16), hex: [] });
    } else if (line.startsWith('tc-data ')) {
      const m = /^tc-data (\d+) ([0-9a-f]*)$/.exec(line);
      const out = m ? outputs.find((o) => o.index === Number(m[1])) : undefined;
      if (!m || !out) return { ok: false, error: `line ${n + 1}: malformed tc-data line` };
      out.hex.push(m[2]);
    } else if (line.startsWith('tc-cycles ')) {
      const m = /^tc-cycles (\d+)$/.exec(line);
      if (!m) return { ok: false, error: `line ${n + 1}: malformed tc-cycles line` };
      cycles = Number(m[1]);
    } else if (line.startsWith('tc-model: ')) {
      const [record, ...rest] = line.slice('tc-model: '.length).split(' ');
      const fields: Record<string, string> = {};
      for (const kv of rest) {
        const eq = kv.indexOf('=');
        if (eq > 0) fields[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      model.push({ record, fields });
    } else if (line === 'tc-done') done = true;
  }
  const decoded: ReportedOutput[] = [];
  for (const o of outputs) {
    const hex = o.hex.join('');
    if (hex.length % 2) return { ok: false, error: `output ${o.index}: odd number of hex digits` };
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    decoded.push({ index: o.index, name: o.name, dtype: o.dtype, count: o.count, fnv1a: o.fnv1a, bytes });
  }
  return { ok: true, report: { outputs: decoded, cycles, model, done } };
}

/** Numeric fields of the model's `summary` record, e.g. cycles, macs, utilization. */
export function modelSummary(report: HarnessReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of report.model)
    if (r.record === 'summary') for (const [k, v] of Object.entries(r.fields)) if (v !== '' && !Number.isNaN(Number(v))) out[k] = Number(v);
  return out;
}
