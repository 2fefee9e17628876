// Property-based tests (fast-check) of the frontend, the Tensor IR text form
// and the reference interpreter:
//  a. compileSource never throws, whatever the text: it returns located diagnostics;
//  b. generated valid Tensor IR verifies, and print -> parse -> print is exact;
//  c. the interpreter agrees bit for bit with a naive evaluator written here,
//     independently of ir/interpret.ts, on random small programs.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileSource } from '../frontend/frontend.js';
import type { SourceLoc } from '../ir/diagnostics.js';
import { interpret } from '../ir/interpret.js';
import {
  BINARY_KINDS,
  binaryDType,
  gemmType,
  im2colType,
  type GemmPlacement,
  type GemmTiling,
  binaryType,
  broadcastShapes,
  conv2dType,
  genericType,
  matmulType,
  maxpoolType,
  requantType,
  reshapeType,
  sumType,
  transposeType,
  clipType,
  type Affine,
  type BinaryKind,
  type IndexVar,
  type ReduceKind,
  type ScalarExpr,
  type TensorFunc,
  type TensorOp,
  type TensorParam,
  type TypeResult,
} from '../ir/tensor-ir.js';
import { parseTensorFunc } from '../ir/tensor-parse.js';
import { printTensorFunc } from '../ir/tensor-print.js';
import { verifyTensorFunc } from '../ir/tensor-verify.js';
import { randomTensor, type Tensor } from '../ir/tensor-value.js';
import type { DType, TensorType } from '../ir/types.js';

/** TC_PROPERTY_RUNS=10 runs every property ten times as long, for a deeper search than `npm test`. */
const RUNS_FACTOR = Number(process.env.TC_PROPERTY_RUNS ?? '1') || 1;
const runs = (n: number): number => Math.ceil(n * RUNS_FACTOR);
// Each run draws a fresh seed; a failure prints it, and TC_PROPERTY_SEED=<seed> replays that run.
if (process.env.TC_PROPERTY_SEED) fc.configureGlobal({ seed: Number(process.env.TC_PROPERTY_SEED) });

// ---------------------------------------------------------------------------
// a. The frontend never throws.

const VALID_PROGRAMS: readonly string[] = [
  `// GEMM + bias + ReLU + requant
let M = 4
let K = 8
let N = 3
def gemm(a: i8[M, K], b: i8[K, N], bias: i32[N]) -> i8[M, N] {
  acc = a @ b + bias
  return requant(relu(acc), 0.02)
}
`,
  `/* a conv layer and a pool */
def conv(x: i8[1, 8, 8, 4], w: i8[3, 3, 4, 8]) -> i8[1, 2, 2, 8] {
  y = conv2d(x, w, stride=2, padding=1)
  p = maxpool(relu(y), size=2, stride=2)
  return requant(p, 0.01)
}
`,
  `let T = 4
let D = 8
def scores(q: f32[T, D], k: f32[T, D]) -> f32[T, T] {
  S[i, j] += q[i, d] * k[j, d]
  m[i] max= S[i, j]
  Z[i, j] = S[i, j] - m[i]
  return Z
}
def attn(q: f32[T, D], k: f32[T, D], v: f32[T, D]) -> f32[T, D] {
  s = scores(q, k)
  O[i, e] += s[i, j] * v[j, e]
  return transpose(transpose(O, perm=[1, 0]))
}
`,
  `let N = 4
let M = 2
def step(A: f32[N, N], B: f32[N, M], P: f32[N, N], x: f32[N]) -> (f32[N, N], f32[N]) {
  AtPA = transpose(A) @ P @ A
  BtPB = transpose(B) @ P @ B
  g = sum(reshape(BtPB, [1, M, M]), axis=0)
  y = A @ x / 2.5 - min(x, 0.5)
  return AtPA - P * 0.9, y + sum(g, axis=-1) @ transpose(B) @ A
}
`,
  `def res(x: i8[2, 16], y: i8[2, 16]) -> i8[2, 16] {
  s = i32(x) + y
  t = -s * 3
  u = max(t, 0)
  f = f32(u) / 2.5
  Y[i, j] = x[i, j] - y[i, 15 - j] where j < 16
  return i8(clip(f, -128, 127)) 
}
`,
];

const VOCABULARY: readonly string[] = [
  'def', 'let', 'return', 'where', '(', ')', '[', ']', '{', '}', ',', ':', '->', '=', '+=', 'max=', 'min=', '==',
  '+', '-', '*', '/', '@', '<', '.', ';', 'i8', 'i32', 'f32', 'f64', 'x', 'y', 'w', 'A', 'B', 'C', 'i', 'j', 'k',
  'M', 'N', 'K', 'relu', 'clip', 'requant', 'transpose', 'reshape', 'conv2d', 'maxpool', 'sum', 'max', 'min',
  'stride', 'padding', 'size', 'axis', 'perm', 'shape', 'f', 'main', '0', '1', '2', '3', '-1', '0.5', '1e3', '1e400',
  '2147483648', '99999999999', '//c\n', '/*', '*/', '\n', 'x[i, j]', 'i8[4, 4]', 'f32[M]', '@f', '%0', '"', "'", '\t',
];

/** A diagnostic's place must lie in the text: a real line, a column at most one past its end. */
function expectLocInside(loc: SourceLoc | undefined, text: string, file: string): void {
  expect(loc, 'every frontend error must carry a location').toBeDefined();
  const l = loc as SourceLoc;
  expect(l.file).toBe(file);
  const lines = text.split('\n');
  expect(l.line).toBeGreaterThanOrEqual(1);
  expect(l.line).toBeLessThanOrEqual(lines.length);
  expect(l.col).toBeGreaterThanOrEqual(1);
  expect(l.col).toBeLessThanOrEqual(lines[l.line - 1].length + 1);
}

/** compileSource must return, with either a function or at least one located error. */
function checkNeverThrows(text: string): void {
  const r = compileSource('fuzz.tc', text);
  if (r.func) {
    expect(r.diagnostics.hasErrors).toBe(false);
    // What the frontend produces must also survive the IR text round trip.
    const printed = printTensorFunc(r.func);
    const parsed = parseTensorFunc(printed);
    expect(parsed.diagnostics.items).toEqual([]);
    expect(printTensorFunc(parsed.value as TensorFunc)).toBe(printed);
  } else {
    expect(r.diagnostics.hasErrors).toBe(true);
  }
  for (const d of r.diagnostics.items) expectLocInside(d.loc, text, 'fuzz.tc');
}

type Mutation = { kind: 'delete' | 'insert' | 'swap' | 'duplicate' | 'word'; at: number; other: number; char: string };

