// Tensor IR text: one op per line, every value's type spelled out.
//
//   func @name(%a: i8[64, 32], %b: i8[32, 16]) -> (i32[64, 16]) {
//     %0: i32[64, 16] = matmul %a, %b
//     return %0
//   }

import { formatAffine, REDUCE_SYMBOL, type ScalarExpr, type TensorFunc, type TensorOp } from './tensor-ir.js';
import { formatType } from './types.js';
import type { SourceLoc } from './diagnostics.js';

export interface PrintOptions {
  /** Append loc("file":line:col) to ops that came from source. */
  readonly locs?: boolean;
}

export function formatNumber(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

function formatLoc(loc: SourceLoc): string {
  return ` loc(${JSON.stringify(loc.file)}:${loc.line}:${loc.col})`;
}

export function printScalarExpr(e: ScalarExpr): string {
  switch (e.kind) {
    case 'read':
      return `%${e.tensor}[${e.subscripts.map(formatAffine).join(', ')}]`;
    case 'lit':
      return `${formatNumber(e.value)}:${e.dtype}`;
    case 'bin':
      return `${e.op}:${e.dtype}(${printScalarExpr(e.lhs)}, ${printScalarExpr(e.rhs)})`;
    case 'neg':
      return `neg:${e.dtype}(${printScalarExpr(e.operand)})`;
  }
}

export function printOpRhs(op: TensorOp): string {
  switch (op.kind) {
    case 'matmul':
      return `matmul %${op.lhs}, %${op.rhs}`;
    case 'conv2d':
      return `conv2d %${op.input}, %${op.weight} stride=${op.stride} padding=${op.padding}`;
    case 'binary':
      return `${op.op} %${op.lhs}, %${op.rhs}`;
    case 'relu':
      return `relu %${op.input}`;
    case 'clip':
      return `clip %${op.input} lo=${formatNumber(op.lo)} hi=${formatNumber(op.hi)}`;
    case 'requant':
      return `requant %${op.input} scale=${formatNumber(op.scale)}`;
    case 'convert':
      return `convert %${op.input}`;
    case 'transpose':
      return `transpose %${op.input} perm=[${op.perm.join(', ')}]`;
    case 'reshape':
      return `reshape %${op.input}`;
    case 'maxpool':
      return `maxpool %${op.input} size=${op.size} stride=${op.stride} padding=${op.padding}`;
    case 'sum':
      return `sum %${op.input} axis=${op.axis}`;
    case 'const':
      return `const ${formatNumber(op.value)}`;
    case 'gemm':
    {
      const t = op.tiling;
      const p = op.placement;
      const tile = t ? ` tile=[${t.tileM}, ${t.tileN}, ${t.tileK}] order=${t.order} dataflow=${t.dataflow}` : '';
      const map = !p ? '' : p.kind === 'loop_ws' ? ' map=loop_ws' : ` map=[a=sp[${p.aRow}], b=sp[${p.bRow}], c=acc[${p.cRow}], copies=${p.copies}]`;
      return `gemm %${op.a}, %${op.b}${op.bias ? ` bias=%${op.bias}` : ''}${op.scale !== undefined ? ` scale=${formatNumber(op.scale)}` : ''} act=${op.relu ? 'relu' : 'none'}${tile}${map}`;
    }
    case 'im2col':
      return `im2col %${op.input} kernel=[${op.kh}, ${op.kw}] stride=${op.stride} padding=${op.padding}`;
    case 'generic': {
      const idx = op.indices.map((iv) => `${iv.name} < ${iv.extent}`).join(', ');
      return `generic [${idx}] out[${op.outIndices.join(', ')}] ${REDUCE_SYMBOL[op.reduce]} ${printScalarExpr(op.body)}`;
    }
  }
}

export function printOp(op: TensorOp, options: PrintOptions = {}): string {
  const loc = options.locs && op.loc ? formatLoc(op.loc) : '';
  return `%${op.result}: ${formatType(op.type)} = ${printOpRhs(op)}${loc}`;
}

export function printTensorFunc(f: TensorFunc, options: PrintOptions = {}): string {
  const params = f.params.map((p) => `%${p.name}: ${formatType(p.type)}`).join(', ');
  const results = f.resultTypes.map(formatType).join(', ');
  const lines = [`func @${f.name}(${params}) -> (${results}) {`];
  for (const op of f.body) lines.push('  ' + printOp(op, options));
  lines.push(`  return ${f.results.map((r) => '%' + r).join(', ')}`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
