// Source text -> AST. The grammar is frontend/tc.ohm; this file only attaches
// the semantic action that builds AST nodes with spans.

import type * as ohm from 'ohm-js';
import type { Arg, Expr, FuncDef, Ident, LetSize, Param, ProgramAst, ReduceOp, Span, Stmt, TypeExpr } from './ast.js';
import { Diagnostics } from '../ir/diagnostics.js';
import { loadGrammar } from './grammar.js';
import { SourceText } from './source.js';

const grammar = loadGrammar(new URL('./tc.ohm', import.meta.url));

const spanOf = (n: ohm.Node): Span => ({ start: n.source.startIdx, end: n.source.endIdx });
const ident = (n: ohm.Node): Ident => ({ name: n.sourceString, span: spanOf(n) });

const semantics = grammar.createSemantics().addOperation<unknown>('ast', {
  Program(items) {
    const lets: LetSize[] = [];
    const funcs: FuncDef[] = [];
    for (const item of items.children.map((c) => c.ast() as LetSize | FuncDef))
      if ('params' in item) funcs.push(item);
      else lets.push(item);
    return { lets, funcs } satisfies ProgramAst;
  },
  LetSize(_let, name, _eq, value) {
    return { name: ident(name), value: value.ast() as Expr, span: spanOf(this) } satisfies LetSize;
  },
  FuncDef(_def, name, _lp, params, _rp, _arrow, results, body) {
    return {
      name: ident(name),
      params: params.asIteration().children.map((p) => p.ast() as Param),
      results: results.ast() as TypeExpr[],
      body: body.ast() as Stmt[],
      span: spanOf(this),
    } satisfies FuncDef;
  },
  Param(name, _colon, type) {
    return { name: ident(name), type: type.ast() as TypeExpr, span: spanOf(this) } satisfies Param;
  },
  Results_many(_lp, types, _rp) {
    return types.asIteration().children.map((t) => t.ast() as TypeExpr);
  },
  Results_one(type) {
    return [type.ast() as TypeExpr];
  },
  TensorType(dtype, _lb, dims, _rb) {
    return { dtype: ident(dtype), dims: dims.asIteration().children.map((d) => d.ast() as Expr), span: spanOf(this) } satisfies TypeExpr;
  },
  Block(_lb, stmts, _rb) {
    return stmts.children.map((s) => s.ast() as Stmt);
  },
  ReturnStmt(_ret, values) {
    return { kind: 'return', values: values.asIteration().children.map((v) => v.ast() as Expr), span: spanOf(this) } satisfies Stmt;
  },
  AssignStmt(target, _eq, value) {
    return { kind: 'assign', target: ident(target), value: value.ast() as Expr, span: spanOf(this) } satisfies Stmt;
  },
  IndexStmt(target, _lb, indices, _rb, op, value, where) {
    const ranges = where.children.length > 0 ? (where.children[0].ast() as Extract<Stmt, { kind: 'indexAssign' }>['ranges']) : [];
    return {
      kind: 'indexAssign',
      target: ident(target),
      indices: indices.asIteration().children.map(ident),
      op: op.sourceString as ReduceOp,
      opSpan: spanOf(op),
      value: value.ast() as Expr,
      ranges,
      span: spanOf(this),
    } satisfies Stmt;
  },
  WhereClause(_where, ranges) {
    return ranges.asIteration().children.map((r) => r.ast());
  },
  RangeDecl(index, _lt, bound) {
    return { index: ident(index), bound: bound.ast() as Expr, span: spanOf(this) };
  },
  AddExpr_add(lhs, _op, rhs) {
    return binary(this, '+', lhs, rhs);
  },
  AddExpr_sub(lhs, _op, rhs) {
    return binary(this, '-', lhs, rhs);
  },
  MulExpr_mul(lhs, _op, rhs) {
    return binary(this, '*', lhs, rhs);
  },
  MulExpr_div(lhs, _op, rhs) {
    return binary(this, '/', lhs, rhs);
  },
  MulExpr_matmul(lhs, _op, rhs) {
    return binary(this, '@', lhs, rhs);
  },
  UnaryExpr_neg(_minus, operand) {
    return { kind: 'neg', operand: operand.ast() as Expr, span: spanOf(this) } satisfies Expr;
  },
  Primary_paren(_lp, e, _rp) {
    return e.ast();
  },
  Primary_call(callee, _lp, args, _rp) {
    return {
      kind: 'call',
      callee: callee.sourceString,
      calleeSpan: spanOf(callee),
      args: args.asIteration().children.map((a) => a.ast() as Arg),
      span: spanOf(this),
    } satisfies Expr;
  },
  Primary_index(name, _lb, indices, _rb) {
    return {
      kind: 'index',
      name: name.sourceString,
      nameSpan: spanOf(name),
      indices: indices.asIteration().children.map((i) => i.ast() as Expr),
      span: spanOf(this),
    } satisfies Expr;
  },
  Primary_list(_lb, items, _rb) {
    return { kind: 'list', items: items.asIteration().children.map((i) => i.ast() as Expr), span: spanOf(this) } satisfies Expr;
  },
  Primary_num(n) {
    return { kind: 'num', value: Number(n.sourceString), isInt: /^[0-9]+$/.test(n.sourceString), span: spanOf(this) } satisfies Expr;
  },
  Primary_var(name) {
    return { kind: 'var', name: name.sourceString, span: spanOf(this) } satisfies Expr;
  },
  Arg_named(name, _eq, value) {
    return { name: name.sourceString, value: value.ast() as Expr, span: spanOf(this) } satisfies Arg;
  },
  Arg_positional(value) {
    return { value: value.ast() as Expr, span: spanOf(this) } satisfies Arg;
  },
});

