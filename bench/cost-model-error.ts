// The analytical cost model (gemmini/cost.ts) against the host model: for a
// suite of GEMMs and convolutions on several presets, the model's cycles, the
// estimate's cycles and the error; the median and largest |error|; and how
// long one estimate takes.
//
//   npx tsc -p . && node cli/copy-assets.mjs && node dist/bench/cost-model-error.js [--runs N] [--random N]
//
// Two sets: tc's own programs (GEMMs square, skinny and odd, with bias/ReLU
// and i32 output; the ResNet-50 / MobileNet layers and smaller convolutions;
// examples with several ops; on the default, DIM 4/8/32 and chip presets, in
// WS and OS, with tc's schedule, one copy of each buffer, and one DIM³ tile at
// a time) and the first N (default 40) programs and configurations of the
// randomized correctness suite. The suite is shared with
// test/gemmini-cost.test.ts, which asserts the counts that must be exact and
// the error bounds.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compileSource } from '../frontend/frontend.js';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { emitGemminiC } from '../backends/gemmini-c/emit.js';
import { renderGemminiParams } from '../gemmini/params.js';
import { Diagnostics } from '../ir/diagnostics.js';
import { verifyProgram } from '../ir/program-verify.js';
import { type TensorFunc, type TensorOp, typeMap } from '../ir/tensor-ir.js';
import type { TensorType } from '../ir/types.js';
import { gemmTileRows, verifyMappedFunc } from '../ir/tiled-verify.js';
import { emitInstructions } from '../passes/emit-instructions.js';
import { rowsPlacement } from '../passes/map-memory.js';
import { runGemminiPipeline } from '../passes/pipeline.js';
import { gemminiTarget } from '../passes/target.js';
import type { GemminiConfig } from '../gemmini/config.js';
import { estimateProgram, INSTRUCTION_KINDS, type CostEstimate, type InstructionKind } from '../gemmini/cost.js';
import { getPreset } from '../gemmini/presets.js';
import type { ProgramFunc } from '../ir/program-ir.js';
import { modelSummary } from '../spike/report.js';
import { runOnHost } from '../spike/host.js';
import { randomCases } from './random-gemmini.js';
import { mapConcurrently } from './pool.js';
import { median, table } from './stats.js';

export interface CostCase {
  /** Workload name, e.g. gemm 256x256x256. */
  readonly workload: string;
  readonly preset: string;
  readonly dataflow?: 'ws' | 'os';
  /**
   * tc's schedule (default); `naive`: one unbuffered DIM×DIM×DIM tile at a
   * time; `single`: tc's tiles with one copy of each buffer (no double
   * buffering); `whole`: the whole gemm as one tile, placed as map-memory
   * places tc's tiles (one long K loop: its loads ride on its K groups).
   */
  readonly schedule?: 'naive' | 'single' | 'whole';
  readonly source: string;
  /** A configuration that is not a preset (random cases); `preset` is then its label. */
  readonly config?: GemminiConfig;
}

const gemmSource = (m: number, k: number, n: number, variant: 'plain' | 'bias-relu' | 'i32'): string => {
  switch (variant) {
    case 'plain':
      return `def g(a: i8[${m}, ${k}], b: i8[${k}, ${n}]) -> i8[${m}, ${n}] {\n  return requant(a @ b, 1/256)\n}\n`;
    case 'bias-relu':
      return `def g(a: i8[${m}, ${k}], b: i8[${k}, ${n}], c: i32[${n}]) -> i8[${m}, ${n}] {\n  return relu(requant(a @ b + c, 1/1024))\n}\n`;
    case 'i32':
      return `def g(a: i8[${m}, ${k}], b: i8[${k}, ${n}]) -> i32[${m}, ${n}] {\n  return a @ b\n}\n`;
  }
};