// Words and numbers a mutation may put in place of another, so that many
// mutants still parse and reach the checks after the grammar.
const WORDS = ['x', 'y', 'a', 'b', 'w', 'k', 'q', 'i', 'j', 'd', 'e', 'M', 'N', 'K', 'T', 'D', 'i8', 'i32', 'f32', 'relu', 'sum', 'transpose',
  'reshape', 'requant', 'clip', 'conv2d', 'maxpool', 'max', 'min', 'stride', 'padding', 'size', 'axis', 'perm', 'scores', 'gemm', 'acc'];
const NUMBERS = ['0', '1', '2', '3', '5', '16', '0.5', '2.5', '1e3', '100000', '2147483648'];

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'swap', 'duplicate', 'word'),
  at: fc.noBias(fc.nat({ max: 100000 })),
  other: fc.noBias(fc.nat({ max: 100000 })),
  char: fc.oneof(fc.constantFrom(...'()[]{},:=+-*/@<>;.0123456789 \n\t"\'abcxyzMNK_#%'), fc.string({ minLength: 1, maxLength: 1 })),
});

/** Word-for-word replacements only: mostly still grammatical, so the name, shape and dtype checks run. */
const wordMutationArb: fc.Arbitrary<Mutation> = mutationArb.map((m) => ({ ...m, kind: 'word' }));

function mutate(text: string, muts: readonly Mutation[]): string {
  let s = text;
  for (const m of muts) {
    const n = s.length;
    const at = n === 0 ? 0 : m.at % n;
    switch (m.kind) {
      case 'delete':
        s = s.slice(0, at) + s.slice(at + 1 + (m.other % 3));
        break;
      case 'insert':
        s = s.slice(0, at) + m.char + s.slice(at);
        break;
      case 'swap': {
        if (n < 2) break;
        const b = m.other % n;
        const [i, j] = at < b ? [at, b] : [b, at];
        s = s.slice(0, i) + s[j] + s.slice(i + 1, j) + s[i] + s.slice(j + 1);
        break;
      }
      case 'duplicate': {
        const len = 1 + (m.other % 12);
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
        break;
      }
      case 'word': {
        const words = [...s.matchAll(/[A-Za-z_][A-Za-z0-9_]*|[0-9]+(\.[0-9]+)?/g)];
        if (words.length === 0) break;
        const w = words[m.at % words.length];
        const pool = /^[0-9]/.test(w[0]) ? NUMBERS : WORDS;
        const start = w.index as number;
        s = s.slice(0, start) + pool[m.other % pool.length] + s.slice(start + w[0].length);
        break;
      }
    }
  }
  return s;
}

describe('a. the frontend never throws on bad input', () => {
  it('the seed programs themselves compile', () => {
    for (const p of VALID_PROGRAMS) {
      const r = compileSource('seed.tc', p);
      expect(r.diagnostics.items.map((d) => d.message)).toEqual([]);
      expect(r.func).toBeDefined();
    }
  });

  // Found by the word-replacement fuzzing below: rejecting the only function
  // (it has a built-in's name) used to add an unlocated 'entry function ...
  // is not defined' error as well.
  it('a program whose only function is rejected gets located errors only', () => {
    const r = compileSource('b.tc', 'def relu(x: i8[4]) -> i8[4] {\n  return x\n}\n');
    expect(r.diagnostics.items.length).toBeGreaterThan(0);
    for (const d of r.diagnostics.items) expect(d.loc).toBeDefined();
  });

  it('arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 80 })), checkNeverThrows),
      { numRuns: runs(300) },
    );
  });

  it('random mutations of valid programs', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID_PROGRAMS), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (p, muts) =>
        checkNeverThrows(mutate(p, muts)),
      ),
      { numRuns: runs(300) },
    );
  });

  it('random word replacements in valid programs', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID_PROGRAMS), fc.array(wordMutationArb, { minLength: 1, maxLength: 3 }), (p, muts) =>
        checkNeverThrows(mutate(p, muts)),
      ),
      { numRuns: runs(300) },
    );
  });

  it('token soups from the vocabulary', () => {
    const soup = fc
      .array(fc.tuple(fc.constantFrom(...VOCABULARY), fc.constantFrom(' ', '', '\n')), { maxLength: 40 })
      .map((ts) => ts.map(([t, sep]) => t + sep).join(''));
    fc.assert(fc.property(soup, checkNeverThrows), { numRuns: runs(250) });
  });

  it('token soups inside a valid function header and body', () => {
    const soup = fc
      .array(fc.constantFrom(...VOCABULARY), { maxLength: 25 })
      .map((ts) => ts.join(' '));
    fc.assert(
      fc.property(soup, fc.constantFrom('', 'y = relu(x)\n', 'T[i, j] += x[i, k] * x[k, j]\n'), (body, prefix) =>
        checkNeverThrows(`let N = 4\ndef f(x: i8[N, N], b: i32[N]) -> i32[N, N] {\n  ${prefix}  ${body}\n  return x @ x + b\n}\n`),
      ),
      { numRuns: runs(250) },
    );
  });

  it('bad --size and --entry options give diagnostics, not exceptions', () => {
    const sizeArb = fc.array(
      fc.tuple(fc.constantFrom('M', 'K', 'N', 'T', 'D', 'Q', ''), fc.oneof(fc.integer({ min: -3, max: 70 }), fc.double())),
      { maxLength: 3 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...VALID_PROGRAMS), sizeArb, fc.option(fc.constantFrom('gemm', 'attn', 'scores', 'nope', '')), (p, sizes, entry) => {
        const r = compileSource('opt.tc', p, { sizes: new Map(sizes), entry: entry ?? undefined });
        if (!r.func) expect(r.diagnostics.hasErrors).toBe(true);
      }),
      { numRuns: runs(150) },
    );
  });
});

// ---------------------------------------------------------------------------
// b. A generator of valid Tensor IR functions, typed by the rules of ir/tensor-ir.ts.

