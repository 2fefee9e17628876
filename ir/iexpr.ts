// Integer expressions over loop variables: addresses, row counts and flags of
// Program IR instructions. Comparisons give 0 or 1.

import type { TokenStream } from './text-lexer.js';

export type IBinary = 'add' | 'sub' | 'mul' | 'min' | 'max' | 'mod' | 'div' | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne';

export type IExpr =
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: IBinary; readonly lhs: IExpr; readonly rhs: IExpr };

export const ic = (value: number): IExpr => ({ kind: 'const', value });
export const iv = (name: string): IExpr => ({ kind: 'var', name });

/** Builders that fold constants, so generated expressions stay readable. */
export function iadd(a: IExpr, b: IExpr): IExpr {
  if (a.kind === 'const' && b.kind === 'const') return ic(a.value + b.value);
  if (a.kind === 'const' && a.value === 0) return b;
  if (b.kind === 'const' && b.value === 0) return a;
  if (b.kind === 'const' && b.value < 0) return { kind: 'sub', lhs: a, rhs: ic(-b.value) };
  return { kind: 'add', lhs: a, rhs: b };
}
export function isub(a: IExpr, b: IExpr): IExpr {
  if (a.kind === 'const' && b.kind === 'const') return ic(a.value - b.value);
  if (b.kind === 'const' && b.value === 0) return a;
  return { kind: 'sub', lhs: a, rhs: b };
}
export function imul(a: IExpr, b: IExpr): IExpr {
  if (a.kind === 'const' && b.kind === 'const') return ic(a.value * b.value);
  if ((a.kind === 'const' && a.value === 0) || (b.kind === 'const' && b.value === 0)) return ic(0);
  if (a.kind === 'const' && a.value === 1) return b;
  if (b.kind === 'const' && b.value === 1) return a;
  if (b.kind === 'const') return { kind: 'mul', lhs: b, rhs: a };
  return { kind: 'mul', lhs: a, rhs: b };
}
export function imin(a: IExpr, b: IExpr): IExpr {
  if (a.kind === 'const' && b.kind === 'const') return ic(Math.min(a.value, b.value));
  return { kind: 'min', lhs: a, rhs: b };
}
export function imod(a: IExpr, b: IExpr): IExpr {
  if (a.kind === 'const' && b.kind === 'const') return ic(a.value % b.value);
  if (b.kind === 'const' && b.value === 1) return ic(0);
  return { kind: 'mod', lhs: a, rhs: b };
}
/** ceil(a / b) for a >= 0, b > 0. */
export function iceilDiv(a: IExpr, b: number): IExpr {
  if (a.kind === 'const') return ic(Math.ceil(a.value / b));
  if (b === 1) return a;
  return { kind: 'div', lhs: iadd(a, ic(b - 1)), rhs: ic(b) };
}
export function icmp(kind: 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne', a: IExpr, b: IExpr): IExpr {
  if (a.kind === 'const' && b.kind === 'const') return ic(evalI({ kind, lhs: a, rhs: b }, new Map()));
  return { kind, lhs: a, rhs: b };
}

export function evalI(e: IExpr, env: ReadonlyMap<string, number>): number {
  switch (e.kind) {
    case 'const':
      return e.value;
    case 'var': {
      const v = env.get(e.name);
      if (v === undefined) throw new Error(`unbound loop variable '${e.name}'`);
      return v;
    }
    default: {
      const a = evalI(e.lhs, env);
      const b = evalI(e.rhs, env);
      switch (e.kind) {
        case 'add':
          return a + b;
        case 'sub':
          return a - b;
        case 'mul':
          return a * b;
        case 'min':
          return Math.min(a, b);
        case 'max':
          return Math.max(a, b);
        case 'mod':
          // Operands are non-negative in tc's programs; C's % and / agree there.
          return a % b;
        case 'div':
          return Math.floor(a / b);
        case 'lt':
          return a < b ? 1 : 0;
        case 'le':
          return a <= b ? 1 : 0;
        case 'gt':
          return a > b ? 1 : 0;
        case 'ge':
          return a >= b ? 1 : 0;
        case 'eq':
          return a === b ? 1 : 0;
        case 'ne':
          return a !== b ? 1 : 0;
      }
    }
  }
}

export function freeVars(e: IExpr, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'var') out.add(e.name);
  else if (e.kind !== 'const') (freeVars(e.lhs, out), freeVars(e.rhs, out));
  return out;
}

const CMP: Readonly<Record<string, string>> = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '==', ne: '!=' };
const PREC: Readonly<Record<string, number>> = { lt: 1, le: 1, gt: 1, ge: 1, eq: 1, ne: 1, add: 2, sub: 2, mul: 3 };

/** Infix text: comparisons < + - < *; min/max as calls. Valid C as well. */
export function printI(e: IExpr, parentPrec = 0): string {
  switch (e.kind) {
    case 'const':
      return e.value < 0 && parentPrec > 0 ? `(${e.value})` : String(e.value);
    case 'var':
      return e.name;
    case 'min':
    case 'max':
    case 'mod':
    case 'div':
      return `${e.kind}(${printI(e.lhs)}, ${printI(e.rhs)})`;
    default: {
      const p = PREC[e.kind];
      const sym = e.kind === 'add' ? '+' : e.kind === 'sub' ? '-' : e.kind === 'mul' ? '*' : CMP[e.kind];
      const text = `${printI(e.lhs, p)} ${sym} ${printI(e.rhs, p + 1)}`;
      return p < parentPrec ? `(${text})` : text;
    }
  }
}

