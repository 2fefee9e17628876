// The analytical cost model (gemmini/cost.ts) against the host model on the
// points a design-space sweep visits: random configurations (DIM 4..32,
// scratchpad 8..512 KiB, memory latency 50..300 cycles, 4..16 requests in
// flight) of the default preset, each compiling one of the examples the way
// `tc compile` does (its tiling is the one the model picked). Prints the
// points with the largest |error| and the median, 90th percentile and largest
// |error|. Where bench/cost-model-error.ts is a fixed suite, this one looks
// for what the suite misses.
//
//   npx tsc -p . && node cli/copy-assets.mjs && node dist/bench/cost-model-survey.js [--points N] [--seed S] [--show N]

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { compileSource } from '../frontend/frontend.js';
import { validateConfig, type GemminiConfig } from '../gemmini/config.js';
import { estimateProgram } from '../gemmini/cost.js';
import { getPreset } from '../gemmini/presets.js';
import { mix32 } from '../ir/random.js';
import type { TensorFunc } from '../ir/tensor-ir.js';
import { runOnHost } from '../spike/host.js';
import { modelSummary } from '../spike/report.js';
import { mapConcurrently } from './pool.js';
import { table } from './stats.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const WORKLOADS = ['gemm.tc', 'resnet50_conv3x3.tc', 'mlp.tc', 'resnet50_conv1x1.tc', 'gemm_odd.tc', 'gemm_skinny.tc', 'mobilenet_pointwise.tc', 'attention.tc'];
const CHOICES = { dim: [4, 8, 16, 32], scratchpadKiB: [8, 16, 32, 64, 128, 256, 512], memLatencyCycles: [50, 100, 200, 300], maxInFlightRequests: [4, 8, 16] };

interface Point {
  readonly label: string;
  readonly func: TensorFunc;
  readonly config: GemminiConfig;
}

interface Outcome {
  readonly point: Point;
  readonly model?: number;
  readonly predicted?: number;
  readonly error?: number;
  readonly problem?: string;
}

/** `count` valid points drawn from `seed`. */
function drawPoints(count: number, seed: number): Point[] {
  const funcs = WORKLOADS.map((file) => {
    const { func, diagnostics } = compileSource(file, readFileSync(join(EXAMPLES, file), 'utf8'));
    if (!func) throw new Error(`${file}: ${diagnostics.items.map((d) => d.message).join('; ')}`);
    return func;
  });
  let state = mix32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[(state = mix32(state + 1)) % xs.length];
  const base = getPreset('default')!.config;
  const points: Point[] = [];
  while (points.length < count) {
    const fields = { dim: pick(CHOICES.dim), scratchpadKiB: pick(CHOICES.scratchpadKiB), memLatencyCycles: pick(CHOICES.memLatencyCycles), maxInFlightRequests: pick(CHOICES.maxInFlightRequests) };
    const func = pick(funcs);
    const { config } = validateConfig({ ...base, ...fields, name: 'survey' });
    if (!config) continue;
    points.push({ label: `${func.name} DIM ${fields.dim}, ${fields.scratchpadKiB} KiB, latency ${fields.memLatencyCycles}, ${fields.maxInFlightRequests} in flight`, func, config });
  }
  return points;
}

async function measure(point: Point): Promise<Outcome> {
  const build = compileForGemmini(point.func, point.config, undefined, undefined, {});
  if (!build.program) return { point, problem: build.diagnostics.items.map((d) => d.message).join('; ') };
  const run = await runOnHost(build.cSource, build.paramsHeader, { seed: 1 });
  if (run.status !== 'ok' || !run.report) return { point, problem: `${run.status}: ${run.message}` };
  const model = modelSummary(run.report).cycles;
  const predicted = estimateProgram(build.program, point.config).cycles;
  return { point, model, predicted, error: (100 * (predicted - model)) / model };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const option = (name: string, fallback: number): number => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const [count, seed, show] = [option('--points', 150), option('--seed', 1), option('--show', 10)];
  const t0 = performance.now();
  const points = drawPoints(count, seed);
  // Each point waits on the C compiler and the model most of the time.
  const outcomes = await mapConcurrently(points, availableParallelism() + 1, measure);
  const measured = outcomes.filter((o) => o.error !== undefined).sort((a, b) => Math.abs(b.error!) - Math.abs(a.error!));
  const errors = measured.map((o) => Math.abs(o.error!)).sort((a, b) => a - b);
  const at = (q: number): string => `${errors[Math.min(errors.length - 1, Math.floor(q * errors.length))].toFixed(2)}%`;
  console.log(`cost model vs host model on ${count} random sweep points (seed ${seed}), ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  console.log(table(['point', 'model cycles', 'predicted', 'error'], measured.slice(0, show).map((o) => [o.point.label, String(o.model), String(o.predicted), `${o.error! >= 0 ? '+' : ''}${o.error!.toFixed(1)}%`])));
  for (const o of outcomes.filter((x) => x.problem)) console.log(`not measured: ${o.point.label}: ${o.problem}`);
  console.log(`\n${measured.length} points: |error| median ${at(0.5)}, 90th percentile ${at(0.9)}, max ${errors[errors.length - 1].toFixed(2)}%`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