const DTYPES: readonly DType[] = ['i8', 'i32', 'f32'];
const OP_KINDS = [
  'matmul', 'conv2d', 'binary', 'relu', 'clip', 'requant', 'convert', 'transpose', 'reshape', 'maxpool', 'sum', 'const', 'generic',
  'gemm', 'im2col',
] as const;
type OpKind = (typeof OP_KINDS)[number];
const REDUCE_KINDS: readonly ReduceKind[] = ['assign', 'add', 'max', 'min'];
// Index names that are also keywords of the IR text, to stress the parser.
const INDEX_NAMES = ['i', 'j', 'k', 'r', 's', 'out', 'max', 'min', 'loc', 'i8', 'f32', 'neg', 'add', 'n_2', 'Q'];
const VALUE_STEMS = ['x', 'acc', 'w', 'bias', 'f.y', 'mlp2.h_1', 'A', 'Z9', '_t'];
const FILES = ['a.tc', 'dir/b c.tc', 'q"uote.tc', 'back\\slash.tc', 'ünï €.tc', ''];
const I32_SPECIALS = [0, 1, -1, 2147483647, -2147483648, 65536, -65537, 16777217, 127, -128];
const F32_SPECIALS = [0, -0, 1, -1, 0.5, -1.5, 2.5, 2 ** 24, Math.fround(0.1), Math.fround(1e-30), Math.fround(3.4e38), 2 ** -149];
const SCALES = [0.5, -0.5, 0.25, 1, 2, -2, 1.5, 0, -0, Math.fround(0.1), Math.fround(1 / 3), 2 ** -24, 1e-3, 3];

interface GenOptions {
  readonly maxDim: number;
  readonly maxOps: number;
  readonly maxElems: number;
  readonly locs: boolean;
  /** Scales and floats are any finite double (not only float32) in the round-trip test. */
  readonly anyDouble: boolean;
}

interface Val {
  readonly name: string;
  readonly type: TensorType;
}

/** Choices drawn through fast-check, so that failures shrink. */
class Chooser {
  constructor(private readonly g: fc.GeneratorValue) {}
  int(min: number, max: number): number {
    return this.g(fc.integer, { min, max });
  }
  chance(percent: number): boolean {
    return this.int(0, 99) < percent;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)];
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
  float32(): number {
    if (this.chance(40)) return this.pick(F32_SPECIALS);
    return this.g(fc.float, { noNaN: true, noDefaultInfinity: true });
  }
  double(): number {
    return this.g(fc.double, { noNaN: true, noDefaultInfinity: true });
  }
  string(): string {
    return this.g(fc.string, { maxLength: 10 });
  }
}

