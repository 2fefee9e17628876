// Verifier of Program IR against a target's memory sizes: every loop variable
// bound, every operand inside its memory, rows and columns within what the
// instruction can move, DRAM accesses inside their buffers (using the strides
// of the configuration in force), CPU ops well typed. It walks every
// instruction instance, so it proves these facts for the whole run.

import { Diagnostics } from './diagnostics.js';
import { evalI, freeVars, type IExpr } from './iexpr.js';
import type { DramBuffer, DramRef, Inst, LocalAddr, ProgramFunc, ProgramStmt } from './program-ir.js';
import { printInst } from './program-print.js';
import { checkOpType, operandsOf, type TensorOp } from './tensor-ir.js';
import { DTYPE_BYTES, formatType, numElements, sameType } from './types.js';

export interface ProgramTarget {
  readonly dim: number;
  readonly scratchpadRows: number;
  readonly accumulatorRows: number;
  /** Largest cols of one mvin into the scratchpad / accumulator. */
  readonly maxMvinColsSp: number;
  readonly maxMvinColsAcc: number;
}

/** Calls `visit` for every instruction instance, with the loop variables' values. */
export function forEachStmt(
  body: readonly ProgramStmt[],
  visit: (s: Exclude<ProgramStmt, { kind: 'for' }>, env: Map<string, number>) => void,
  env: Map<string, number> = new Map(),
): void {
  for (const s of body) {
    if (s.kind !== 'for') {
      visit(s, env);
      continue;
    }
    const extent = evalI(s.extent, env);
    for (let i = 0; i < extent; i++) {
      env.set(s.var, i);
      forEachStmt(s.body, visit, env);
    }
    env.delete(s.var);
  }
}

