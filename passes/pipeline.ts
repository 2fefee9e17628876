// The Gemmini pipeline, in order. Each step is a pure function of the IR
// before it; `dump` sees the IR text after every step (tc compile
// --dump-after STEP, --dump-all), and each level's verifier runs after the
// step that produces it.

import { Diagnostics } from '../ir/diagnostics.js';
import type { ProgramFunc } from '../ir/program-ir.js';
import { printProgram } from '../ir/program-print.js';
import { verifyProgram } from '../ir/program-verify.js';
import type { TensorFunc } from '../ir/tensor-ir.js';
import { printTensorFunc } from '../ir/tensor-print.js';
import { verifyTensorFunc } from '../ir/tensor-verify.js';
import { verifyMappedFunc, verifyTiledFunc } from '../ir/tiled-verify.js';
import { canonicalize } from './canonicalize.js';
import { emitInstructions } from './emit-instructions.js';
import { fuse } from './fuse.js';
import { mapMemory } from './map-memory.js';
import type { GemminiTarget } from './target.js';
import { tile, type TileOptions } from './tile.js';

export const PASS_NAMES = ['canonicalize', 'fuse', 'tile', 'map-memory', 'emit-instructions'] as const;
export type PassName = (typeof PASS_NAMES)[number];

/** Choices the user may force; the steps decide everything else. */
export interface PipelineOptions {
  /** The mesh's dataflow (tile step): WS by default where the target has it. */
  readonly dataflow?: TileOptions['dataflow'];
  /** How many tile sizes the tile step costs with the analytical model (benches only). */
  readonly shortlist?: TileOptions['shortlist'];
  /**
   * Whether the Program IR verifier runs after emit-instructions (default
   * yes). It checks every instruction instance, loops unrolled, which can
   * cost more than the rest of the compile: the analytical sweep runner,
   * which runs nothing, turns it off. Everything else keeps it.
   */
  readonly verifyInstructions?: boolean;
}

export interface PipelineResult {
  readonly program?: ProgramFunc;
  /** The IR after each step that ran, by step name. */
  readonly stages: ReadonlyMap<PassName, TensorFunc | ProgramFunc>;
}

/**
 * Runs the steps in order and stops at the first that reports an error.
 * A verifier failing after a step is tc's own bug and is reported as one.
 */
export function runGemminiPipeline(
  input: TensorFunc,
  target: GemminiTarget,
  log: Diagnostics,
  dump?: (step: PassName, text: string) => void,
  options: PipelineOptions = {},
): PipelineResult {
  const stages = new Map<PassName, TensorFunc | ProgramFunc>();
  const checked = <T extends TensorFunc | ProgramFunc>(step: PassName, ir: T, verify: (ir: T) => Diagnostics, print: (ir: T) => string): T | undefined => {
    stages.set(step, ir);
    dump?.(step, print(ir));
    if (log.hasErrors) return undefined;
    const v = verify(ir);
    for (const d of v.items) log.error(`internal error: the IR after ${step} is invalid: ${d.message}`, d.loc);
    return v.hasErrors ? undefined : ir;
  };
  const tensor = (f: TensorFunc): Diagnostics => verifyTensorFunc(f);
  let f: TensorFunc | undefined = input;
  f = checked('canonicalize', canonicalize(f, target, log), tensor, printTensorFunc);
  if (!f) return { stages };
  f = checked('fuse', fuse(f, target, log), tensor, printTensorFunc);
  if (!f) return { stages };
  f = checked('tile', tile(f, target, log, { dataflow: options.dataflow, shortlist: options.shortlist }), (x) => verifyTiledFunc(x, target), printTensorFunc);
  if (!f) return { stages };
  f = checked('map-memory', mapMemory(f, target, log), (x) => verifyMappedFunc(x, target), printTensorFunc);
  if (!f) return { stages };
  const verifyInstructions = options.verifyInstructions ?? true;
  const program = checked('emit-instructions', emitInstructions(f, target, log), (p) => (verifyInstructions ? verifyProgram(p, target) : new Diagnostics()), printProgram);
  return { program, stages };
}
