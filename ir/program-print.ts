// Program IR text (format in ir/program-ir.ts).

import { printI, type IExpr } from './iexpr.js';
import type { DramRef, Inst, LocalAddr, ProgramFunc, ProgramStmt } from './program-ir.js';
import { formatNumber, printOp } from './tensor-print.js';
import { formatType } from './types.js';

export function printLocal(a: LocalAddr): string {
  switch (a.space) {
    case 'garbage':
      return 'garbage';
    case 'sp':
      return `sp[${printI(a.row)}]`;
    case 'acc': {
      const acc = a.accumulate;
      const flag =
        acc.kind === 'const' ? (acc.value !== 0 ? ', accumulate' : '') : `, accumulate if ${printI(acc)}`;
      return `acc[${printI(a.row)}${flag}${a.raw ? ', raw' : ''}]`;
    }
  }
}

export function printDram(d: DramRef): string {
  return `%${d.buffer}[${printI(d.offset)}]`;
}

const bit = (b: boolean): string => (b ? '1' : '0');

export function printInst(i: Inst): string {
  switch (i.op) {
    case 'config_ex':
      return `config_ex dataflow=${i.dataflow} act=${i.activation} shift=${i.sysShift} a_transpose=${bit(i.aTranspose)} b_transpose=${bit(i.bTranspose)}`;
    case 'config_ld':
      return `config_ld chan=${i.channel} stride=${i.strideBytes} scale=${formatNumber(i.scale)}`;
    case 'config_st':
      return `config_st stride=${i.strideBytes} act=${i.activation} scale=${formatNumber(i.scale)}`;
    case 'mvin':
      return `mvin chan=${i.channel} ${printDram(i.src)} -> ${printLocal(i.dst)} rows=${printI(i.rows)} cols=${printI(i.cols)}`;
    case 'mvout':
      return `mvout ${printLocal(i.src)} -> ${printDram(i.dst)} rows=${printI(i.rows)} cols=${printI(i.cols)}`;
    case 'preload':
      return `preload ${printLocal(i.bd)} -> ${printLocal(i.c)} rows=${printI(i.bdRows)} cols=${printI(i.bdCols)} c_rows=${printI(i.cRows)} c_cols=${printI(i.cCols)}`;
    case 'compute':
      return `compute.${i.accumulated ? 'accumulated' : 'preloaded'} ${printLocal(i.a)}, ${printLocal(i.bd)} rows=${printI(i.aRows)} cols=${printI(i.aCols)} bd_rows=${printI(i.bdRows)} bd_cols=${printI(i.bdCols)}`;
    case 'loop_ws': {
      const opt = (name: string, d: (DramRef & { when: IExpr }) | undefined): string =>
        d ? ` ${name}=${printDram(d)}${d.when.kind === 'const' && d.when.value === 1 ? '' : ` if ${printI(d.when)}`}` : '';
      return (
        `loop_ws a=${printDram(i.a)} b=${printDram(i.b)}${opt('d', i.d)}${opt('c', i.c)} blocks=[${printI(i.blocksI)}, ${printI(i.blocksJ)}, ${printI(i.blocksK)}]` +
        ` pad=[${printI(i.padI)}, ${printI(i.padJ)}, ${printI(i.padK)}] strides=[${i.aStride}, ${i.bStride}, ${i.dStride}, ${i.cStride}]` +
        ` full_c=${bit(i.fullC)} accumulate=${printI(i.exAccumulate)} act=${i.activation}`
      );
    }
    case 'fence':
      return 'fence';
  }
}

function printStmts(stmts: readonly ProgramStmt[], indent: string, lines: string[]): void {
  for (const s of stmts) {
    switch (s.kind) {
      case 'for':
        lines.push(`${indent}for ${s.var} < ${printI(s.extent, 2)} {`);
        printStmts(s.body, indent + '  ', lines);
        lines.push(`${indent}}`);
        break;
      case 'inst':
        lines.push(indent + printInst(s.inst));
        break;
      case 'cpu':
        lines.push(`${indent}cpu ${printOp(s.op)}`);
        break;
    }
  }
}

export function printProgram(p: ProgramFunc): string {
  const lines = [`program @${p.name} dim=${p.dim} {`];
  for (const b of p.buffers) lines.push(`  dram %${b.name}: ${formatType(b.type)} ${b.role}${b.aliasOf ? ` alias %${b.aliasOf}` : ''}`);
  printStmts(p.body, '  ', lines);
  lines.push('}');
  return lines.join('\n') + '\n';
}
