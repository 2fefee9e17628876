// `tc sweep SPEC.json`: runs every (configuration, workload) point of a sweep
// spec on all cores, appends one record per point to a JSON Lines file as soon
// as it is finished, resumes where a killed sweep stopped, and writes the CSV
// and HTML report from everything in the output folder.
//
// Durability: each record is one write() of one line, from the main thread
// only, as soon as its point finishes, so a killed sweep loses at most the
// points in flight; fsyncs follow without blocking (openJournal). On start, a
// torn last line (a kill inside write) is cut off before appending.
//
// Resuming and merging: points whose id is already in any results*.jsonl
// file of the output folder are not run again; that is also how shards merge:
// copy their files into one folder (or --merge them) and the report covers
// all of them.

import { closeSync, existsSync, fsync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, ftruncateSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadPresetOrFile } from '../gemmini/configs-command.js';
import type { GemminiConfig } from '../gemmini/config.js';
import { compileSource } from '../frontend/frontend.js';
import { formatDiagnostic } from '../ir/diagnostics.js';
import { processIO, UsageError, type CliIO } from './io.js';
import { createPointRunner, type RunnerContext, type SweepRecord } from './sweep-point.js';
import { renderCsv, renderHtmlReport } from './sweep-report.js';
import {
  expandPoints,
  formatSpecError,
  inShard,
  parseShard,
  parseSweepSpec,
  RUNNERS,
  SWEEP_SCHEMA,
  type LoadedWorkload,
  type RunnerName,
  type SweepPoint,
  type SweepSpec,
} from './sweep-spec.js';

export const SWEEP_HELP = `Usage: tc sweep [options] SPEC.json

Runs a design-space sweep: every combination of the spec's parameters (a grid
over Gemmini configuration fields) with every workload, on all cores. Each
finished point is appended to OUT/results.jsonl at once; running the same spec
again resumes (finished points are not rerun). Then writes OUT/results.csv and
OUT/report.html (self-contained: plots of cycles and utilisation against each
parameter, heat maps, a cost/cycles Pareto chart, skipped points and why).
OUT is out/sweeps/NAME unless the spec or -o says otherwise.

Spec (JSON; 'tc sweep --schema' prints its JSON Schema):
  { "name": "dim-and-spad", "base": "default",
    "parameters": { "dim": [8, 16, 32], "scratchpadKiB": {"from": 64, "to": 512, "times": 2} },
    "workloads": [ "../gemm.tc", {"file": "../gemm.tc", "sizes": {"M": 64}, "name": "gemm64"} ],
    "runner": "host", "seeds": [1] }

Options:
  -j, --jobs N           points run in parallel (default: the number of cores)
  --shard I/N            run only slice I of N (deterministic, by configuration);
                         results go to OUT/results.shard-I-of-N.jsonl
  --merge FILE.jsonl     add another machine's results (repeatable), then report
  --report-only          run nothing; write the CSV and HTML from the results so far
  --runner host|analytical   override the spec's runner
  --list                 print the points (and which are done) without running them
  -o, --output DIR       output folder
  --schema               print the JSON Schema of sweep specs

Exit code: 0 when no point failed or errored (skipped points are expected),
1 otherwise or when the spec is invalid, 2 for usage errors.
`;

export const SWEEP_OPTIONS = {
  jobs: { type: 'string', short: 'j' },
  shard: { type: 'string' },
  merge: { type: 'string', multiple: true },
  'report-only': { type: 'boolean' },
  runner: { type: 'string' },
  list: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  schema: { type: 'boolean' },
} as const;

// ---------------------------------------------------------------------------
// Loading a spec
// ---------------------------------------------------------------------------

export interface LoadedSweep {
  readonly spec: SweepSpec;
  readonly specPath: string;
  readonly base: GemminiConfig;
  readonly workloads: readonly LoadedWorkload[];
  readonly points: readonly SweepPoint[];
}