const convSource = (h: number, w: number, c: number, kernel: number, o: number, stride: number, padding: number): string =>
  `def conv(x: i8[1, ${h}, ${w}, ${c}], w: i8[${kernel}, ${kernel}, ${c}, ${o}], b: i32[${o}]) -> i8[1, ${Math.floor((h + 2 * padding - kernel) / stride) + 1}, ${Math.floor((w + 2 * padding - kernel) / stride) + 1}, ${o}] {\n` +
  `  return relu(requant(conv2d(x, w, stride=${stride}, padding=${padding}) + b, 1/2048))\n}\n`;

// examples/ from the source file (vitest) or from its build output (dist/bench).
const EXAMPLES = [new URL('../examples/', import.meta.url), new URL('../../examples/', import.meta.url)].map((u) => fileURLToPath(u)).find((d) => existsSync(d)) ?? 'examples/';
const exampleSource = (file: string): string => readFileSync(join(EXAMPLES, file), 'utf8');

type Gemm = readonly [number, number, number, 'plain' | 'bias-relu' | 'i32'];

const GEMMS: readonly Gemm[] = [
  [64, 64, 64, 'plain'],
  [128, 128, 128, 'plain'],
  [256, 256, 256, 'plain'],
  [512, 512, 512, 'plain'],
  [512, 64, 512, 'plain'],
  [64, 512, 64, 'plain'],
  [1024, 32, 64, 'plain'],
  [100, 37, 53, 'plain'],
  [200, 129, 77, 'plain'],
  [128, 512, 256, 'bias-relu'],
  [256, 256, 256, 'bias-relu'],
  [100, 37, 53, 'bias-relu'],
  [128, 128, 128, 'i32'],
  [256, 256, 256, 'i32'],
];

const CONVS: readonly { name: string; source: () => string }[] = [
  { name: 'resnet50_conv1x1', source: () => exampleSource('resnet50_conv1x1.tc') },
  { name: 'resnet50_conv3x3', source: () => exampleSource('resnet50_conv3x3.tc') },
  { name: 'mobilenet_pointwise', source: () => exampleSource('mobilenet_pointwise.tc') },
  { name: 'conv3x3 16x16x32->64', source: () => convSource(16, 16, 32, 3, 64, 1, 1) },
  { name: 'conv1x1 28x28x64->64', source: () => convSource(28, 28, 64, 1, 64, 1, 0) },
  { name: 'conv3x3/2 32x32x16->32', source: () => convSource(32, 32, 16, 3, 32, 2, 1) },
];

/**
 * Random programs and configurations of the randomized correctness suite
 * (bench/random-gemmini.ts, base seed 1): GEMMs and convolutions of edge
 * sizes on DIM 4..32 with small memories, varied DMA sizes, banks, dataflows,
 * loop_ws on or off.
 */
export function randomCostCases(count: number, first = 0): CostCase[] {
  return randomCases(1, count, first).map((r) => ({
    workload: `random #${r.index}: ${r.summary}`,
    preset: `random DIM ${r.config.dim}${r.dataflow ? ` ${r.dataflow}` : ''}`,
    dataflow: r.dataflow,
    source: r.source,
    config: r.config,
  }));
}