function must(r: TypeResult, what: string): TensorType {
  if (!r.ok) throw new Error(`generator bug (${what}): ${r.error}`);
  return r.type;
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

class FuncBuilder {
  private readonly params: TensorParam[] = [];
  private readonly ops: TensorOp[] = [];
  private readonly pool: Val[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(
    private readonly c: Chooser,
    private readonly o: GenOptions,
  ) {}

  private fresh(forOp: boolean): string {
    let n = forOp && this.c.chance(50) ? String(this.counter++) : `${this.c.pick(VALUE_STEMS)}${this.c.chance(50) ? '' : this.counter++}`;
    // No retry through the chooser: shrunk choices repeat, and would loop forever.
    while (this.names.has(n)) n = `${n}_${this.counter++}`;
    this.names.add(n);
    return n;
  }

  private dim(): number {
    return this.c.int(1, this.o.maxDim);
  }

  private shape(rank: number): number[] {
    const s: number[] = [];
    for (let i = 0; i < rank; i++) s.push(this.dim());
    while (numel(s) > this.o.maxElems) s[s.indexOf(Math.max(...s))] = 1;
    return s;
  }

  private type(dtypes: readonly DType[], ranks: readonly number[] = [0, 1, 1, 2, 2, 3, 4]): TensorType {
    return { dtype: this.c.pick(dtypes), shape: this.shape(this.c.pick(ranks)) };
  }

  private param(type: TensorType): Val {
    const v = { name: this.fresh(false), type };
    this.params.push(v);
    this.pool.push(v);
    return v;
  }

  /** An existing value of a fitting type (usually), or a new parameter. */
  private value(fits: (t: TensorType) => boolean, make: () => TensorType): Val {
    const candidates = this.pool.filter((v) => fits(v.type));
    if (candidates.length > 0 && this.c.chance(75)) return this.c.pick(candidates);
    const t = make();
    if (!fits(t)) throw new Error(`generator bug: made type ${JSON.stringify(t)} does not fit`);
    return this.param(t);
  }

  private anyValue(): Val {
    return this.value(() => true, () => this.type(DTYPES));
  }

  private loc(): SourceLoc | undefined {
    if (!this.o.locs || !this.c.chance(75)) return undefined;
    const file = this.c.chance(70) ? this.c.pick(FILES) : this.c.string();
    return { file, line: this.c.int(1, 100000), col: this.c.int(1, 500) };
  }

  private emit(op: TensorOp): void {
    const loc = this.loc();
    const withLoc = loc ? { ...op, loc } : op;
    this.ops.push(withLoc);
    this.names.add(op.result);
    this.pool.push({ name: op.result, type: op.type });
  }

  private f32Value(): number {
    return this.o.anyDouble && this.c.chance(30) ? this.c.double() : this.c.float32();
  }

  private intValue(dtype: DType): number {
    if (dtype === 'i8') return this.c.int(-128, 127);
    return this.c.chance(50) ? this.c.pick(I32_SPECIALS) : this.c.int(-2147483648, 2147483647);
  }

  build(): TensorFunc {
    for (let i = 0, n = this.c.int(1, this.o.maxOps); i < n; i++) this.op(this.c.pick(OP_KINDS));
    const last = this.ops[this.ops.length - 1];
    const results = [last.result];
    for (let i = 0, n = this.c.int(0, 2); i < n; i++) results.push(this.c.pick(this.pool).name);
    const typeOf = new Map(this.pool.map((v) => [v.name, v.type]));
    return {
      name: this.c.pick(['main', 'f', 'gemm.relu', 'x_1', '0']),
      params: this.params,
      body: this.ops,
      results,
      resultTypes: results.map((r) => typeOf.get(r) as TensorType),
    };
  }

  private op(kind: OpKind): void {
    const c = this.c;
    const result = this.fresh(true);
    switch (kind) {
      case 'matmul': {
        const d = c.pick(DTYPES);
        const lhs = this.value((t) => t.dtype === d && (t.shape.length === 1 || t.shape.length === 2), () => this.type([d], [1, 2, 2]));
        const k = lhs.type.shape[lhs.type.shape.length - 1];
        const rank = lhs.type.shape.length === 1 ? 2 : c.pick([1, 2]);
        const rhs = this.value(
          (t) => t.dtype === d && t.shape.length === rank && t.shape[0] === k,
          () => ({ dtype: d, shape: rank === 1 ? [k] : [k, this.dim()] }),
        );
        const type = must(matmulType(lhs.type, rhs.type), kind);
        return this.emit({ kind, result, type, lhs: lhs.name, rhs: rhs.name });
      }
      case 'conv2d': {
        const d = c.pick(DTYPES);
        const x = this.value((t) => t.dtype === d && t.shape.length === 4, () => this.type([d], [4]));
        const [, h, w, ch] = x.type.shape;
        const padding = c.int(0, 2);
        const stride = c.int(1, 3);
        const weight = this.value(
          (t) => t.dtype === d && t.shape.length === 4 && t.shape[2] === ch && t.shape[0] <= h + 2 * padding && t.shape[1] <= w + 2 * padding,
          () => ({ dtype: d, shape: [c.int(1, Math.min(3, h + 2 * padding)), c.int(1, Math.min(3, w + 2 * padding)), ch, this.dim()] }),
        );
        const type = must(conv2dType(x.type, weight.type, stride, padding), kind);
        return this.emit({ kind, result, type, input: x.name, weight: weight.name, stride, padding });
      }
      case 'binary': {
        const op = c.pick(BINARY_KINDS);
        const lhs = op === 'div' ? this.value((t) => t.dtype === 'f32', () => this.type(['f32'])) : this.anyValue();
        const rd: DType = lhs.type.dtype === 'f32' ? 'f32' : c.pick(['i8', 'i32']);
        const fits = (t: TensorType): boolean => {
          const s = broadcastShapes(lhs.type.shape, t.shape);
          return t.dtype === rd && s !== undefined && numel(s) <= Math.max(this.o.maxElems, numel(lhs.type.shape));
        };
        const rhs = this.value(fits, () => ({ dtype: rd, shape: this.broadcastPartner(lhs.type.shape) }));
        const [a, b] = c.chance(50) ? [lhs, rhs] : [rhs, lhs];
        const type = must(binaryType(op, a.type, b.type), kind);
        return this.emit({ kind, result, type, op, lhs: a.name, rhs: b.name });
      }
      case 'relu': {
        const x = this.anyValue();
        return this.emit({ kind, result, type: x.type, input: x.name });
      }
      case 'clip': {
        const x = this.anyValue();
        let lo: number;
        let hi: number;
        if (x.type.dtype === 'f32') [lo, hi] = [this.f32Value(), this.f32Value()];
        else [lo, hi] = [this.intValue(x.type.dtype), this.intValue(x.type.dtype)];
        if (lo > hi) [lo, hi] = [hi, lo];
        const type = must(clipType(x.type, lo, hi), kind);
        return this.emit({ kind, result, type, input: x.name, lo, hi });
      }
      case 'requant': {
        const x = this.value((t) => t.dtype !== 'i8', () => this.type(['i32', 'f32']));
        const scale = c.chance(60) ? c.pick(SCALES) : this.f32Value();
        const type = must(requantType(x.type, scale), kind);
        return this.emit({ kind, result, type, input: x.name, scale });
      }
      case 'convert': {
        const x = this.anyValue();
        const to = c.pick(DTYPES.filter((d) => d !== x.type.dtype));
        return this.emit({ kind, result, type: { dtype: to, shape: x.type.shape }, input: x.name });
      }
      case 'transpose': {
        const x = this.anyValue();
        const perm = c.shuffle(x.type.shape.map((_, i) => i));
        const type = must(transposeType(x.type, perm), kind);
        return this.emit({ kind, result, type, input: x.name, perm });
      }
      case 'reshape': {
        const x = this.anyValue();
        const shape = this.factorize(numel(x.type.shape));
        const type = must(reshapeType(x.type, shape), kind);
        return this.emit({ kind, result, type, input: x.name });
      }
      case 'maxpool': {
        const x = this.value((t) => t.shape.length === 4, () => this.type(DTYPES, [4]));
        const [, h, w] = x.type.shape;
        let size = c.int(1, 3);
        let padding = c.int(0, size - 1);
        if (h + 2 * padding < size || w + 2 * padding < size) [size, padding] = [1, 0];
        const stride = c.int(1, 3);
        const type = must(maxpoolType(x.type, size, stride, padding), kind);
        return this.emit({ kind, result, type, input: x.name, size, stride, padding });
      }
      case 'sum': {
        const x = this.value((t) => t.shape.length >= 1, () => this.type(DTYPES, [1, 2, 3]));
        const axis = c.int(0, x.type.shape.length - 1);
        const type = must(sumType(x.type, axis), kind);
        return this.emit({ kind, result, type, input: x.name, axis });
      }
      case 'const': {
        const dtype = c.pick(DTYPES);
        const value = dtype === 'f32' ? this.f32Value() : this.intValue(dtype);
        return this.emit({ kind, result, type: { dtype, shape: [] }, value });
      }
      case 'generic':
        return this.generic(result);
      case 'gemm': {
        const a = this.value((t) => t.dtype === 'i8' && t.shape.length === 2, () => this.type(['i8'], [2]));
        const [m, k] = a.type.shape;
        const b = this.value((t) => t.dtype === 'i8' && t.shape.length === 2 && t.shape[0] === k, () => ({ dtype: 'i8', shape: [k, this.dim()] }));
        const n = b.type.shape[1];
        const bias = c.chance(60)
          ? this.value(
              (t) => t.dtype === 'i32' && ((t.shape.length === 1 && t.shape[0] === n) || (t.shape.length === 2 && t.shape[0] === m && t.shape[1] === n)),
              () => ({ dtype: 'i32', shape: c.chance(50) ? [n] : [m, n] }),
            )
          : undefined;
        const scale = c.chance(70) ? (c.chance(60) ? c.pick(SCALES) : this.f32Value()) : undefined;
        const relu = scale !== undefined && c.chance(50);
        const type = must(gemmType(a.type, b.type, bias?.type, scale, relu), kind);
        const tiling: GemmTiling | undefined = c.chance(40)
          ? { tileM: 16 * c.int(1, 4), tileN: 16 * c.int(1, 4), tileK: 16 * c.int(1, 4), order: c.pick(['ijk', 'jik'] as const), dataflow: c.pick(['ws', 'os'] as const) }
          : undefined;
        const placement: GemmPlacement | undefined = !c.chance(40)
          ? undefined
          : c.chance(30)
            ? { kind: 'loop_ws' }
            : { kind: 'rows', aRow: c.int(0, 4096), bRow: c.int(0, 4096), cRow: c.int(0, 1024), copies: c.int(1, 2) };
        return this.emit({
          kind,
          result,
          type,
          a: a.name,
          b: b.name,
          ...(bias ? { bias: bias.name } : {}),
          ...(scale !== undefined ? { scale } : {}),
          relu,
          ...(tiling ? { tiling } : {}),
          ...(placement ? { placement } : {}),
        });
      }
      case 'im2col': {
        const x = this.value((t) => t.shape.length === 4, () => this.type(DTYPES, [4]));
        const [, h, w] = x.type.shape;
        const padding = c.int(0, 2);
        const stride = c.int(1, 3);
        const kh = c.int(1, Math.min(3, h + 2 * padding));
        const kw = c.int(1, Math.min(3, w + 2 * padding));
        const type = must(im2colType(x.type, kh, kw, stride, padding), kind);
        return this.emit({ kind, result, type, input: x.name, kh, kw, stride, padding });
      }
    }
  }

  /** A shape that broadcasts with `shape` (numpy rules). */
  private broadcastPartner(shape: readonly number[]): number[] {
    const c = this.c;
    let s = shape.map((d) => (d === 1 && c.chance(30) ? this.dim() : d));
    if (s.length < 4 && c.chance(25)) s = [this.dim(), ...s];
    s = s.slice(c.int(0, s.length));
    s = s.map((d) => (c.chance(30) ? 1 : d));
    const limit = Math.max(this.o.maxElems, numel(shape));
    while (numel(broadcastShapes(shape, s) ?? []) > limit) s = s.slice(1);
    return s;
  }

  private factorize(n: number): number[] {
    const rank = n === 1 && this.c.chance(30) ? 0 : this.c.int(1, 4);
    const out: number[] = [];
    let rest = n;
    for (let i = 0; i < rank - 1; i++) {
      const divisors: number[] = [];
      for (let d = 1; d <= rest; d++) if (rest % d === 0) divisors.push(d);
      const d = this.c.pick(divisors);
      out.push(d);
      rest /= d;
    }
    if (rank > 0) out.push(rest);
    return this.c.shuffle(out);
  }

  private generic(result: string): void {
    const c = this.c;
    const isFloat = c.chance(40);
    const dtypes: readonly DType[] = isFloat ? ['f32'] : ['i8', 'i32'];
    const names = c.shuffle(INDEX_NAMES).slice(0, c.int(0, 4));
    const indices: IndexVar[] = names.map((name) => ({ name, extent: c.int(1, this.o.maxDim) }));
    const reduce = c.pick(REDUCE_KINDS);
    const outIndices = reduce === 'assign' ? c.shuffle(names) : c.shuffle(names.filter(() => c.chance(50)));
    const inputs: Val[] = [];
    for (let i = 0, n = c.int(1, 3); i < n; i++) inputs.push(this.value((t) => dtypes.includes(t.dtype), () => this.type(dtypes)));
    const affine = (size: number): Affine => {
      let terms: { index: string; coeff: number }[] = [];
      if (indices.length > 0 && c.chance(80))
        for (let t = 0, n = c.int(1, 2); t < n; t++) terms.push({ index: c.pick(indices).name, coeff: c.pick([1, 1, 1, -1, 2, -2, 3]) });
      const range = (): [number, number] => {
        let lo = 0;
        let hi = 0;
        for (const t of terms) {
          const span = t.coeff * ((indices.find((iv) => iv.name === t.index) as IndexVar).extent - 1);
          if (span >= 0) hi += span;
          else lo += span;
        }
        return [lo, hi];
      };
      while (terms.length > 0 && range()[1] - range()[0] > size - 1) terms = terms.slice(0, -1);
      const [lo, hi] = range();
      return { terms, constant: c.int(-lo, size - 1 - hi) };
    };
    const lit = (): ScalarExpr => {
      if (isFloat) return { kind: 'lit', dtype: 'f32', value: this.f32Value() };
      const dtype = c.pick<DType>(['i8', 'i32']);
      return { kind: 'lit', dtype, value: this.intValue(dtype) };
    };
    const expr = (depth: number): ScalarExpr => {
      const r = c.int(0, 9);
      if (depth >= 3 || r < 4) {
        if (c.chance(20)) return lit();
        const t = c.pick(inputs);
        return { kind: 'read', dtype: t.type.dtype, tensor: t.name, subscripts: t.type.shape.map(affine) };
      }
      if (r < 5) {
        const operand = expr(depth + 1);
        return { kind: 'neg', dtype: operand.dtype === 'i8' ? 'i32' : operand.dtype, operand };
      }
      const op = c.pick<BinaryKind>(isFloat ? BINARY_KINDS : ['add', 'sub', 'mul', 'max', 'min']);
      const lhs = expr(depth + 1);
      const rhs = expr(depth + 1);
      const d = binaryDType(op, lhs.dtype, rhs.dtype);
      if (!d.ok) throw new Error(`generator bug: ${d.error}`);
      return { kind: 'bin', dtype: d.dtype, op, lhs, rhs };
    };
    const body = expr(0);
    const placeholder: TensorType = { dtype: body.dtype, shape: [] };
    const op: Extract<TensorOp, { kind: 'generic' }> = { kind: 'generic', result, type: placeholder, indices, outIndices, reduce, body };
    const typeOf = new Map(this.pool.map((v) => [v.name, v.type]));
    const type = must(genericType(op, (n) => typeOf.get(n) as TensorType), 'generic');
    this.emit({ ...op, type });
  }
}

function funcArb(o: GenOptions): fc.Arbitrary<TensorFunc> {
  return fc.gen().map((g) => new FuncBuilder(new Chooser(g), o).build());
}

function stripLocs(f: TensorFunc): TensorFunc {
  return {
    ...f,
    body: f.body.map((op) => {
      const { loc: _loc, ...rest } = op;
      return rest as TensorOp;
    }),
  };
}

/** Every op kind, reduce kind and binary kind the generator produced. */
function coverage(f: TensorFunc, seen: Set<string>): void {
  const walk = (e: ScalarExpr): void => {
    seen.add(`scalar:${e.kind}`);
    if (e.kind === 'bin') {
      seen.add(`scalar:${e.op}`);
      walk(e.lhs);
      walk(e.rhs);
    } else if (e.kind === 'neg') walk(e.operand);
  };
  for (const op of f.body) {
    seen.add(op.kind);
    if (op.kind === 'binary') seen.add(`binary:${op.op}`);
    if (op.kind === 'gemm') {
      if (op.bias) seen.add('gemm:bias');
      if (op.relu) seen.add('gemm:relu');
      if (op.scale === undefined) seen.add('gemm:i32');
    }
    if (op.kind === 'generic') {
      seen.add(`reduce:${op.reduce}`);
      walk(op.body);
    }
  }
}

const EXPECTED_COVERAGE = [
  ...OP_KINDS,
  ...BINARY_KINDS.map((k) => `binary:${k}`),
  ...REDUCE_KINDS.map((k) => `reduce:${k}`),
  'gemm:bias',
  'gemm:relu',
  'gemm:i32',
  'scalar:read',
  'scalar:lit',
  'scalar:neg',
  ...BINARY_KINDS.map((k) => `scalar:${k}`),
];

describe('b. printer/parser round trip on generated Tensor IR', () => {
  const opts: GenOptions = { maxDim: 6, maxOps: 8, maxElems: 4096, locs: false, anyDouble: true };

  it('generated functions verify, and parse(print(f)) equals f', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(funcArb(opts), (f) => {
        coverage(f, seen);
        expect(verifyTensorFunc(f).items).toEqual([]);
        const text = printTensorFunc(f);
        const parsed = parseTensorFunc(text, 'gen.ir');
        expect(parsed.diagnostics.items).toEqual([]);
        expect(parsed.value).toStrictEqual(f);
        expect(printTensorFunc(parsed.value as TensorFunc)).toBe(text);
      }),
      { numRuns: runs(300) },
    );
    expect(EXPECTED_COVERAGE.filter((k) => !seen.has(k))).toEqual([]);
  });

  it('with locs: {locs: true} round-trips them; without, they are dropped', () => {
    fc.assert(
      fc.property(funcArb({ ...opts, locs: true }), (f) => {
        expect(verifyTensorFunc(f).items).toEqual([]);
        const text = printTensorFunc(f, { locs: true });
        const parsed = parseTensorFunc(text);
        expect(parsed.diagnostics.items).toEqual([]);
        expect(parsed.value).toStrictEqual(f);
        expect(printTensorFunc(parsed.value as TensorFunc, { locs: true })).toBe(text);
        const plain = printTensorFunc(f);
        expect(parseTensorFunc(plain).value).toStrictEqual(stripLocs(f));
        expect(plain).toBe(printTensorFunc(stripLocs(f), { locs: true }));
      }),
      { numRuns: runs(200) },
    );
  });

  it('the verifier rejects a generated function whose op declares a wrong shape', () => {
    fc.assert(
      fc.property(funcArb(opts), fc.nat(), (f, which) => {
        const i = which % f.body.length;
        const op = f.body[i];
        const wrong = { ...op, type: { dtype: op.type.dtype, shape: [...op.type.shape, 2] } } as TensorOp;
        const broken = { ...f, body: f.body.map((o, j) => (j === i ? wrong : o)) };
        expect(verifyTensorFunc(broken).hasErrors).toBe(true);
      }),
      { numRuns: runs(100) },
    );
  });
});

