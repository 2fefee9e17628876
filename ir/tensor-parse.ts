// Parser of the Tensor IR text that tensor-print.ts writes (exact round trip).
// It checks syntax and that names are defined; tensor-verify.ts checks types.

import type { SourceLoc } from './diagnostics.js';
import { parseText, TokenStream, type ParseResult } from './text-lexer.js';
import {
  BINARY_KINDS,
  type Affine,
  type BinaryKind,
  type GemmPlacement,
  type GemmTiling,
  type IndexVar,
  type ReduceKind,
  type ScalarExpr,
  type TensorFunc,
  type TensorOp,
  type TensorParam,
} from './tensor-ir.js';
import { isDType, type DType, type TensorType } from './types.js';

export type { ParseResult };

export function parseTensorFunc(text: string, file = '<tensor-ir>'): ParseResult<TensorFunc> {
  return parseText(text, file, 'function', (ts) => parseFunc(ts, file));
}

export function parseTensorType(ts: TokenStream): TensorType {
  const d = ts.expectIdent('a dtype (i8, i32, f32)');
  if (!isDType(d.text)) ts.fail(`unknown dtype '${d.text}' (expected i8, i32 or f32)`, d);
  ts.expectPunct('[');
  const shape: number[] = [];
  if (!ts.isPunct(']')) {
    do {
      const t = ts.peek();
      const n = ts.expectInt('a dimension size');
      if (n < 1) ts.fail(`dimension sizes must be positive, got ${n}`, t);
      shape.push(n);
    } while (ts.eatPunct(','));
  }
  ts.expectPunct(']');
  return { dtype: d.text, shape };
}

function parseFunc(ts: TokenStream, file: string): TensorFunc {
  ts.expectIdent("'func'", 'func');
  const nameTok = ts.expectKind('symbol', 'a function name like @main');
  const types = new Map<string, TensorType>();
  const params: TensorParam[] = [];
  ts.expectPunct('(');
  if (!ts.isPunct(')')) {
    do {
      const v = ts.expectKind('value', 'a parameter like %x');
      ts.expectPunct(':');
      const type = parseTensorType(ts);
      const name = v.text.slice(1);
      if (types.has(name)) ts.fail(`%${name} is defined twice`, v);
      types.set(name, type);
      params.push({ name, type });
    } while (ts.eatPunct(','));
  }
  ts.expectPunct(')');
  ts.expectPunct('->');
  ts.expectPunct('(');
  const resultTypes: TensorType[] = [];
  do resultTypes.push(parseTensorType(ts));
  while (ts.eatPunct(','));
  ts.expectPunct(')');
  ts.expectPunct('{');
  const body: TensorOp[] = [];
  while (ts.peek().kind === 'value') body.push(parseOp(ts, types, file));
  ts.expectIdent("'return' or an op like %0: i32[4] = ...", 'return');
  const results: string[] = [];
  do results.push(useValue(ts, types));
  while (ts.eatPunct(','));
  ts.expectPunct('}');
  return { name: nameTok.text.slice(1), params, body, results, resultTypes };
}

function useValue(ts: TokenStream, types: Map<string, TensorType>): string {
  const v = ts.expectKind('value', 'a value like %0');
  const name = v.text.slice(1);
  if (!types.has(name)) ts.fail(`%${name} is not defined before this use`, v);
  return name;
}

function parseAttr(ts: TokenStream, key: string): number {
  ts.expectIdent(`'${key}='`, key);
  ts.expectPunct('=');
  return ts.expectNumber(`a number for ${key}`);
}

function parseIntAttr(ts: TokenStream, key: string): number {
  ts.expectIdent(`'${key}='`, key);
  ts.expectPunct('=');
  return ts.expectInt(`an integer for ${key}`);
}

