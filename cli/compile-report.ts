// The compile report `tc compile --target gemmini` writes beside the C: what
// runs where, the tiles chosen, the memory map, the cycles the analytical
// model predicts and the instruction counts.

import type { CostEstimate } from '../gemmini/cost.js';
import type { ProgramFunc } from '../ir/program-ir.js';
import { forEachStmt } from '../ir/program-verify.js';
import { type TensorFunc, type TensorOp, typeMap } from '../ir/tensor-ir.js';
import { formatType, type TensorType } from '../ir/types.js';

export interface CompileReportInput {
  readonly source: string;
  readonly configName: string;
  readonly dim: number;
  /** The Mapped IR: gemm ops with their tiles and placements. */
  readonly mapped: TensorFunc;
  readonly program: ProgramFunc;
  /** The analytical model's estimate of the program (gemmini/cost.ts). */
  readonly estimate: CostEstimate;
}

function describeOp(op: TensorOp): string {
  return op.kind === 'gemm'
    ? `gemm${op.bias ? ' + bias' : ''}${op.scale !== undefined ? ' + requant' : ''}${op.relu ? ' + relu' : ''}`
    : op.kind;
}

export function compileReport(r: CompileReportInput): string {
  const types = typeMap(r.mapped);
  const lines: string[] = [];
  lines.push(`tc compile report: ${r.source}, @${r.mapped.name}, Gemmini '${r.configName}' (DIM ${r.dim})`, '');
  lines.push('ops:');
  for (const op of r.mapped.body) {
    const where = op.kind === 'gemm' ? 'Gemmini' : op.kind === 'reshape' ? 'view (no code)' : 'CPU';
    lines.push(`  %${op.result}: ${formatType(op.type)} = ${describeOp(op)}  -> ${where}`);
    if (op.kind === 'gemm') {
      const [m, k] = (types.get(op.a) as TensorType).shape;
      const n = (types.get(op.b) as TensorType).shape[1];
      lines.push(`      ${m}x${k} @ ${k}x${n}, ${m * n * k} MACs`);
      if (op.tiling)
        lines.push(`      ${op.tiling.dataflow === 'ws' ? 'weight' : 'output'}-stationary, tiles M ${op.tiling.tileM}, N ${op.tiling.tileN}, K ${op.tiling.tileK}, loop order ${op.tiling.order}`);
      const p = op.placement;
      if (p?.kind === 'loop_ws') lines.push('      memory: placed by the loop_ws unroller (half the scratchpad and accumulator per loop)');
      else if (p) lines.push(`      memory: A at scratchpad row ${p.aRow}, B at row ${p.bRow}, C at accumulator row ${p.cRow}, ${p.copies} cop${p.copies === 1 ? 'y' : 'ies'} each`);
    }
  }
  const cpu = r.mapped.body.filter((op) => op.kind !== 'gemm' && op.kind !== 'reshape');
  if (cpu.length) lines.push('', `${cpu.length} op${cpu.length === 1 ? '' : 's'} run on the CPU in plain C (Gemmini has no unit for them, or they are not int8 matrix products): ${[...new Set(cpu.map((o) => o.kind))].join(', ')}`);
  const e = r.estimate;
  lines.push(
    '',
    'predicted by the analytical model of Gemmini (gemmini/cost.ts; `tc run` measures on the host model):',
    `  cycles ${e.cycles}, utilisation ${(100 * e.utilization).toFixed(1)}% (ideal ${e.idealMacCycles} MAC cycles)`,
    `  busy cycles by queue: load ${e.busyCycles.load}, execute ${e.busyCycles.execute}, store ${e.busyCycles.store}`,
    `  DRAM read ${e.dramBytesRead} B, written ${e.dramBytesWritten} B`,
  );
  const counts = new Map<string, number>();
  forEachStmt(r.program.body, (s) => {
    const key = s.kind === 'cpu' ? 'cpu op' : s.inst.op;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  lines.push('', 'instructions issued by the host:');
  for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1])) lines.push(`  ${k.padEnd(12)} ${v}`);
  return lines.join('\n') + '\n';
}
