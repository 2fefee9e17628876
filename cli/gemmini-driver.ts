// The Gemmini compile-and-run driver shared by `tc compile --target gemmini`,
// `tc run` and, later, sweeps: Tensor IR -> Program IR -> C, then a runner.

import { Diagnostics } from '../ir/diagnostics.js';
import { interpret } from '../ir/interpret.js';
import type { ProgramFunc } from '../ir/program-ir.js';
import { type TensorFunc, typeMap } from '../ir/tensor-ir.js';
import { randomTensor, type Tensor } from '../ir/tensor-value.js';
import { emitGemminiC } from '../backends/gemmini-c/emit.js';
import type { GemminiConfig } from '../gemmini/config.js';
import { renderGemminiParams } from '../gemmini/params.js';
import { runGemminiPipeline, type PassName, type PipelineOptions } from '../passes/pipeline.js';
import { gemminiTarget } from '../passes/target.js';
import { placeGemm } from '../passes/map-memory.js';
import type { CostEstimate } from '../gemmini/cost.js';
import type { TensorType } from '../ir/types.js';
import { compareOutputs, type Comparison } from '../spike/compare.js';
import type { RunResult, SimKind } from '../spike/result.js';
import { RUNNERS, type RunOptions } from '../spike/runner.js';

export interface GemminiBuild {
  readonly program?: ProgramFunc;
  /** The Mapped IR (gemms with tiles and placements), for the compile report. */
  readonly mapped?: TensorFunc;
  readonly cSource: string;
  readonly paramsHeader: string;
  readonly diagnostics: Diagnostics;
  /**
   * The analytical model's estimate of the program when it has one gemm:
   * map-memory costed exactly these instructions to place it (CPU ops cost
   * nothing), so it is estimateProgram(program) without a second run.
   */
  readonly estimate?: CostEstimate;
}

export interface DriverOptions extends PipelineOptions {
  /** Whether the C program and its gemmini_params.h are written (default yes): the analytical sweep runner runs nothing. */
  readonly emitC?: boolean;
}

export function compileForGemmini(
  func: TensorFunc,
  config: GemminiConfig,
  sourceName?: string,
  dump?: (step: PassName, text: string) => void,
  options: DriverOptions = {},
): GemminiBuild {
  const diagnostics = new Diagnostics();
  const emitC = options.emitC ?? true;
  const paramsHeader = emitC ? renderGemminiParams(config) : '';
  if (config.inputType !== 'int8') {
    diagnostics.error(`configuration '${config.name}' has ${config.inputType} inputs; tc's Gemmini lowering supports int8 configurations so far`);
    return { cSource: '', paramsHeader, diagnostics };
  }
  const target = gemminiTarget(config);
  const { program, stages } = runGemminiPipeline(func, target, diagnostics, dump, options);
  if (!program) return { cSource: '', paramsHeader, diagnostics };
  const cSource = emitC ? emitGemminiC(program, { sourceName, comment: [`configuration: ${config.name} (DIM ${target.dim})`] }) : '';
  const mapped = stages.get('map-memory') as TensorFunc;
  const gemms = mapped.body.filter((op) => op.kind === 'gemm');
  let estimate: CostEstimate | undefined;
  if (gemms.length === 1 && gemms[0].kind === 'gemm' && gemms[0].tiling) {
    const types = typeMap(mapped);
    estimate = placeGemm(gemms[0], gemms[0].tiling, (name) => types.get(name) as TensorType, target).estimate.full();
  }
  return { program, mapped, cSource, paramsHeader, diagnostics, estimate };
}

export interface GemminiRun {
  readonly result: RunResult;
  readonly expected: readonly Tensor[];
  readonly comparison?: Comparison;
}

/** Runs on the host model unless `sim` names another runner (spike/runner.ts). */
export async function runForGemmini(func: TensorFunc, build: GemminiBuild, seed: number, options: RunOptions & { readonly sim?: SimKind } = {}): Promise<GemminiRun> {
  const inputs = func.params.map((p, i) => randomTensor(p.type, seed, i));
  const expected = interpret(func, inputs);
  const result = await RUNNERS[options.sim ?? 'host'].run(build.cSource, build.paramsHeader, { ...options, seed });
  if (result.status !== 'ok' || !result.report) return { result, expected };
  return { result, expected, comparison: compareOutputs(expected, result.report.outputs) };
}