export function parseOp(ts: TokenStream, types: Map<string, TensorType>, file: string): TensorOp {
  const resTok = ts.next();
  const result = resTok.text.slice(1);
  if (types.has(result)) ts.fail(`%${result} is defined twice (values are SSA)`, resTok);
  ts.expectPunct(':');
  const type = parseTensorType(ts);
  ts.expectPunct('=');
  const kindTok = ts.expectIdent('an op name');
  const base = { result, type };
  const k = kindTok.text;
  let op: TensorOp;
  if ((BINARY_KINDS as readonly string[]).includes(k)) {
    const lhs = useValue(ts, types);
    ts.expectPunct(',');
    op = { kind: 'binary', op: k as BinaryKind, lhs, rhs: useValue(ts, types), ...base };
  } else {
    switch (k) {
      case 'matmul': {
        const lhs = useValue(ts, types);
        ts.expectPunct(',');
        op = { kind: 'matmul', lhs, rhs: useValue(ts, types), ...base };
        break;
      }
      case 'conv2d': {
        const input = useValue(ts, types);
        ts.expectPunct(',');
        const weight = useValue(ts, types);
        const stride = parseIntAttr(ts, 'stride');
        op = { kind: 'conv2d', input, weight, stride, padding: parseIntAttr(ts, 'padding'), ...base };
        break;
      }
      case 'relu':
      case 'convert':
      case 'reshape':
        op = { kind: k, input: useValue(ts, types), ...base };
        break;
      case 'clip': {
        const input = useValue(ts, types);
        const lo = parseAttr(ts, 'lo');
        op = { kind: 'clip', input, lo, hi: parseAttr(ts, 'hi'), ...base };
        break;
      }
      case 'requant': {
        const input = useValue(ts, types);
        op = { kind: 'requant', input, scale: parseAttr(ts, 'scale'), ...base };
        break;
      }
      case 'transpose': {
        const input = useValue(ts, types);
        ts.expectIdent("'perm='", 'perm');
        ts.expectPunct('=');
        ts.expectPunct('[');
        const perm: number[] = [];
        if (!ts.isPunct(']')) {
          do perm.push(ts.expectInt('a dimension number'));
          while (ts.eatPunct(','));
        }
        ts.expectPunct(']');
        op = { kind: 'transpose', input, perm, ...base };
        break;
      }
      case 'maxpool': {
        const input = useValue(ts, types);
        const size = parseIntAttr(ts, 'size');
        const stride = parseIntAttr(ts, 'stride');
        op = { kind: 'maxpool', input, size, stride, padding: parseIntAttr(ts, 'padding'), ...base };
        break;
      }
      case 'sum': {
        const input = useValue(ts, types);
        op = { kind: 'sum', input, axis: parseIntAttr(ts, 'axis'), ...base };
        break;
      }
      case 'const':
        op = { kind: 'const', value: ts.expectNumber('a constant'), ...base };
        break;
      case 'gemm': {
        const a = useValue(ts, types);
        ts.expectPunct(',');
        const b = useValue(ts, types);
        let bias: string | undefined;
        let scale: number | undefined;
        if (ts.isIdent('bias')) {
          ts.next();
          ts.expectPunct('=');
          bias = useValue(ts, types);
        }
        if (ts.isIdent('scale')) scale = parseAttr(ts, 'scale');
        ts.expectIdent("'act='", 'act');
        ts.expectPunct('=');
        const act = ts.expectIdent('none or relu');
        if (act.text !== 'none' && act.text !== 'relu') ts.fail(`unknown activation '${act.text}' (none or relu)`, act);
        let tiling: GemmTiling | undefined;
        let placement: GemmPlacement | undefined;
        if (ts.isIdent('tile')) {
          ts.next();
          ts.expectPunct('=');
          ts.expectPunct('[');
          const tileM = ts.expectInt('a tile size');
          ts.expectPunct(',');
          const tileN = ts.expectInt('a tile size');
          ts.expectPunct(',');
          const tileK = ts.expectInt('a tile size');
          ts.expectPunct(']');
          ts.expectIdent("'order='", 'order');
          ts.expectPunct('=');
          const order = ts.expectIdent('ijk or jik');
          if (order.text !== 'ijk' && order.text !== 'jik') ts.fail(`unknown loop order '${order.text}' (ijk or jik)`, order);
          ts.expectIdent("'dataflow='", 'dataflow');
          ts.expectPunct('=');
          const dataflow = ts.expectIdent('ws or os');
          if (dataflow.text !== 'ws' && dataflow.text !== 'os') ts.fail(`unknown dataflow '${dataflow.text}' (ws or os)`, dataflow);
          tiling = { tileM, tileN, tileK, order: order.text, dataflow: dataflow.text };
        }
        if (ts.isIdent('map')) {
          ts.next();
          ts.expectPunct('=');
          if (ts.isIdent('loop_ws')) {
            ts.next();
            placement = { kind: 'loop_ws' };
          } else {
            ts.expectPunct('[');
            const region = (key: string, space: string): number => {
              ts.expectIdent(`'${key}='`, key);
              ts.expectPunct('=');
              ts.expectIdent(`'${space}'`, space);
              ts.expectPunct('[');
              const row = ts.expectInt('a row');
              ts.expectPunct(']');
              ts.expectPunct(',');
              return row;
            };
            const aRow = region('a', 'sp');
            const bRow = region('b', 'sp');
            const cRow = region('c', 'acc');
            ts.expectIdent("'copies='", 'copies');
            ts.expectPunct('=');
            const copies = ts.expectInt('a number of copies');
            ts.expectPunct(']');
            placement = { kind: 'rows', aRow, bRow, cRow, copies };
          }
        }
        op = {
          kind: 'gemm',
          a,
          b,
          ...(bias !== undefined ? { bias } : {}),
          ...(scale !== undefined ? { scale } : {}),
          relu: act.text === 'relu',
          ...(tiling ? { tiling } : {}),
          ...(placement ? { placement } : {}),
          ...base,
        };
        break;
      }
      case 'im2col': {
        const input = useValue(ts, types);
        ts.expectIdent("'kernel='", 'kernel');
        ts.expectPunct('=');
        ts.expectPunct('[');
        const kh = ts.expectInt('a kernel height');
        ts.expectPunct(',');
        const kw = ts.expectInt('a kernel width');
        ts.expectPunct(']');
        const stride = parseIntAttr(ts, 'stride');
        op = { kind: 'im2col', input, kh, kw, stride, padding: parseIntAttr(ts, 'padding'), ...base };
        break;
      }
      case 'generic':
        op = parseGeneric(ts, types, base);
        break;
      default:
        ts.fail(`unknown op '${k}'`, kindTok);
    }
  }
  const loc = parseLoc(ts);
  types.set(result, type);
  return loc ? { ...op, loc } : op;
}

