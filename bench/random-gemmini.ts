// Random Gemmini programs and configurations for the randomized correctness
// test (test/gemmini-random.test.ts, a few cases) and bench
// (bench/random-correctness.ts, hundreds). A case is a function of
// (base seed, index) only, so case 17 of seed 1 is the same program and
// configuration in every run, and adding cases never changes earlier ones.
//
// Programs: GEMMs (int8 A @ B with or without an int32 bias row, an int32
// [M, N] residual, requant to int8 or the raw int32 sum, ReLU; "extreme" ones
// whose operands are almost all ±128, so that the mesh's partial sums reach
// 2^19 within one block) and NHWC
// convolutions (1x1 and 3x3 kernels, stride 1 and 2, padding 0 and 1, small
// channel counts), with sizes from SIZES: powers of two, their neighbours
// and primes, so that every edge (partial blocks, one-element tiles) is hit.
// Configurations: DIM 4..32 with scratchpads and accumulators from the
// smallest that hold one double-buffered DIM×DIM tile upwards, so that the
// tiling is forced into many tiles; WS, OS or both dataflows (and, with both,
// either forced with tc's --dataflow option); loop_ws on or off, DMA request
// sizes, banks and the mesh's partial-sum width varied.

import { compileSource } from '../frontend/frontend.js';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { interpret } from '../ir/interpret.js';
import { randomTensor } from '../ir/tensor-value.js';
import { validateConfig, formatConfigError, type GemminiConfig } from '../gemmini/config.js';
import { compareOutputs, type Mismatch } from '../spike/compare.js';
import { buildOnHost, removeHostBuild, runHostBinary } from '../spike/host.js';

export const SIZES = [1, 2, 15, 16, 17, 31, 32, 33, 47, 64, 97, 127] as const;
export const DIMS = [4, 8, 16, 32] as const;
const CONV_SPATIAL = [1, 2, 3, 15, 16, 17, 31, 32, 33] as const;
const CONV_CHANNELS = [1, 2, 3, 15, 16, 17, 31, 32, 33] as const;
/** Largest conv in multiply-accumulates (keeps a case under a second or two). */
const CONV_MAC_BUDGET = 3_000_000;

/** mulberry32: a small seeded generator; enough for choosing cases. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface RandomCase {
  readonly index: number;
  readonly kind: 'gemm' | 'conv';
  /** One line: shape and variant, e.g. "gemm 17x33x15 bias residual requant relu". */
  readonly summary: string;
  /** The program as a .tc file. */
  readonly source: string;
  readonly config: GemminiConfig;
  /** A dataflow forced on the tile step (`tc --dataflow`); undefined: tc's default for the configuration. */
  readonly dataflow?: 'ws' | 'os';
  /** The configuration as a file `tc --config FILE` and validateConfig accept. */
  readonly configJson: Record<string, unknown>;
  readonly macs: number;
}

/** A scale that keeps most requantised outputs inside int8 for inputs uniform in [-128, 127]. */
function randomScale(rng: Rng, reduction: number, extraStd: number, productStd: number): string {
  const std = Math.sqrt(reduction * productStd ** 2 + extraStd ** 2);
  if (rng.chance(0.1)) return '1'; // saturates almost everything: the clamp path
  if (rng.chance(0.3)) return `1/${2 ** Math.max(0, Math.round(Math.log2(std / 40)) + rng.int(-1, 1))}`;
  const s = rng.int(15, 150) / std;
  return s.toPrecision(3);
}

// One i8 x i8 product of uniform values has a standard deviation of about 74^2.
const UNIFORM_PRODUCT_STD = 5461;

function epilogue(rng: Rng, sum: string, reduction: number, extraStd: number, productStd = UNIFORM_PRODUCT_STD): { expr: string; out: 'i8' | 'i32'; words: string[] } {
  if (rng.chance(0.25)) {
    if (rng.chance(0.2)) return { expr: `relu(${sum})`, out: 'i32', words: ['i32', 'relu'] };
    return { expr: sum, out: 'i32', words: ['i32'] };
  }
  const scale = randomScale(rng, reduction, extraStd, productStd);
  const relu = rng.pick(['none', 'outer', 'inner'] as const);
  const expr =
    relu === 'outer' ? `relu(requant(${sum}, ${scale}))` : relu === 'inner' ? `requant(relu(${sum}), ${scale})` : `requant(${sum}, ${scale})`;
  return { expr, out: 'i8', words: [`requant ${scale}`, ...(relu === 'none' ? [] : [`relu-${relu}`])] };
}