/** Reads, checks and expands a spec; every problem as a printable line. */
export function loadSweep(specPath: string, runnerOverride?: RunnerName): { sweep?: LoadedSweep; errors: string[] } {
  let text: string;
  try {
    text = readFileSync(specPath, 'utf8');
  } catch (e) {
    return { errors: [`${specPath}: error: cannot read file (${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message})`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { errors: [`${specPath}: error: not valid JSON: ${jsonError(e as Error, text)}`] };
  }
  const parsed = parseSweepSpec(json);
  if (!parsed.spec) return { errors: parsed.errors.map((e) => `${specPath}: error: ${formatSpecError(e)}`) };
  const spec = runnerOverride ? { ...parsed.spec, runner: runnerOverride } : parsed.spec;
  const specDir = dirname(specPath);
  const errors: string[] = [];

  const baseArg = spec.base.endsWith('.json') || spec.base.includes('/') ? resolvePath(specDir, spec.base) : spec.base;
  const loaded = loadPresetOrFile(baseArg, { stdout: () => {}, stderr: () => {}, readFile: (p) => readFileSync(p, 'utf8') });
  let base: GemminiConfig | undefined;
  if (loaded.kind === 'failed') errors.push(...loaded.errorLines.map((l) => `${specPath}: base: ${l}`));
  else base = loaded.kind === 'preset' ? loaded.preset.config : loaded.config;

  const workloads: LoadedWorkload[] = [];
  spec.workloads.forEach((w, i) => {
    const path = resolvePath(specDir, w.file);
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
    } catch {
      errors.push(`${specPath}: error: workloads[${i}]: cannot read '${w.file}' (looked for ${path})`);
      return;
    }
    const shown = relative(process.cwd(), path) || path;
    const fe = compileSource(shown, source, { entry: w.entry, sizes: new Map(Object.entries(w.sizes)) });
    if (!fe.func) {
      errors.push(`${specPath}: error: workloads[${i}] (${w.name}) does not compile:`);
      for (const d of fe.diagnostics.items) errors.push(formatDiagnostic(d, new Map([[shown, source]])));
      return;
    }
    workloads.push({ ...w, path: shown, source });
  });
  if (errors.length || !base) return { errors };
  return { sweep: { spec, specPath, base, workloads, points: expandPoints(spec, base, workloads) }, errors };
}

function resolvePath(dir: string, p: string): string {
  return isAbsolute(p) ? p : join(dir, p);
}

function jsonError(e: Error, text: string): string {
  const m = /at position (\d+)/.exec(e.message);
  if (!m || /line \d+/.test(e.message)) return e.message;
  const before = text.slice(0, Number(m[1]));
  return `${e.message} (line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')})`;
}

export function outputDir(sweep: LoadedSweep, override?: string): string {
  if (override) return override;
  if (sweep.spec.output) return resolvePath(dirname(sweep.specPath), sweep.spec.output);
  return join('out', 'sweeps', sweep.spec.name);
}

// ---------------------------------------------------------------------------
// The results files
// ---------------------------------------------------------------------------

const RESULTS_FILE = /^results(\.shard-\d+-of-\d+)?\.jsonl$/;

export function resultsFileName(shard?: { index: number; count: number }): string {
  return shard ? `results.shard-${shard.index}-of-${shard.count}.jsonl` : 'results.jsonl';
}

/**
 * Records of one JSON Lines file. A last line without its newline is what a
 * kill inside write() leaves: ignored (and cut off before the next append).
 * Any other line that is not a record is counted, not fatal.
 */
export function readRecords(file: string): { records: SweepRecord[]; bad: number } {
  const records: SweepRecord[] = [];
  let bad = 0;
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop(); // after the last newline: '' or a torn line
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as SweepRecord;
      if (r && r.v === 1 && typeof r.id === 'string' && typeof r.status === 'string') records.push(r);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { records, bad };
}

/** Every record in the folder's results*.jsonl files, the first of each id. */
export function readResultsDir(dir: string): { records: Map<string, SweepRecord>; bad: number; files: string[] } {
  const records = new Map<string, SweepRecord>();
  let bad = 0;
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => RESULTS_FILE.test(f)).sort() : [];
  for (const f of files) {
    const r = readRecords(join(dir, f));
    bad += r.bad;
    for (const rec of r.records) if (!records.has(rec.id)) records.set(rec.id, rec);
  }
  return { records, bad, files };
}

