// Parser of the Program IR text that program-print.ts writes.

import { ic, parseI, type IExpr } from './iexpr.js';
import type { Activation, BufferRole, Dataflow, DramBuffer, DramRef, Inst, LocalAddr, ProgramFunc, ProgramStmt } from './program-ir.js';
import { parseOp, parseTensorType } from './tensor-parse.js';
import { parseText, type ParseResult, type TokenStream } from './text-lexer.js';
import type { TensorType } from './types.js';

export function parseProgram(text: string, file = '<program-ir>'): ParseResult<ProgramFunc> {
  return parseText(text, file, 'program', (ts) => {
    ts.expectIdent("'program'", 'program');
    const name = ts.expectKind('symbol', 'a program name like @main').text.slice(1);
    ts.expectIdent("'dim='", 'dim');
    ts.expectPunct('=');
    const dim = ts.expectInt('the mesh size');
    ts.expectPunct('{');
    const buffers: DramBuffer[] = [];
    const types = new Map<string, TensorType>();
    while (ts.isIdent('dram')) {
      ts.next();
      const v = ts.expectKind('value', 'a buffer like %a');
      ts.expectPunct(':');
      const type = parseTensorType(ts);
      const role = ts.expectIdent('input, output or temp');
      if (!['input', 'output', 'temp'].includes(role.text)) ts.fail(`unknown buffer role '${role.text}' (input, output or temp)`, role);
      const bufName = v.text.slice(1);
      if (types.has(bufName)) ts.fail(`%${bufName} is declared twice`, v);
      let aliasOf: string | undefined;
      if (ts.isIdent('alias')) {
        ts.next();
        const target = ts.expectKind('value', 'the buffer this one views');
        aliasOf = target.text.slice(1);
        if (!types.has(aliasOf)) ts.fail(`%${aliasOf} is not declared before this view of it`, target);
      }
      types.set(bufName, type);
      buffers.push({ name: bufName, type, role: role.text as BufferRole, ...(aliasOf ? { aliasOf } : {}) });
    }
    const body = parseStmts(ts, types, file);
    ts.expectPunct('}');
    return { name, dim, buffers, body };
  });
}

function parseStmts(ts: TokenStream, types: Map<string, TensorType>, file: string): ProgramStmt[] {
  const out: ProgramStmt[] = [];
  while (!ts.isPunct('}') && ts.peek().kind !== 'eof') {
    if (ts.isIdent('for')) {
      ts.next();
      const v = ts.expectIdent('a loop variable').text;
      ts.expectPunct('<');
      const extent = parseI(ts);
      ts.expectPunct('{');
      const body = parseStmts(ts, types, file);
      ts.expectPunct('}');
      out.push({ kind: 'for', var: v, extent, body });
    } else if (ts.isIdent('cpu')) {
      ts.next();
      if (ts.peek().kind !== 'value') ts.fail(`expected an op like %y: i8[4] = relu %x after 'cpu'`);
      const resultName = ts.peek().text.slice(1);
      const declared = types.get(resultName);
      // CPU ops write declared DRAM buffers; let the op parser see it as new.
      types.delete(resultName);
      const op = parseOp(ts, types, file);
      if (!declared) ts.fail(`cpu op writes %${resultName}, which is not a declared dram buffer`);
      types.set(resultName, declared);
      out.push({ kind: 'cpu', op });
    } else out.push({ kind: 'inst', inst: parseInst(ts, types) });
  }
  return out;
}

function attr(ts: TokenStream, key: string): void {
  ts.expectIdent(`'${key}='`, key);
  ts.expectPunct('=');
}
function intAttr(ts: TokenStream, key: string): number {
  attr(ts, key);
  return ts.expectInt(`an integer for ${key}`);
}
function numAttr(ts: TokenStream, key: string): number {
  attr(ts, key);
  return ts.expectNumber(`a number for ${key}`);
}
function exprAttr(ts: TokenStream, key: string): IExpr {
  attr(ts, key);
  return parseI(ts);
}
function boolAttr(ts: TokenStream, key: string): boolean {
  const t = ts.peek();
  const v = intAttr(ts, key);
  if (v !== 0 && v !== 1) ts.fail(`${key} must be 0 or 1`, t);
  return v === 1;
}
function act(ts: TokenStream): Activation {
  attr(ts, 'act');
  const t = ts.expectIdent('none or relu');
  if (t.text !== 'none' && t.text !== 'relu') ts.fail(`unknown activation '${t.text}' (none or relu)`, t);
  return t.text;
}

function parseLocal(ts: TokenStream): LocalAddr {
  const t = ts.expectIdent('sp[...], acc[...] or garbage');
  if (t.text === 'garbage') return { space: 'garbage' };
  if (t.text !== 'sp' && t.text !== 'acc') ts.fail(`expected sp[...], acc[...] or garbage but found '${t.text}'`, t);
  ts.expectPunct('[');
  const row = parseI(ts);
  if (t.text === 'sp') {
    ts.expectPunct(']');
    return { space: 'sp', row };
  }
  let accumulate: IExpr = ic(0);
  let raw = false;
  while (ts.eatPunct(',')) {
    const flag = ts.expectIdent('accumulate or raw');
    if (flag.text === 'raw') raw = true;
    else if (flag.text === 'accumulate') accumulate = ts.isIdent('if') ? (ts.next(), parseI(ts)) : ic(1);
    else ts.fail(`unknown accumulator flag '${flag.text}' (accumulate, accumulate if COND, raw)`, flag);
  }
  ts.expectPunct(']');
  return { space: 'acc', row, accumulate, raw };
}

