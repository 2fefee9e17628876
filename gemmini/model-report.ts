// Reads the report the host model (gemmini/runtime/gemmini_model.c) prints:
// lines "tc-model: <record> key=value ..." between "begin" and "end" records.

export interface ModelQueueReport {
  readonly busyCycles: number;
  readonly instructions: number;
}

export interface ModelReport {
  readonly config: Readonly<Record<string, string>>;
  readonly cycles: number;
  readonly hostInstructions: number;
  readonly executedInstructions: number;
  readonly macs: number;
  readonly idealMacCycles: number;
  readonly utilization: number;
  readonly dramBytesRead: number;
  readonly dramBytesWritten: number;
  readonly dramHazardWarnings: number;
  readonly queues: Readonly<Record<string, ModelQueueReport>>;
  /** Instructions executed, by kind (mvin, compute_preloaded, ...), loop_ws-unrolled ones included. */
  readonly kinds: Readonly<Record<string, number>>;
}

const PREFIX = 'tc-model: ';

function fields(rest: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const token of rest.trim().split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq > 0) out[token.slice(0, eq)] = token.slice(eq + 1);
  }
  return out;
}

function numberField(record: Record<string, string>, key: string, line: string): number {
  const value = record[key];
  const parsed = value === undefined ? Number.NaN : Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`model report: no number ${key}= in "${line}"`);
  return parsed;
}

/** Parses the last complete report in `stdout`; undefined when there is none. */
export function parseModelReport(stdout: string): ModelReport | undefined {
  const lines = stdout.split('\n').filter((line) => line.startsWith(PREFIX)).map((line) => line.slice(PREFIX.length));
  const end = lines.lastIndexOf('end');
  if (end < 0) return undefined;
  let begin = end;
  while (begin >= 0 && !lines[begin].startsWith('begin')) begin--;
  if (begin < 0) return undefined;
  let config: Record<string, string> = {};
  let summary: Record<string, string> | undefined;
  let summaryLine = '';
  const queues: Record<string, ModelQueueReport> = {};
  const kinds: Record<string, number> = {};
  for (const line of lines.slice(begin + 1, end)) {
    const space = line.indexOf(' ');
    const record = space < 0 ? line : line.slice(0, space);
    const values = fields(space < 0 ? '' : line.slice(space + 1));
    switch (record) {
      case 'config':
        config = values;
        break;
      case 'summary':
        summary = values;
        summaryLine = line;
        break;
      case 'queue':
        queues[values.name ?? '?'] = {
          busyCycles: numberField(values, 'busy_cycles', line),
          instructions: numberField(values, 'instructions', line),
        };
        break;
      case 'kind':
        kinds[values.name ?? '?'] = numberField(values, 'count', line);
        break;
      default:
        break; // records added later are ignored
    }
  }
  if (summary === undefined) throw new Error('model report: no summary record');
  const n = (key: string) => numberField(summary as Record<string, string>, key, summaryLine);
  return {
    config,
    cycles: n('cycles'),
    hostInstructions: n('host_instructions'),
    executedInstructions: n('executed_instructions'),
    macs: n('macs'),
    idealMacCycles: n('ideal_mac_cycles'),
    utilization: n('utilization'),
    dramBytesRead: n('dram_bytes_read'),
    dramBytesWritten: n('dram_bytes_written'),
    dramHazardWarnings: n('dram_hazard_warnings'),
    queues,
    kinds,
  };
}