/** Opens a results file for appending, first cutting off a torn last line. */
export function openForAppend(file: string): number {
  if (existsSync(file)) {
    const data = readFileSync(file);
    const end = data.lastIndexOf(10) + 1; // after the last '\n'
    if (end !== data.length) {
      const fd = openSync(file, 'r+');
      ftruncateSync(fd, end);
      fsyncSync(fd);
      closeSync(fd);
    }
  }
  return openSync(file, 'a');
}

/** One record: one write of one line, then fsync, so it survives a kill right after. */
export function appendRecord(fd: number, record: SweepRecord): void {
  writeSync(fd, `${JSON.stringify(record)}\n`);
  fsyncSync(fd);
}

/**
 * The results file of a running sweep. Each record is one write() of one line
 * as soon as its point finishes — from then on a kill of tc cannot lose it —
 * and is fsynced (for a crash of the machine) without blocking the sweep:
 * one fsync is in flight at a time and covers every record written before it
 * started, so fast sweeps are not paced by the disk.
 */
export function openJournal(file: string) {
  const fd = openForAppend(file);
  let syncing: Promise<void> | undefined;
  let dirty = false;
  const sync = (): void => {
    dirty = false;
    syncing = new Promise<void>((done) => fsync(fd, () => done())).then(() => {
      syncing = undefined;
      if (dirty) sync();
    });
  };
  return {
    append(record: SweepRecord): void {
      writeSync(fd, `${JSON.stringify(record)}\n`);
      if (syncing) dirty = true;
      else sync();
    },
    async close(): Promise<void> {
      while (syncing) await syncing;
      fsyncSync(fd);
      closeSync(fd);
    },
  };
}

// ---------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mmss = `${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h ? `${h}:${mmss}` : mmss;
}

/**
 * A progress bar on a terminal (redrawn in place at most 10 times a second),
 * plain lines elsewhere (every 10% or 10 s), both with rate and ETA.
 */