/** The suite: every GEMM and convolution on the default preset, and a subset on other presets and in OS. */
export function costSuite(): CostCase[] {
  const cases: CostCase[] = [];
  const gemm = (g: Gemm, preset: string, dataflow?: 'ws' | 'os'): CostCase => ({ workload: `gemm ${g[0]}x${g[1]}x${g[2]}${g[3] === 'plain' ? '' : ` ${g[3]}`}`, preset, dataflow, source: gemmSource(...g) });
  for (const g of GEMMS) cases.push(gemm(g, 'default'));
  for (const c of CONVS) cases.push({ workload: c.name, preset: 'default', source: c.source() });
  const others: readonly Gemm[] = [
    [64, 64, 64, 'plain'],
    [256, 256, 256, 'plain'],
    [512, 64, 512, 'plain'],
    [100, 37, 53, 'plain'],
    [128, 512, 256, 'bias-relu'],
    [128, 128, 128, 'i32'],
  ];
  for (const preset of ['dim32', 'dim8', 'chip']) {
    for (const g of others) cases.push(gemm(g, preset));
    for (const c of [CONVS[1], CONVS[3]]) cases.push({ workload: c.name, preset, source: c.source() });
  }
  for (const g of others) cases.push(gemm(g, 'default', 'os'));
  for (const c of [CONVS[0], CONVS[4]]) cases.push({ workload: c.name, preset: 'default', dataflow: 'os', source: c.source() });
  // DIM 4: the host's issue rate, not the mesh, bounds the computes.
  for (const g of [others[0], others[3], others[4]]) cases.push(gemm(g, 'dim4'));
  // Programs of several gemms and CPU ops.
  for (const file of ['mlp.tc', 'attention.tc']) for (const preset of ['default', 'dim32']) cases.push({ workload: file.replace('.tc', ''), preset, source: exampleSource(file) });
  // Schedules the tile pass may weigh: no double buffering, and one DIM³ tile at a time.
  for (const [preset, dataflow] of [['dim32', undefined], ['default', 'os']] as const) {
    for (const g of [others[1], others[3], others[4]]) cases.push({ ...gemm(g, preset, dataflow), schedule: 'single' });
    cases.push({ workload: CONVS[3].name, preset, dataflow, schedule: 'single', source: CONVS[3].source() });
  }
  for (const preset of ['default', 'dim32']) for (const g of [others[0], others[3], others[4]]) cases.push({ ...gemm(g, preset), schedule: 'naive' });
  // Memory bound: a long memory latency, where the loads of a tile's bias
  // (riding on the next tile's first K groups only) set the pace.
  for (const [preset, memLatencyCycles] of [['default', 300], ['dim8', 300]] as const) {
    const slow = { preset: `${preset} latency ${memLatencyCycles}`, config: { ...(getPreset(preset)?.config as GemminiConfig), memLatencyCycles } };
    cases.push({ ...gemm(others[1], preset), ...slow });
    for (const c of [CONVS[0], CONVS[2]]) cases.push({ workload: c.name, source: c.source(), ...slow });
  }
  // Bound by the requests in flight, on points a sweep visits
  // (bench/cost-model-survey.ts found them): stretches of compute-only K
  // blocks between a tile's loads (they must not move the loads still in
  // flight), the host's issue rate on DIM 4, a tile's loads in all but the
  // last block of each K group or in every fourth block, a loop_ws whose
  // first A group is pulled whole (its moves land slower than their computes
  // run, so the execute queue never fills), K blocks whose rows sit
  // differently in the request windows (31-byte blocks: the first few K
  // blocks take more requests than the average), a tile's A blocks whose
  // last moves land after the first few computes of the next K step ran
  // (the computes behind the first that reads them wait in order).
  const windowed = (preset: string, fields: Partial<GemminiConfig>): { preset: string; config: GemminiConfig } => ({
    preset: `${preset}${fields.dim ? ` DIM ${fields.dim}` : ''} ${fields.scratchpadKiB} KiB latency ${fields.memLatencyCycles} window ${fields.maxInFlightRequests}`,
    config: { ...(getPreset(preset)?.config as GemminiConfig), ...fields },
  });
  cases.push({ workload: CONVS[2].name, source: CONVS[2].source(), ...windowed('dim8', { scratchpadKiB: 16, memLatencyCycles: 100, maxInFlightRequests: 4 }) });
  cases.push({ workload: CONVS[0].name, source: CONVS[0].source(), ...windowed('dim4', { scratchpadKiB: 512, memLatencyCycles: 300, maxInFlightRequests: 16 }) });
  cases.push({ ...gemm(others[1], 'default'), ...windowed('default', { scratchpadKiB: 32, memLatencyCycles: 200, maxInFlightRequests: 8 }) });
  cases.push({ ...gemm(others[1], 'dim8'), ...windowed('dim8', { scratchpadKiB: 32, memLatencyCycles: 200, maxInFlightRequests: 4 }) });
  cases.push({ workload: CONVS[1].name, source: CONVS[1].source(), ...windowed('default', { scratchpadKiB: 512, memLatencyCycles: 300, maxInFlightRequests: 4 }) });
  cases.push({ workload: CONVS[1].name, source: CONVS[1].source(), ...windowed('default', { dim: 4, scratchpadKiB: 32, memLatencyCycles: 300, maxInFlightRequests: 4 }) });
  cases.push({ workload: CONVS[1].name, source: CONVS[1].source(), ...windowed('default', { dim: 32, scratchpadKiB: 8, memLatencyCycles: 200, maxInFlightRequests: 8 }) });
  cases.push({ workload: 'mlp', source: exampleSource('mlp.tc'), ...windowed('dim8', { scratchpadKiB: 8, memLatencyCycles: 300, maxInFlightRequests: 16 }) });
  // A compute that reads none of the rows a load batch writes last (the
  // prologue loads K blocks 2 and 3 in one batch; the K step of block 2
  // reads only its first), and a long K loop whose skipped iterations'
  // loads the last K blocks' computes wait for.
  cases.push({ workload: 'attention', source: exampleSource('attention.tc'), ...windowed('default', { scratchpadKiB: 64, memLatencyCycles: 50, maxInFlightRequests: 16 }) });
  cases.push({ ...gemm([64, 512, 64, 'plain'], 'default'), ...windowed('default', { scratchpadKiB: 512, memLatencyCycles: 200, maxInFlightRequests: 4 }), schedule: 'whole' });
  // A load into A rows that only a K group's first compute reads (the
  // second reads the other row block): it waits for that compute, not for
  // the group's last.
  cases.push({ workload: 'gemm_skinny', source: exampleSource('gemm_skinny.tc'), ...windowed('default', { dim: 32, scratchpadKiB: 8, memLatencyCycles: 50, maxInFlightRequests: 16 }) });
  return cases;
}