function randomGemm(rng: Rng): { source: string; summary: string; macs: number } {
  const [m, k, n] = [rng.pick(SIZES), rng.pick(SIZES), rng.pick(SIZES)];
  // Extreme operands: the CPU saturates int32 inputs into A = -128 (96%) or
  // 127 and B = -128 (or 127) likewise, so that DIM-long runs of 128·128
  // products occur: sums reach 2^19 within one DIM-32 block and far more over
  // K, and a mesh with narrow partial sums (20 bits by default) must not wrap.
  const extreme = rng.chance(0.15);
  const bias = rng.chance(0.5);
  const residual = rng.chance(0.3);
  const params = extreme ? [`a: i32[${m}, ${k}]`, `b: i32[${k}, ${n}]`] : [`a: i8[${m}, ${k}]`, `b: i8[${k}, ${n}]`];
  const prologue = extreme ? `  x = requant(a - 30000, 1000)\n  y = requant(b ${rng.pick(['-', '+'])} 30000, 1000)\n` : '';
  let sum = extreme ? 'x @ y' : 'a @ b';
  if (bias) {
    params.push(`bias: i32[${n}]`);
    sum += ' + bias';
  }
  if (residual) {
    params.push(`r: i32[${m}, ${n}]`);
    sum += ' + r';
  }
  // Bias and residual are uniform in [-32768, 32767]: standard deviation about 18900 each.
  // Extreme sums are about ±16384·k (nearly every product is ±2^14).
  const e = epilogue(rng, sum, k, 18900 * Math.sqrt(Number(bias) + Number(residual)), extreme ? 16384 * Math.sqrt(k) : UNIFORM_PRODUCT_STD);
  const source = `def f(${params.join(', ')}) -> ${e.out}[${m}, ${n}] {\n${prologue}  return ${e.expr}\n}\n`;
  const words = [...(extreme ? ['extreme'] : []), ...(bias ? ['bias'] : []), ...(residual ? ['residual'] : []), ...e.words];
  return { source, summary: `gemm ${m}x${k}x${n} ${words.join(' ')}`, macs: m * k * n };
}

function randomConv(rng: Rng): { source: string; summary: string; macs: number } {
  for (;;) {
    const batch = rng.pick([1, 1, 2]);
    const [h, w] = [rng.pick(CONV_SPATIAL), rng.pick(CONV_SPATIAL)];
    const [c, oc] = [rng.pick(CONV_CHANNELS), rng.pick(CONV_CHANNELS)];
    const kernel = rng.pick([1, 3]);
    const stride = rng.pick([1, 2]);
    const padding = rng.pick([0, 1]);
    if (h + 2 * padding < kernel || w + 2 * padding < kernel) continue;
    const oh = Math.floor((h + 2 * padding - kernel) / stride) + 1;
    const ow = Math.floor((w + 2 * padding - kernel) / stride) + 1;
    const macs = batch * oh * ow * oc * kernel * kernel * c;
    if (macs > CONV_MAC_BUDGET) continue;
    const bias = rng.chance(0.6);
    const params = [`x: i8[${batch}, ${h}, ${w}, ${c}]`, `w: i8[${kernel}, ${kernel}, ${c}, ${oc}]`];
    let sum = `conv2d(x, w, stride=${stride}, padding=${padding})`;
    if (bias) {
      params.push(`b: i32[${oc}]`);
      sum += ' + b';
    }
    const e = epilogue(rng, sum, kernel * kernel * c, bias ? 18900 : 0);
    const source = `def f(${params.join(', ')}) -> ${e.out}[${batch}, ${oh}, ${ow}, ${oc}] {\n  return ${e.expr}\n}\n`;
    const shape = `${batch}x${h}x${w}x${c} k${kernel} s${stride} p${padding} -> ${oc}`;
    return { source, summary: `conv ${shape} ${[...(bias ? ['bias'] : []), ...e.words].join(' ')}`, macs };
  }
}

/**
 * A configuration with DIM from DIMS and small memories. The smallest
 * scratchpad holds two copies of one DIM×DIM A and B tile (4·DIM rows), the
 * smallest accumulator two DIM×DIM C tiles (2·DIM rows): what tc's tiling
 * needs at least. Sizes are KiB, so for DIM 4 and 8 the smallest is larger.
 */
function randomConfig(rng: Rng, index: number): { config: GemminiConfig; json: Record<string, unknown> } {
  // DIM cycles with the index, so that any four consecutive cases cover every DIM.
  const dim = DIMS[index % DIMS.length];
  const spMinKiB = Math.max(1, (4 * dim * dim) / 1024);
  const accMinKiB = Math.max(1, (2 * dim * dim * 4) / 1024);
  const spKiB = spMinKiB * rng.pick([1, 1, 2, 4, 16]);
  const accKiB = accMinKiB * rng.pick([1, 1, 2, 4]);
  const spRows = (spKiB * 1024) / dim;
  const accRows = (accKiB * 1024) / (4 * dim);
  // Banks: rows per bank a power of two and a multiple of DIM (config.ts checks both).
  const spBanks = rng.pick([1, 2, 4].filter((b) => spRows % b === 0 && (spRows / b) % dim === 0));
  const accBanks = rng.pick([1, 2].filter((b) => accRows % b === 0 && (accRows / b) % dim === 0));
  const json: Record<string, unknown> = {
    name: `random-${index}-dim${dim}`,
    dim,
    inputType: 'int8',
    accType: 'int32',
    outputType: 'int8',
    dataflow: rng.pick(['WS', 'OS', 'both', 'both']),
    scratchpadKiB: spKiB,
    scratchpadBanks: spBanks,
    accumulatorKiB: accKiB,
    accumulatorBanks: accBanks,
    dmaMaxBytes: rng.pick([16, 64, 64, 128]),
    hasLoopWs: rng.chance(0.6),
    spatialArrayOutputBits: rng.pick([20, 20, 32]),
    memLatencyCycles: rng.pick([20, 100]),
  };
  const { config, errors } = validateConfig(json);
  if (!config) throw new Error(`random config ${JSON.stringify(json)} is invalid: ${errors.map(formatConfigError).join('; ')}`);
  return { config, json };
}