export function progressReporter(total: number, write: (s: string) => void, tty: boolean) {
  const t0 = performance.now();
  let done = 0;
  const counts = { pass: 0, fail: 0, estimated: 0, skipped: 0, error: 0 };
  let lastDraw = 0;
  let lastLineDone = 0;
  let lastLineAt = t0;
  const text = () => {
    const elapsed = (performance.now() - t0) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const bad = counts.fail + counts.error;
    return { elapsed, rate, eta, tail: `${rate >= 10 ? rate.toFixed(0) : rate.toFixed(2)} points/s, ETA ${clock(eta)}, ${counts.skipped} skipped${bad ? `, ${bad} failed` : ''}` };
  };
  const draw = (final: boolean) => {
    const { tail } = text();
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${tail}${final ? '\n' : ''}`);
  };
  return {
    tick(r: SweepRecord) {
      done++;
      counts[r.status]++;
      const now = performance.now();
      if (tty) {
        if (now - lastDraw > 100 || done === total) {
          lastDraw = now;
          draw(false);
        }
      } else if (done === total || done - lastLineDone >= Math.max(1, Math.ceil(total / 10)) || now - lastLineAt > 10_000) {
        lastLineDone = done;
        lastLineAt = now;
        write(`sweep: ${done}/${total} points (${Math.floor((done / total) * 100)}%), ${text().tail}\n`);
      }
    },
    finish() {
      if (tty && total > 0) draw(true);
      return text().elapsed;
    },
  };
}

// ---------------------------------------------------------------------------
// Running points on all cores
// ---------------------------------------------------------------------------

function workerUrl(): URL | undefined {
  const here = import.meta.url;
  // From the TypeScript sources (tests), the compiled worker in dist/ runs.
  const url = here.endsWith('.ts') ? new URL('../dist/cli/sweep-worker.js', here) : new URL('./sweep-worker.js', here);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * Runs the points, a configuration's workloads together, on `jobs` slots:
 * the main thread and jobs - 1 worker threads. `onRecord` sees each record
 * as soon as its point is done, in the main thread.
 */
export async function runPoints(
  points: readonly SweepPoint[],
  ctx: RunnerContext,
  jobs: number,
  onRecord: (r: SweepRecord) => void,
  warn: (s: string) => void,
): Promise<void> {
  const groups: SweepPoint[][] = [];
  const byConfig = new Map<string, SweepPoint[]>();
  for (const p of points) {
    let g = byConfig.get(p.configId);
    if (!g) byConfig.set(p.configId, (g = [])), groups.push(g);
    g.push(p);
  }
  const queue = groups.reverse(); // pop() takes the first
  const slots: Promise<void>[] = [];

  const local = createPointRunner(ctx);
  slots.push(
    (async () => {
      for (let g = queue.pop(); g; g = queue.pop()) {
        for (const p of g) onRecord(await local.run(p));
        // Let worker messages (and their records) through between groups.
        await new Promise((r) => setImmediate(r));
      }
    })(),
  );

  const url = workerUrl();
  const workers = Math.min(jobs - 1, Math.max(0, groups.length - 1));
  if (workers > 0 && !url) warn('tc sweep: the compiled worker (dist/cli/sweep-worker.js) is missing; running on one thread (npm run build)\n');
  for (let i = 0; url && i < workers; i++) {
    slots.push(
      new Promise<void>((resolveSlot) => {
        const worker = new Worker(url, { workerData: ctx });
        let current: SweepPoint[] | undefined;
        let pending = new Set<string>();
        let finished = false;
        const next = () => {
          current = queue.pop();
          if (!current) {
            finished = true;
            void worker.terminate();
            return resolveSlot();
          }
          pending = new Set(current.map((p) => p.id));
          worker.postMessage({ type: 'points', points: current });
        };
        worker.on('message', (m: { type: 'record'; record: SweepRecord } | { type: 'idle' }) => {
          if (m.type === 'record') {
            pending.delete(m.record.id);
            onRecord(m.record);
          } else next();
        });
        const lost = (why: string) => {
          if (finished) return;
          finished = true;
          // The points it had not finished go back to the queue for the other slots.
          if (current) queue.push(current.filter((p) => pending.has(p.id)));
          warn(`tc sweep: a worker thread stopped (${why}); its unfinished points run elsewhere\n`);
          resolveSlot();
        };
        worker.on('error', (e) => lost(e.message));
        worker.on('exit', (code) => lost(`exit code ${code}`));
      }),
    );
  }
  await Promise.all(slots);
  // A worker that died after the main slot finished leaves points behind: run them here.
  for (let g = queue.pop(); g; g = queue.pop()) for (const p of g) onRecord(await local.run(p));
}

// ---------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------

function parseJobs(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`--jobs expects a positive integer, got '${text}'`);
  return Number(text);
}

function writeReports(sweep: LoadedSweep, dir: string, records: Map<string, SweepRecord>, elapsedNote?: string): { csv: string; html: string; ofSpec: SweepRecord[] } {
  const ofSpec = sweep.points.map((p) => records.get(p.id)).filter((r): r is SweepRecord => r !== undefined);
  const csv = join(dir, 'results.csv');
  const html = join(dir, 'report.html');
  writeFileSync(csv, renderCsv(ofSpec, sweep.spec));
  writeFileSync(html, renderHtmlReport({ spec: sweep.spec, specPath: sweep.specPath, base: sweep.base, records: ofSpec, totalPoints: sweep.points.length, note: elapsedNote }));
  return { csv, html, ofSpec };
}

export async function sweepCommand(values: Record<string, unknown>, positionals: string[], io: CliIO): Promise<number> {
  if (values.schema) {
    io.stdout(`${JSON.stringify(SWEEP_SCHEMA, null, 2)}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing SPEC.json' : `expected one SPEC.json, got ${positionals.length} arguments`);
  const runner = values.runner as string | undefined;
  if (runner !== undefined && !(RUNNERS as readonly string[]).includes(runner)) throw new UsageError(`--runner: unknown runner '${runner}' (host or analytical)`);
  const jobs = parseJobs(values.jobs as string | undefined);
  let shard: { index: number; count: number } | undefined;
  if (typeof values.shard === 'string') {
    const s = parseShard(values.shard);
    if (typeof s === 'string') throw new UsageError(s);
    shard = s;
  }

  const { sweep, errors } = loadSweep(positionals[0], runner as RunnerName | undefined);
  if (!sweep) {
    for (const e of errors) io.stderr(`${e}\n`);
    return 1;
  }
  const { spec } = sweep;
  const dir = outputDir(sweep, values.output as string | undefined);
  mkdirSync(dir, { recursive: true });
  const resultsPath = join(dir, resultsFileName(shard));

  for (const other of (values.merge as string[] | undefined) ?? []) {
    if (!existsSync(other) || !statSync(other).isFile()) throw new UsageError(`--merge: cannot read '${other}'`);
    const have = readResultsDir(dir).records;
    const { records, bad } = readRecords(other);
    const fd = openForAppend(resultsPath);
    let added = 0;
    try {
      for (const r of records) if (!have.has(r.id)) appendRecord(fd, r), have.set(r.id, r), added++;
    } finally {
      closeSync(fd);
    }
    io.stdout(`merged ${other}: ${added} new record${added === 1 ? '' : 's'}, ${records.length - added} already present${bad ? `, ${bad} unreadable line${bad === 1 ? '' : 's'} ignored` : ''}\n`);
  }

  const existing = readResultsDir(dir);
  const mine = shard ? sweep.points.filter((p) => inShard(p, shard)) : sweep.points;
  const todo = mine.filter((p) => !existing.records.has(p.id));
  const slice = shard ? ` (shard ${shard.index}/${shard.count}: ${mine.length} of ${sweep.points.length})` : '';

  if (values.list) {
    for (const p of mine) {
      const r = existing.records.get(p.id);
      const params = Object.entries(p.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
      io.stdout(`${String(p.index).padStart(5)}  ${p.id}  ${sweep.workloads[p.workload].name.padEnd(16)} ${params}  ${r ? r.status : 'todo'}\n`);
    }
    io.stdout(`${mine.length} points${slice}, ${mine.length - todo.length} done, ${todo.length} to run\n`);
    return 0;
  }

  let elapsed = 0;
  if (!values['report-only'] && values.merge === undefined && todo.length > 0) {
    const done = mine.length - todo.length;
    // Worker threads pay a start-up (modules, a cold JIT) that a short analytical sweep never earns back.
    const threads = Math.min(values.jobs === undefined && spec.runner === 'analytical' && todo.length < 256 ? 1 : jobs, todo.length);
    io.stderr(
      `sweep '${spec.name}': ${sweep.points.length} points${slice}, ${spec.runner} runner, ` +
        `${done ? `${done} already done, ` : ''}${todo.length} to run on ${threads} thread${threads === 1 ? '' : 's'}; results in ${resultsPath}\n`,
    );
    const tty = io === processIO && Boolean(process.stderr.isTTY);
    const progress = progressReporter(todo.length, io.stderr, tty);
    const journal = openJournal(resultsPath);
    try {
      await runPoints(todo, { runner: spec.runner, seeds: spec.seeds, workloads: sweep.workloads }, threads, (r) => {
        journal.append(r);
        existing.records.set(r.id, r);
        progress.tick(r);
      }, io.stderr);
    } finally {
      await journal.close();
    }
    elapsed = progress.finish();
  }

  const note = elapsed > 0 ? `this run: ${todo.length} points in ${elapsed.toFixed(1)} s (${Math.round((todo.length / elapsed) * 60)} points/min)` : undefined;
  const { csv, html, ofSpec } = writeReports(sweep, dir, existing.records, note);
  const count = (s: SweepRecord['status']) => ofSpec.filter((r) => r.status === s).length;
  const ok = spec.runner === 'host' ? `${count('pass')} PASS` : `${count('estimated')} estimated`;
  io.stdout(
    `${spec.name}: ${ofSpec.length}/${sweep.points.length} points done: ${ok}, ${count('fail')} FAIL, ${count('skipped')} skipped, ${count('error')} error` +
      `${note ? `; ${note}` : ''}\n`,
  );
  if (existing.bad) io.stdout(`  ${existing.bad} unreadable line${existing.bad === 1 ? '' : 's'} in the results files ignored\n`);
  for (const r of ofSpec.filter((x) => x.status === 'fail' || x.status === 'error').slice(0, 5))
    io.stdout(`  ${r.status.toUpperCase()} ${r.workload} ${JSON.stringify(r.params)}: ${r.reason ?? ''}\n`);
  io.stdout(`  wrote ${resultsPath}, ${csv}, ${html}\n`);
  return count('fail') + count('error') > 0 ? 1 : 0;
}
