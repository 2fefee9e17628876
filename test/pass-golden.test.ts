// Golden files of the Gemmini pipeline: test/golden/passes/EXAMPLE/NN-STEP.ir
// holds the IR after STEP (00-input.ir: the frontend's Tensor IR). Each step
// is also checked as a pure function of text: parse the file before it, run
// the step, print, compare with the file after it. To accept changes:
//   TC_UPDATE_GOLDEN=1 npx vitest run test/pass-golden.test.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../frontend/frontend.js';
import { Diagnostics } from '../ir/diagnostics.js';
import { printProgram } from '../ir/program-print.js';
import { parseTensorFunc } from '../ir/tensor-parse.js';
import { printTensorFunc } from '../ir/tensor-print.js';
import type { TensorFunc } from '../ir/tensor-ir.js';
import { getPreset } from '../gemmini/presets.js';
import { canonicalize } from '../passes/canonicalize.js';
import { emitInstructions } from '../passes/emit-instructions.js';
import { fuse } from '../passes/fuse.js';
import { mapMemory } from '../passes/map-memory.js';
import { PASS_NAMES, runGemminiPipeline } from '../passes/pipeline.js';
import { gemminiTarget } from '../passes/target.js';
import { tile } from '../passes/tile.js';

const update = process.env.TC_UPDATE_GOLDEN === '1';
const EXAMPLES = ['gemm_bias_relu', 'gemm_odd', 'mlp', 'attention', 'resnet50_conv1x1', 'resnet50_conv3x3', 'maxpool'];
const target = gemminiTarget(getPreset('default')!.config);
const steps: Record<string, (f: TensorFunc) => string> = {
  canonicalize: (f) => printTensorFunc(canonicalize(f, target, new Diagnostics())),
  fuse: (f) => printTensorFunc(fuse(f, target, new Diagnostics())),
  tile: (f) => printTensorFunc(tile(f, target, new Diagnostics())),
  'map-memory': (f) => printTensorFunc(mapMemory(f, target, new Diagnostics())),
  'emit-instructions': (f) => printProgram(emitInstructions(f, target, new Diagnostics())),
};
const fileOf = (example: string, i: number, step: string): string => join('test/golden/passes', example, `${String(i).padStart(2, '0')}-${step}.ir`);

function golden(path: string, text: string): void {
  if (update || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describe.each(EXAMPLES)('pipeline goldens of %s', (example) => {
  const src = join('examples', `${example}.tc`);
  const { func } = compileSource(src, readFileSync(src, 'utf8'));
  mkdirSync(join('test/golden/passes', example), { recursive: true });

  it('the IR after every step matches its golden file, and every verifier passes', () => {
    const texts = new Map<string, string>();
    const log = new Diagnostics();
    const result = runGemminiPipeline(func!, target, log, (step, text) => texts.set(step, text));
    expect(log.items).toEqual([]);
    expect(result.program).toBeDefined();
    golden(fileOf(example, 0, 'input'), printTensorFunc(func!));
    PASS_NAMES.forEach((step, i) => golden(fileOf(example, i + 1, step), texts.get(step)!));
  });

  it.each(PASS_NAMES.map((s, i) => [s, i] as const))('%s is a function of the text before it', (step, i) => {
    const before = readFileSync(fileOf(example, i, i === 0 ? 'input' : PASS_NAMES[i - 1]), 'utf8');
    const parsed = parseTensorFunc(before);
    expect(parsed.diagnostics.items).toEqual([]);
    expect(steps[step](parsed.value!)).toBe(readFileSync(fileOf(example, i + 1, step), 'utf8'));
  });
});
