// How fast tc's Gemmini code is and how fast tc is (issue 4's performance bar).
//
//   npx tsc -p . && node cli/copy-assets.mjs && node dist/bench/gemmini-utilisation.js [--config NAME] [--dataflow ws|os] [--runs N] [--no-check]
//
// Table 1, on the default preset (or --config): GEMMs 64³, 256³, 512³, 1024³,
// a skinny 512×64×512, and the ResNet-50 / MobileNet convolutions in examples/,
// each run on the host model. Ideal cycles = MACs / DIM² (every PE busy every
// cycle); utilisation = ideal / cycles. "naive" is the same program lowered
// with one unbuffered DIM×DIM×DIM tile at a time (the Mapped IR that
// map-memory produces, with every gemm's tiles set to DIM and its placement to
// one copy at fixed rows), run on the same model. "predicted" is the
// analytical cost model (gemmini/cost.ts) when it exists, '-' otherwise.
// "DRAM bound" is the cycles the program's DRAM reads (or writes, the
// larger) need at the model's request rate; "of bound" = max(ideal, DRAM
// bound) / cycles, how close the program is to what its traffic allows.
// The host model is deterministic, so one run per program gives its cycles;
// every run's outputs are also compared with the reference interpreter
// (--no-check skips that).
//
// Table 2: tc's own compile time, source text to C text in-process (frontend,
// passes, C emitter), per example in examples/, median of N runs (default 20)
// after 3 warm-up runs. Target: median under 100 ms.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSource } from '../frontend/frontend.js';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { emitGemminiC } from '../backends/gemmini-c/emit.js';
import type { GemminiConfig } from '../gemmini/config.js';
import { renderGemminiParams } from '../gemmini/params.js';
import { getPreset } from '../gemmini/presets.js';
import { parseModelReport } from '../gemmini/model-report.js';
import { derivedParams } from '../gemmini/config.js';
import { Diagnostics } from '../ir/diagnostics.js';
import { interpret } from '../ir/interpret.js';
import type { ProgramFunc } from '../ir/program-ir.js';
import { verifyProgram } from '../ir/program-verify.js';
import { type TensorFunc, type TensorOp, typeMap } from '../ir/tensor-ir.js';
import { verifyMappedFunc } from '../ir/tiled-verify.js';
import { randomTensor } from '../ir/tensor-value.js';
import type { TensorType } from '../ir/types.js';
import { emitInstructions } from '../passes/emit-instructions.js';
import { runGemminiPipeline } from '../passes/pipeline.js';
import { gemminiTarget, type GemminiTarget } from '../passes/target.js';
import { compareOutputs } from '../spike/compare.js';
import { buildOnHost, removeHostBuild, runHostBinary } from '../spike/host.js';
import { median, table, timeRuns } from './stats.js';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const configName = option('--config') ?? 'default';
const compileRuns = Number(option('--runs') ?? 20);
const check = !argv.includes('--no-check');
const dataflowArg = option('--dataflow');
if (dataflowArg !== undefined && dataflowArg !== 'ws' && dataflowArg !== 'os') throw new Error(`--dataflow: ws or os, got '${dataflowArg}'`);
const dataflow = dataflowArg as 'ws' | 'os' | undefined;
const preset = getPreset(configName);
if (!preset) throw new Error(`no preset '${configName}'`);
const config: GemminiConfig = preset.config;
const target = gemminiTarget(config);

// ---------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------

interface Workload {
  readonly name: string;
  readonly path: string;
  readonly text: string;
}

function gemmWorkload(m: number, k: number, n: number): Workload {
  // int8 out, scaled like a quantised layer: what Gemmini's own GEMM tests measure.
  const text = `def gemm(a: i8[${m}, ${k}], b: i8[${k}, ${n}]) -> i8[${m}, ${n}] {\n  return requant(a @ b, 1/${Math.max(1, 2 ** Math.round(Math.log2(k * 64)))})\n}\n`;
  return { name: `gemm ${m}x${k}x${n}`, path: `gemm_${m}x${k}x${n}.tc`, text };
}