/** Parses what printI prints (and the usual infix forms). */
export function parseI(ts: TokenStream): IExpr {
  return parseCmp(ts);
}

function parseCmp(ts: TokenStream): IExpr {
  const lhs = parseAdd(ts);
  for (const [sym, kind] of [['<=', 'le'], ['>=', 'ge'], ['==', 'eq'], ['!=', 'ne'], ['<', 'lt'], ['>', 'gt']] as const)
    if (ts.eatPunct(sym)) return { kind, lhs, rhs: parseAdd(ts) };
  return lhs;
}

function parseAdd(ts: TokenStream): IExpr {
  let e = parseMul(ts);
  for (;;) {
    if (ts.eatPunct('+')) e = { kind: 'add', lhs: e, rhs: parseMul(ts) };
    else if (ts.eatPunct('-')) e = { kind: 'sub', lhs: e, rhs: parseMul(ts) };
    else return e;
  }
}

function parseMul(ts: TokenStream): IExpr {
  let e = parseAtom(ts);
  while (ts.eatPunct('*')) e = { kind: 'mul', lhs: e, rhs: parseAtom(ts) };
  return e;
}

function parseAtom(ts: TokenStream): IExpr {
  if (ts.eatPunct('(')) {
    const e = parseCmp(ts);
    ts.expectPunct(')');
    return e;
  }
  const t = ts.peek();
  if (t.kind === 'number' || (t.kind === 'punct' && t.text === '-')) return ic(ts.expectInt('an integer'));
  const name = ts.expectIdent('a loop variable or integer').text;
  if ((name === 'min' || name === 'max' || name === 'mod' || name === 'div') && ts.isPunct('(')) {
    ts.expectPunct('(');
    const lhs = parseCmp(ts);
    ts.expectPunct(',');
    const rhs = parseCmp(ts);
    ts.expectPunct(')');
    return { kind: name, lhs, rhs };
  }
  return iv(name);
}

/**
 * Normal form of the affine part of an expression: sum of coeff*var terms in
 * order of first appearance, then the constant; min/max/mod/comparisons keep
 * their shape with simplified operands. Same value, easier to read.
 */
export function simplifyI(e: IExpr): IExpr {
  const terms = new Map<string, { atom: IExpr; coeff: number }>();
  let constant = 0;
  const add = (x: IExpr, scale: number): boolean => {
    switch (x.kind) {
      case 'const':
        constant += scale * x.value;
        return true;
      case 'var': {
        const t = terms.get(x.name);
        terms.set(x.name, { atom: x, coeff: (t?.coeff ?? 0) + scale });
        return true;
      }
      case 'add':
        return add(x.lhs, scale) && add(x.rhs, scale);
      case 'sub':
        return add(x.lhs, scale) && add(x.rhs, -scale);
      case 'mul': {
        const l = simplifyI(x.lhs);
        const r = simplifyI(x.rhs);
        if (l.kind === 'const') return add(r, scale * l.value);
        if (r.kind === 'const') return add(l, scale * r.value);
        return atom({ kind: 'mul', lhs: l, rhs: r }, scale);
      }
      default:
        return atom({ kind: x.kind, lhs: simplifyI(x.lhs), rhs: simplifyI(x.rhs) } as IExpr, scale);
    }
  };
  const atom = (x: IExpr, scale: number): boolean => {
    const folded = x.kind !== 'const' && x.kind !== 'var' && x.lhs.kind === 'const' && x.rhs.kind === 'const' ? ic(evalI(x, new Map())) : x;
    if (folded.kind === 'const') {
      constant += scale * folded.value;
      return true;
    }
    const key = printI(folded);
    const t = terms.get(key);
    terms.set(key, { atom: folded, coeff: (t?.coeff ?? 0) + scale });
    return true;
  };
  add(e, 1);
  let out: IExpr | undefined;
  for (const { atom: a, coeff } of terms.values()) {
    if (coeff === 0) continue;
    const mag = Math.abs(coeff);
    const term: IExpr = mag === 1 ? a : { kind: 'mul', lhs: ic(mag), rhs: a };
    if (!out && coeff < 0 && constant > 0) {
      // 13 - 7 * i reads better than 0 - 7 * i + 13.
      out = { kind: 'sub', lhs: ic(constant), rhs: term };
      constant = 0;
    } else if (!out) out = coeff < 0 ? { kind: 'sub', lhs: ic(0), rhs: term } : term;
    else out = coeff < 0 ? { kind: 'sub', lhs: out, rhs: term } : { kind: 'add', lhs: out, rhs: term };
  }
  if (!out) return ic(constant);
  if (constant > 0) return { kind: 'add', lhs: out, rhs: ic(constant) };
  if (constant < 0) return { kind: 'sub', lhs: out, rhs: ic(-constant) };
  return out;
}
