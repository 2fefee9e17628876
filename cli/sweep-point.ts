// One sweep point, start to finish: validate its configuration, compile its
// workload, measure it with the sweep's runner, and return the record that
// goes to the results file. The same code runs in the main thread and in the
// worker threads (cli/sweep-worker.ts).
//
// A point the configuration validator or the compiler rejects is `skipped`
// with their reason; a point whose run disagrees with the reference
// interpreter is `fail`; anything else that goes wrong (a C build error, a
// crash of tc itself) is `error` with its message. Nothing here throws for a
// point: one bad point never stops a sweep.
//
// Runners: `host` builds the C with tc's host model of Gemmini, runs it for
// every seed and compares each output with the reference interpreter;
// `analytical` asks the cost model (gemmini/cost.ts, estimateProgram) for the
// same totals from the Program IR alone — estimates, nothing is run or checked.
//
// Work done once: a point's program is compiled and built once and run for
// every seed; per thread, each workload goes through the frontend once and
// its reference outputs are computed once per seed; the host model object is
// compiled once per configuration and cached on disk (spike/host.ts). Points
// are never compiled for one another: the passes may read any field of the
// configuration, so two configurations never share a program.

import { compileSource } from '../frontend/frontend.js';
import { derivedParams, formatConfigError, type GemminiConfig, validateConfig } from '../gemmini/config.js';
import { type CostEstimate, estimateProgram } from '../gemmini/cost.js';
import { interpret } from '../ir/interpret.js';
import type { TensorFunc } from '../ir/tensor-ir.js';
import { randomTensor, type Tensor } from '../ir/tensor-value.js';
import { gemmTileRows } from '../ir/tiled-verify.js';
import { gemminiTarget } from '../passes/target.js';
import { compareOutputs } from '../spike/compare.js';
import { buildOnHost, removeHostBuild, runHostBinary } from '../spike/host.js';
import { modelSummary } from '../spike/report.js';
import { compileForGemmini, type GemminiBuild } from './gemmini-driver.js';
import { type LoadedWorkload, type ParamValue, type RunnerName, type SweepPoint } from './sweep-spec.js';

export type PointStatus = 'pass' | 'fail' | 'estimated' | 'skipped' | 'error';

/** What a runner measures of one compiled point. */
interface Measurement {
  readonly status: 'pass' | 'fail' | 'estimated' | 'error';
  readonly reason?: string;
  readonly cycles?: number;
  /** MACs / (cycles × DIM²). */
  readonly utilization?: number;
  readonly macs?: number;
  readonly dramBytesRead?: number;
  readonly dramBytesWritten?: number;
  readonly loadBusyCycles?: number;
  readonly executeBusyCycles?: number;
  readonly storeBusyCycles?: number;
  readonly failedSeeds?: readonly number[];
  readonly buildMs?: number;
  readonly runMs?: number;
}

/** One line of results.jsonl. Optional fields are absent when the point never got that far. */
export interface SweepRecord extends Omit<Measurement, 'status'> {
  /** Record format version. */
  readonly v: 1;
  readonly id: string;
  readonly index: number;
  readonly configId: string;
  readonly workload: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly runner: RunnerName;
  readonly seeds: readonly number[];
  readonly status: PointStatus;
  /** Why a point was skipped, failed or errored. */
  readonly reason?: string;
  /** The dataflow the compiled program runs in. */
  readonly dataflow?: 'ws' | 'os';
  /** Peak rows the program's tile buffers occupy, and the memories' rows. */
  readonly scratchpadRowsUsed?: number;
  readonly scratchpadRows?: number;
  readonly accumulatorRowsUsed?: number;
  readonly accumulatorRows?: number;
  readonly peCount?: number;
  readonly sramKiB?: number;
  /** PE count + SRAM KiB: a relative measure, not an area (see cli/sweep-report.ts). */
  readonly relativeCost?: number;
  readonly compileMs?: number;
  /** Wall time of the whole point in its thread. */
  readonly wallMs: number;
  readonly finishedAt: string;
}

/** Everything a thread needs to run points; sent once to each worker. */
export interface RunnerContext {
  readonly runner: RunnerName;
  readonly seeds: readonly number[];
  readonly workloads: readonly LoadedWorkload[];
}