function binary(node: ohm.Node, op: '+' | '-' | '*' | '/' | '@', lhs: ohm.Node, rhs: ohm.Node): Expr {
  return { kind: 'binary', op, lhs: lhs.ast() as Expr, rhs: rhs.ast() as Expr, span: spanOf(node) };
}

/** Parses a .tc file. Never throws for bad input: syntax errors become diagnostics. */
export function parseProgram(source: SourceText, diags: Diagnostics): ProgramAst | undefined {
  const match = grammar.match(source.text);
  if (match.failed()) {
    const bracket = bracketError(source);
    if (bracket) {
      diags.error(`syntax error: ${bracket.message}`, source.loc(bracket.span));
      return undefined;
    }
    const pos = match.getRightmostFailurePosition();
    const found = source.text[pos] === undefined ? 'end of file' : `'${source.text.slice(pos).match(/^(\w+|\S)/)?.[0] ?? source.text[pos]}'`;
    const message =
      source.text[pos] === ';' ? `tc needs no ';' after a statement; remove it` : `expected ${match.getExpectedText()}, found ${found}`;
    diags.error(`syntax error: ${message}`, source.loc({ start: pos, end: pos + 1 }));
    return undefined;
  }
  return semantics(match).ast() as ProgramAst;
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * The first bracket left open or closed by the wrong kind. Ohm blames the
 * start of the enclosing rule (a whole type or expression) for these, which
 * can be far from the bracket the user forgot.
 */
function bracketError(source: SourceText): { message: string; span: Span } | undefined {
  const text = source.text;
  const open: { char: string; at: number }[] = [];
  const where = (at: number): string => {
    const l = source.loc({ start: at, end: at + 1 });
    return `line ${l.line}, column ${l.col}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c in CLOSER) open.push({ char: c, at: i });
    else if (c === ')' || c === ']' || c === '}') {
      const top = open.pop();
      if (!top) return { message: `'${c}' has no matching opening bracket`, span: { start: i, end: i + 1 } };
      if (CLOSER[top.char] === c) continue;
      // On one line the stray closer is the place to fix; across lines, the opener usually is.
      if (source.loc({ start: top.at, end: top.at }).line === source.loc({ start: i, end: i }).line)
        return { message: `expected '${CLOSER[top.char]}' to close the '${top.char}' at ${where(top.at)}, found '${c}'`, span: { start: i, end: i + 1 } };
      return { message: `'${top.char}' is never closed; expected '${CLOSER[top.char]}' before the '${c}' at ${where(i)}`, span: { start: top.at, end: top.at + 1 } };
    }
  }
  const last = open.pop();
  return last && { message: `'${last.char}' is never closed; expected '${CLOSER[last.char]}' before the end of the file`, span: { start: last.at, end: last.at + 1 } };
}
