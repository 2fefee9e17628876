// Checks a parsed program and lowers its entry function to Tensor IR.
//
// Sizes are bound globally (`let M = 64`, or --size M=64, which overrides a
// let), or per call by matching a callee's signature against its arguments.
// User functions are inlined at their call sites. Every user mistake becomes
// a located diagnostic; lowering goes on after an error so that one run
// reports as many independent errors as it can.

import type { Arg, Expr, FuncDef, ProgramAst, Span, Stmt, TypeExpr } from './ast.js';
import type { SourceText } from './source.js';
import { Diagnostics, type SourceLoc } from '../ir/diagnostics.js';
import { renameOp } from '../ir/tensor-rename.js';
import {
  affineRange,
  binaryDType,
  binaryType,
  broadcastShapes,
  clipType,
  conv2dType,
  formatAffine,
  genericType,
  matmulType,
  maxpoolType,
  promoteDTypes,
  reduceDType,
  requantType,
  reshapeType,
  sumType,
  transposeType,
  type Affine,
  type BinaryKind,
  type IndexVar,
  type ReduceKind,
  type ScalarExpr,
  type TensorFunc,
  type TensorOp,
  type TypeResult,
} from '../ir/tensor-ir.js';
import { DTYPE_RANGE, formatType, isDType, sameType, type DType, type TensorType } from '../ir/types.js';

export interface LowerOptions {
  /** Entry function name; the last function when absent. */
  readonly entry?: string;
  /** Size bindings from the command line; they override `let`. */
  readonly sizes?: ReadonlyMap<string, number>;
}

interface Value {
  readonly name: string;
  readonly type: TensorType;
}

/** What a name in a function body stands for; `poisoned` after an error, to avoid cascades. */
type Binding = { readonly kind: 'value'; readonly value: Value } | { readonly kind: 'poisoned' };

const BUILTINS = ['relu', 'clip', 'requant', 'transpose', 'reshape', 'conv2d', 'maxpool', 'sum', 'max', 'min', 'f32', 'i32', 'i8'] as const;
type Builtin = (typeof BUILTINS)[number];
const isBuiltin = (s: string): s is Builtin => (BUILTINS as readonly string[]).includes(s);

export function lowerProgram(ast: ProgramAst, source: SourceText, options: LowerOptions, diags: Diagnostics): TensorFunc | undefined {
  const lowerer = new Lowerer(ast, source, diags);
  return lowerer.run(options);
}