export function verifyProgram(p: ProgramFunc, target: ProgramTarget, diags: Diagnostics = new Diagnostics(), maxErrors = 20): Diagnostics {
  const buffers = new Map<string, DramBuffer>();
  for (const b of p.buffers) {
    if (buffers.has(b.name)) diags.error(`dram buffer %${b.name} is declared twice`);
    buffers.set(b.name, b);
    if (b.aliasOf !== undefined) {
      const root = buffers.get(b.aliasOf);
      if (!root) diags.error(`%${b.name} views %${b.aliasOf}, which is not declared before it`);
      else if (root.aliasOf !== undefined) diags.error(`%${b.name} views %${b.aliasOf}, which is itself a view; name the buffer that owns the bytes`);
      else if (root.type.dtype !== b.type.dtype || numElements(root.type.shape) !== numElements(b.type.shape))
        diags.error(`%${b.name} (${formatType(b.type)}) cannot view %${b.aliasOf} (${formatType(root.type)}): dtype and element count must agree`);
    }
  }
  if (p.dim !== target.dim) diags.error(`program is for dim=${p.dim} but the target has DIM ${target.dim}`);
  checkScopes(p.body, new Set(), diags);
  if (diags.hasErrors) return diags;

  const ldStrideBytes: (number | undefined)[] = [undefined, undefined, undefined];
  let stStrideBytes: number | undefined;
  let index = 0;
  const seen = new Set<string>();
  const report = (what: Inst | TensorOp, message: string): void => {
    if (diags.errorCount >= maxErrors) return;
    const text = 'result' in what ? `cpu ${what.kind} -> %${what.result}` : printInst(what);
    const key = `${text}|${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    diags.error(`instruction #${index} '${text}': ${message}`);
  };
  const ev = (e: IExpr, env: Map<string, number>): number => evalI(e, env);

  const local = (inst: Inst, a: LocalAddr, rows: number, cols: number, env: Map<string, number>, what: string, blockRows = rows): void => {
    if (a.space === 'garbage') return;
    const row = ev(a.row, env);
    const capacity = a.space === 'sp' ? target.scratchpadRows : target.accumulatorRows;
    const last = row + blockRows - 1;
    if (row < 0 || last >= capacity)
      report(inst, `${what} rows ${row}..${last} are outside the ${a.space === 'sp' ? 'scratchpad' : 'accumulator'} (${capacity} rows)`);
    void cols;
  };
  const dram = (inst: Inst, d: DramRef, rows: number, cols: number, strideBytes: number | undefined, env: Map<string, number>): void => {
    const b = buffers.get(d.buffer);
    if (!b) return report(inst, `%${d.buffer} is not a dram buffer`);
    if (strideBytes === undefined) return report(inst, `no stride configured before this instruction`);
    const elemBytes = DTYPE_BYTES[b.type.dtype];
    if (strideBytes % elemBytes !== 0) return report(inst, `stride ${strideBytes} bytes is not a whole number of ${b.type.dtype} elements`);
    const off = ev(d.offset, env);
    const end = off + (rows - 1) * (strideBytes / elemBytes) + cols;
    const size = numElements(b.type.shape);
    if (off < 0 || end > size) report(inst, `reads or writes elements ${off}..${end - 1} of %${d.buffer}, which has ${size}`);
  };
  const dims = (inst: Inst, rows: number, cols: number, maxCols: number, what: string): boolean => {
    if (rows < 1 || rows > target.dim || cols < 1 || cols > maxCols) {
      report(inst, `${what} is ${rows}x${cols}; rows must be in 1..${target.dim} and cols in 1..${maxCols}`);
      return false;
    }
    return true;
  };

  forEachStmt(p.body, (s, env) => {
    index++;
    if (s.kind === 'cpu') {
      const op = s.op;
      const out = buffers.get(op.result);
      const typeOf = (n: string) => buffers.get(n)?.type ?? { dtype: 'i8' as const, shape: [] };
      const missing = operandsOf(op).filter((n) => !buffers.has(n));
      if (missing.length) return report(op, `reads undeclared buffers ${missing.map((m) => '%' + m).join(', ')}`);
      if (!out) return report(op, `writes %${op.result}, which is not a dram buffer`);
      const r = checkOpType(op, typeOf);
      if (!r.ok) return report(op, r.error);
      if (!sameType(r.type, out.type) || !sameType(op.type, out.type))
        return report(op, `produces ${formatType(r.type)} but %${op.result} is ${formatType(out.type)}`);
      return;
    }
    const inst = s.inst;
    switch (inst.op) {
      case 'config_ex':
        if (inst.sysShift < 0 || inst.sysShift > 31) report(inst, `shift must be in 0..31`);
        return;
      case 'config_ld':
        if (inst.channel < 0 || inst.channel > 2) return report(inst, `load channel must be 0, 1 or 2`);
        if (inst.strideBytes < 0) return report(inst, `stride must not be negative`);
        ldStrideBytes[inst.channel] = inst.strideBytes;
        return;
      case 'config_st':
        if (inst.strideBytes < 0) return report(inst, `stride must not be negative`);
        stStrideBytes = inst.strideBytes;
        return;
      case 'mvin': {
        if (inst.channel < 0 || inst.channel > 2) return report(inst, `load channel must be 0, 1 or 2`);
        const rows = ev(inst.rows, env);
        const cols = ev(inst.cols, env);
        if (inst.dst.space === 'garbage') return report(inst, `mvin needs a destination`);
        const maxCols = inst.dst.space === 'sp' ? target.maxMvinColsSp : target.maxMvinColsAcc;
        if (!dims(inst, rows, cols, maxCols, 'mvin')) return;
        const blocks = Math.ceil(cols / target.dim);
        local(inst, inst.dst, rows, cols, env, 'destination', (blocks - 1) * target.dim + rows);
        dram(inst, inst.src, rows, cols, ldStrideBytes[inst.channel], env);
        return;
      }
      case 'mvout': {
        const rows = ev(inst.rows, env);
        const cols = ev(inst.cols, env);
        if (inst.src.space === 'garbage') return report(inst, `mvout needs a source`);
        // Like mvin, up to the DMA's block limit (acc_t rows when raw), the
        // blocks DIM rows apart (gemmini.h stores C that way, Spike reads so).
        const maxCols = inst.src.space === 'acc' && inst.src.raw ? target.maxMvinColsAcc : target.maxMvinColsSp;
        if (!dims(inst, rows, cols, maxCols, 'mvout')) return;
        local(inst, inst.src, rows, cols, env, 'source', (Math.ceil(cols / target.dim) - 1) * target.dim + rows);
        dram(inst, inst.dst, rows, cols, stStrideBytes, env);
        return;
      }
      case 'preload': {
        const [br, bc, cr, cc] = [inst.bdRows, inst.bdCols, inst.cRows, inst.cCols].map((e) => ev(e, env));
        if (!dims(inst, br, bc, target.dim, 'B/D') || !dims(inst, cr, cc, target.dim, 'C')) return;
        local(inst, inst.bd, br, bc, env, 'B/D');
        local(inst, inst.c, cr, cc, env, 'C');
        return;
      }
      case 'compute': {
        const [ar, ac, br, bc] = [inst.aRows, inst.aCols, inst.bdRows, inst.bdCols].map((e) => ev(e, env));
        if (!dims(inst, ar, ac, target.dim, 'A') || !dims(inst, br, bc, target.dim, 'B/D')) return;
        local(inst, inst.a, ar, ac, env, 'A');
        local(inst, inst.bd, br, bc, env, 'B/D');
        return;
      }
      case 'loop_ws': {
        const d = target.dim;
        const [bi, bj, bk, pi, pj, pk] = [inst.blocksI, inst.blocksJ, inst.blocksK, inst.padI, inst.padJ, inst.padK].map((e) => ev(e, env));
        if (bi < 1 || bj < 1 || bk < 1) return report(inst, `blocks ${bi}x${bj}x${bk} must be at least 1 each`);
        if ([pi, pj, pk].some((p) => p < 0 || p >= d)) return report(inst, `padding [${pi}, ${pj}, ${pk}] must be in 0..${d - 1}`);
        if ((bi * bk + bk * bj) * d > target.scratchpadRows / 2)
          return report(inst, `A and B need ${(bi * bk + bk * bj) * d} scratchpad rows; a loop may use half the scratchpad (${target.scratchpadRows / 2})`);
        if (bi * bj * d > target.accumulatorRows / 2)
          return report(inst, `C needs ${bi * bj * d} accumulator rows; a loop may use half the accumulator (${target.accumulatorRows / 2})`);
        const [rows, cols, depth] = [bi * d - pi, bj * d - pj, bk * d - pk];
        // The unroller's loads use the strides config_ld set, its stores config_st's.
        const cBytes = inst.fullC ? 4 : 1;
        dram(inst, inst.a, rows, depth, ldStrideBytes[0], env);
        dram(inst, inst.b, depth, cols, ldStrideBytes[1], env);
        if (ldStrideBytes[0] !== inst.aStride) report(inst, `A stride ${inst.aStride} differs from config_ld chan=0 stride ${ldStrideBytes[0]} bytes`);
        if (ldStrideBytes[1] !== inst.bStride) report(inst, `B stride ${inst.bStride} differs from config_ld chan=1 stride ${ldStrideBytes[1]} bytes`);
        if (inst.d && ev(inst.d.when, env)) {
          dram(inst, inst.d, rows, cols, ldStrideBytes[2], env);
          if (ldStrideBytes[2] !== inst.dStride * 4) report(inst, `D stride ${inst.dStride} differs from config_ld chan=2 stride ${ldStrideBytes[2]} bytes`);
        }
        if (inst.c && ev(inst.c.when, env)) {
          dram(inst, inst.c, rows, cols, stStrideBytes, env);
          if (stStrideBytes !== inst.cStride * cBytes) report(inst, `C stride ${inst.cStride} differs from config_st stride ${stStrideBytes} bytes`);
        }
        return;
      }
      case 'fence':
        return;
    }
  });
  return diags;
}