// ---------------------------------------------------------------------------
// c. A naive evaluator, written from the numerics the architecture page and
// ir/interpret.ts's header state: int32 sums and products wrap mod 2^32
// (computed here with BigInt), every f32 operation rounds to float32, requant
// is float32(x) * float32(scale) rounded to float32, then round half to even,
// then saturate; sums run in ascending index order from 0.

interface Plain {
  readonly type: TensorType;
  readonly data: number[];
}

const fr = Math.fround;
const wrap32 = (x: bigint): number => Number(BigInt.asIntN(32, x));

/** Round half to even, written without Math.floor-parity tricks shared with ir/numerics.ts. */
function roundHalfEvenNaive(x: number): number {
  if (!Number.isFinite(x)) return x;
  const t = Math.trunc(x);
  const frac = Math.abs(x - t);
  if (frac < 0.5) return t;
  const away = t + Math.sign(x);
  if (frac > 0.5) return away;
  return Math.abs(t) % 2 === 0 ? t : away;
}

function saturateNaive(x: number, dtype: 'i8' | 'i32'): number {
  if (Number.isNaN(x)) return 0;
  const [lo, hi] = dtype === 'i8' ? [-128, 127] : [-(2 ** 31), 2 ** 31 - 1];
  return Math.min(hi, Math.max(lo, x));
}