/** The cost model's estimate as a measurement: the same fields the host model reports. */
function measurementFromEstimate(e: CostEstimate): Measurement {
  return {
    status: 'estimated',
    cycles: e.cycles,
    utilization: e.utilization,
    macs: e.macs,
    dramBytesRead: e.dramBytesRead,
    dramBytesWritten: e.dramBytesWritten,
    loadBusyCycles: e.busyCycles.load,
    executeBusyCycles: e.busyCycles.execute,
    storeBusyCycles: e.busyCycles.store,
  };
}

// ---------------------------------------------------------------------------
// Memory use of the compiled program
// ---------------------------------------------------------------------------

/** Peak scratchpad and accumulator rows the gemms' tile buffers occupy (Mapped IR). */
export function memoryUse(mapped: TensorFunc | undefined, config: GemminiConfig): { scratchpadRowsUsed: number; accumulatorRowsUsed: number } | undefined {
  if (!mapped) return undefined;
  const target = gemminiTarget(config);
  let sp = 0;
  let acc = 0;
  for (const op of mapped.body) {
    if (op.kind !== 'gemm' || !op.tiling || !op.placement) continue;
    const rows = gemmTileRows(op.tiling, target.dim, target.kStep);
    if (op.placement.kind === 'rows') {
      const p = op.placement;
      sp = Math.max(sp, p.aRow + p.copies * rows.a, p.bRow + p.copies * rows.b);
      acc = Math.max(acc, p.cRow + p.copies * rows.c);
    } else {
      // LoopMatmul.scala: consecutive loops alternate between the two halves of each memory.
      sp = Math.max(sp, Math.min(target.scratchpadRows, target.scratchpadRows / 2 + rows.a + rows.b));
      acc = Math.max(acc, Math.min(target.accumulatorRows, target.accumulatorRows / 2 + rows.c));
    }
  }
  return { scratchpadRowsUsed: sp, accumulatorRowsUsed: acc };
}

/** The dataflow the (first) gemm was tiled for. */
function dataflowOf(mapped: TensorFunc | undefined): 'ws' | 'os' | undefined {
  for (const op of mapped?.body ?? []) if (op.kind === 'gemm' && op.tiling) return op.tiling.dataflow;
  return undefined;
}

// ---------------------------------------------------------------------------
// The point runner
// ---------------------------------------------------------------------------

export interface PointRunner {
  run(point: SweepPoint): Promise<SweepRecord>;
}