export interface CostOutcome {
  readonly c: CostCase;
  readonly config: GemminiConfig;
  readonly program: ProgramFunc;
  readonly estimate: CostEstimate;
  /** What the host model reported: its summary and kind counts. */
  readonly model: Record<string, number>;
  readonly modelKinds: Partial<Record<InstructionKind, number>>;
  readonly modelBusy: { load: number; execute: number; store: number };
  readonly errorPercent: number;
}

export const configLabel = (c: CostCase): string => c.preset + (c.dataflow && !c.config ? ` ${c.dataflow}` : '') + (c.schedule ? ` ${c.schedule}` : '');

/** The program of a case: tc's pipeline, or its Mapped IR with the tiles and placement a variant schedule forces. */
export function programOf(c: CostCase, func: TensorFunc, config: GemminiConfig): { program: ProgramFunc; cSource: string; paramsHeader: string } {
  const options = c.dataflow ? { dataflow: c.dataflow } : {};
  if (!c.schedule) {
    const build = compileForGemmini(func, config, c.workload, undefined, options);
    if (!build.program) throw new Error(`${c.workload} on ${configLabel(c)}: ${build.diagnostics.items.map((d) => d.message).join('; ')}`);
    return { program: build.program, cSource: build.cSource, paramsHeader: build.paramsHeader };
  }
  const target = gemminiTarget(config);
  const log = new Diagnostics();
  const { program, stages } = runGemminiPipeline(func, target, log, undefined, options);
  if (!program) throw new Error(`${c.workload} on ${configLabel(c)}: ${log.items.map((d) => d.message).join('; ')}`);
  const mapped = stages.get('map-memory') as TensorFunc;
  const d = target.dim;
  const types = typeMap(mapped);
  const body = mapped.body.map((op): TensorOp => {
    if (op.kind !== 'gemm' || !op.tiling) return op;
    if (c.schedule === 'whole') {
      const [m, k] = (types.get(op.a) as TensorType).shape;
      const n = (types.get(op.b) as TensorType).shape[1];
      const up = (x: number, q: number): number => Math.ceil(x / q) * q;
      const whole = { ...op.tiling, tileM: up(m, d), tileN: up(n, d), tileK: up(k, target.kStep) };
      return { ...op, tiling: whole, placement: rowsPlacement(whole, target) };
    }
    const tiling = c.schedule === 'naive' ? { ...op.tiling, tileM: d, tileN: d, tileK: target.kStep } : op.tiling;
    const rows = gemmTileRows(tiling, d, target.kStep);
    // One copy of each buffer: A from row 0, B in the next bank (or right after A), C at row 0.
    const nextBank = Math.ceil(rows.a / target.scratchpadBankRows) * target.scratchpadBankRows;
    const bRow = nextBank + rows.b <= target.scratchpadRows ? nextBank : rows.a;
    return { ...op, tiling, placement: { kind: 'rows', aRow: 0, bRow, cRow: 0, copies: 1 } };
  });
  const variant = { ...mapped, body };
  const checked = verifyMappedFunc(variant, target);
  if (checked.hasErrors) throw new Error(`${c.workload} on ${configLabel(c)}: ${checked.items.map((x) => x.message).join('; ')}`);
  const emitted = emitInstructions(variant, target, log);
  const verified = verifyProgram(emitted, target);
  if (log.hasErrors || verified.hasErrors) throw new Error(`${c.workload} on ${configLabel(c)}: ${[...log.items, ...verified.items].map((x) => x.message).join('; ')}`);
  return { program: emitted, cSource: emitGemminiC(emitted, { sourceName: c.workload }), paramsHeader: renderGemminiParams(config) };
}

