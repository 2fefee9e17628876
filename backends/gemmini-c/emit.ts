// Program IR -> one self-contained C file using only the Gemmini intrinsics
// API (gemmini.h), plus a harness main that draws the inputs from the seed,
// poisons outputs and temporaries, runs the kernel and prints the report
// (format in gemmini/runtime/tc_harness.h). Nothing is decided here: every
// instruction, address and loop comes from the Program IR.

import { printI, type IExpr } from '../../ir/iexpr.js';
import type { DramBuffer, DramRef, Inst, LocalAddr, ProgramFunc, ProgramStmt } from '../../ir/program-ir.js';

import { renameOp } from '../../ir/tensor-rename.js';
import { operandsOf } from '../../ir/tensor-ir.js';
import { numElements, type TensorType } from '../../ir/types.js';
import { C_TYPE, cFloat, cpuOpC } from './cpu-ops.js';

export interface EmitOptions {
  /** Where the program came from, for the header comment. */
  readonly sourceName?: string;
  /** Extra lines for the header comment (the compile report's summary). */
  readonly comment?: readonly string[];
}

/** A C identifier for a DRAM buffer (SSA names may be numbers or hold dots). */
export function cName(name: string): string {
  return 'v_' + name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Integer expressions print as C already; min/max become calls. */
function cI(e: IExpr): string {
  return printI(e).replace(/\b(min|max|mod|div)\(/g, (_, fn: string) => `tc_${fn}64(`);
}

function cLocal(a: LocalAddr): string {
  switch (a.space) {
    case 'garbage':
      return 'GARBAGE_ADDR';
    case 'sp':
      return `(uint32_t)(${cI(a.row)})`;
    case 'acc': {
      // Bit 31: accumulator; bit 30: accumulate; bit 29: full-width read.
      const acc = a.accumulate;
      const accBit = acc.kind === 'const' ? (acc.value ? ' | 0x40000000u' : '') : ` | ((${cI(acc)}) ? 0x40000000u : 0u)`;
      return `(uint32_t)(0x80000000u${accBit}${a.raw ? ' | 0x20000000u' : ''} | (uint32_t)(${cI(a.row)}))`;
    }
  }
}

function cDram(d: DramRef): string {
  return `(${cName(d.buffer)} + (${cI(d.offset)}))`;
}

const MVIN_MACRO = ['gemmini_extended_mvin', 'gemmini_extended_mvin2', 'gemmini_extended_mvin3'];

function cInst(i: Inst): string {
  switch (i.op) {
    case 'config_ex':
      return `gemmini_extended_config_ex(${i.dataflow === 'ws' ? 'WEIGHT_STATIONARY' : 'OUTPUT_STATIONARY'}, ${i.activation === 'relu' ? 'RELU' : 'NO_ACTIVATION'}, ${i.sysShift}, 1, ${i.aTranspose}, ${i.bTranspose});`;
    case 'config_ld':
      return `gemmini_extended3_config_ld(${i.strideBytes}, ${cFloat(i.scale)}, false, ${i.channel});`;
    case 'config_st':
      return `gemmini_extended_config_st(${i.strideBytes}, ${i.activation === 'relu' ? 'RELU' : 'NO_ACTIVATION'}, ${cFloat(i.scale)});`;
    case 'mvin':
      return `${MVIN_MACRO[i.channel]}(${cDram(i.src)}, ${cLocal(i.dst)}, ${cI(i.cols)}, ${cI(i.rows)});`;
    case 'mvout':
      return `gemmini_extended_mvout(${cDram(i.dst)}, ${cLocal(i.src)}, ${cI(i.cols)}, ${cI(i.rows)});`;
    case 'preload':
      return `gemmini_extended_preload(${cLocal(i.bd)}, ${cLocal(i.c)}, ${cI(i.bdCols)}, ${cI(i.bdRows)}, ${cI(i.cCols)}, ${cI(i.cRows)});`;
    case 'compute':
      return `gemmini_extended_compute_${i.accumulated ? 'accumulated' : 'preloaded'}(${cLocal(i.a)}, ${cLocal(i.bd)}, ${cI(i.aCols)}, ${cI(i.aRows)}, ${cI(i.bdCols)}, ${cI(i.bdRows)});`;
    case 'loop_ws': {
      const opt = (d: (DramRef & { when: IExpr }) | undefined): string =>
        !d ? 'NULL' : d.when.kind === 'const' && d.when.value === 1 ? cDram(d) : `((${cI(d.when)}) ? ${cDram(d)} : NULL)`;
      return (
        `gemmini_loop_ws(${cI(i.blocksI)}, ${cI(i.blocksJ)}, ${cI(i.blocksK)}, ${cI(i.padI)}, ${cI(i.padJ)}, ${cI(i.padK)}, ` +
        `${cDram(i.a)}, ${cDram(i.b)}, ${opt(i.d)}, ${opt(i.c)}, ${i.aStride}, ${i.bStride}, ${i.dStride}, ${i.cStride}, ` +
        `false, false, ${i.fullC}, false, (${cI(i.exAccumulate)}) != 0, ${i.activation === 'relu' ? 'RELU' : 'NO_ACTIVATION'}, 0, 0, false);`
      );
    }
    case 'fence':
      return 'gemmini_fence();';
  }
}

function emitStmts(stmts: readonly ProgramStmt[], typeOf: (n: string) => TensorType, indent: string, out: string[]): void {
  for (const s of stmts) {
    switch (s.kind) {
      case 'for':
        // Parenthesised: an extent may itself be a comparison (0 or 1 trips).
        out.push(`${indent}for (int ${s.var} = 0; ${s.var} < (${cI(s.extent)}); ${s.var}++) {`);
        emitStmts(s.body, typeOf, indent + '  ', out);
        out.push(`${indent}}`);
        break;
      case 'inst':
        out.push(indent + cInst(s.inst));
        break;
      case 'cpu': {
        const names = new Map<string, string>();
        const op = s.op;
        const rename = (n: string): string => {
          const c = cName(n);
          names.set(n, c);
          return c;
        };
        [op.result, ...operandsOf(op)].forEach(rename);
        const renamed = renameOp(op, names);
        out.push(`${indent}{ // on the CPU: ${op.kind} -> %${op.result}`);
        out.push(...cpuOpC(renamed, (c) => typeOf(c), indent + '  '));
        out.push(`${indent}}`);
        break;
      }
    }
  }
}

function declare(b: DramBuffer): string {
  // 64-byte alignment: DMA requests never straddle a line needlessly.
  return `static ${C_TYPE[b.type.dtype]} ${cName(b.name)}[${Math.max(1, numElements(b.type.shape))}] __attribute__((aligned(64)));`;
}

export function emitGemminiC(p: ProgramFunc, options: EmitOptions = {}): string {
  const byC = new Map(p.buffers.map((b) => [cName(b.name), b.type] as const));
  const typeOf = (c: string): TensorType => {
    const t = byC.get(c);
    if (!t) throw new Error(`internal: no buffer ${c}`);
    return t;
  };
  const L: string[] = [];
  L.push(`// Generated by tc${options.sourceName ? ` from ${options.sourceName}` : ''}: program @${p.name} for a ${p.dim}x${p.dim} Gemmini mesh.`);
  for (const c of options.comment ?? []) L.push(`// ${c}`);
  L.push('// Build: cc -O2 -ffp-contract=off -I<gemmini_params.h dir> -I gemmini/runtime THIS.c gemmini/runtime/gemmini_model.c');
  L.push('#include <stdint.h>', '#include <stdio.h>', '#include <stdlib.h>', '#include <string.h>', '#include "gemmini.h"', '#include "tc_harness.h"');
  L.push('#ifndef __riscv', '#include "gemmini_model.h"', '#endif', '');
  L.push('#if DIM != ' + p.dim, `#error "this program was compiled for DIM ${p.dim}"`, '#endif', '');
  for (const b of p.buffers)
    L.push(b.aliasOf ? `#define ${cName(b.name)} ${cName(b.aliasOf)} // ${b.role} %${b.name}, a view of %${b.aliasOf}` : `${declare(b)} // ${b.role} %${b.name}`);
  L.push('', `static void tc_kernel(void) {`);
  emitStmts(p.body, typeOf, '  ', L);
  L.push('}', '');
  L.push('int main(int argc, char **argv) {');
  L.push('#ifdef TC_SEED', '  uint32_t seed = TC_SEED;', '#else', '  uint32_t seed = 1;', '#endif');
  L.push('  if (argc > 1) seed = (uint32_t)strtoul(argv[1], NULL, 10);');
  p.buffers
    .filter((b) => b.role === 'input')
    .forEach((b, i) => L.push(`  tc_fill_${b.type.dtype}(${cName(b.name)}, ${numElements(b.type.shape)}, seed, ${inputIndex(p, b)}); // input ${i}`));
  for (const b of p.buffers.filter((b) => b.role !== 'input' && !b.aliasOf)) L.push(`  tc_poison(${cName(b.name)}, sizeof ${cName(b.name)});`);
  // Cycles of the kernel: the model's on the host; on RISC-V the core's cycle
  // counter (the kernel ends with a fence, so Gemmini's work is inside).
  L.push('#ifdef __riscv', '  uint64_t start = tc_rdcycle();', '#else', '  uint64_t start = gemmini_model_cycles();', '#endif');
  L.push('  tc_kernel();');
  L.push('#ifdef __riscv', '  uint64_t end = tc_rdcycle();', '#else', '  uint64_t end = gemmini_model_cycles();', '#endif');
  L.push('  printf("tc-cycles %llu\\n", (unsigned long long)(end - start));');
  p.buffers
    .filter((b) => b.role === 'output')
    .forEach((b, i) =>
      L.push(`  tc_report_output(${i}, "${b.name}", "${b.type.dtype}", ${cName(b.name)}, ${numElements(b.type.shape)}, sizeof ${cName(b.name)});`),
    );
  L.push('  printf("tc-done\\n");', '  return 0;', '}', '');
  return L.join('\n');
}

/** Input buffers are numbered in declaration order, as the function's parameters. */
function inputIndex(p: ProgramFunc, b: DramBuffer): number {
  return p.buffers.filter((x) => x.role === 'input').indexOf(b);
}