function parseLoc(ts: TokenStream): SourceLoc | undefined {
  if (!ts.isIdent('loc')) return undefined;
  ts.next();
  ts.expectPunct('(');
  const f = ts.expectKind('string', 'a file name in quotes');
  ts.expectPunct(':');
  const line = ts.expectInt('a line number');
  ts.expectPunct(':');
  const col = ts.expectInt('a column number');
  ts.expectPunct(')');
  return { file: JSON.parse(f.text) as string, line, col };
}

function parseGeneric(ts: TokenStream, types: Map<string, TensorType>, base: { result: string; type: TensorType }): TensorOp {
  ts.expectPunct('[');
  const indices: IndexVar[] = [];
  if (!ts.isPunct(']')) {
    do {
      const name = ts.expectIdent('an index name').text;
      ts.expectPunct('<');
      indices.push({ name, extent: ts.expectInt('an index extent') });
    } while (ts.eatPunct(','));
  }
  ts.expectPunct(']');
  ts.expectIdent("'out'", 'out');
  ts.expectPunct('[');
  const outIndices: string[] = [];
  if (!ts.isPunct(']')) {
    do outIndices.push(ts.expectIdent('an index name').text);
    while (ts.eatPunct(','));
  }
  ts.expectPunct(']');
  let reduce: ReduceKind;
  if (ts.eatPunct('=')) reduce = 'assign';
  else if (ts.eatPunct('+=')) reduce = 'add';
  else if (ts.isIdent('max') || ts.isIdent('min')) {
    reduce = ts.next().text as 'max' | 'min';
    ts.expectPunct('=');
  } else ts.fail(`expected '=', '+=', 'max=' or 'min=' but found ${ts.describe(ts.peek())}`);
  const body = parseScalar(ts, types);
  return { kind: 'generic', indices, outIndices, reduce, body, ...base };
}

function parseScalar(ts: TokenStream, types: Map<string, TensorType>): ScalarExpr {
  const t = ts.peek();
  if (t.kind === 'value') {
    const tensor = useValue(ts, types);
    ts.expectPunct('[');
    const subscripts: Affine[] = [];
    if (!ts.isPunct(']')) {
      do subscripts.push(parseAffine(ts));
      while (ts.eatPunct(','));
    }
    ts.expectPunct(']');
    return { kind: 'read', dtype: (types.get(tensor) as TensorType).dtype, tensor, subscripts };
  }
  if (t.kind === 'number' || (t.kind === 'punct' && t.text === '-')) {
    const value = ts.expectNumber('a literal');
    ts.expectPunct(':');
    return { kind: 'lit', dtype: parseDType(ts), value };
  }
  const op = ts.expectIdent('a scalar expression');
  ts.expectPunct(':');
  const dtype = parseDType(ts);
  ts.expectPunct('(');
  const lhs = parseScalar(ts, types);
  if (op.text === 'neg') {
    ts.expectPunct(')');
    return { kind: 'neg', dtype, operand: lhs };
  }
  if (!(BINARY_KINDS as readonly string[]).includes(op.text)) ts.fail(`unknown scalar op '${op.text}'`, op);
  ts.expectPunct(',');
  const rhs = parseScalar(ts, types);
  ts.expectPunct(')');
  return { kind: 'bin', dtype, op: op.text as BinaryKind, lhs, rhs };
}

function parseDType(ts: TokenStream): DType {
  const d = ts.expectIdent('a dtype');
  if (!isDType(d.text)) ts.fail(`unknown dtype '${d.text}'`, d);
  return d.text;
}

/** `2*i + di - 1`: terms joined by + and -, each `index`, `c*index` or `c`. */
export function parseAffine(ts: TokenStream): Affine {
  const terms: { index: string; coeff: number }[] = [];
  let constant = 0;
  let sign = ts.eatPunct('-') ? -1 : 1;
  for (;;) {
    const t = ts.peek();
    if (t.kind === 'number') {
      const c = ts.expectInt('an integer');
      if (ts.eatPunct('*')) terms.push({ index: ts.expectIdent('an index name').text, coeff: sign * c });
      else constant += sign * c;
    } else terms.push({ index: ts.expectIdent('an index or integer').text, coeff: sign });
    if (ts.eatPunct('+')) sign = 1;
    else if (ts.eatPunct('-')) sign = -1;
    else break;
  }
  return { terms, constant };
}