export function createPointRunner(ctx: RunnerContext): PointRunner {
  const funcs = new Map<number, { func?: TensorFunc; reason?: string }>();
  const expected = new Map<string, readonly Tensor[]>();

  const frontend = (w: number) => {
    let r = funcs.get(w);
    if (!r) {
      const wl = ctx.workloads[w];
      const fr = compileSource(wl.path, wl.source, { entry: wl.entry, sizes: new Map(Object.entries(wl.sizes)) });
      r = fr.func ? { func: fr.func } : { reason: fr.diagnostics.items.filter((d) => d.severity === 'error').map((d) => d.message).join('; ') };
      funcs.set(w, r);
    }
    return r;
  };

  const reference = (w: number, func: TensorFunc, seed: number): readonly Tensor[] => {
    const key = `${w}/${seed}`;
    let out = expected.get(key);
    if (!out) {
      out = interpret(func, func.params.map((p, i) => randomTensor(p.type, seed, i)));
      expected.set(key, out);
    }
    return out;
  };

  const compile = (w: number, func: TensorFunc, config: GemminiConfig, meshDataflow: 'ws' | 'os' | undefined): { build: GemminiBuild; ms: number } => {
    const t0 = performance.now();
    // Analytical points run nothing: the per-instruction Program IR check is left to the host runner and tc's tests, and no C is written.
    const runs = ctx.runner !== 'analytical';
    const build = compileForGemmini(func, config, ctx.workloads[w].path, undefined, { dataflow: meshDataflow, verifyInstructions: runs, emitC: runs });
    return { build, ms: performance.now() - t0 };
  };

  const measureOnHost = async (w: number, func: TensorFunc, build: GemminiBuild): Promise<Measurement> => {
    const host = await buildOnHost(build.cSource, build.paramsHeader);
    try {
      if (host.status !== 'ok') return { status: 'error', reason: host.message ?? host.status, buildMs: host.buildMs };
      let first: Measurement | undefined;
      const failed: number[] = [];
      const reasons: string[] = [];
      let runMs = 0;
      for (const seed of ctx.seeds) {
        const r = await runHostBinary(host, { seed });
        runMs += r.runMs;
        if (r.status !== 'ok' || !r.report) {
          failed.push(seed);
          reasons.push(`seed ${seed}: ${r.status}: ${(r.message ?? '').split('\n')[0]}`);
          continue;
        }
        const want = reference(w, func, seed);
        const c = compareOutputs(want, r.report.outputs);
        if (!c.pass) {
          failed.push(seed);
          const elements = want.reduce((n, t) => n + t.data.length, 0);
          reasons.push(`seed ${seed}: ${c.problems.length ? c.problems.join('; ') : `${c.mismatchCount} of ${elements} elements differ from the reference interpreter`}`);
        }
        if (!first) {
          const s = modelSummary(r.report);
          const busy = (name: string): number | undefined => {
            const v = Number(r.report!.model.find((m) => m.record === 'queue' && m.fields.name === name)?.fields.busy_cycles);
            return Number.isFinite(v) ? v : undefined;
          };
          first = {
            status: 'pass',
            cycles: r.report.cycles ?? s.cycles,
            utilization: s.utilization,
            macs: s.macs,
            dramBytesRead: s.dram_bytes_read,
            dramBytesWritten: s.dram_bytes_written,
            loadBusyCycles: busy('load'),
            executeBusyCycles: busy('execute'),
            storeBusyCycles: busy('store'),
          };
        }
      }
      const status = failed.length ? 'fail' : 'pass';
      return { ...first, status, reason: reasons.length ? reasons.join('; ') : undefined, failedSeeds: failed.length ? failed : undefined, buildMs: host.buildMs, runMs };
    } finally {
      removeHostBuild(host);
    }
  };

  return {
    async run(point) {
      const t0 = performance.now();
      const wl = ctx.workloads[point.workload];
      const head = { v: 1 as const, id: point.id, index: point.index, configId: point.configId, workload: wl.name, params: point.params, runner: ctx.runner, seeds: ctx.seeds };
      const finish = (fields: Omit<SweepRecord, keyof typeof head | 'wallMs' | 'finishedAt'>): SweepRecord => ({
        ...head,
        ...fields,
        wallMs: Math.round(performance.now() - t0),
        finishedAt: new Date().toISOString(),
      });
      try {
        const { config, errors } = validateConfig(point.config);
        if (!config) return finish({ status: 'skipped', reason: `invalid configuration: ${errors.map(formatConfigError).join('; ')}` });
        const p = derivedParams(config);
        const sramKiB = config.scratchpadKiB + config.accumulatorKiB;
        const peCount = config.dim * config.dim;
        const hardware = { peCount, sramKiB, relativeCost: peCount + sramKiB, scratchpadRows: p.SP_ROWS, accumulatorRows: p.ACC_ROWS };
        const fe = frontend(point.workload);
        if (!fe.func) return finish({ status: 'error', reason: `the workload does not compile: ${fe.reason}`, ...hardware });
        const { build, ms: compileMs } = compile(point.workload, fe.func, config, point.meshDataflow);
        if (build.diagnostics.hasErrors || !build.program) {
          const why = build.diagnostics.items.filter((d) => d.severity === 'error').map((d) => d.message);
          return finish({ status: 'skipped', reason: `does not compile for this configuration: ${why.join('; ') || 'no program'}`, ...hardware, compileMs: round(compileMs) });
        }
        const use = memoryUse(build.mapped, config);
        const t1 = performance.now();
        const m = ctx.runner === 'host' ? await measureOnHost(point.workload, fe.func, build) : { ...measurementFromEstimate(build.estimate ?? estimateProgram(build.program, config)), runMs: performance.now() - t1 };
        return finish({ ...m, dataflow: dataflowOf(build.mapped), ...hardware, ...use, compileMs: round(compileMs), buildMs: round(m.buildMs), runMs: round(m.runMs) });
      } catch (e) {
        return finish({ status: 'error', reason: `internal error in tc: ${(e as Error).message}` });
      }
    },
  };
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 10) / 10;
}