function scalarOp(op: BinaryKind, dtype: DType, a: number, b: number): number {
  if (op === 'max') return a > b ? a : b;
  if (op === 'min') return a < b ? a : b;
  if (dtype === 'f32') {
    if (op === 'add') return fr(a + b);
    if (op === 'sub') return fr(a - b);
    if (op === 'mul') return fr(a * b);
    return fr(a / b);
  }
  const [x, y] = [BigInt(a), BigInt(b)];
  if (op === 'add') return wrap32(x + y);
  if (op === 'sub') return wrap32(x - y);
  if (op === 'mul') return wrap32(x * y);
  throw new Error('integer division');
}

function flat(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) {
    if (idx[d] < 0 || idx[d] >= shape[d]) throw new Error(`naive: index ${idx} outside ${shape}`);
    f = f * shape[d] + idx[d];
  }
  return f;
}

/** Calls fn on every multi-index of `shape` in row-major order. */
function eachIndex(shape: readonly number[], fn: (idx: number[]) => void): void {
  const idx = new Array<number>(shape.length).fill(0);
  const rec = (d: number): void => {
    if (d === shape.length) return fn([...idx]);
    for (let i = 0; i < shape[d]; i++) {
      idx[d] = i;
      rec(d + 1);
    }
  };
  rec(0);
}