/** Case `index` of `baseSeed`: a function of both only. */
export function randomCase(baseSeed: number, index: number): RandomCase {
  const rng = new Rng((Math.imul(baseSeed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
  const kind = rng.chance(0.6) ? 'gemm' : 'conv';
  const program = kind === 'gemm' ? randomGemm(rng) : randomConv(rng);
  const { config, json } = randomConfig(rng, index);
  // On a configuration with both dataflows, tc picks one; force either now and then.
  const dataflow = config.dataflow === 'both' ? rng.pick([undefined, 'ws', 'os'] as const) : undefined;
  return { index, kind, ...program, config, dataflow, configJson: json };
}

export function randomCases(baseSeed: number, count: number, first = 0): RandomCase[] {
  return Array.from({ length: count }, (_, i) => randomCase(baseSeed, first + i));
}

export type FailureStage = 'frontend' | 'compile' | 'build' | 'run' | 'compare';

export interface CaseOutcome {
  readonly pass: boolean;
  readonly stage?: FailureStage;
  readonly message?: string;
  readonly seed?: number;
  readonly mismatches?: number;
  readonly firstMismatches?: readonly Mismatch[];
  readonly cycles?: number;
}

/** Compiles, builds once, runs with every seed and compares every element with the interpreter. */
export async function runCase(c: RandomCase, seeds: readonly number[] = [1, 2]): Promise<CaseOutcome> {
  let func;
  try {
    const fe = compileSource(`random-${c.index}.tc`, c.source);
    if (!fe.func || fe.diagnostics.hasErrors)
      return { pass: false, stage: 'frontend', message: fe.diagnostics.items.map((d) => d.message).join('\n') };
    func = fe.func;
  } catch (e) {
    return { pass: false, stage: 'frontend', message: `threw: ${(e as Error).stack ?? e}` };
  }
  let build;
  try {
    build = compileForGemmini(func, c.config, `random-${c.index}.tc`, undefined, { dataflow: c.dataflow });
  } catch (e) {
    return { pass: false, stage: 'compile', message: `threw: ${(e as Error).stack ?? e}` };
  }
  if (build.diagnostics.hasErrors || !build.cSource)
    return { pass: false, stage: 'compile', message: build.diagnostics.items.map((d) => d.message).join('\n') };
  const binary = await buildOnHost(build.cSource, build.paramsHeader);
  try {
    if (binary.status !== 'ok') return { pass: false, stage: 'build', message: binary.message };
    let cycles: number | undefined;
    for (const seed of seeds) {
      const run = await runHostBinary(binary, { seed });
      if (run.status !== 'ok' || !run.report) return { pass: false, stage: 'run', seed, message: `${run.status}: ${run.message ?? ''}` };
      const expected = interpret(func, func.params.map((p, i) => randomTensor(p.type, seed, i)));
      const cmp = compareOutputs(expected, run.report.outputs);
      if (!cmp.pass)
        return {
          pass: false,
          stage: 'compare',
          seed,
          mismatches: cmp.mismatchCount,
          firstMismatches: cmp.firstMismatches.slice(0, 5),
          message: [...cmp.problems, `${cmp.mismatchCount} elements differ`].join('; '),
        };
      cycles ??= run.report.cycles;
    }
    return { pass: true, cycles };
  } finally {
    removeHostBuild(binary);
  }
}

/** What a person needs to reproduce a case by hand: the program, the configuration and the command. */
export function describeCase(c: RandomCase, outcome?: CaseOutcome): string {
  const flow = c.dataflow ? ` --dataflow ${c.dataflow}` : '';
  const lines = [`case ${c.index}: ${c.summary} on DIM ${c.config.dim} ${c.config.dataflow}${flow} (${c.config.name})`];
  if (outcome && !outcome.pass) {
    lines.push(`  failed at ${outcome.stage}${outcome.seed === undefined ? '' : ` (seed ${outcome.seed})`}: ${outcome.message ?? ''}`);
    for (const m of outcome.firstMismatches ?? []) lines.push(`    [${m.index.join(', ')}] expected ${m.expected}, got ${m.actual}`);
  }
  lines.push('  --- case.tc', ...c.source.trimEnd().split('\n').map((l) => `  ${l}`));
  lines.push('  --- config.json', `  ${JSON.stringify(c.configJson)}`);
  lines.push(`  --- tc run --target gemmini --config config.json${flow} --seed ${outcome?.seed ?? 1} case.tc`);
  return lines.join('\n');
}