/** Compiles, runs on the host model and estimates one case. */
export async function measureCase(c: CostCase): Promise<CostOutcome> {
  const config = c.config ?? getPreset(c.preset)?.config;
  if (!config) throw new Error(`no preset ${c.preset}`);
  const { func, diagnostics } = compileSource(`${c.workload}.tc`, c.source);
  if (!func) throw new Error(`${c.workload}: ${diagnostics.items.map((d) => d.message).join('; ')}`);
  const build = programOf(c, func, config);
  const run = await runOnHost(build.cSource, build.paramsHeader, { seed: 1 });
  if (run.status !== 'ok' || !run.report) throw new Error(`${c.workload} on ${configLabel(c)}: ${run.message}`);
  const model = modelSummary(run.report);
  const modelKinds: Partial<Record<InstructionKind, number>> = {};
  const modelBusy = { load: 0, execute: 0, store: 0 };
  for (const r of run.report.model) {
    if (r.record === 'kind' && (INSTRUCTION_KINDS as readonly string[]).includes(r.fields.name)) modelKinds[r.fields.name as InstructionKind] = Number(r.fields.count);
    if (r.record === 'queue') modelBusy[r.fields.name as 'load' | 'execute' | 'store'] = Number(r.fields.busy_cycles);
  }
  const estimate = estimateProgram(build.program, config);
  const errorPercent = (100 * (estimate.cycles - model.cycles)) / model.cycles;
  return { c, config, program: build.program, estimate, model, modelKinds, modelBusy, errorPercent };
}

/** Runs `cases` on `workers` concurrent workers (each waits on the C compiler and the model most of the time). */
export async function measureSuite(cases: readonly CostCase[], workers = availableParallelism() + 1): Promise<CostOutcome[]> {
  return mapConcurrently(cases, workers, measureCase);
}

/** Microseconds per estimate of `program`, median of `runs` timed batches. */
export function estimateMicros(program: ProgramFunc, config: GemminiConfig, runs = 15): number {
  const per = (): number => {
    const reps = 20;
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) estimateProgram(program, config);
    return ((performance.now() - t0) * 1000) / reps;
  };
  for (let w = 0; w < 3; w++) per();
  return median(Array.from({ length: runs }, per));
}