function parseDram(ts: TokenStream, types: Map<string, TensorType>): DramRef {
  const v = ts.expectKind('value', 'a dram buffer like %a[0]');
  const buffer = v.text.slice(1);
  if (!types.has(buffer)) ts.fail(`%${buffer} is not a declared dram buffer`, v);
  ts.expectPunct('[');
  const offset = parseI(ts);
  ts.expectPunct(']');
  return { buffer, offset };
}

function parseInst(ts: TokenStream, types: Map<string, TensorType>): Inst {
  const t = ts.expectIdent('an instruction');
  switch (t.text) {
    case 'config_ex': {
      attr(ts, 'dataflow');
      const df = ts.expectIdent('ws or os');
      if (df.text !== 'ws' && df.text !== 'os') ts.fail(`unknown dataflow '${df.text}' (ws or os)`, df);
      const activation = act(ts);
      const sysShift = intAttr(ts, 'shift');
      const aTranspose = boolAttr(ts, 'a_transpose');
      return { op: 'config_ex', dataflow: df.text as Dataflow, activation, sysShift, aTranspose, bTranspose: boolAttr(ts, 'b_transpose') };
    }
    case 'config_ld': {
      const channel = intAttr(ts, 'chan');
      const strideBytes = intAttr(ts, 'stride');
      return { op: 'config_ld', channel, strideBytes, scale: numAttr(ts, 'scale') };
    }
    case 'config_st': {
      const strideBytes = intAttr(ts, 'stride');
      const activation = act(ts);
      return { op: 'config_st', strideBytes, activation, scale: numAttr(ts, 'scale') };
    }
    case 'mvin': {
      const channel = intAttr(ts, 'chan');
      const src = parseDram(ts, types);
      ts.expectPunct('->');
      const dst = parseLocal(ts);
      const rows = exprAttr(ts, 'rows');
      return { op: 'mvin', channel, src, dst, rows, cols: exprAttr(ts, 'cols') };
    }
    case 'mvout': {
      const src = parseLocal(ts);
      ts.expectPunct('->');
      const dst = parseDram(ts, types);
      const rows = exprAttr(ts, 'rows');
      return { op: 'mvout', src, dst, rows, cols: exprAttr(ts, 'cols') };
    }
    case 'preload': {
      const bd = parseLocal(ts);
      ts.expectPunct('->');
      const c = parseLocal(ts);
      const bdRows = exprAttr(ts, 'rows');
      const bdCols = exprAttr(ts, 'cols');
      const cRows = exprAttr(ts, 'c_rows');
      return { op: 'preload', bd, c, bdRows, bdCols, cRows, cCols: exprAttr(ts, 'c_cols') };
    }
    case 'compute.preloaded':
    case 'compute.accumulated': {
      const a = parseLocal(ts);
      ts.expectPunct(',');
      const bd = parseLocal(ts);
      const aRows = exprAttr(ts, 'rows');
      const aCols = exprAttr(ts, 'cols');
      const bdRows = exprAttr(ts, 'bd_rows');
      return { op: 'compute', accumulated: t.text === 'compute.accumulated', a, bd, aRows, aCols, bdRows, bdCols: exprAttr(ts, 'bd_cols') };
    }
    case 'loop_ws': {
      const dram = (key: string): DramRef => {
        attr(ts, key);
        return parseDram(ts, types);
      };
      const optional = (key: string): (DramRef & { when: IExpr }) | undefined => {
        if (!ts.isIdent(key)) return undefined;
        const d = dram(key);
        return { ...d, when: ts.isIdent('if') ? (ts.next(), parseI(ts)) : ic(1) };
      };
      const a = dram('a');
      const b = dram('b');
      const d = optional('d');
      const c = optional('c');
      const triple = (key: string): IExpr[] => {
        attr(ts, key);
        ts.expectPunct('[');
        const out = [parseI(ts)];
        for (let n = 0; n < 2; n++) {
          ts.expectPunct(',');
          out.push(parseI(ts));
        }
        ts.expectPunct(']');
        return out;
      };
      const [blocksI, blocksJ, blocksK] = triple('blocks');
      const [padI, padJ, padK] = triple('pad');
      attr(ts, 'strides');
      ts.expectPunct('[');
      const strides = [ts.expectInt('a stride')];
      for (let n = 0; n < 3; n++) {
        ts.expectPunct(',');
        strides.push(ts.expectInt('a stride'));
      }
      ts.expectPunct(']');
      const fullC = boolAttr(ts, 'full_c');
      const exAccumulate = exprAttr(ts, 'accumulate');
      const activation = act(ts);
      return {
        op: 'loop_ws',
        a,
        b,
        ...(d ? { d } : {}),
        ...(c ? { c } : {}),
        blocksI,
        blocksJ,
        blocksK,
        padI,
        padJ,
        padK,
        aStride: strides[0],
        bStride: strides[1],
        dStride: strides[2],
        cStride: strides[3],
        fullC,
        exAccumulate,
        activation,
      };
    }
    case 'fence':
      return { op: 'fence' };
  }
  ts.fail(`unknown instruction '${t.text}'`, t);
}