/** Closest name by edit distance, for "did you mean" hints. */
function suggest(name: string, candidates: Iterable<string>): string {
  let best = '';
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDist) [best, bestDist] = [c, d];
  }
  // Every one-letter name is one edit from every other: no guess for those.
  // A prefix (acc for accum) is a likely mix-up even when many edits away.
  const close = bestDist <= Math.max(1, Math.floor(name.length / 3)) || (best.length >= 2 && (name.startsWith(best) || best.startsWith(name)));
  return close && bestDist < name.length ? ` (did you mean '${best}'?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

class Lowerer {
  private readonly funcs = new Map<string, FuncDef>();
  private readonly globalSizes = new Map<string, number>();
  private ops: TensorOp[] = [];
  private tempCounter = 0;
  private readonly callCounts = new Map<string, number>();
  private readonly callStack: string[] = [];
  /** Unbound sizes already reported: one error per name, not one per use. */
  private readonly unboundReported = new Set<string>();

  constructor(
    private readonly ast: ProgramAst,
    private readonly source: SourceText,
    private readonly diags: Diagnostics,
  ) {}

  private loc(span: Span): SourceLoc {
    return this.source.loc(span);
  }
  private error(message: string, span: Span): void {
    this.diags.error(message, this.loc(span));
  }

  run(options: LowerOptions): TensorFunc | undefined {
    for (const f of this.ast.funcs) {
      const prior = this.funcs.get(f.name.name);
      if (prior) this.error(`function '${f.name.name}' is already defined at line ${this.loc(prior.name.span).line}`, f.name.span);
      else if (isBuiltin(f.name.name)) this.error(`'${f.name.name}' is a built-in function and cannot be redefined`, f.name.span);
      else this.funcs.set(f.name.name, f);
    }
    this.bindGlobalSizes(options.sizes ?? new Map());
    if (this.ast.funcs.length === 0) {
      this.diags.error('the program defines no function', this.loc({ start: 0, end: 0 }));
      return undefined;
    }
    const entryName = options.entry ?? this.ast.funcs[this.ast.funcs.length - 1].name.name;
    const entry = this.funcs.get(entryName);
    if (!entry) {
      // A function that was defined but rejected above already has its located error.
      if (this.ast.funcs.some((f) => f.name.name === entryName)) return undefined;
      this.diags.error(`entry function '${entryName}' is not defined${suggest(entryName, this.funcs.keys())}; functions: ${[...this.funcs.keys()].join(', ')}`);
      return undefined;
    }
    const lowered = this.lowerEntry(entry);
    // Check the other functions whose sizes are all known, so that errors in
    // them show up even when the entry does not call them.
    for (const f of this.funcs.values()) {
      if (f === entry || this.callCounts.has(f.name.name)) continue;
      const savedOps = this.ops;
      this.ops = [];
      this.lowerEntry(f, true);
      this.ops = savedOps;
    }
    dedupe(this.diags);
    return this.diags.hasErrors ? undefined : lowered;
  }

  private bindGlobalSizes(cliSizes: ReadonlyMap<string, number>): void {
    const letSpans = new Map<string, Span>();
    for (const l of this.ast.lets) {
      if (letSpans.has(l.name.name)) {
        this.error(`size '${l.name.name}' is already bound at line ${this.loc(letSpans.get(l.name.name) as Span).line}`, l.name.span);
        continue;
      }
      letSpans.set(l.name.name, l.name.span);
      const v = this.evalSize(l.value, this.globalSizes);
      if (v !== undefined) this.globalSizes.set(l.name.name, v);
    }
    const known = new Set([...letSpans.keys(), ...this.signatureSizeNames()]);
    for (const [name, value] of cliSizes) {
      if (!known.has(name)) {
        this.diags.error(`--size ${name}=${value}: the program has no size named '${name}'${suggest(name, known)}${known.size ? `; its sizes: ${[...known].join(', ')}` : ''}`);
        continue;
      }
      if (!(Number.isInteger(value) && value >= 1)) {
        this.diags.error(`--size ${name}=${value}: sizes must be positive integers`);
        continue;
      }
      this.globalSizes.set(name, value);
    }
  }

  /** Free identifiers in function signatures: the sizes a user can bind. */
  private signatureSizeNames(): Set<string> {
    const names = new Set<string>();
    const walk = (e: Expr): void => {
      if (e.kind === 'var') names.add(e.name);
      else if (e.kind === 'binary') (walk(e.lhs), walk(e.rhs));
      else if (e.kind === 'neg') walk(e.operand);
    };
    for (const f of this.ast.funcs) {
      for (const p of f.params) p.type.dims.forEach(walk);
      for (const r of f.results) r.dims.forEach(walk);
    }
    return names;
  }

  /** A size expression: integers, size names, + - * and exact /. */
  private evalSize(e: Expr, sizes: ReadonlyMap<string, number>, what = 'a size'): number | undefined {
    const v = this.evalConst(e, sizes, what);
    if (v === undefined) return undefined;
    if (!Number.isInteger(v)) {
      this.error(`${what} must be an integer, got ${v}`, e.span);
      return undefined;
    }
    return v;
  }

  /** Constant folding of numbers and sizes, for sizes and op attributes. */
  private evalConst(e: Expr, sizes: ReadonlyMap<string, number>, what: string): number | undefined {
    switch (e.kind) {
      case 'num':
        return e.value;
      case 'var': {
        const v = sizes.get(e.name);
        if (v === undefined && !this.unboundReported.has(e.name)) {
          this.unboundReported.add(e.name);
          const bound = [...sizes.keys()];
          this.error(
            `size '${e.name}' is not bound; add \`let ${e.name} = ...\` or pass --size ${e.name}=...${suggest(e.name, bound)}`,
            e.span,
          );
        }
        return v;
      }
      case 'neg': {
        const v = this.evalConst(e.operand, sizes, what);
        return v === undefined ? undefined : -v;
      }
      case 'binary': {
        if (e.op === '@') break;
        const l = this.evalConst(e.lhs, sizes, what);
        const r = this.evalConst(e.rhs, sizes, what);
        if (l === undefined || r === undefined) return undefined;
        switch (e.op) {
          case '+':
            return l + r;
          case '-':
            return l - r;
          case '*':
            return l * r;
          case '/':
            if (r === 0) {
              this.error('division by zero in a constant', e.span);
              return undefined;
            }
            return l / r;
        }
        break;
      }
      case 'call':
      case 'index':
      case 'list':
        break;
    }
    this.error(`${what} must be a constant expression (numbers, sizes, + - * /)`, e.span);
    return undefined;
  }

  private evalType(t: TypeExpr, sizes: ReadonlyMap<string, number>): TensorType | undefined {
    let okType = true;
    if (!isDType(t.dtype.name)) {
      this.error(`unknown dtype '${t.dtype.name}' (expected i8, i32 or f32)${suggest(t.dtype.name, ['i8', 'i32', 'f32'])}`, t.dtype.span);
      okType = false;
    }
    const shape: number[] = [];
    for (const d of t.dims) {
      const v = this.evalSize(d, sizes, 'a dimension');
      if (v === undefined) okType = false;
      else if (v < 1) {
        this.error(`dimension sizes must be positive, got ${v}`, d.span);
        okType = false;
      } else shape.push(v);
    }
    return okType ? { dtype: t.dtype.name as DType, shape } : undefined;
  }

  private lowerEntry(f: FuncDef, quiet = false): TensorFunc | undefined {
    const errorsBefore = this.diags.errorCount;
    if (quiet) {
      // Only check functions whose signature sizes are all bound.
      const names = new Set<string>();
      const walk = (e: Expr): void => {
        if (e.kind === 'var') names.add(e.name);
        else if (e.kind === 'binary') (walk(e.lhs), walk(e.rhs));
        else if (e.kind === 'neg') walk(e.operand);
      };
      f.params.forEach((p) => p.type.dims.forEach(walk));
      if ([...names].some((n) => !this.globalSizes.has(n))) return undefined;
    }
    const params: { name: string; type: TensorType }[] = [];
    const env = new Map<string, Binding>();
    for (const p of f.params) {
      const t = this.evalType(p.type, this.globalSizes);
      if (env.has(p.name.name)) this.error(`parameter '${p.name.name}' is declared twice`, p.name.span);
      if (t) {
        params.push({ name: p.name.name, type: t });
        env.set(p.name.name, { kind: 'value', value: { name: p.name.name, type: t } });
      } else env.set(p.name.name, { kind: 'poisoned' });
    }
    const resultTypes = f.results.map((r) => this.evalType(r, this.globalSizes));
    this.ops = [];
    this.callStack.push(f.name.name);
    const results = this.lowerBody(f, env, '', resultTypes);
    this.callStack.pop();
    if (!results || this.diags.errorCount > errorsBefore || resultTypes.some((t) => !t)) return undefined;
    const rename = denseTempNames(this.ops);
    return {
      name: f.name.name,
      params,
      body: this.ops.map((op) => renameOp(op, rename)),
      results: results.map((r) => rename.get(r.name) ?? r.name),
      resultTypes: resultTypes as TensorType[],
      loc: this.loc(f.name.span),
    };
  }

  /** Lowers statements; returns the returned values (undefined after errors). */
  private lowerBody(f: FuncDef, env: Map<string, Binding>, prefix: string, resultTypes: (TensorType | undefined)[]): Value[] | undefined {
    const definedAt = new Map<string, Span>();
    for (const p of f.params) definedAt.set(p.name.name, p.name.span);
    let returned: Value[] | undefined;
    let sawReturn = false;
    for (const stmt of f.body) {
      if (sawReturn) {
        this.error('statement after return is never reached', stmt.span);
        break;
      }
      switch (stmt.kind) {
        case 'assign':
        case 'indexAssign': {
          const name = stmt.target.name;
          const prior = definedAt.get(name);
          if (prior) {
            this.error(`'${name}' is already defined at line ${this.loc(prior).line}; each name is assigned once`, stmt.target.span);
            continue;
          }
          if (isBuiltin(name) || this.funcs.has(name)) {
            this.error(`'${name}' is the name of a function; choose another name`, stmt.target.span);
            continue;
          }
          definedAt.set(name, stmt.target.span);
          const opsBefore = this.ops.length;
          const v = stmt.kind === 'assign' ? this.lowerExpr(stmt.value, env) : this.lowerIndexStmt(stmt, env);
          if (!v) {
            env.set(name, { kind: 'poisoned' });
            continue;
          }
          // Give the op that computed the value the user's name.
          const last = this.ops[this.ops.length - 1];
          const ssaName = prefix + name;
          if (this.ops.length > opsBefore && last.result === v.name) {
            this.ops[this.ops.length - 1] = { ...last, result: ssaName };
            env.set(name, { kind: 'value', value: { name: ssaName, type: v.type } });
          } else env.set(name, { kind: 'value', value: v });
          break;
        }
        case 'return': {
          sawReturn = true;
          const values = stmt.values.map((e) => this.lowerExpr(e, env));
          if (values.length !== f.results.length) {
            this.error(`'${f.name.name}' declares ${f.results.length} result${f.results.length === 1 ? '' : 's'} but returns ${values.length}`, stmt.span);
            break;
          }
          if (values.some((v) => !v)) break;
          returned = values as Value[];
          returned.forEach((v, i) => {
            const want = resultTypes[i];
            if (want && !sameType(v.type, want)) {
              const hint =
                want.dtype === 'i8' && v.type.dtype !== 'i8'
                  ? '; scale it with requant(x, scale) or narrow it with i8(x)'
                  : want.dtype !== v.type.dtype
                    ? `; convert it with ${want.dtype}(x)`
                    : '';
              this.error(`returns ${formatType(v.type)} but '${f.name.name}' declares ${formatType(want)}${hint}`, stmt.values[i].span);
            }
          });
          break;
        }
      }
    }
    if (!sawReturn) {
      const last = f.body[f.body.length - 1];
      const hint = last && last.kind !== 'return' ? `; add \`return ${last.target.name}\` if that is its result` : '';
      this.error(`'${f.name.name}' has no return statement${hint}`, { start: f.span.end - 1, end: f.span.end });
    }
    return returned;
  }

  private temp(): string {
    return String(this.tempCounter++);
  }

  private emit(op: TensorOp): Value {
    this.ops.push(op);
    return { name: op.result, type: op.type };
  }

  /** Emits an op whose type comes from a rule; reports the rule's error at `span`. */
  private emitTyped(r: TypeResult, span: Span, make: (type: TensorType) => TensorOp): Value | undefined {
    if (!r.ok) {
      this.error(r.error, span);
      return undefined;
    }
    return this.emit(make(r.type));
  }

  private lowerExpr(e: Expr, env: Map<string, Binding>): Value | undefined {
    const loc = this.loc(e.span);
    switch (e.kind) {
      case 'num':
        return this.emit({ kind: 'const', result: this.temp(), type: { dtype: e.isInt ? 'i32' : 'f32', shape: [] }, value: e.isInt ? e.value : Math.fround(e.value), loc });
      case 'var': {
        const b = env.get(e.name);
        if (!b) {
          if (this.globalSizes.has(e.name)) this.error(`'${e.name}' is a size, not a tensor`, e.span);
          else if (this.funcs.has(e.name) || isBuiltin(e.name)) this.error(`'${e.name}' is a function; call it with (...)`, e.span);
          else this.error(`unknown name '${e.name}'${suggest(e.name, [...env.keys()])}`, e.span);
          return undefined;
        }
        return b.kind === 'value' ? b.value : undefined;
      }
      case 'neg': {
        if (e.operand.kind === 'num') return this.lowerExpr({ ...e.operand, value: -e.operand.value, span: e.span }, env);
        const x = this.lowerExpr(e.operand, env);
        if (!x) return undefined;
        const zero = this.emit({ kind: 'const', result: this.temp(), type: { dtype: x.type.dtype === 'f32' ? 'f32' : 'i32', shape: [] }, value: 0, loc });
        return this.emitTyped(binaryType('sub', zero.type, x.type), e.span, (type) => ({ kind: 'binary', op: 'sub', lhs: zero.name, rhs: x.name, result: this.temp(), type, loc }));
      }
      case 'binary': {
        if (e.op === '@') {
          const a = this.lowerExpr(e.lhs, env);
          const b = this.lowerExpr(e.rhs, env);
          if (!a || !b) return undefined;
          const r = matmulType(a.type, b.type);
          // Weights stored [out, in] are the classic cause: the last dimensions agree.
          const [sa, sb] = [a.type.shape, b.type.shape];
          if (!r.ok && sa.length === 2 && sb.length === 2 && sa[1] === sb[1]) {
            const rhsText = this.source.text.slice(e.rhs.span.start, e.rhs.span.end);
            this.error(`${r.error}; if the right operand is stored transposed, write transpose(${rhsText})`, e.span);
            return undefined;
          }
          return this.emitTyped(r, e.span, (type) => ({ kind: 'matmul', lhs: a.name, rhs: b.name, result: this.temp(), type, loc }));
        }
        const op: BinaryKind = e.op === '+' ? 'add' : e.op === '-' ? 'sub' : e.op === '*' ? 'mul' : 'div';
        return this.lowerBinary(op, e.lhs, e.rhs, e.span, env);
      }
      case 'call':
        return this.lowerCall(e, env);
      case 'index':
        this.error(`'${e.name}[...]' reads single elements; that is only allowed in index notation, like C[i, j] += A[i, k] * B[k, j]`, e.span);
        return undefined;
      case 'list':
        this.error('a list [...] is only allowed as an argument, like reshape(x, [4, 8])', e.span);
        return undefined;
    }
  }

  /** Elementwise binary op; a number literal takes the dtype of the other side. */
  private lowerBinary(op: BinaryKind, lhsE: Expr, rhsE: Expr, span: Span, env: Map<string, Binding>): Value | undefined {
    const lit = (e: Expr): { value: number; isInt: boolean } | undefined =>
      e.kind === 'num' ? e : e.kind === 'neg' && e.operand.kind === 'num' ? { value: -e.operand.value, isInt: e.operand.isInt } : undefined;
    const ll = lit(lhsE);
    const rl = lit(rhsE);
    const lhs = ll && !rl ? undefined : this.lowerExpr(lhsE, env);
    const rhs = rl && lhs ? undefined : this.lowerExpr(rhsE, env);
    const tensor = lhs ?? rhs;
    if (!tensor) return undefined;
    let a = lhs;
    let b = rhs;
    const constFor = (l: { value: number; isInt: boolean }, e: Expr): Value | undefined => {
      const dtype: DType = tensor.type.dtype === 'f32' ? 'f32' : 'i32';
      if (dtype !== 'f32' && !l.isInt) {
        this.error(`the number ${l.value} is not an integer but the other operand is ${tensor.type.dtype}; convert it with f32(x)`, e.span);
        return undefined;
      }
      if (dtype === 'i32' && (l.value < DTYPE_RANGE.i32.min || l.value > DTYPE_RANGE.i32.max)) {
        this.error(`the number ${l.value} does not fit in i32`, e.span);
        return undefined;
      }
      return this.emit({ kind: 'const', result: this.temp(), type: { dtype, shape: [] }, value: dtype === 'f32' ? Math.fround(l.value) : l.value, loc: this.loc(e.span) });
    };
    if (!a && ll) a = constFor(ll, lhsE);
    if (!b && rl) b = constFor(rl, rhsE);
    if (!a || !b) return undefined;
    const [x, y] = [a, b];
    // Name the operator as written (the type rules call it add, sub, ...).
    const symbol = op === 'add' ? "'+'" : op === 'sub' ? "'-'" : op === 'mul' ? "'*'" : op === 'div' ? "'/'" : `${op}()`;
    const mixed = promoteDTypes(x.type.dtype, y.type.dtype, symbol);
    if (!mixed.ok) {
      this.error(mixed.error, span);
      return undefined;
    }
    if (!broadcastShapes(x.type.shape, y.type.shape)) {
      this.error(
        `${symbol}: shapes ${formatType(x.type)} and ${formatType(y.type)} do not broadcast; trailing dimensions must be equal or 1 (a bias for [M, N] has shape [N])`,
        span,
      );
      return undefined;
    }
    return this.emitTyped(binaryType(op, x.type, y.type), span, (type) => ({ kind: 'binary', op, lhs: x.name, rhs: y.name, result: this.temp(), type, loc: this.loc(span) }));
  }

  // -- calls ----------------------------------------------------------------

  /**
   * Matches call arguments against a parameter list: positional first, then
   * named; reports unknown, repeated and missing arguments.
   */
  private bindArgs(call: Extract<Expr, { kind: 'call' }>, names: readonly string[], required: number): Map<string, Arg> | undefined {
    const bound = new Map<string, Arg>();
    let okArgs = true;
    let position = 0;
    for (const arg of call.args) {
      let name: string;
      if (arg.name === undefined) {
        if (position >= names.length) {
          this.error(`${call.callee}() takes at most ${names.length} argument${names.length === 1 ? '' : 's'} (${names.join(', ')})`, arg.span);
          okArgs = false;
          continue;
        }
        name = names[position++];
      } else {
        name = arg.name;
        if (!names.includes(name)) {
          this.error(`${call.callee}() has no argument '${name}'${suggest(name, names)}; its arguments: ${names.join(', ')}`, arg.span);
          okArgs = false;
          continue;
        }
      }
      if (bound.has(name)) {
        this.error(`argument '${name}' of ${call.callee}() is given twice`, arg.span);
        okArgs = false;
        continue;
      }
      bound.set(name, arg);
    }
    for (const n of names.slice(0, required))
      if (!bound.has(n)) {
        this.error(`${call.callee}() needs argument '${n}'`, call.span);
        okArgs = false;
      }
    return okArgs ? bound : undefined;
  }

  private constArg(args: Map<string, Arg>, name: string, fallback: number | undefined, what: string, integer: boolean): number | undefined {
    const arg = args.get(name);
    if (!arg) return fallback;
    const v = this.evalConst(arg.value, this.globalSizes, what);
    if (v === undefined) return undefined;
    if (integer && !Number.isInteger(v)) {
      this.error(`${what} must be an integer, got ${v}`, arg.value.span);
      return undefined;
    }
    return v;
  }

  private intListArg(args: Map<string, Arg>, name: string, what: string): number[] | undefined {
    const arg = args.get(name);
    if (!arg) return undefined;
    if (arg.value.kind !== 'list') {
      this.error(`${what} must be a list like [1, 0]`, arg.value.span);
      return undefined;
    }
    const out: number[] = [];
    for (const item of arg.value.items) {
      const v = this.evalSize(item, this.globalSizes, what);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }

  private lowerCall(call: Extract<Expr, { kind: 'call' }>, env: Map<string, Binding>): Value | undefined {
    const name = call.callee;
    if (!isBuiltin(name)) {
      const f = this.funcs.get(name);
      if (f) return this.inlineCall(f, call, env);
      this.error(`unknown function '${name}'${suggest(name, [...BUILTINS, ...this.funcs.keys()])}`, call.calleeSpan);
      return undefined;
    }
    const loc = this.loc(call.span);
    const tensorArg = (args: Map<string, Arg>, n: string): Value | undefined => {
      const a = args.get(n);
      return a ? this.lowerExpr(a.value, env) : undefined;
    };
    switch (name) {
      case 'relu': {
        const args = this.bindArgs(call, ['x'], 1);
        const x = args && tensorArg(args, 'x');
        if (!x) return undefined;
        return this.emit({ kind: 'relu', input: x.name, result: this.temp(), type: x.type, loc });
      }
      case 'clip': {
        const args = this.bindArgs(call, ['x', 'lo', 'hi'], 3);
        if (!args) return undefined;
        const x = tensorArg(args, 'x');
        const lo = this.constArg(args, 'lo', undefined, 'clip lower bound', false);
        const hi = this.constArg(args, 'hi', undefined, 'clip upper bound', false);
        if (!x || lo === undefined || hi === undefined) return undefined;
        const [flo, fhi] = x.type.dtype === 'f32' ? [Math.fround(lo), Math.fround(hi)] : [lo, hi];
        return this.emitTyped(clipType(x.type, flo, fhi), call.span, (type) => ({ kind: 'clip', input: x.name, lo: flo, hi: fhi, result: this.temp(), type, loc }));
      }
      case 'requant': {
        const args = this.bindArgs(call, ['x', 'scale'], 2);
        if (!args) return undefined;
        const x = tensorArg(args, 'x');
        const scale = this.constArg(args, 'scale', undefined, 'requant scale', false);
        if (!x || scale === undefined) return undefined;
        // The scale is a float32, as Gemmini's acc_scale_t.
        const s = Math.fround(scale);
        return this.emitTyped(requantType(x.type, s), call.span, (type) => ({ kind: 'requant', input: x.name, scale: s, result: this.temp(), type, loc }));
      }
      case 'transpose': {
        const args = this.bindArgs(call, ['x', 'perm'], 1);
        if (!args) return undefined;
        const x = tensorArg(args, 'x');
        if (!x) return undefined;
        const perm = args.has('perm') ? this.intListArg(args, 'perm', 'transpose permutation') : x.type.shape.map((_, i) => x.type.shape.length - 1 - i);
        if (!perm) return undefined;
        return this.emitTyped(transposeType(x.type, perm), call.span, (type) => ({ kind: 'transpose', input: x.name, perm, result: this.temp(), type, loc }));
      }
      case 'reshape': {
        const args = this.bindArgs(call, ['x', 'shape'], 2);
        if (!args) return undefined;
        const x = tensorArg(args, 'x');
        const shape = this.intListArg(args, 'shape', 'reshape shape');
        if (!x || !shape) return undefined;
        return this.emitTyped(reshapeType(x.type, shape), call.span, (type) => ({ kind: 'reshape', input: x.name, result: this.temp(), type, loc }));
      }
      case 'conv2d': {
        const args = this.bindArgs(call, ['x', 'w', 'stride', 'padding'], 2);
        if (!args) return undefined;
        const x = tensorArg(args, 'x');
        const w = tensorArg(args, 'w');
        const stride = this.constArg(args, 'stride', 1, 'conv2d stride', true);
        const padding = this.constArg(args, 'padding', 0, 'conv2d padding', true);
        if (!x || !w || stride === undefined || padding === undefined) return undefined;
        return this.emitTyped(conv2dType(x.type, w.type, stride, padding), call.span, (type) => ({ kind: 'conv2d', input: x.name, weight: w.name, stride, padding, result: this.temp(), type, loc }));
      }
      case 'maxpool': {
        const args = this.bindArgs(call, ['x', 'size', 'stride', 'padding'], 2);
        if (!args) return undefined;
        const x = tensorArg(args, 'x');
        const size = this.constArg(args, 'size', undefined, 'maxpool size', true);
        const stride = this.constArg(args, 'stride', size, 'maxpool stride', true);
        const padding = this.constArg(args, 'padding', 0, 'maxpool padding', true);
        if (!x || size === undefined || stride === undefined || padding === undefined) return undefined;
        const paddingArg = args.get('padding');
        if (paddingArg && Number.isInteger(size) && size >= 1 && padding >= size) {
          this.error(`maxpool padding must be smaller than the window size ${size}, got ${padding}; the first window would hold only padding`, paddingArg.span);
          return undefined;
        }
        return this.emitTyped(maxpoolType(x.type, size, stride, padding), call.span, (type) => ({ kind: 'maxpool', input: x.name, size, stride, padding, result: this.temp(), type, loc }));
      }
      case 'sum': {
        const args = this.bindArgs(call, ['x', 'axis'], 2);
        if (!args) return undefined;
        const x = tensorArg(args, 'x');
        let axis = this.constArg(args, 'axis', undefined, 'sum axis', true);
        if (!x || axis === undefined) return undefined;
        if (axis < 0) axis += x.type.shape.length;
        const ax = axis;
        return this.emitTyped(sumType(x.type, ax), call.span, (type) => ({ kind: 'sum', input: x.name, axis: ax, result: this.temp(), type, loc }));
      }
      case 'max':
      case 'min': {
        const args = this.bindArgs(call, ['a', 'b'], 2);
        if (!args) return undefined;
        return this.lowerBinary(name, (args.get('a') as Arg).value, (args.get('b') as Arg).value, call.span, env);
      }
      case 'f32':
      case 'i32':
      case 'i8': {
        const args = this.bindArgs(call, ['x'], 1);
        const x = args && tensorArg(args, 'x');
        if (!x) return undefined;
        if (x.type.dtype === name) return x;
        return this.emit({ kind: 'convert', input: x.name, result: this.temp(), type: { dtype: name, shape: x.type.shape }, loc });
      }
    }
  }

  /** Inlines a user function: binds its sizes from the arguments' shapes. */
  private inlineCall(f: FuncDef, call: Extract<Expr, { kind: 'call' }>, env: Map<string, Binding>): Value | undefined {
    if (this.callStack.includes(f.name.name)) {
      this.error(`recursive call of '${f.name.name}' (${[...this.callStack, f.name.name].join(' -> ')}); tc functions are inlined`, call.calleeSpan);
      return undefined;
    }
    if (f.results.length !== 1) {
      this.error(`'${f.name.name}' returns ${f.results.length} values; only functions with one result can be called`, call.calleeSpan);
      return undefined;
    }
    const args = this.bindArgs(call, f.params.map((p) => p.name.name), f.params.length);
    if (!args) return undefined;
    const values = f.params.map((p) => this.lowerExpr((args.get(p.name.name) as Arg).value, env));
    if (values.some((v) => !v)) return undefined;
    // Bind the callee's sizes by matching each parameter's type.
    const sizes = new Map(this.globalSizes);
    let matched = true;
    f.params.forEach((p, i) => {
      const v = values[i] as Value;
      const argSpan = (args.get(p.name.name) as Arg).value.span;
      const mismatch = (): void => {
        this.error(`argument '${p.name.name}' of ${f.name.name}() must be ${this.showType(p.type)}, got ${formatType(v.type)}`, argSpan);
        matched = false;
      };
      if (p.type.dtype.name !== v.type.dtype || p.type.dims.length !== v.type.shape.length) return mismatch();
      p.type.dims.forEach((d, k) => {
        const actual = v.type.shape[k];
        if (d.kind === 'var' && !sizes.has(d.name)) sizes.set(d.name, actual);
        else {
          const want = this.evalSize(d, sizes, 'a dimension');
          if (want !== undefined && want !== actual) {
            const which = d.kind === 'var' ? ` (${d.name} = ${want})` : '';
            this.error(`argument '${p.name.name}' of ${f.name.name}() must be ${this.showType(p.type)}${which}, got ${formatType(v.type)}`, argSpan);
            matched = false;
          }
        }
      });
    });
    if (!matched) return undefined;
    const resultType = this.evalType(f.results[0], sizes);
    const calleeEnv = new Map<string, Binding>();
    f.params.forEach((p, i) => calleeEnv.set(p.name.name, { kind: 'value', value: values[i] as Value }));
    const count = (this.callCounts.get(f.name.name) ?? 0) + 1;
    this.callCounts.set(f.name.name, count);
    const prefix = `${f.name.name}${count === 1 ? '' : count}.`;
    // Sizes bound by this call are visible to the callee's body (e.g. reshape).
    const savedSizes = new Map(this.globalSizes);
    for (const [k, v] of sizes) this.globalSizes.set(k, v);
    this.callStack.push(f.name.name);
    const results = this.lowerBody(f, calleeEnv, prefix, [resultType]);
    this.callStack.pop();
    this.globalSizes.clear();
    for (const [k, v] of savedSizes) this.globalSizes.set(k, v);
    return results?.[0];
  }

  private showType(t: TypeExpr): string {
    return this.source.text.slice(t.span.start, t.span.end);
  }

  // -- index notation ---------------------------------------------------------

  private lowerIndexStmt(stmt: Extract<Stmt, { kind: 'indexAssign' }>, env: Map<string, Binding>): Value | undefined {
    const reduce: ReduceKind = stmt.op === '=' ? 'assign' : stmt.op === '+=' ? 'add' : stmt.op === 'max=' ? 'max' : 'min';
    let okStmt = true;
    const outNames: string[] = [];
    for (const ix of stmt.indices) {
      if (outNames.includes(ix.name)) {
        this.error(`index '${ix.name}' appears twice on the left`, ix.span);
        okStmt = false;
      } else if (this.globalSizes.has(ix.name)) {
        this.error(`index '${ix.name}' has the name of a size; choose another index name`, ix.span);
        okStmt = false;
      }
      outNames.push(ix.name);
    }
    // Explicit ranges from the where clause.
    const declared = new Map<string, { extent: number; span: Span }>();
    for (const r of stmt.ranges) {
      const v = this.evalSize(r.bound, this.globalSizes, `the range of '${r.index.name}'`);
      if (v === undefined) okStmt = false;
      else if (v < 1) {
        this.error(`the range of '${r.index.name}' must be at least 1, got ${v}`, r.bound.span);
        okStmt = false;
      } else if (declared.has(r.index.name)) {
        this.error(`the range of '${r.index.name}' is given twice`, r.index.span);
        okStmt = false;
      } else declared.set(r.index.name, { extent: v, span: r.index.span });
    }
    // Uses of each index as a plain subscript give its range.
    const inferred = new Map<string, { extent: number; where: string; span: Span }>();
    const order: string[] = [];
    const body = this.lowerScalar(stmt.value, env, (index, extent, where, span) => {
      if (!order.includes(index)) order.push(index);
      if (extent === undefined) return;
      const prior = inferred.get(index);
      if (!prior) inferred.set(index, { extent, where, span });
      else if (prior.extent !== extent && !declared.has(index)) {
        this.error(`index '${index}' ranges over ${prior.extent} in ${prior.where} but over ${extent} in ${where}; add \`where ${index} < N\` to pick a range`, span);
        okStmt = false;
      }
    });
    if (!body || !okStmt) return undefined;
    for (const name of declared.keys())
      if (!order.includes(name) && !outNames.includes(name)) this.error(`index '${name}' has a range but is not used`, (declared.get(name) as { span: Span }).span);
    const extentOf = (name: string, span: Span): number | undefined => {
      const e = declared.get(name)?.extent ?? inferred.get(name)?.extent;
      if (e === undefined) this.error(`cannot infer the range of index '${name}': no tensor is indexed by ${name} alone; add \`where ${name} < N\``, span);
      return e;
    };
    const indices: IndexVar[] = [];
    for (const ix of stmt.indices) {
      const e = extentOf(ix.name, ix.span);
      if (e === undefined) return undefined;
      indices.push({ name: ix.name, extent: e });
    }
    const reductionNames = order.filter((n) => !outNames.includes(n));
    for (const n of reductionNames) {
      const e = extentOf(n, stmt.value.span);
      if (e === undefined) return undefined;
      indices.push({ name: n, extent: e });
    }
    if (reduce === 'assign' && reductionNames.length > 0) {
      this.error(`${reductionNames.map((n) => `'${n}'`).join(', ')} appear${reductionNames.length === 1 ? 's' : ''} only on the right; use += to sum over ${reductionNames.length === 1 ? 'it' : 'them'}, or max= / min=`, stmt.opSpan);
      return undefined;
    }
    // Every subscript must stay inside its tensor.
    const extentMap = new Map(indices.map((iv) => [iv.name, iv.extent]));
    let inRange = true;
    for (const r of this.pendingReads) {
      const range = affineRange(r.affine, extentMap);
      if (range.min < 0 || range.max >= r.dimSize) {
        this.error(`index out of range: ${formatAffine(r.affine)} takes values ${range.min}..${range.max}, but dimension ${r.dim} of '${r.tensor}' has size ${r.dimSize}`, r.span);
        inRange = false;
      }
    }
    this.pendingReads = [];
    if (!inRange) return undefined;
    const type: TensorType = { dtype: reduceDType(reduce, body.dtype), shape: indices.slice(0, outNames.length).map((iv) => iv.extent) };
    const op: TensorOp = { kind: 'generic', indices, outIndices: outNames, reduce, body, result: this.temp(), type, loc: this.loc(stmt.span) };
    const check = genericType(op, (n) => this.typeOfSsa(n, env));
    if (!check.ok) {
      this.error(check.error, stmt.span);
      return undefined;
    }
    return this.emit(op);
  }

  private pendingReads: { tensor: string; dim: number; dimSize: number; affine: Affine; span: Span }[] = [];

  private typeOfSsa(name: string, env: Map<string, Binding>): TensorType {
    for (const b of env.values()) if (b.kind === 'value' && b.value.name === name) return b.value.type;
    const op = this.ops.find((o) => o.result === name);
    if (op) return op.type;
    throw new Error(`internal: no type for %${name}`);
  }

  /** Lowers the right-hand side of an index statement to a scalar expression. */
  private lowerScalar(
    e: Expr,
    env: Map<string, Binding>,
    useIndex: (index: string, extent: number | undefined, where: string, span: Span) => void,
  ): ScalarExpr | undefined {
    switch (e.kind) {
      case 'num':
        return { kind: 'lit', dtype: e.isInt ? 'i32' : 'f32', value: e.isInt ? e.value : Math.fround(e.value) };
      case 'index': {
        const b = env.get(e.name);
        if (!b) {
          this.error(`unknown tensor '${e.name}'${suggest(e.name, [...env.keys()])}`, e.nameSpan);
          return undefined;
        }
        if (b.kind === 'poisoned') return undefined;
        const t = b.value.type;
        if (e.indices.length !== t.shape.length) {
          this.error(`'${e.name}' has rank ${t.shape.length} (${formatType(t)}) but is indexed with ${e.indices.length} subscript${e.indices.length === 1 ? '' : 's'}`, e.span);
          return undefined;
        }
        const subscripts: Affine[] = [];
        for (let d = 0; d < e.indices.length; d++) {
          const s = e.indices[d];
          const a = this.toAffine(s);
          if (!a) return undefined;
          for (const term of a.terms) {
            const plain = a.terms.length === 1 && term.coeff === 1 && a.constant === 0;
            useIndex(term.index, plain ? t.shape[d] : undefined, `${e.name}[...] (dimension ${d})`, s.span);
          }
          subscripts.push(a);
          this.pendingReads.push({ tensor: e.name, dim: d, dimSize: t.shape[d], affine: a, span: s.span });
        }
        return { kind: 'read', dtype: t.dtype, tensor: b.value.name, subscripts };
      }
      case 'neg': {
        const x = this.lowerScalar(e.operand, env, useIndex);
        if (!x) return undefined;
        if (x.kind === 'lit') return { ...x, value: -x.value };
        return { kind: 'neg', dtype: x.dtype === 'i8' ? 'i32' : x.dtype, operand: x };
      }
      case 'binary': {
        if (e.op === '@') {
          this.error(`'@' multiplies whole matrices; in index notation write the sum, like C[i, j] += A[i, k] * B[k, j]`, e.span);
          return undefined;
        }
        const op: BinaryKind = e.op === '+' ? 'add' : e.op === '-' ? 'sub' : e.op === '*' ? 'mul' : 'div';
        return this.scalarBinary(op, e.lhs, e.rhs, e.span, env, useIndex);
      }
      case 'call':
        if (e.callee === 'max' || e.callee === 'min') {
          if (e.args.length !== 2 || e.args.some((a) => a.name !== undefined)) {
            this.error(`${e.callee}(a, b) takes two arguments`, e.span);
            return undefined;
          }
          return this.scalarBinary(e.callee, e.args[0].value, e.args[1].value, e.span, env, useIndex);
        }
        this.error(`only max(a, b) and min(a, b) can be called inside index notation; compute ${e.callee}(...) in its own statement`, e.calleeSpan);
        return undefined;
      case 'var':
        this.error(`'${e.name}' needs subscripts here, like ${e.name}[i, j]; index notation reads single elements`, e.span);
        return undefined;
      case 'list':
        this.error('a list [...] is not allowed in index notation', e.span);
        return undefined;
    }
  }

  private scalarBinary(
    op: BinaryKind,
    lhsE: Expr,
    rhsE: Expr,
    span: Span,
    env: Map<string, Binding>,
    useIndex: (index: string, extent: number | undefined, where: string, span: Span) => void,
  ): ScalarExpr | undefined {
    let l = this.lowerScalar(lhsE, env, useIndex);
    let r = this.lowerScalar(rhsE, env, useIndex);
    if (!l || !r) return undefined;
    // A literal takes the dtype of the other side.
    const adapt = (lit: ScalarExpr, other: ScalarExpr, litE: Expr): ScalarExpr | undefined => {
      if (lit.kind !== 'lit' || other.kind === 'lit') return lit;
      if (other.dtype === 'f32') return { ...lit, dtype: 'f32' };
      if (!Number.isInteger(lit.value)) {
        this.error(`the number ${lit.value} is not an integer but the other operand is ${other.dtype}`, litE.span);
        return undefined;
      }
      return { ...lit, dtype: 'i32' };
    };
    const l2 = adapt(l, r, lhsE);
    const r2 = adapt(r, l, rhsE);
    if (!l2 || !r2) return undefined;
    [l, r] = [l2, r2];
    const d = binaryDType(op, l.dtype, r.dtype);
    if (!d.ok) {
      this.error(d.error, span);
      return undefined;
    }
    return { kind: 'bin', op, dtype: d.dtype, lhs: l, rhs: r };
  }

  /** A subscript: an affine function of index names with integer (or size) coefficients. */
  private toAffine(e: Expr): Affine | undefined {
    const terms = new Map<string, number>();
    let constant = 0;
    const bad = (): undefined => {
      this.error(`a subscript must be affine in the indices, like i, 2*i + r or j - 1`, e.span);
      return undefined;
    };
    const walk = (x: Expr, sign: number): boolean => {
      switch (x.kind) {
        case 'num':
          if (!x.isInt) return false;
          constant += sign * x.value;
          return true;
        case 'var':
          if (this.globalSizes.has(x.name)) constant += sign * (this.globalSizes.get(x.name) as number);
          else terms.set(x.name, (terms.get(x.name) ?? 0) + sign);
          return true;
        case 'neg':
          return walk(x.operand, -sign);
        case 'binary': {
          if (x.op === '+' || x.op === '-') return walk(x.lhs, sign) && walk(x.rhs, x.op === '+' ? sign : -sign);
          if (x.op !== '*') return false;
          const lc = this.constOf(x.lhs);
          const rc = this.constOf(x.rhs);
          if (lc !== undefined) return walk(x.rhs, sign * lc);
          if (rc !== undefined) return walk(x.lhs, sign * rc);
          return false;
        }
        default:
          return false;
      }
    };
    if (!walk(e, 1)) return bad();
    return { terms: [...terms].filter(([, c]) => c !== 0).map(([index, coeff]) => ({ index, coeff })), constant };
  }

  /** The value of an integer constant expression, or undefined (silently). */
  private constOf(e: Expr): number | undefined {
    switch (e.kind) {
      case 'num':
        return e.isInt ? e.value : undefined;
      case 'var':
        return this.globalSizes.get(e.name);
      case 'neg': {
        const v = this.constOf(e.operand);
        return v === undefined ? undefined : -v;
      }
      case 'binary': {
        const l = this.constOf(e.lhs);
        const r = this.constOf(e.rhs);
        if (l === undefined || r === undefined) return undefined;
        return e.op === '+' ? l + r : e.op === '-' ? l - r : e.op === '*' ? l * r : undefined;
      }
      default:
        return undefined;
    }
  }
}

/** Temporaries are numbered 0, 1, 2, ... in order of definition. */
function denseTempNames(ops: readonly TensorOp[]): Map<string, string> {
  const rename = new Map<string, string>();
  for (const op of ops) if (/^[0-9]+$/.test(op.result)) rename.set(op.result, String(rename.size));
  return rename;
}

/** Inlined functions are lowered once per call; report each problem once. */
function dedupe(diags: Diagnostics): void {
  const seen = new Set<string>();
  const kept = diags.items.filter((d) => {
    const key = `${d.loc?.file}:${d.loc?.line}:${d.loc?.col}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  diags.items.splice(0, diags.items.length, ...kept);
}