export function errorTable(outcomes: readonly CostOutcome[], micros?: readonly number[]): string {
  const rows = outcomes.map((o, i) => [
    o.c.workload,
    configLabel(o.c),
    String(o.model.cycles),
    String(o.estimate.cycles),
    `${o.errorPercent >= 0 ? '+' : ''}${o.errorPercent.toFixed(1)}%`,
    ...(micros ? [micros[i].toFixed(0)] : []),
  ]);
  return table(['workload', 'config', 'model cycles', 'predicted', 'error', ...(micros ? ['us/estimate'] : [])], rows);
}

export function errorSummary(outcomes: readonly CostOutcome[]): { median: number; max: number; worst: CostOutcome } {
  const abs = outcomes.map((o) => Math.abs(o.errorPercent));
  const worst = outcomes[abs.indexOf(Math.max(...abs))];
  return { median: median(abs), max: Math.max(...abs), worst };
}

/** Median and largest |error| of the busy cycles of each queue, in percent (queues the model left idle skipped). */
export function busySummary(outcomes: readonly CostOutcome[]): Record<'load' | 'execute' | 'store', { median: number; max: number }> {
  const out = {} as Record<'load' | 'execute' | 'store', { median: number; max: number }>;
  for (const q of ['load', 'execute', 'store'] as const) {
    const errors = outcomes.filter((o) => o.modelBusy[q] > 0).map((o) => (100 * Math.abs(o.estimate.busyCycles[q] - o.modelBusy[q])) / o.modelBusy[q]);
    out[q] = { median: median(errors), max: Math.max(...errors) };
  }
  return out;
}

function summaryLine(label: string, outcomes: readonly CostOutcome[]): string {
  const { median: med, max, worst } = errorSummary(outcomes);
  const busy = busySummary(outcomes);
  const b = (q: 'load' | 'execute' | 'store'): string => `${q} ${busy[q].median.toFixed(1)}%/${busy[q].max.toFixed(1)}%`;
  return (
    `${label}: ${outcomes.length} programs, cycles |error| median ${med.toFixed(2)}%, max ${max.toFixed(1)}% (${worst.c.workload} on ${configLabel(worst.c)}); ` +
    `busy cycles |error| median/max: ${b('load')}, ${b('execute')}, ${b('store')}`
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const option = (name: string, fallback: number): number => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const runs = option('--runs', 15);
  const randomCount = option('--random', 40);
  const t0 = performance.now();
  const suite = costSuite();
  const random = randomCostCases(randomCount);
  const outcomes = await measureSuite([...suite, ...random]);
  const tcOutcomes = outcomes.slice(0, suite.length);
  const randomOutcomes = outcomes.slice(suite.length);
  const micros = outcomes.map((o) => estimateMicros(o.program, o.config, runs));
  console.log(`cost model (gemmini/cost.ts) vs host model, seed 1; error = (predicted - model) / model; ${outcomes.length} programs, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`\ntc's programs (GEMMs, convolutions, examples; presets; WS, OS; tc's, single-buffered and one-tile-at-a-time schedules):`);
  console.log(errorTable(tcOutcomes, micros.slice(0, suite.length)));
  if (randomOutcomes.length) {
    console.log(`\nrandom programs and configurations (bench/random-gemmini.ts, base seed 1, cases 0..${randomCount - 1}):`);
    console.log(errorTable(randomOutcomes, micros.slice(suite.length)));
  }
  console.log('');
  console.log(summaryLine("tc's programs", tcOutcomes));
  if (randomOutcomes.length) console.log(summaryLine('random programs', randomOutcomes));
  console.log(`estimate time: median ${median(micros).toFixed(0)} us, max ${Math.max(...micros).toFixed(0)} us per program (${runs} timed batches of 20 each)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