function exampleWorkload(file: string): Workload {
  const path = join('examples', file);
  return { name: file.replace(/\.tc$/, ''), path, text: readFileSync(path, 'utf8') };
}

const workloads: Workload[] = [
  gemmWorkload(64, 64, 64),
  gemmWorkload(256, 256, 256),
  gemmWorkload(512, 512, 512),
  gemmWorkload(1024, 1024, 1024),
  gemmWorkload(512, 64, 512),
  exampleWorkload('resnet50_conv3x3.tc'),
  exampleWorkload('resnet50_conv1x1.tc'),
  exampleWorkload('mobilenet_pointwise.tc'),
];

// ---------------------------------------------------------------------------
// The cost model, when gemmini/cost.ts exists (another engineer writes it).
// ---------------------------------------------------------------------------

type Predict = (program: ProgramFunc) => number | undefined;

function cyclesOf(result: unknown): number | undefined {
  if (typeof result === 'number') return result;
  if (result && typeof result === 'object') {
    const r = result as Record<string, unknown>;
    for (const key of ['cycles', 'totalCycles', 'total']) if (typeof r[key] === 'number') return r[key] as number;
  }
  return undefined;
}

async function loadCostModel(): Promise<{ predict?: Predict; note: string }> {
  const url = new URL('../gemmini/cost.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return { note: 'gemmini/cost.ts does not exist yet: predicted = -' };
  const mod = (await import(url.href)) as Record<string, unknown>;
  const named = mod.estimateProgram;
  const entry = typeof named === 'function' ? ['estimateProgram', named] : Object.entries(mod).find(([k, v]) => typeof v === 'function' && /^estimate.*program/i.test(k));
  if (!entry) return { note: `gemmini/cost.ts exports no estimate*Program function (it exports ${Object.keys(mod).join(', ')}): predicted = -` };
  const [name, fn] = entry as [string, (...args: unknown[]) => unknown];
  // Called with the configuration first, the target description if that gives no number.
  const predict: Predict = (program) => {
    for (const arg of [config, target]) {
      try {
        const cycles = cyclesOf(fn(program, arg));
        if (cycles !== undefined && Number.isFinite(cycles)) return cycles;
      } catch {
        // try the next argument form
      }
    }
    return undefined;
  };
  return { predict, note: `predicted = gemmini/cost.ts ${name}(program, config)` };
}

// ---------------------------------------------------------------------------
// The naive schedule: one unbuffered DIM×DIM×DIM tile at a time.
// ---------------------------------------------------------------------------

function naiveMapped(mapped: TensorFunc, t: GemminiTarget): TensorFunc {
  // K steps are DIM, or the narrower K step of a mesh with narrow partial sums.
  const kStep = (t as { kStep?: number }).kStep ?? t.dim;
  const body = mapped.body.map((op): TensorOp => {
    if (op.kind !== 'gemm' || !op.tiling) return op;
    return {
      ...op,
      tiling: { ...op.tiling, tileM: t.dim, tileN: t.dim, tileK: kStep },
      placement: { kind: 'rows', aRow: 0, bRow: t.dim, cRow: 0, copies: 1 },
    };
  });
  return { ...mapped, body };
}

interface Lowered {
  readonly func: TensorFunc;
  readonly tc: { program: ProgramFunc; c: string };
  readonly naive: { program: ProgramFunc; c: string };
  readonly macs: number;
}

function lower(w: Workload): Lowered {
  const fe = compileSource(w.path, w.text);
  if (!fe.func) throw new Error(`${w.path}: ${fe.diagnostics.items.map((d) => d.message).join('; ')}`);
  const log = new Diagnostics();
  const { program, stages } = runGemminiPipeline(fe.func, target, log, undefined, { dataflow });
  if (!program) throw new Error(`${w.path}: ${log.items.map((d) => d.message).join('; ')}`);
  const mapped = stages.get('map-memory') as TensorFunc;
  const naive = naiveMapped(mapped, target);
  const verified = verifyMappedFunc(naive, target);
  if (verified.hasErrors) throw new Error(`${w.path}: naive Mapped IR invalid: ${verified.items.map((d) => d.message).join('; ')}`);
  const naiveLog = new Diagnostics();
  const naiveProgram = emitInstructions(naive, target, naiveLog);
  const checked = verifyProgram(naiveProgram, target);
  if (naiveLog.hasErrors || checked.hasErrors) throw new Error(`${w.path}: naive program: ${[...naiveLog.items, ...checked.items].map((d) => d.message).join('; ')}`);
  // MACs of the accelerated work: m·k·n of every gemm (convolutions are gemms by now).
  const types = typeMap(mapped);
  let macs = 0;
  for (const op of mapped.body)
    if (op.kind === 'gemm') {
      const [m, k] = (types.get(op.a) as TensorType).shape;
      macs += m * k * (types.get(op.b) as TensorType).shape[1];
    }
  const comment = [`configuration: ${config.name} (DIM ${target.dim})`];
  return {
    func: fe.func,
    tc: { program, c: emitGemminiC(program, { sourceName: w.path, comment }) },
    naive: { program: naiveProgram, c: emitGemminiC(naiveProgram, { sourceName: w.path, comment: [...comment, 'naive schedule: one unbuffered DIM^3 tile at a time'] }) },
    macs,
  };
}

interface Measured {
  readonly cycles: number;
  readonly pass?: boolean;
  readonly dramBytesRead: number;
  readonly dramBytesWritten: number;
}

async function measure(func: TensorFunc, cSource: string, expected: ReturnType<typeof interpret> | undefined): Promise<Measured> {
  const build = await buildOnHost(cSource, renderGemminiParams(config));
  try {
    if (build.status !== 'ok') throw new Error(build.message);
    const run = await runHostBinary(build, { seed: 1, timeoutMs: 600_000 });
    if (run.status !== 'ok' || !run.report || run.report.cycles === undefined) throw new Error(`${func.name}: ${run.status} ${run.message ?? ''}`);
    const pass = expected ? compareOutputs(expected, run.report.outputs).pass : undefined;
    const model = parseModelReport(run.stdout);
    return { cycles: run.report.cycles, pass, dramBytesRead: model?.dramBytesRead ?? 0, dramBytesWritten: model?.dramBytesWritten ?? 0 };
  } finally {
    removeHostBuild(build);
  }
}

// ---------------------------------------------------------------------------
// Table 1: cycles and utilisation
// ---------------------------------------------------------------------------

/**
 * Cycles the DRAM traffic needs at the host model's rate: requests of
 * MAX_BYTES, maxInFlightRequests outstanding per direction, each slot held
 * for the memory latency plus its beats (gemmini_model.c dma_request).
 */
function dramBound(m: Measured): number {
  const p = derivedParams(config);
  const perRequest = config.memLatencyCycles + Math.ceil(p.MAX_BYTES / p.DMA_BUS_BYTES);
  const cyclesFor = (bytes: number): number => (Math.ceil(bytes / p.MAX_BYTES) * perRequest) / config.maxInFlightRequests;
  return Math.max(cyclesFor(m.dramBytesRead), cyclesFor(m.dramBytesWritten));
}

const cost = await loadCostModel();
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const errPct = (predicted: number | undefined, actual: number): string =>
  predicted === undefined ? '-' : `${(((predicted - actual) / actual) * 100).toFixed(1)}%`;
const rows: string[][] = [];
const naiveRows: string[][] = [];
const failures: string[] = [];
const t0 = performance.now();
for (const w of workloads) {
  const lowered = lower(w);
  const expected = check ? interpret(lowered.func, lowered.func.params.map((p, i) => randomTensor(p.type, 1, i))) : undefined;
  const [tc, naive] = await Promise.all([measure(lowered.func, lowered.tc.c, expected), measure(lowered.func, lowered.naive.c, expected)]);
  if (tc.pass === false) failures.push(`${w.name}: tc's program FAILS against the reference interpreter`);
  if (naive.pass === false) failures.push(`${w.name}: the naive program FAILS against the reference interpreter`);
  const ideal = lowered.macs / (target.dim * target.dim);
  const predicted = cost.predict?.(lowered.tc.program);
  const naivePredicted = cost.predict?.(lowered.naive.program);
  const mark = (m: Measured): string => (m.pass === undefined ? '' : m.pass ? 'PASS' : 'FAIL');
  rows.push([
    w.name,
    lowered.macs.toLocaleString('en-US'),
    String(tc.cycles),
    String(Math.round(ideal)),
    pct(ideal / tc.cycles),
    String(Math.round(dramBound(tc))),
    pct(Math.max(ideal, dramBound(tc)) / tc.cycles),
    predicted === undefined ? '-' : String(Math.round(predicted)),
    errPct(predicted, tc.cycles),
    mark(tc),
  ]);
  naiveRows.push([
    w.name,
    String(naive.cycles),
    pct(ideal / naive.cycles),
    naivePredicted === undefined ? '-' : String(Math.round(naivePredicted)),
    errPct(naivePredicted, naive.cycles),
    mark(naive),
    `${(naive.cycles / tc.cycles).toFixed(2)}x`,
  ]);
  process.stderr.write(`  ${w.name}: ${tc.cycles} cycles, naive ${naive.cycles} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}

console.log(`Gemmini '${config.name}' (DIM ${target.dim}), dataflow ${dataflow ?? 'default'}, host model, seed 1; ideal = MACs / DIM^2; ${cost.note}`);
console.log(`\ntc's schedule`);
console.log(table(['workload', 'MACs', 'cycles', 'ideal', 'util', 'DRAM bound', 'of bound', 'predicted', 'error', 'check'], rows));
console.log(
  `DRAM bound: the cycles the program's DRAM traffic needs at the model's request rate (MAX_BYTES requests, ${config.maxInFlightRequests} in flight, each held ${config.memLatencyCycles} cycles + its bus beats), reads and writes each; of bound = max(ideal, DRAM bound) / cycles`,
);
console.log(`\nnaive schedule (one unbuffered ${target.dim}x${target.dim}x${target.dim} tile at a time) and tc's speed-up over it`);
console.log(table(['workload', 'cycles', 'util', 'predicted', 'error', 'check', 'speed-up'], naiveRows));
for (const f of failures) console.log(`FAIL ${f}`);

// ---------------------------------------------------------------------------
// Table 2: compile time, source text to C text
// ---------------------------------------------------------------------------

const compileRows: string[][] = [];
let slowest = 0;
for (const file of readdirSync('examples').filter((f) => f.endsWith('.tc')).sort()) {
  const path = join('examples', file);
  const text = readFileSync(path, 'utf8');
  let bytes = 0;
  const times = timeRuns(() => {
    const fe = compileSource(path, text);
    if (!fe.func) throw new Error(`${path} does not compile`);
    const build = compileForGemmini(fe.func, config, path, undefined, { dataflow });
    if (build.diagnostics.hasErrors) throw new Error(`${path}: ${build.diagnostics.items.map((d) => d.message).join('; ')}`);
    bytes = build.cSource.length;
  }, compileRuns);
  const med = median(times);
  slowest = Math.max(slowest, med);
  compileRows.push([file, String(bytes), med.toFixed(2), Math.min(...times).toFixed(2), Math.max(...times).toFixed(2)]);
}
console.log(`\ntc compile time, source text -> C text (frontend + passes + C emitter), in-process, ${compileRuns} runs after 3 warm-up runs`);
console.log(table(['example', 'C bytes', 'median ms', 'min ms', 'max ms'], compileRows));
console.log(`\nslowest median: ${slowest.toFixed(2)} ms (target < 100 ms): ${slowest < 100 ? 'met' : 'NOT met'}`);
process.exitCode = failures.length === 0 ? 0 : 1;