function naiveOp(op: TensorOp, env: Map<string, Plain>): Plain {
  const get = (n: string): Plain => env.get(n) as Plain;
  const out: number[] = [];
  const shape = op.type.shape;
  const isFloat = op.type.dtype === 'f32';
  switch (op.kind) {
    case 'matmul': {
      const a = get(op.lhs);
      const b = get(op.rhs);
      const aRows = a.type.shape.length === 2 ? a.type.shape[0] : 1;
      const k = a.type.shape[a.type.shape.length - 1];
      const bCols = b.type.shape.length === 2 ? b.type.shape[1] : 1;
      const A = (i: number, kk: number): number => (a.type.shape.length === 2 ? a.data[flat([i, kk], a.type.shape)] : a.data[kk]);
      const B = (kk: number, j: number): number => (b.type.shape.length === 2 ? b.data[flat([kk, j], b.type.shape)] : b.data[kk]);
      for (let i = 0; i < aRows; i++)
        for (let j = 0; j < bCols; j++) {
          if (isFloat) {
            let acc = 0;
            for (let kk = 0; kk < k; kk++) acc = fr(acc + fr(A(i, kk) * B(kk, j)));
            out.push(acc);
          } else {
            let acc = 0n;
            for (let kk = 0; kk < k; kk++) acc += BigInt(A(i, kk)) * BigInt(B(kk, j));
            out.push(wrap32(acc));
          }
        }
      break;
    }
    case 'conv2d': {
      const x = get(op.input);
      const w = get(op.weight);
      const [, h, wd, cin] = x.type.shape;
      const [kh, kw] = w.type.shape;
      eachIndex(shape, ([n, oy, ox, co]) => {
        let facc = 0;
        let iacc = 0n;
        for (let r = 0; r < kh; r++)
          for (let s = 0; s < kw; s++)
            for (let ci = 0; ci < cin; ci++) {
              const iy = oy * op.stride + r - op.padding;
              const ix = ox * op.stride + s - op.padding;
              if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
              const xv = x.data[flat([n, iy, ix, ci], x.type.shape)];
              const wv = w.data[flat([r, s, ci, co], w.type.shape)];
              if (isFloat) facc = fr(facc + fr(xv * wv));
              else iacc += BigInt(xv) * BigInt(wv);
            }
        out.push(isFloat ? facc : wrap32(iacc));
      });
      break;
    }
    case 'binary': {
      const a = get(op.lhs);
      const b = get(op.rhs);
      const pick = (t: Plain, idx: number[]): number => {
        const offset = shape.length - t.type.shape.length;
        return t.data[flat(t.type.shape.map((d, k) => (d === 1 ? 0 : idx[k + offset])), t.type.shape)];
      };
      eachIndex(shape, (idx) => out.push(scalarOp(op.op, op.type.dtype, pick(a, idx), pick(b, idx))));
      break;
    }
    case 'relu':
      for (const v of get(op.input).data) out.push(v > 0 ? v : 0);
      break;
    case 'clip':
      for (const v of get(op.input).data) out.push(v < op.lo ? op.lo : v > op.hi ? op.hi : v);
      break;
    case 'requant':
      for (const v of get(op.input).data) out.push(saturateNaive(roundHalfEvenNaive(fr(fr(v) * fr(op.scale))), 'i8'));
      break;
    case 'convert': {
      const from = get(op.input).type.dtype;
      const to = op.type.dtype;
      for (const v of get(op.input).data)
        out.push(to === 'f32' ? fr(v) : from === 'f32' ? saturateNaive(roundHalfEvenNaive(v), to) : saturateNaive(v, to));
      break;
    }
    case 'transpose': {
      const x = get(op.input);
      eachIndex(shape, (idx) => {
        const src = new Array<number>(idx.length);
        op.perm.forEach((p, d) => (src[p] = idx[d]));
        out.push(x.data[flat(src, x.type.shape)]);
      });
      break;
    }
    case 'reshape':
      out.push(...get(op.input).data);
      break;
    case 'maxpool': {
      const x = get(op.input);
      const [, h, w] = x.type.shape;
      eachIndex(shape, ([n, oy, ox, ch]) => {
        let best: number | undefined;
        for (let r = 0; r < op.size; r++)
          for (let s = 0; s < op.size; s++) {
            const iy = oy * op.stride + r - op.padding;
            const ix = ox * op.stride + s - op.padding;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const v = x.data[flat([n, iy, ix, ch], x.type.shape)];
            if (best === undefined || v > best) best = v;
          }
        if (best === undefined) throw new Error('naive: empty pooling window');
        out.push(best);
      });
      break;
    }
    case 'sum': {
      const x = get(op.input);
      eachIndex(shape, (idx) => {
        let acc = 0;
        for (let r = 0; r < x.type.shape[op.axis]; r++) {
          const v = x.data[flat([...idx.slice(0, op.axis), r, ...idx.slice(op.axis)], x.type.shape)];
          acc = scalarOp('add', op.type.dtype, acc, v);
        }
        out.push(acc);
      });
      break;
    }
    case 'const':
      out.push(op.value);
      break;
    case 'gemm': {
      // Gemmini's epilogue: i32 sum (wraps), plus the bias, then scaled to i8, then ReLU.
      const a = get(op.a);
      const b = get(op.b);
      const bias = op.bias === undefined ? undefined : get(op.bias);
      const [m, k] = a.type.shape;
      const n = b.type.shape[1];
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let acc = 0n;
          for (let kk = 0; kk < k; kk++) acc += BigInt(a.data[flat([i, kk], a.type.shape)]) * BigInt(b.data[flat([kk, j], b.type.shape)]);
          if (bias) acc += BigInt(bias.data[bias.type.shape.length === 1 ? j : flat([i, j], bias.type.shape)]);
          let v = wrap32(acc);
          if (op.scale !== undefined) v = saturateNaive(roundHalfEvenNaive(fr(fr(v) * fr(op.scale))), 'i8');
          if (op.relu) v = v > 0 ? v : 0;
          out.push(v);
        }
      break;
    }
    case 'im2col': {
      // Row (n, oy, ox) of the windows, column (r, s, c): the HWIO weight flattened to [KH*KW*C, O] multiplies it.
      const x = get(op.input);
      const [batch, h, w, ch] = x.type.shape;
      const oh = Math.floor((h + 2 * op.padding - op.kh) / op.stride) + 1;
      const ow = Math.floor((w + 2 * op.padding - op.kw) / op.stride) + 1;
      eachIndex([batch, oh, ow, op.kh, op.kw, ch], ([n, oy, ox, r, s, ci]) => {
        const iy = oy * op.stride + r - op.padding;
        const ix = ox * op.stride + s - op.padding;
        out.push(iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : x.data[flat([n, iy, ix, ci], x.type.shape)]);
      });
      break;
    }
    case 'generic': {
      const extent = new Map(op.indices.map((iv) => [iv.name, iv.extent]));
      const reduction = op.indices.filter((iv) => !op.outIndices.includes(iv.name));
      const at = new Map<string, number>();
      const evalScalar = (e: ScalarExpr): number => {
        switch (e.kind) {
          case 'read': {
            const t = get(e.tensor);
            const idx = e.subscripts.map((s) => s.terms.reduce((acc, term) => acc + term.coeff * (at.get(term.index) as number), s.constant));
            return t.data[flat(idx, t.type.shape)];
          }
          case 'lit':
            return e.value;
          case 'neg': {
            const v = evalScalar(e.operand);
            return e.dtype === 'f32' ? -v : wrap32(-BigInt(v));
          }
          case 'bin':
            return scalarOp(e.op, e.dtype, evalScalar(e.lhs), evalScalar(e.rhs));
        }
      };
      eachIndex(op.outIndices.map((n) => extent.get(n) as number), (outIdx) => {
        op.outIndices.forEach((n, d) => at.set(n, outIdx[d]));
        let acc: number | undefined;
        eachIndex(reduction.map((iv) => iv.extent), (redIdx) => {
          reduction.forEach((iv, d) => at.set(iv.name, redIdx[d]));
          const v = evalScalar(op.body);
          if (op.reduce === 'assign') acc = v;
          else if (op.reduce === 'add') acc = scalarOp('add', op.type.dtype, acc ?? 0, v);
          else if (op.reduce === 'max') acc = acc === undefined || v > acc ? v : acc;
          else acc = acc === undefined || v < acc ? v : acc;
        });
        out.push(acc as number);
      });
      break;
    }
  }
  if (out.length !== numel(shape)) throw new Error(`naive: ${op.kind} made ${out.length} elements for shape ${shape}`);
  if (op.type.dtype !== 'f32') {
    const [lo, hi] = op.type.dtype === 'i8' ? [-128, 127] : [-(2 ** 31), 2 ** 31 - 1];
    for (let i = 0; i < out.length; i++) {
      const v = out[i];
      if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`naive: ${op.kind} made ${v} for ${op.type.dtype}`);
      out[i] = v + 0; // integers have no -0
    }
  } else for (const v of out) if (!Object.is(v, fr(v))) throw new Error(`naive: ${op.kind} made ${v}, not a float32`);
  return { type: op.type, data: out };
}