/** Every loop variable used is bound by an enclosing loop, and loops do not shadow. */
function checkScopes(body: readonly ProgramStmt[], bound: Set<string>, diags: Diagnostics): void {
  const exprs = (i: Inst): IExpr[] => {
    const addr = (a: LocalAddr): IExpr[] => (a.space === 'garbage' ? [] : a.space === 'sp' ? [a.row] : [a.row, a.accumulate]);
    switch (i.op) {
      case 'mvin':
        return [i.src.offset, ...addr(i.dst), i.rows, i.cols];
      case 'mvout':
        return [i.dst.offset, ...addr(i.src), i.rows, i.cols];
      case 'preload':
        return [...addr(i.bd), ...addr(i.c), i.bdRows, i.bdCols, i.cRows, i.cCols];
      case 'compute':
        return [...addr(i.a), ...addr(i.bd), i.aRows, i.aCols, i.bdRows, i.bdCols];
      case 'loop_ws':
        return [i.a.offset, i.b.offset, ...(i.d ? [i.d.offset, i.d.when] : []), ...(i.c ? [i.c.offset, i.c.when] : []), i.blocksI, i.blocksJ, i.blocksK, i.padI, i.padJ, i.padK, i.exAccumulate];
      case 'config_ex':
      case 'config_ld':
      case 'config_st':
      case 'fence':
        return [];
    }
  };
  for (const s of body) {
    if (s.kind === 'for') {
      if (bound.has(s.var)) diags.error(`loop variable '${s.var}' shadows an enclosing loop's`);
      for (const v of freeVars(s.extent)) if (!bound.has(v)) diags.error(`the trip count of loop '${s.var}' uses '${v}', which is not an enclosing loop variable`);
      checkScopes(s.body, new Set([...bound, s.var]), diags);
    } else if (s.kind === 'inst') {
      for (const e of exprs(s.inst))
        for (const v of freeVars(e)) if (!bound.has(v)) diags.error(`'${v}' is not a loop variable in scope in '${printInst(s.inst)}'`);
    }
  }
}
