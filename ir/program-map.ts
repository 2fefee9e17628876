// Rewriting every integer expression of a Program IR (e.g. to simplify them).

import type { IExpr } from './iexpr.js';
import type { Inst, LocalAddr, ProgramFunc, ProgramStmt } from './program-ir.js';

export function mapInstExprs(i: Inst, f: (e: IExpr) => IExpr): Inst {
  const local = (a: LocalAddr): LocalAddr =>
    a.space === 'garbage' ? a : a.space === 'sp' ? { ...a, row: f(a.row) } : { ...a, row: f(a.row), accumulate: f(a.accumulate) };
  switch (i.op) {
    case 'mvin':
      return { ...i, src: { ...i.src, offset: f(i.src.offset) }, dst: local(i.dst), rows: f(i.rows), cols: f(i.cols) };
    case 'mvout':
      return { ...i, src: local(i.src), dst: { ...i.dst, offset: f(i.dst.offset) }, rows: f(i.rows), cols: f(i.cols) };
    case 'preload':
      return { ...i, bd: local(i.bd), c: local(i.c), bdRows: f(i.bdRows), bdCols: f(i.bdCols), cRows: f(i.cRows), cCols: f(i.cCols) };
    case 'compute':
      return { ...i, a: local(i.a), bd: local(i.bd), aRows: f(i.aRows), aCols: f(i.aCols), bdRows: f(i.bdRows), bdCols: f(i.bdCols) };
    case 'loop_ws': {
      const opt = <T extends { offset: IExpr; when: IExpr }>(d: T | undefined): T | undefined => (d ? { ...d, offset: f(d.offset), when: f(d.when) } : undefined);
      const d = opt(i.d);
      const c = opt(i.c);
      return {
        ...i,
        a: { ...i.a, offset: f(i.a.offset) },
        b: { ...i.b, offset: f(i.b.offset) },
        ...(d ? { d } : {}),
        ...(c ? { c } : {}),
        blocksI: f(i.blocksI),
        blocksJ: f(i.blocksJ),
        blocksK: f(i.blocksK),
        padI: f(i.padI),
        padJ: f(i.padJ),
        padK: f(i.padK),
        exAccumulate: f(i.exAccumulate),
      };
    }
    case 'config_ex':
    case 'config_ld':
    case 'config_st':
    case 'fence':
      return i;
  }
}

export function mapProgramExprs(p: ProgramFunc, f: (e: IExpr) => IExpr): ProgramFunc {
  const stmts = (body: readonly ProgramStmt[]): ProgramStmt[] =>
    body.map((s) => (s.kind === 'for' ? { ...s, extent: f(s.extent), body: stmts(s.body) } : s.kind === 'inst' ? { ...s, inst: mapInstExprs(s.inst, f) } : s));
  return { ...p, body: stmts(p.body) };
}
