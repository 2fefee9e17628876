// The frontend in one call: source text -> checked Tensor IR, or diagnostics.

import { Diagnostics } from '../ir/diagnostics.js';
import type { TensorFunc } from '../ir/tensor-ir.js';
import { verifyTensorFunc } from '../ir/tensor-verify.js';
import { lowerProgram, type LowerOptions } from './lower.js';
import { parseProgram } from './parse.js';
import { SourceText } from './source.js';

export interface FrontendResult {
  readonly func?: TensorFunc;
  readonly diagnostics: Diagnostics;
}

export function compileSource(path: string, text: string, options: LowerOptions = {}): FrontendResult {
  const diagnostics = new Diagnostics();
  const source = new SourceText(path, text);
  const ast = parseProgram(source, diagnostics);
  if (!ast) return { diagnostics };
  const func = lowerProgram(ast, source, options, diagnostics);
  if (func) {
    // The frontend must only ever produce valid IR; a failure here is a tc bug.
    const v = verifyTensorFunc(func);
    if (v.hasErrors) throw new Error(`internal error: the frontend produced invalid Tensor IR:\n${v.items.map((d) => d.message).join('\n')}`);
  }
  return { func, diagnostics };
}