function naiveEval(f: TensorFunc, inputs: readonly Plain[]): Plain[] {
  const env = new Map<string, Plain>();
  f.params.forEach((p, i) => env.set(p.name, inputs[i]));
  for (const op of f.body) env.set(op.result, naiveOp(op, env));
  return f.results.map((r) => env.get(r) as Plain);
}

function expectSameBits(got: Tensor, want: Plain, what: string): void {
  expect(got.type).toEqual(want.type);
  expect(got.data.length).toBe(want.data.length);
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i];
    const w = want.data[i];
    const same = want.type.dtype === 'f32' ? Object.is(g, w) : g === w;
    if (!same) expect.fail(`${what}: element ${i} is ${Object.is(g, -0) ? '-0' : g}, the naive evaluator says ${Object.is(w, -0) ? '-0' : w}`);
  }
}

describe('c. the interpreter agrees with a naive evaluator', () => {
  const small: GenOptions = { maxDim: 3, maxOps: 6, maxElems: 81, locs: false, anyDouble: false };

  it('on random small programs, bit for bit', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(funcArb(small), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (f, seed) => {
        coverage(f, seen);
        const inputs = f.params.map((p, i) => randomTensor(p.type, seed, i));
        const got = interpret(f, inputs);
        const want = naiveEval(f, inputs.map((t) => ({ type: t.type, data: Array.from(t.data) })));
        const text = printTensorFunc(f);
        got.forEach((g, i) => expectSameBits(g, want[i], `result ${i} of\n${text}`));
        // Every intermediate value too: make each op's result a function result.
        const all: TensorFunc = { ...f, results: f.body.map((o) => o.result), resultTypes: f.body.map((o) => o.type) };
        const gotAll = interpret(all, inputs);
        const wantAll = naiveEval(all, inputs.map((t) => ({ type: t.type, data: Array.from(t.data) })));
        gotAll.forEach((g, i) => expectSameBits(g, wantAll[i], `%${all.results[i]} of\n${text}`));
      }),
      { numRuns: runs(400) },
    );
    expect(EXPECTED_COVERAGE.filter((k) => !seen.has(k))).toEqual([]);
  });

  it('conv2d equals im2col, then a matmul with the HWIO weight flattened to [KH*KW*C, O]', () => {
    const arb = fc.record({
      dtype: fc.constantFrom<DType>('i8', 'i32', 'f32'),
      n: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 6 }),
      w: fc.integer({ min: 1, max: 6 }),
      c: fc.integer({ min: 1, max: 3 }),
      co: fc.integer({ min: 1, max: 3 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 3 }),
      padding: fc.integer({ min: 0, max: 2 }),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(arb, ({ dtype, n, h, w, c, co, kh, kw, stride, padding, seed }) => {
        fc.pre(h + 2 * padding >= kh && w + 2 * padding >= kw);
        const x: TensorType = { dtype, shape: [n, h, w, c] };
        const wt: TensorType = { dtype, shape: [kh, kw, c, co] };
        const conv = must(conv2dType(x, wt, stride, padding), 'conv2d');
        const cols = must(im2colType(x, kh, kw, stride, padding), 'im2col');
        const wFlat: TensorType = { dtype, shape: [kh * kw * c, co] };
        const prod = must(matmulType(cols, wFlat), 'matmul');
        const f: TensorFunc = {
          name: 'conv_two_ways',
          params: [
            { name: 'x', type: x },
            { name: 'w', type: wt },
          ],
          body: [
            { kind: 'conv2d', result: 'direct', type: conv, input: 'x', weight: 'w', stride, padding },
            { kind: 'im2col', result: 'cols', type: cols, input: 'x', kh, kw, stride, padding },
            { kind: 'reshape', result: 'wf', type: wFlat, input: 'w' },
            { kind: 'matmul', result: 'prod', type: prod, lhs: 'cols', rhs: 'wf' },
            { kind: 'reshape', result: 'lowered', type: conv, input: 'prod' },
          ],
          results: ['direct', 'lowered'],
          resultTypes: [conv, conv],
        };
        expect(verifyTensorFunc(f).items).toEqual([]);
        const [direct, lowered] = interpret(f, f.params.map((p, i) => randomTensor(p.type, seed, i)));
        // Padded positions add +0 products in the lowered form: the same float32 sums.
        expectSameBits(lowered, { type: direct.type, data: Array.from(direct.data) }, 'im2col + matmul vs conv2d');
      }),
      { numRuns: runs(150) },
    );
  });

  it('on programs with long i32 accumulations that wrap', () => {
    // K large enough that i8 x i8 and i32 x i32 sums pass 2^31.
    const prog = (k: number, d: 'i8' | 'i32'): TensorFunc => ({
      name: 'wrap',
      params: [
        { name: 'a', type: { dtype: d, shape: [2, k] } },
        { name: 'b', type: { dtype: d, shape: [k, 3] } },
      ],
      body: [
        { kind: 'matmul', result: 'c', type: { dtype: 'i32', shape: [2, 3] }, lhs: 'a', rhs: 'b' },
        { kind: 'sum', result: 's', type: { dtype: 'i32', shape: [3] }, input: 'c', axis: 0 },
        { kind: 'requant', result: 'q', type: { dtype: 'i8', shape: [3] }, input: 's', scale: 2 ** -24 },
      ],
      results: ['c', 's', 'q'],
      resultTypes: [
        { dtype: 'i32', shape: [2, 3] },
        { dtype: 'i32', shape: [3] },
        { dtype: 'i8', shape: [3] },
      ],
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.constantFrom<'i8' | 'i32'>('i8', 'i32'), fc.nat(), (k, d, seed) => {
        const f = prog(k, d);
        expect(verifyTensorFunc(f).items).toEqual([]);
        const inputs = f.params.map((p, i) => randomTensor(p.type, seed, i));
        const got = interpret(f, inputs);
        const want = naiveEval(f, inputs.map((t) => ({ type: t.type, data: Array.from(t.data) })));
        got.forEach((g, i) => expectSameBits(g, want[i], `result ${i}, K=${k}`));
      }),
      { numRuns: runs(40) },
    );
  });
});
