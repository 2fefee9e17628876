// The analytical cost model of Gemmini: estimates, from Program IR alone and
// without running C, the totals the host model (gemmini/runtime/gemmini_model.c)
// reports — cycles, busy cycles per queue, instructions by kind, DRAM bytes,
// MACs and utilisation. It is the fast surrogate the tile pass and the
// optimiser call on many candidates; its error against the host model is
// measured by test/gemmini-cost.test.ts and bench/cost-model-error.ts.
//
// Two passes over the program:
//
// 1. Counting (exact). Instructions by kind, bytes and MACs are sums over loop
//    nests of per-instruction terms (rows × cols × element size; A rows × A
//    cols × weight cols); DMA requests by where each row sits in its
//    request window (a loop_ws's moves one by one). A loop whose counts do
//    not depend on its variable, nor its DRAM addresses' place in a 64-byte
//    window, is evaluated once and multiplied; otherwise its first and last
//    iterations are evaluated, plus samples of the interior: when the
//    samples agree (edges — `min(DIM, size - DIM*i)`, remainder tiles — sit
//    in the first and last iterations) the interior is one sample times its
//    count; else, where the second and second-to-last iterations are edges
//    too (the next tile's prefetch of a remainder tile), samples inside them;
//    else every iteration is evaluated. A loop whose variable appears
//    in mod or div (the pipelined schedule's K groups), or whose addresses
//    return to their place in the window every few iterations, is sampled
//    per residue class of their period, where the mods are constant and the
//    divs affine; a mod or div whose argument stays within one multiple of
//    its divisor over the interior iterations (the previous tile's stores,
//    the next tile's prefetch: they wrap at the first or last iteration
//    only) sets no period. loop_ws counts are closed forms of LoopMatmul's
//    FSMs. CPU ops cost nothing: they run on the host CPU, outside the
//    accelerator cycles the host model counts. The totals are kept by
//    program and machine less its timing-only parameters: a sweep over
//    memory latency counts each program once.
//
// 2. Timing (analytical, per batch). The unit is a *batch*: a run of commands
//    for one queue (a tile's mvins, a chunk of its preload/compute pairs, its
//    mvouts). A batch's timing is closed-form in its aggregates (commands,
//    DMA requests and beats, mesh rows) and a small machine state:
//    - the issuer (host: one RoCC command per 4 cycles; loop_ws unroller: one
//      per cycle) is in order and stalls while the batch's queue has all its
//      reservation-station entries taken: command j goes once command
//      j − entries has completed, so a batch longer than its queue's entries
//      holds the issuer until near its own end — what serialises the load,
//      compute and store phases of tile-by-tile code;
//    - DMA (DMA.scala): read requests issue one per cycle, writes one per bus
//      occupancy, at most `maxInFlightRequests` in flight, each slot held
//      until its data has crossed the bus after the memory latency; the first
//      window of a batch is evaluated request by request (from the slots the
//      previous batch left), later windows repeat it one latency + beats later
//      or follow the bus or the issue rate when those are slower (DmaPlan);
//    - the mesh streams one row per cycle (≥ 4 per compute), a preload's
//      weights serialised with A when both sit in one single-ported bank;
//      results commit 3·DIM + 3 cycles after the first row (+2·DIM in OS);
//    - dependencies: a batch waits for the in-flight batches whose local rows
//      conflict with its own (RAW; WAR/WAW across queues), as the reservation
//      station checks. Rows are tracked as runs of an affine address over the
//      batch's iterations, and both batches stream in order: the batch's
//      first commands (each kind's first iteration) wait for the first
//      completion of the batches holding the rows they touch, its last
//      command for the last completion of all (execution is in order: so do
//      the computes from the first that reads the rows landing last, and
//      likewise for each load batch in flight and the rows it lands last —
//      a K block's computes read A's row blocks as they land; where none
//      reads the rows landing last, the last compute waits for the
//      iteration before them). A preload's operand is released when the
//      preload starts (its entry retires with the compute before it). Loads
//      into a buffer that computes still read (single buffering) wait so;
//      where the compute batch's last compute reads other rows, only for
//      the compute before it.
//    A loop whose body mixes queues is evaluated iteration by iteration until
//    the state advances by the same amount every iteration (or every two:
//    alternating buffers, DMA alignments; with a mod/div pattern of the
//    interior iterations, every one or two of its periods); the interior
//    iterations left are then skipped
//    by moving the state forward by that period (prologue, steady state ×
//    count, epilogue) — never slower than the busiest queue's busy cycles
//    or the host's issue cycles per iteration; only the parts of the machine
//    that moved (loads in flight from before a stretch of compute-only
//    iterations land when they land); and only as far as the iterations
//    skipped count what the measured ones did, one by one or in repeats of
//    a few (a tile's bias loads and stores ride on the next tile's first K
//    groups only; its loads on all but the last block of each K group; odd
//    K blocks cross DMA request windows in some blocks only) — and the last
//    iteration (or period) is evaluated. The loads left in flight by the
//    iterations measured stand for the last skipped ones' (their rows move
//    on with the skip).
//    A single-queue loop is one batch per chunk of its outer iterations, so a
//    compute phase follows its loads chunk by chunk. loop_ws is its own closed
//    form: D moves, then A and B moves in the order LoopMatmul's arbiter
//    issues them (the first k-step's as its computes need them, then
//    alternating) at the DMA rate; computes k-step by k-step as their blocks
//    land; mvouts trailing the last k-step; halves of the scratchpad and
//    accumulator alternating between loops (so a loop's moves wait for the
//    loop two back to finish reading); the host issues the next loop once the
//    unroller has issued everything.
//
// Every constant mirrors the host model (gemmini_model.c, whose sources are
// Configs.scala, the RTL and the perf model of ucb-bar/libgemmini); every
// configuration-dependent number comes from the GemminiConfig.
//
// Limits: DRAM buffers are only known to be 64-byte aligned, so with DMA
// requests larger than 64 bytes the request count is an average over the
// possible placements; the arbiter's order, the mesh's pace inside a k-step
// and the ready times of stores are approximated; timing never looks at
// data. test/gemmini-cost.test.ts states the error measured.
//
// Use by the tile pass: build a candidate's statements (matmulConfig +
// matmulProgram or loopWsProgram + fence, passes/matmul-schedule.ts) and call
// estimateStatements(stmts, config) — or estimateProgram on a whole program.

import { BoundedCache } from '../ir/bounded-cache.js';
import type { IExpr } from '../ir/iexpr.js';
import type { Inst, LocalAddr, ProgramFunc, ProgramStmt } from '../ir/program-ir.js';
import { DTYPE_BYTES } from '../ir/types.js';
import { derivedParams, type GemminiConfig } from './config.js';

// ---------------------------------------------------------------------------
// The host model's timing constants (gemmini/runtime/gemmini_model.c)
// ---------------------------------------------------------------------------

/** The timing constants of the host model, with the sources it cites. */
export const MODEL_TIMING = {
  /** TC_HOST_CYCLES_PER_ROCC: tc assumption, address arithmetic plus the custom instruction. */
  hostCyclesPerCommand: 4,
  /** RS_ISSUE_CYCLES: tc assumption, reservation station to controller. */
  rsIssueCycles: 1,
  /** LOOP_UNROLLER_CYCLES_PER_CMD: LoopMatmul.scala, one arbiter output per cycle. */
  unrollerCyclesPerCommand: 1,
  /** gemmini.h gemmini_loop_ws: five configuration words, then the loop command. */
  loopWsHostCommands: 6,
  /** MESH_ISSUE_LATENCY_CYCLES: perf model mesh.issue_latency (a compute finding the mesh idle). */
  meshIssueLatency: 3,
  /** MESH_MIN_ROWS: perf model mesh.min_rows. */
  meshMinRows: 4,
  /** CONFIG_EX_DRAIN_CYCLES: perf model mesh.drain_extra. */
  configExCycles: 2,
  /** LD_COMPLETION_LAG_CYCLES: perf model ld.completion_lag. */
  loadCompletionLag: 2,
  /** ST_PIPE_LATENCY_CYCLES: perf model st.pipe_latency (mvout start to its first write). */
  storePipeLatency: 12,
  /** ST_COMPLETION_LAG_CYCLES: perf model st.completion_lag. */
  storeCompletionLag: 2,
  /** FENCE_CYCLES: perf model host.fence_cycles. */
  fenceCycles: 2,
} as const;

/** Everything the model needs from a configuration, as the host model derives it. */
interface Machine {
  readonly dim: number;
  readonly spRows: number;
  readonly bankRows: number;
  readonly maxBlockLen: number;
  readonly maxBlockLenAcc: number;
  readonly busBytes: number;
  readonly maxBytes: number;
  /** DMA requests in flight per direction (gemmini_model.c clamps to 1..256). */
  readonly window: number;
  readonly memLatency: number;
  /** Reservation-station entries per queue, clamped to 1..64 as gemmini_model.c does. */
  readonly entries: readonly [number, number, number];
  readonly spSinglePorted: boolean;
  readonly hasWs: boolean;
  /** perf model mesh.commit_latency = 51 at DIM 16: 3·DIM + 3, scaled with DIM (gemmini_model.c). */
  readonly commitLatency: number;
  /** OS results pass the transposer: DIM cycles in, DIM out (gemmini_model.c, README). */
  readonly osTransposerLatency: number;
}

function machineOf(config: GemminiConfig): Machine {
  const p = derivedParams(config);
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  return {
    dim: p.DIM,
    spRows: p.SP_ROWS,
    bankRows: p.BANK_ROWS,
    maxBlockLen: Math.max(1, p.MAX_BLOCK_LEN),
    maxBlockLenAcc: Math.max(1, p.MAX_BLOCK_LEN_ACC),
    busBytes: p.DMA_BUS_BYTES,
    maxBytes: p.MAX_BYTES,
    window: clamp(config.maxInFlightRequests, 1, 256),
    memLatency: config.memLatencyCycles,
    entries: [clamp(config.ldReservationEntries, 1, 64), clamp(config.exReservationEntries, 1, 64), clamp(config.stReservationEntries, 1, 64)],
    spSinglePorted: config.scratchpadSinglePorted,
    hasWs: config.dataflow !== 'OS',
    commitLatency: 3 * p.DIM + 3,
    osTransposerLatency: 2 * p.DIM,
  };
}

// ---------------------------------------------------------------------------
// The estimate
// ---------------------------------------------------------------------------

/** Instruction kinds, named as the host model's `kind` report records. */
export const INSTRUCTION_KINDS = [
  'config_ex',
  'config_ld',
  'config_st',
  'mvin',
  'mvin2',
  'mvin3',
  'mvout',
  'preload',
  'compute_preloaded',
  'compute_accumulated',
  'loop_ws_config',
  'loop_ws',
  'fence',
] as const;
export type InstructionKind = (typeof INSTRUCTION_KINDS)[number];

export interface CostEstimate {
  /** Accelerator cycles until everything issued has finished (the model's `cycles`). */
  readonly cycles: number;
  /** Cycles each queue was busy, counted as the host model counts them (the execute queue's is its mesh rows; load and store approximate). */
  readonly busyCycles: { readonly load: number; readonly execute: number; readonly store: number };
  /** Instructions by kind, loop_ws-unrolled ones included (exact). */
  readonly instructions: Readonly<Record<InstructionKind, number>>;
  /** RoCC commands the host issues (fences excluded), and those plus the unrolled ones (exact). */
  readonly hostInstructions: number;
  readonly executedInstructions: number;
  /** DRAM bytes moved by mvin / mvout (exact). */
  readonly dramBytesRead: number;
  readonly dramBytesWritten: number;
  /** DMA requests (approximate where row alignment varies between loop iterations). */
  readonly dramReadRequests: number;
  readonly dramWriteRequests: number;
  /** Multiply-accumulates of the mesh (exact), ceil(MACs / DIM²), and MACs / DIM² / cycles. */
  readonly macs: number;
  readonly idealMacCycles: number;
  readonly utilization: number;
}

// ---------------------------------------------------------------------------
// Aggregates: what a run of instructions adds up to
// ---------------------------------------------------------------------------

// Exact fields first (compared when deciding whether loop iterations are alike).
const F_KIND = 0; // 13 kind counters, in INSTRUCTION_KINDS order
const K_CONFIG_EX = 0;
const K_CONFIG_LD = 1;
const K_CONFIG_ST = 2;
const K_MVIN = 3;
const K_MVOUT = 6;
const K_PRELOAD = 7;
const K_COMPUTE_PRE = 8;
const K_COMPUTE_ACC = 9;
const K_LOOP_WS_CONFIG = 10;
const K_LOOP_WS = 11;
const K_FENCE = 12;
const F_BYTES_READ = 13;
const F_BYTES_WRITTEN = 14;
const F_MACS = 15;
const F_UNROLLED = 16;
const EXACT_FIELDS = 17;
// Timing aggregates (may vary with alignment or bank placement between iterations).
const F_RD_REQ = 17;
const F_RD_BEATS = 18;
const F_LD_ROWS = 19; // local rows written by loads (one per cycle)
const F_WR_REQ = 20;
const F_WR_BEATS = 21;
const F_ST_ROWS = 22; // local rows read by stores (one per cycle)
const F_FEED = 23; // mesh rows streamed by computes
const F_A_ROWS = 24; // max(A rows, MESH_MIN_ROWS) summed over computes
const FIELDS = 25;

type Agg = Float64Array;
const newAgg = (): Agg => new Float64Array(FIELDS);

function addScaled(into: Agg, from: Agg, scale: number): void {
  for (let f = 0; f < FIELDS; f++) into[f] += from[f] * scale;
}

function exactEqual(a: Agg, b: Agg): boolean {
  for (let f = 0; f < EXACT_FIELDS; f++) if (a[f] !== b[f]) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Compiling the program: integer expressions become closures over loop slots
// ---------------------------------------------------------------------------

type Env = Float64Array;
type Fn = (env: Env) => number;
type Scope = ReadonlyMap<string, number>;

/** e as c + Σ coef·slot when it is affine in the loop variables, else undefined. */
function affineOf(e: IExpr, scope: Scope): { c: number; terms: Map<number, number> } | undefined {
  switch (e.kind) {
    case 'const':
      return { c: e.value, terms: new Map() };
    case 'var': {
      const slot = scope.get(e.name);
      return slot === undefined ? undefined : { c: 0, terms: new Map([[slot, 1]]) };
    }
    case 'add':
    case 'sub': {
      const a = affineOf(e.lhs, scope);
      const b = affineOf(e.rhs, scope);
      if (!a || !b) return undefined;
      const sign = e.kind === 'add' ? 1 : -1;
      const terms = new Map(a.terms);
      for (const [slot, k] of b.terms) terms.set(slot, (terms.get(slot) ?? 0) + sign * k);
      return { c: a.c + sign * b.c, terms };
    }
    case 'mul': {
      const a = affineOf(e.lhs, scope);
      const b = affineOf(e.rhs, scope);
      if (!a || !b) return undefined;
      const [k, x] = a.terms.size === 0 ? [a.c, b] : b.terms.size === 0 ? [b.c, a] : [undefined, a];
      if (k === undefined) return undefined;
      return { c: k * x.c, terms: new Map([...x.terms].map(([slot, v]) => [slot, k * v])) };
    }
    default:
      return undefined;
  }
}

/** A closure evaluating an expression over the loop slots; affine subtrees become one multiply-add. */
function compileExpr(e: IExpr, scope: Scope): Fn {
  const affine = e.kind === 'const' || e.kind === 'var' ? undefined : affineOf(e, scope);
  if (affine) {
    const c = affine.c;
    const terms = [...affine.terms].filter(([, k]) => k !== 0);
    if (terms.length === 0) return () => c;
    if (terms.length === 1) {
      const [[s0, k0]] = terms;
      return (env) => c + k0 * env[s0];
    }
    if (terms.length === 2) {
      const [[s0, k0], [s1, k1]] = terms;
      return (env) => c + k0 * env[s0] + k1 * env[s1];
    }
    if (terms.length === 3) {
      const [[s0, k0], [s1, k1], [s2, k2]] = terms;
      return (env) => c + k0 * env[s0] + k1 * env[s1] + k2 * env[s2];
    }
    const slots = terms.map(([slot]) => slot);
    const coefs = terms.map(([, k]) => k);
    return (env) => {
      let v = c;
      for (let t = 0; t < slots.length; t++) v += coefs[t] * env[slots[t]];
      return v;
    };
  }
  switch (e.kind) {
    case 'const': {
      const v = e.value;
      return () => v;
    }
    case 'var': {
      const slot = scope.get(e.name);
      if (slot === undefined) throw new Error(`cost model: unbound loop variable '${e.name}'`);
      return (env) => env[slot];
    }
    default: {
      const a = compileExpr(e.lhs, scope);
      const b = compileExpr(e.rhs, scope);
      if (e.rhs.kind === 'const') {
        const c = e.rhs.value;
        switch (e.kind) {
          case 'add':
            return (env) => a(env) + c;
          case 'sub':
            return (env) => a(env) - c;
          case 'mul':
            return (env) => a(env) * c;
          case 'min':
            return (env) => Math.min(a(env), c);
          case 'mod':
            return (env) => a(env) % c;
          case 'div':
            return (env) => Math.floor(a(env) / c);
          default:
            break;
        }
      }
      switch (e.kind) {
        case 'add':
          return (env) => a(env) + b(env);
        case 'sub':
          return (env) => a(env) - b(env);
        case 'mul':
          return (env) => a(env) * b(env);
        case 'min':
          return (env) => Math.min(a(env), b(env));
        case 'max':
          return (env) => Math.max(a(env), b(env));
        case 'mod':
          return (env) => a(env) % b(env);
        case 'div':
          return (env) => Math.floor(a(env) / b(env));
        case 'lt':
          return (env) => (a(env) < b(env) ? 1 : 0);
        case 'le':
          return (env) => (a(env) <= b(env) ? 1 : 0);
        case 'gt':
          return (env) => (a(env) > b(env) ? 1 : 0);
        case 'ge':
          return (env) => (a(env) >= b(env) ? 1 : 0);
        case 'eq':
          return (env) => (a(env) === b(env) ? 1 : 0);
        case 'ne':
          return (env) => (a(env) !== b(env) ? 1 : 0);
      }
    }
  }
}

/** Bit mask of the loop slots an expression reads. */
function slotsOf(e: IExpr, scope: Scope): number {
  if (e.kind === 'const') return 0;
  if (e.kind === 'var') {
    // Not in scope: an inner loop's variable (a loop's counts include its body's).
    const slot = scope.get(e.name);
    return slot === undefined ? 0 : 1 << slot;
  }
  return slotsOf(e.lhs, scope) | slotsOf(e.rhs, scope);
}

export const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));
/** Least common multiple of two periods; 0 (unknown) absorbs. */
const lcm = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : (a / gcd(a, b)) * b);

/**
 * A mod or div of a loop variable in a count: `period` iterations apart its
 * value repeats (the mod) or steps alike (the div), whatever the inner
 * loops' variables in its argument (mod(kk + ub, 2) has period 2 for every
 * ub); 0 when unknown (a non-constant divisor, or an argument that reads the
 * variable outside wraps without being affine in it). The counting pass
 * takes only the periods of affine arguments (its samples of a residue
 * class stand for the DMA alignments of the others too; where the
 * period is less sure, it evaluates every iteration); the timing pass's
 * mixed loops take them all (they check what they skip). `arg` evaluates its
 * argument when that reads no inner loop's variable and the divisor is a
 * constant: where the argument is affine and stays within one multiple of
 * `modulus`, so is the term.
 */
interface Wrap {
  readonly period: number;
  readonly modulus: number;
  readonly arg?: Fn;
  /** The argument is affine in the loop variables (else it holds a wrap of its own, e.g. div(4i + j + div(k + 1, 18), 4)). */
  readonly affine: boolean;
  /** Where the argument reads the variable only inside wraps of its own: those (the term is constant where they are). */
  readonly inner?: readonly Wrap[];
}

/** affineOf, with inner loops' variables (out of scope) as one more term: for the coefficients of the variables in scope. */
const affineWithInner = (e: IExpr, scope: Scope): ReturnType<typeof affineOf> => affineOf(e, { get: (name: string) => scope.get(name) ?? -1 } as Scope);

/** The wraps of `slot` in e. */
function wrapsIn(e: IExpr, slot: number, scope: Scope, out: Wrap[]): Wrap[] {
  if (e.kind === 'const' || e.kind === 'var') return out;
  if ((e.kind === 'mod' || e.kind === 'div') && slotsOf(e.lhs, scope) & (1 << slot)) {
    const modulus = e.rhs.kind === 'const' ? e.rhs.value : 0;
    const outerOnly = slotsOf(e.lhs, scope) < 1 << (slot + 1) && !readsInner(e.lhs, scope);
    const arg = modulus > 0 && outerOnly ? compileExpr(e.lhs, scope) : undefined;
    const affine = outerOnly && affineOf(e.lhs, scope) !== undefined;
    const a = modulus > 0 ? affineWithInner(e.lhs, scope) : undefined;
    const k = a?.terms.get(slot) ?? 0;
    if (modulus <= 0) out.push({ period: 0, modulus, arg, affine });
    else if (a) {
      if (k !== 0 || !affine) out.push({ period: k === 0 ? 1 : modulus / gcd(k, modulus), modulus, arg, affine });
    } else if (readsOutsideWraps(e.lhs, slot, scope)) out.push({ period: 0, modulus, arg, affine });
    else {
      const inner = wrapsIn(e.lhs, slot, scope, []);
      out.push({ period: inner.reduce((p, w) => lcm(p, w.period), 1), modulus, arg, affine, inner });
    }
    return out;
  }
  wrapsIn(e.lhs, slot, scope, out);
  return wrapsIn(e.rhs, slot, scope, out);
}

/** Whether e reads `slot` other than inside a mod or div. */
function readsOutsideWraps(e: IExpr, slot: number, scope: Scope): boolean {
  if (e.kind === 'const') return false;
  if (e.kind === 'var') return scope.get(e.name) === slot;
  if (e.kind === 'mod' || e.kind === 'div') return false;
  return readsOutsideWraps(e.lhs, slot, scope) || readsOutsideWraps(e.rhs, slot, scope);
}

/** Whether e reads a variable out of scope (an inner loop's). */
function readsInner(e: IExpr, scope: Scope): boolean {
  if (e.kind === 'const') return false;
  if (e.kind === 'var') return !scope.has(e.name);
  return readsInner(e.lhs, scope) || readsInner(e.rhs, scope);
}

/** Interior iterations a non-affine wrap's argument is evaluated at, at most. */
const MAX_WRAP_PROBES = 64;

/**
 * The period with which a loop's counts repeat over iterations (from, to - 1)
 * (the first and the last are evaluated on their own): a wrap whose
 * argument is affine there and stays within one multiple of its modulus is
 * affine there. The previous tile's stores, mod(i - 1, E), wrap only at the
 * first iteration; the next tile's prefetch, mod(i + 1, E), only at the last.
 * `all`: every wrap's period (a wrap of wraps repeats with theirs, constant
 * where they are), not only the affine ones' (see Wrap).
 */
function interiorPeriod(n: LoopNode, from: number, to: number, env: Env, all = false): number {
  if (n.period === 1 || to - from < 3) return n.period;
  const saved = env[n.slot];
  const periodOf = (w: Wrap): number => {
    if (w.arg && withinOneBlock(w, w.arg, n.slot, from + 1, to - 2, env)) return 1;
    if (!all) return affinePeriod(w);
    return w.inner ? w.inner.reduce((p, x) => lcm(p, periodOf(x)), 1) : w.period;
  };
  let p = 1;
  for (const w of n.wraps) {
    p = lcm(p, periodOf(w));
    if (p === 0) break;
  }
  env[n.slot] = saved;
  return p;
}

/** A wrap's period where its argument is affine in the loop variables, else 0 (unknown). */
const affinePeriod = (w: Wrap): number => (w.affine ? w.period : 0);

/** A DRAM address of an instruction: its offset in elements and the element size. */
interface DramOffset {
  readonly offset: IExpr;
  readonly bytes: number;
}

/** Iterations of the loop in `slot` after which a DRAM address is where it was in a 64-byte window (1 when it does not move or is not affine in the variable). */
function alignmentPeriod(x: DramOffset, slot: number, scope: Scope): number {
  const a = affineWithInner(x.offset, scope);
  const step = Math.abs(((a?.terms.get(slot) ?? 0) * x.bytes) % BUFFER_ALIGN_BYTES);
  return step === 0 ? 1 : BUFFER_ALIGN_BYTES / gcd(step, BUFFER_ALIGN_BYTES);
}

/** Whether a wrap's argument is affine over iterations [first, last] of the loop in `slot` and within one multiple of its modulus. */
function withinOneBlock(w: Wrap, arg: Fn, slot: number, first: number, last: number, env: Env): boolean {
  const blockAt = (v: number): number => {
    env[slot] = v;
    const x = arg(env);
    return x < 0 ? -1 : Math.floor(x / w.modulus);
  };
  const block = blockAt(first);
  if (block < 0) return false;
  if (w.affine) return blockAt(last) === block; // monotone: its ends say it all
  if (last - first >= MAX_WRAP_PROBES) return false;
  env[slot] = first;
  const x0 = arg(env);
  env[slot] = first + 1;
  const dx = arg(env) - x0;
  for (let v = first + 1; v <= last; v++) {
    env[slot] = v;
    const x = arg(env);
    if (x !== x0 + dx * (v - first) || Math.floor(x / w.modulus) !== block) return false;
  }
  return true;
}

/**
 * [min, max] of an expression when each slot ranges over [lo, hi] (sound, and
 * tight for affine forms), compiled: the closure writes out[at], out[at + 1].
 */
type RangeFn = (lo: Env, hi: Env, out: Float64Array, at: number) => void;

function compileRange(e: IExpr, scope: Scope): RangeFn {
  switch (e.kind) {
    case 'const': {
      const v = e.value;
      return (_lo, _hi, out, at) => {
        out[at] = v;
        out[at + 1] = v;
      };
    }
    case 'var': {
      const slot = scope.get(e.name) ?? 0;
      return (lo, hi, out, at) => {
        out[at] = lo[slot];
        out[at + 1] = hi[slot];
      };
    }
    default: {
      // Affine (most addresses): each term at the end of its range that lowers or raises the sum.
      const affine = affineOf(e, scope);
      if (affine) {
        const c = affine.c;
        const terms = [...affine.terms].filter(([, k]) => k !== 0);
        if (terms.length === 1) {
          const [[s0, k0]] = terms;
          return k0 > 0
            ? (lo, hi, out, at) => {
                out[at] = c + k0 * lo[s0];
                out[at + 1] = c + k0 * hi[s0];
              }
            : (lo, hi, out, at) => {
                out[at] = c + k0 * hi[s0];
                out[at + 1] = c + k0 * lo[s0];
              };
        }
        const slots = terms.map(([slot]) => slot);
        const coefs = terms.map(([, k]) => k);
        return (lo, hi, out, at) => {
          let min = c;
          let max = c;
          for (let t = 0; t < slots.length; t++) {
            const k = coefs[t];
            const l = k * lo[slots[t]];
            const h = k * hi[slots[t]];
            if (k > 0) {
              min += l;
              max += h;
            } else {
              min += h;
              max += l;
            }
          }
          out[at] = min;
          out[at + 1] = max;
        };
      }
      const lhs = compileRange(e.lhs, scope);
      const rhs = compileRange(e.rhs, scope);
      const t = new Float64Array(4); // this node's operands
      const operands = (lo: Env, hi: Env): void => {
        lhs(lo, hi, t, 0);
        rhs(lo, hi, t, 2);
      };
      switch (e.kind) {
        case 'add':
          return (lo, hi, out, at) => {
            operands(lo, hi);
            out[at] = t[0] + t[2];
            out[at + 1] = t[1] + t[3];
          };
        case 'sub':
          return (lo, hi, out, at) => {
            operands(lo, hi);
            out[at] = t[0] - t[3];
            out[at + 1] = t[1] - t[2];
          };
        case 'mul':
          return (lo, hi, out, at) => {
            operands(lo, hi);
            const [p0, p1, p2, p3] = [t[0] * t[2], t[0] * t[3], t[1] * t[2], t[1] * t[3]];
            out[at] = Math.min(p0, p1, p2, p3);
            out[at + 1] = Math.max(p0, p1, p2, p3);
          };
        case 'min':
          return (lo, hi, out, at) => {
            operands(lo, hi);
            out[at] = Math.min(t[0], t[2]);
            out[at + 1] = Math.min(t[1], t[3]);
          };
        case 'max':
          return (lo, hi, out, at) => {
            operands(lo, hi);
            out[at] = Math.max(t[0], t[2]);
            out[at + 1] = Math.max(t[1], t[3]);
          };
        case 'mod':
          return (lo, hi, out, at) => {
            operands(lo, hi);
            const [a0, a1, b0, b1] = [t[0], t[1], t[2], t[3]];
            const exact = b0 === b1 && b0 > 0 && a0 >= 0 && Math.floor(a0 / b0) === Math.floor(a1 / b0);
            out[at] = exact ? a0 % b0 : 0;
            out[at + 1] = exact ? a1 % b0 : Math.max(0, b1 - 1);
          };
        case 'div':
          return (lo, hi, out, at) => {
            operands(lo, hi);
            const [a0, a1, b0, b1] = [t[0], t[1], t[2], t[3]];
            out[at] = b0 > 0 ? Math.floor(a0 / (a0 < 0 ? b0 : b1)) : Math.min(a0, -a1);
            out[at + 1] = b0 > 0 ? Math.floor(a1 / (a1 < 0 ? b1 : b0)) : Math.max(a1, -a0);
          };
        default: {
          // comparisons: 1 when certainly true, 0 when certainly false
          const kind = e.kind;
          return (lo, hi, out, at) => {
            operands(lo, hi);
            const [a0, a1, b0, b1] = [t[0], t[1], t[2], t[3]];
            const always = kind === 'lt' ? a1 < b0 : kind === 'le' ? a1 <= b0 : kind === 'gt' ? a0 > b1 : kind === 'ge' ? a0 >= b1 : kind === 'eq' ? a0 === a1 && b0 === b1 && a0 === b0 : a1 < b0 || b1 < a0;
            const never = kind === 'lt' ? a0 >= b1 : kind === 'le' ? a0 > b1 : kind === 'gt' ? a1 <= b0 : kind === 'ge' ? a1 < b0 : kind === 'eq' ? a1 < b0 || b1 < a0 : a0 === a1 && b0 === b1 && a0 === b0;
            out[at] = always ? 1 : 0;
            out[at + 1] = always || !never ? 1 : 0;
          };
        }
      }
    }
  }
}

interface CLocal {
  readonly space: LocalAddr['space'];
  readonly row: Fn;
  readonly rowExpr?: IExpr;
  readonly raw: boolean;
}

function compileLocal(a: LocalAddr, scope: Scope): CLocal {
  if (a.space === 'garbage') return { space: 'garbage', row: () => 0, raw: false };
  return { space: a.space, row: compileExpr(a.row, scope), rowExpr: a.row, raw: a.space === 'acc' && a.raw };
}

/** A local operand for dependency checks: rows [row, row + rows) (blocks DIM rows apart when cols > DIM). */
interface SpanSpec {
  readonly write: boolean;
  /**
   * A preload's B/D read: its reservation-station entry retires with the
   * compute before it (gemmini_model.c records it in order), so later
   * writers wait only until the preloads have started, not committed.
   */
  readonly early?: boolean;
  readonly acc: boolean;
  readonly row: RangeFn;
  /** The row address as c + Σ coef·slot + Σ coef·(opaque subterm). */
  readonly linear: LinearForm;
  readonly rows: RangeFn;
  readonly cols?: RangeFn;
}

interface LinearForm {
  readonly c: number;
  readonly slots: readonly number[];
  readonly coefs: readonly number[];
  /** Subterms that are not affine (mod, min, ...): usable when constant over the batch. */
  readonly opaque: readonly { readonly coef: number; readonly range: RangeFn }[];
  /** No opaque subterm and no negative coefficient: the address is lowest with every variable at its lowest. */
  readonly ascending: boolean;
}

function linearForm(e: IExpr, scope: Scope): LinearForm {
  let c = 0;
  const terms = new Map<number, number>();
  const opaque: { coef: number; range: RangeFn }[] = [];
  const walk = (x: IExpr, k: number): void => {
    switch (x.kind) {
      case 'const':
        c += k * x.value;
        return;
      case 'var': {
        const slot = scope.get(x.name) ?? 0;
        terms.set(slot, (terms.get(slot) ?? 0) + k);
        return;
      }
      case 'add':
        walk(x.lhs, k);
        walk(x.rhs, k);
        return;
      case 'sub':
        walk(x.lhs, k);
        walk(x.rhs, -k);
        return;
      case 'mul':
        if (x.lhs.kind === 'const') return walk(x.rhs, k * x.lhs.value);
        if (x.rhs.kind === 'const') return walk(x.lhs, k * x.rhs.value);
        opaque.push({ coef: k, range: compileRange(x, scope) });
        return;
      default:
        opaque.push({ coef: k, range: compileRange(x, scope) });
    }
  };
  walk(e, 1);
  const live = [...terms].filter(([, k]) => k !== 0);
  return { c, slots: live.map(([slot]) => slot), coefs: live.map(([, k]) => k), opaque, ascending: opaque.length === 0 && live.every(([, k]) => k > 0) };
}

function compileSpans(i: Inst, scope: Scope): SpanSpec[] {
  const spec = (write: boolean, a: LocalAddr, rows: IExpr, cols?: IExpr, early = false): SpanSpec[] =>
    a.space === 'garbage'
      ? []
      : [{ write, early, acc: a.space === 'acc', row: compileRange(a.row, scope), linear: linearForm(a.row, scope), rows: compileRange(rows, scope), cols: cols ? compileRange(cols, scope) : undefined }];
  switch (i.op) {
    case 'mvin':
      return spec(true, i.dst, i.rows, i.cols);
    case 'mvout':
      return spec(false, i.src, i.rows, i.cols);
    case 'preload':
      // the compute that follows writes C (gemmini_model.c: the compute's write span)
      return [...spec(false, i.bd, i.bdRows, undefined, true), ...spec(true, i.c, i.cRows)];
    case 'compute':
      return [...spec(false, i.a, i.aRows), ...spec(false, i.bd, i.bdRows)];
    default:
      return [];
  }
}

type CInst =
  | { readonly op: 'config_ex'; readonly inst: Extract<Inst, { op: 'config_ex' }> }
  | { readonly op: 'config_ld'; readonly inst: Extract<Inst, { op: 'config_ld' }> }
  | { readonly op: 'config_st'; readonly inst: Extract<Inst, { op: 'config_st' }> }
  | { readonly op: 'fence' }
  | { readonly op: 'mvin'; readonly inst: Extract<Inst, { op: 'mvin' }>; readonly srcBytes: number; readonly srcOffset: Fn; readonly dst: CLocal; readonly rows: Fn; readonly cols: Fn }
  | { readonly op: 'mvout'; readonly inst: Extract<Inst, { op: 'mvout' }>; readonly dstBytes: number; readonly dstOffset: Fn; readonly src: CLocal; readonly rows: Fn; readonly cols: Fn }
  | {
      readonly op: 'preload';
      readonly inst: Extract<Inst, { op: 'preload' }>;
      readonly bd: CLocal;
      readonly bdRows: Fn;
      readonly bdCols: Fn;
    }
  | {
      readonly op: 'compute';
      readonly inst: Extract<Inst, { op: 'compute' }>;
      readonly a: CLocal;
      readonly bd: CLocal;
      readonly aRows: Fn;
      readonly aCols: Fn;
      readonly bdRows: Fn;
      readonly bdCols: Fn;
    }
  | {
      readonly op: 'loop_ws';
      readonly inst: Extract<Inst, { op: 'loop_ws' }>;
      readonly blocks: readonly [Fn, Fn, Fn];
      readonly pads: readonly [Fn, Fn, Fn];
      readonly aOffset: Fn;
      readonly bOffset: Fn;
      readonly dOffset?: Fn;
      readonly dWhen?: Fn;
      readonly cOffset?: Fn;
      readonly cWhen?: Fn;
      readonly aBytes: number;
      readonly bBytes: number;
      readonly dBytes: number;
      readonly cBytes: number;
    };

// Queue bits of a subtree: which queues its commands go to, and what else it holds.
const B_LD = 1;
const B_EX = 2;
const B_ST = 4;
const B_CONFIG = 8;
const B_LOOP_WS = 16;
const B_FENCE = 32;
const Q_LD = 0;
const Q_EX = 1;
const Q_ST = 2;

type CNode =
  | {
      readonly kind: 'inst';
      readonly c: CInst;
      readonly spans: readonly SpanSpec[];
      readonly bits: number;
      readonly exactSlots: number;
      /** The expressions its counts depend on (rows, cols, trip counts), and compiled. */
      readonly exactExprs: readonly IExpr[];
      readonly exactFns: readonly Fn[];
      /** Its DRAM addresses (their alignment sets its DMA requests). */
      readonly dram: readonly DramOffset[];
    }
  | {
      readonly kind: 'loop';
      readonly slot: number;
      /** Trips: may depend on enclosing loops (remainder tiles). */
      readonly extent: Fn;
      readonly extentRange: RangeFn;
      readonly body: readonly CNode[];
      readonly bits: number;
      readonly exactSlots: number;
      readonly exactExprs: readonly IExpr[];
      /**
       * Counts repeat with this period in the loop variable (its uses inside
       * mod and div): 1 when they do not, 0 when unknown (every iteration is
       * counted).
       */
      readonly period: number;
      readonly wraps: readonly Wrap[];
      readonly dram: readonly DramOffset[];
      /**
       * Iterations over which the body's DRAM addresses repeat their place in
       * a 64-byte window (buffers are 64-byte aligned): its DMA requests
       * repeat with this period too (1: addresses that do not move in a
       * window, or are not affine in the variable).
       */
      readonly alignPeriod: number;
    };
type LoopNode = Extract<CNode, { kind: 'loop' }>;

interface Compiled {
  readonly nodes: readonly CNode[];
  readonly slots: number;
  /** The statements compiled, and the bytes per element of each DRAM buffer they move (what the counting pass reads besides the machine). */
  readonly body: readonly ProgramStmt[];
  readonly bufferBytes: ReadonlyMap<string, number>;
  /** The statements and buffer sizes as text, once the counting pass has asked. */
  text?: string;
}

const sameCounts = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Whether instructions with these bits go to one queue (a batch can hold them). */
const singleQueue = (bits: number): boolean => bits === B_LD || bits === B_EX || bits === B_ST;

function bitsOf(c: CInst): number {
  switch (c.op) {
    case 'mvin':
      return B_LD;
    case 'mvout':
      return B_ST;
    case 'preload':
    case 'compute':
      return B_EX;
    case 'config_ex':
    case 'config_ld':
    case 'config_st':
      return B_CONFIG;
    case 'loop_ws':
      return B_LOOP_WS;
    case 'fence':
      return B_FENCE;
  }
}

function compileProgram(body: readonly ProgramStmt[], bytesOf: (name: string) => number): Compiled {
  let maxSlot = 0;
  const seenBytes = new Map<string, number>();
  const bufferBytes = (name: string): number => {
    const b = bytesOf(name);
    seenBytes.set(name, b);
    return b;
  };
  const compileInst = (i: Inst, scope: Scope): { c: CInst; exactExprs: IExpr[]; dram?: DramOffset[] } => {
    const f = (e: IExpr): Fn => compileExpr(e, scope);
    switch (i.op) {
      case 'config_ex':
      case 'config_ld':
      case 'config_st':
        return { c: { op: i.op, inst: i } as CInst, exactExprs: [] };
      case 'fence':
        return { c: { op: 'fence' }, exactExprs: [] };
      case 'mvin':
        return {
          c: { op: 'mvin', inst: i, srcBytes: bufferBytes(i.src.buffer), srcOffset: f(i.src.offset), dst: compileLocal(i.dst, scope), rows: f(i.rows), cols: f(i.cols) },
          exactExprs: [i.rows, i.cols],
          dram: [{ offset: i.src.offset, bytes: bufferBytes(i.src.buffer) }],
        };
      case 'mvout':
        return {
          c: { op: 'mvout', inst: i, dstBytes: bufferBytes(i.dst.buffer), dstOffset: f(i.dst.offset), src: compileLocal(i.src, scope), rows: f(i.rows), cols: f(i.cols) },
          exactExprs: [i.rows, i.cols],
          dram: [{ offset: i.dst.offset, bytes: bufferBytes(i.dst.buffer) }],
        };
      case 'preload':
        return { c: { op: 'preload', inst: i, bd: compileLocal(i.bd, scope), bdRows: f(i.bdRows), bdCols: f(i.bdCols) }, exactExprs: [i.bdCols] };
      case 'compute':
        return {
          c: { op: 'compute', inst: i, a: compileLocal(i.a, scope), bd: compileLocal(i.bd, scope), aRows: f(i.aRows), aCols: f(i.aCols), bdRows: f(i.bdRows), bdCols: f(i.bdCols) },
          exactExprs: [i.aRows, i.aCols, i.bdCols],
        };
      case 'loop_ws':
        return {
          c: {
            op: 'loop_ws',
            inst: i,
            blocks: [f(i.blocksI), f(i.blocksJ), f(i.blocksK)],
            pads: [f(i.padI), f(i.padJ), f(i.padK)],
            aOffset: f(i.a.offset),
            bOffset: f(i.b.offset),
            dOffset: i.d ? f(i.d.offset) : undefined,
            dWhen: i.d ? f(i.d.when) : undefined,
            cOffset: i.c ? f(i.c.offset) : undefined,
            cWhen: i.c ? f(i.c.when) : undefined,
            aBytes: bufferBytes(i.a.buffer),
            bBytes: bufferBytes(i.b.buffer),
            dBytes: i.d ? bufferBytes(i.d.buffer) : 4,
            cBytes: i.c ? bufferBytes(i.c.buffer) : 1,
          },
          exactExprs: [i.blocksI, i.blocksJ, i.blocksK, i.padI, i.padJ, i.padK, ...(i.d ? [i.d.when] : []), ...(i.c ? [i.c.when] : [])],
          dram: [i.a, i.b, ...(i.d ? [i.d] : []), ...(i.c ? [i.c] : [])].map((x) => ({ offset: x.offset, bytes: bufferBytes(x.buffer) })),
        };
    }
  };
  const walk = (stmts: readonly ProgramStmt[], scope: Map<string, number>, depth: number): CNode[] => {
    const out: CNode[] = [];
    for (const st of stmts) {
      if (st.kind === 'cpu') continue; // runs on the host CPU: no accelerator cycles
      if (st.kind === 'inst') {
        const { c, exactExprs, dram = [] } = compileInst(st.inst, scope);
        const exactSlots = exactExprs.reduce((m, e) => m | slotsOf(e, scope), 0);
        out.push({ kind: 'inst', c, spans: compileSpans(st.inst, scope), bits: bitsOf(c), exactSlots, exactExprs, exactFns: exactExprs.map((e) => compileExpr(e, scope)), dram });
        continue;
      }
      if (depth > 30) throw new Error('cost model: loops nested deeper than 30');
      maxSlot = Math.max(maxSlot, depth);
      const inner = new Map(scope);
      inner.set(st.var, depth);
      const body = walk(st.body, inner, depth + 1);
      if (body.length === 0 || (st.extent.kind === 'const' && st.extent.value <= 0)) continue;
      // Counts depend on the trip count's expressions as well as the body's.
      const exactExprs = [st.extent, ...body.flatMap((n) => n.exactExprs)];
      const wraps: Wrap[] = [];
      for (const e of exactExprs) wrapsIn(e, depth, inner, wraps);
      const dram = body.flatMap((n) => n.dram);
      out.push({
        kind: 'loop',
        slot: depth,
        extent: compileExpr(st.extent, scope),
        extentRange: compileRange(st.extent, scope),
        body,
        bits: body.reduce((m, n) => m | n.bits, 0),
        exactSlots: body.reduce((m, n) => m | n.exactSlots, slotsOf(st.extent, scope)),
        exactExprs,
        period: wraps.reduce((p, w) => lcm(p, affinePeriod(w)), 1),
        wraps,
        dram,
        alignPeriod: dram.reduce((p, x) => lcm(p, alignmentPeriod(x, depth, inner)), 1),
      });
    }
    return out;
  };
  const nodes = walk(body, new Map(), 0);
  return { nodes, slots: maxSlot + 1, body, bufferBytes: seenBytes };
}

// ---------------------------------------------------------------------------
// Evaluating instructions into aggregates (counts, bytes, MACs, DMA requests, feed)
// ---------------------------------------------------------------------------

/** The configuration state that instructions read (set by config_* and preload). */
interface EvalState {
  dataflow: 'ws' | 'os';
  bTranspose: boolean;
  readonly ldStride: number[];
  stStride: number;
  /** WS: columns of the weights in the mesh (set by compute.preloaded from its preload). */
  weightCols: number;
  preGarbage: boolean;
  preRow: number;
  preRows: number;
  preCols: number;
}

function initialState(m: Machine): EvalState {
  // gemmini_model.c initialize(): strides DIM·sizeof(elem_t), WS when the configuration has it.
  return {
    dataflow: m.hasWs ? 'ws' : 'os',
    bTranspose: false,
    ldStride: [m.dim, m.dim, m.dim],
    stStride: m.dim,
    weightCols: m.dim,
    preGarbage: true,
    preRow: 0,
    preRows: 0,
    preCols: 0,
  };
}

/**
 * DRAM buffers are aligned to 64 bytes (backends/gemmini-c/emit.ts declares
 * them so); where requests may be larger, where a buffer starts within a
 * MAX_BYTES window is unknown, and requests are averaged over the possible starts.
 */
const BUFFER_ALIGN_BYTES = 64;

/** Where a byte address sits in its MAX_BYTES request window. */
const windowOffset = (address: number, m: Machine): number => ((address % m.maxBytes) + m.maxBytes) % m.maxBytes;

/** DMA requests and bus beats of one row: one request per MAX_BYTES-aligned window it touches (DMA.scala). */
function rowDma(into: { requests: number; beats: number }, address: number, rowBytes: number, m: Machine, times: number): void {
  const starts = m.maxBytes > BUFFER_ALIGN_BYTES ? m.maxBytes / BUFFER_ALIGN_BYTES : 1;
  const share = times / starts;
  for (let b = 0; b < starts; b++) {
    let offset = windowOffset(address + b * BUFFER_ALIGN_BYTES, m);
    let remaining = rowBytes;
    while (remaining > 0) {
      const chunk = Math.min(remaining, m.maxBytes - offset);
      into.requests += share;
      into.beats += Math.ceil(chunk / m.busBytes) * share;
      remaining -= chunk;
      offset = 0;
    }
  }
}

const rowScratch = { requests: 0, beats: 0 };
function addRowDma(agg: Agg, fReq: number, fBeats: number, address: number, rowBytes: number, m: Machine, times: number): void {
  rowScratch.requests = 0;
  rowScratch.beats = 0;
  rowDma(rowScratch, address, rowBytes, m, times);
  agg[fReq] += rowScratch.requests;
  agg[fBeats] += rowScratch.beats;
}

function addRowsDma(agg: Agg, fReq: number, fBeats: number, address: number, rowBytes: number, stride: number, rows: number, m: Machine): void {
  if (rows <= 0 || rowBytes <= 0) return;
  if (rows === 1 || stride % m.maxBytes === 0) {
    addRowDma(agg, fReq, fBeats, address, rowBytes, m, rows);
    return;
  }
  for (let r = 0; r < rows; r++) addRowDma(agg, fReq, fBeats, address + r * stride, rowBytes, m, 1);
}

const bankOf = (row: number, m: Machine): number => Math.floor(row / m.bankRows);

function evalInst(c: CInst, env: Env, agg: Agg, es: EvalState, m: Machine): void {
  switch (c.op) {
    case 'config_ex':
      agg[F_KIND + K_CONFIG_EX]++;
      es.dataflow = c.inst.dataflow;
      es.bTranspose = c.inst.bTranspose;
      return;
    case 'config_ld':
      agg[F_KIND + K_CONFIG_LD]++;
      es.ldStride[c.inst.channel] = c.inst.strideBytes;
      return;
    case 'config_st':
      agg[F_KIND + K_CONFIG_ST]++;
      es.stStride = c.inst.strideBytes;
      return;
    case 'fence':
      agg[F_KIND + K_FENCE]++;
      return;
    case 'mvin': {
      agg[F_KIND + K_MVIN + c.inst.channel]++;
      const rows = c.rows(env);
      const cols = c.cols(env);
      const elemBytes = c.dst.space === 'acc' ? 4 : 1; // acc_t rows, elem_t (int8) rows (tc never sets config_ld's shrink)
      const rowBytes = cols * elemBytes;
      agg[F_BYTES_READ] += rows * rowBytes;
      agg[F_LD_ROWS] += rows * Math.ceil(cols / m.dim);
      addRowsDma(agg, F_RD_REQ, F_RD_BEATS, c.srcOffset(env) * c.srcBytes, rowBytes, es.ldStride[c.inst.channel], rows, m);
      return;
    }
    case 'mvout': {
      agg[F_KIND + K_MVOUT]++;
      const rows = c.rows(env);
      const cols = c.cols(env);
      const elemBytes = c.src.raw ? 4 : 1; // full-width acc rows, else scaled int8
      const rowBytes = cols * elemBytes;
      agg[F_BYTES_WRITTEN] += rows * rowBytes;
      agg[F_ST_ROWS] += rows * Math.ceil(cols / m.dim);
      addRowsDma(agg, F_WR_REQ, F_WR_BEATS, c.dstOffset(env) * c.dstBytes, rowBytes, es.stStride, rows, m);
      return;
    }
    case 'preload':
      agg[F_KIND + K_PRELOAD]++;
      es.preGarbage = c.bd.space === 'garbage';
      es.preRow = c.bd.row(env);
      es.preRows = c.bdRows(env);
      es.preCols = c.bdCols(env);
      return;
    case 'compute': {
      const preloaded = !c.inst.accumulated;
      agg[F_KIND + (preloaded ? K_COMPUTE_PRE : K_COMPUTE_ACC)]++;
      const ws = es.dataflow === 'ws';
      const aRows = c.aRows(env);
      const aCols = c.aCols(env);
      const bdRows = c.bdRows(env);
      const bdCols = c.bdCols(env);
      if (ws && preloaded) es.weightCols = es.preCols;
      agg[F_MACS] += aRows * aCols * (ws ? es.weightCols : bdCols);
      // Mesh rows streamed (gemmini_model.c exec_compute): a new preload's
      // weights and an OS B / WS D operand serialise with A in one single-ported bank.
      const aGarbage = c.a.space === 'garbage';
      const aRow = c.a.row(env);
      let feed = aRows;
      if (preloaded && !es.preGarbage) {
        const preRows = ws && es.bTranspose ? es.preCols : es.preRows;
        feed = m.spSinglePorted && !aGarbage && bankOf(es.preRow, m) === bankOf(aRow, m) ? aRows + preRows : Math.max(aRows, preRows);
      }
      if (c.bd.space !== 'garbage') {
        const read = !ws && es.bTranspose ? bdCols : bdRows;
        feed = m.spSinglePorted && !aGarbage && bankOf(c.bd.row(env), m) === bankOf(aRow, m) ? feed + read : Math.max(feed, read);
      }
      agg[F_FEED] += Math.max(feed, MODEL_TIMING.meshMinRows);
      agg[F_A_ROWS] += Math.max(aRows, MODEL_TIMING.meshMinRows);
      return;
    }
    case 'loop_ws':
      addLoopWs(agg, loopWsParams(c, env, es, m));
      return;
  }
}

// ---------------------------------------------------------------------------
// loop_ws: LoopMatmul's command stream in closed form
// ---------------------------------------------------------------------------

interface DmaStream {
  /** Commands, DMA requests, bus beats and local rows of the whole stream. */
  readonly commands: number;
  readonly requests: number;
  readonly beats: number;
  readonly localRows: number;
  readonly bytes: number;
  /** Column groups, and the requests and bus beats of each group's moves over all row blocks. */
  readonly groups: number;
  readonly groupRequests: readonly number[];
  readonly groupBeats: readonly number[];
  /** Requests of the first n moves (prefix sums), issued row block by row block, or column group by column group. */
  readonly rowMajor: readonly number[];
  readonly groupMajor: readonly number[];
}

interface LoopWsParams {
  readonly I: number;
  readonly J: number;
  readonly K: number;
  readonly padI: number;
  readonly padJ: number;
  readonly padK: number;
  readonly aBlocks: number;
  readonly bBlocks: number;
  readonly cBlocks: number;
  readonly a: DmaStream;
  readonly b: DmaStream;
  readonly d: DmaStream;
  readonly c: DmaStream;
  readonly macs: number;
  readonly computes: number;
}

/** [0, x0, x0 + x1, …]. */
function prefixSums(xs: readonly number[]): number[] {
  const out = [0];
  for (const x of xs) out.push(out[out.length - 1] + x);
  return out;
}

// Streams by their shape and where they start in a request window: a
// program's loop_ws instances repeat a few (a sweep's points, more).
const streams = new BoundedCache<DmaStream>(256);

/** A loop_ws stream's shape and where it starts (see loopStream). */
type StreamArgs = [rowBlocks: number, colBlocks: number, blocksPerMove: number, padRows: number, padCols: number, elemBytes: number, address: number, rowStrideBytes: number];

/**
 * One stream of block moves of a loop_ws (gemmini_model.c run_loop_ws): `groups`
 * column groups of up to `blocksPerMove` DIM-wide blocks over `rowBlocks` row
 * blocks; the last row block has `padRows` fewer rows, the last column block
 * `padCols` fewer columns.
 */
function loopStream(m: Machine, ...args: StreamArgs): DmaStream {
  const shape: StreamArgs = [...args];
  shape[6] = windowOffset(args[6], m); // where it starts in a request window is all that matters
  return streams.get([m.dim, m.maxBytes, m.busBytes, ...shape].join(' '), () => streamOf(m, ...shape));
}

/** loopStream's stream, worked out. */
function streamOf(m: Machine, ...[rowBlocks, colBlocks, blocksPerMove, padRows, padCols, elemBytes, address, rowStrideBytes]: StreamArgs): DmaStream {
  const d = m.dim;
  const groups = Math.ceil(colBlocks / blocksPerMove);
  const rows = rowBlocks * d - padRows;
  const lastRows = d - padRows;
  // Requests and beats of each move, row block by row block; a move's are
  // set by where its first row sits in a MAX_BYTES window (rows follow at
  // the stride), so moves alike there are worked out once.
  const moveRequests = new Float64Array(rowBlocks * groups);
  const moveBeats = new Float64Array(rowBlocks * groups);
  const known = new Map<number, number>(); // (group, last row block, offset) -> move index
  const one = { requests: 0, beats: 0 };
  for (let b = 0; b < rowBlocks; b++)
    for (let g = 0; g < groups; g++) {
      const at = b * groups + g;
      const blocks = Math.min(blocksPerMove, colBlocks - g * blocksPerMove);
      const cols = blocks * d - (g === groups - 1 ? padCols : 0);
      const first = address + g * blocksPerMove * d * elemBytes + b * d * rowStrideBytes;
      const last = b === rowBlocks - 1;
      const key = (g * 2 + (last ? 1 : 0)) * m.maxBytes + windowOffset(first, m);
      const same = known.get(key);
      if (same !== undefined) {
        moveRequests[at] = moveRequests[same];
        moveBeats[at] = moveBeats[same];
        continue;
      }
      one.requests = 0;
      one.beats = 0;
      for (let r = 0; r < (last ? lastRows : d); r++) rowDma(one, first + r * rowStrideBytes, cols * elemBytes, m, 1);
      moveRequests[at] = one.requests;
      moveBeats[at] = one.beats;
      known.set(key, at);
    }
  const groupRequests = new Array<number>(groups).fill(0);
  const groupBeats = new Array<number>(groups).fill(0);
  for (let at = 0; at < moveRequests.length; at++) {
    groupRequests[at % groups] += moveRequests[at];
    groupBeats[at % groups] += moveBeats[at];
  }
  const byGroup: number[] = [];
  for (let g = 0; g < groups; g++) for (let b = 0; b < rowBlocks; b++) byGroup.push(moveRequests[b * groups + g]);
  const cols = colBlocks * d - padCols;
  return {
    commands: rowBlocks * groups,
    requests: groupRequests.reduce((x, y) => x + y, 0),
    beats: groupBeats.reduce((x, y) => x + y, 0),
    localRows: rows * Math.min(colBlocks, blocksPerMove) * groups,
    bytes: rows * cols * elemBytes,
    groups,
    groupRequests,
    groupBeats,
    rowMajor: prefixSums(Array.from(moveRequests)),
    groupMajor: prefixSums(byGroup),
  };
}

/**
 * Requests of the first `moves` moves of a stream issued row block by row
 * block (all column groups of a row block, then the next: LoopMatmul's B,
 * D and C order) or, with `groupMajor`, column group by column group (A's).
 */
function streamRequests(s: DmaStream, moves: number, groupMajor: boolean): number {
  const prefix = groupMajor ? s.groupMajor : s.rowMajor;
  return prefix[Math.max(0, Math.min(prefix.length - 1, Math.floor(moves)))];
}

const NO_STREAM: DmaStream = { commands: 0, requests: 0, beats: 0, localRows: 0, bytes: 0, groups: 0, groupRequests: [], groupBeats: [], rowMajor: [0], groupMajor: [0] };

function loopWsParams(c: Extract<CInst, { op: 'loop_ws' }>, env: Env, es: EvalState, m: Machine): LoopWsParams {
  const i = c.inst;
  const d = m.dim;
  const [I, J, K] = c.blocks.map((f) => f(env));
  const [padI, padJ, padK] = c.pads.map((f) => f(env));
  const hasD = c.dOffset !== undefined && (c.dWhen?.(env) ?? 0) !== 0;
  const hasC = c.cOffset !== undefined && (c.cWhen?.(env) ?? 0) !== 0;
  // gemmini_model.c run_loop_ws: blocks per move min(cols, MAX_BLOCK_LEN); D is acc_t (low_D false)
  // at MAX_BLOCK_LEN_ACC; C is one block full-width, else min(J, MAX_BLOCK_LEN).
  const aBlocks = Math.min(K, m.maxBlockLen);
  const bBlocks = Math.min(J, m.maxBlockLen);
  const dBlocks = Math.min(J, m.maxBlockLenAcc);
  const cBlocks = i.fullC ? 1 : Math.min(J, m.maxBlockLen);
  const a = loopStream(m, I, K, aBlocks, padI, padK, 1, c.aOffset(env) * c.aBytes, es.ldStride[0]);
  const b = loopStream(m, K, J, bBlocks, padK, padJ, 1, c.bOffset(env) * c.bBytes, es.ldStride[1]);
  const dStream = hasD ? loopStream(m, I, J, dBlocks, padI, padJ, 4, (c.dOffset as Fn)(env) * c.dBytes, es.ldStride[2]) : NO_STREAM;
  const cStream = hasC ? loopStream(m, I, J, cBlocks, padI, padJ, i.fullC ? 4 : 1, (c.cOffset as Fn)(env) * c.cBytes, es.stStride) : NO_STREAM;
  return {
    I,
    J,
    K,
    padI,
    padJ,
    padK,
    aBlocks,
    bBlocks,
    cBlocks,
    a,
    b,
    d: dStream,
    c: cStream,
    macs: (I * d - padI) * (J * d - padJ) * (K * d - padK),
    computes: I * J * K,
  };
}

function addLoopWs(agg: Agg, p: LoopWsParams): void {
  agg[F_KIND + K_LOOP_WS_CONFIG] += MODEL_TIMING.loopWsHostCommands - 1;
  agg[F_KIND + K_LOOP_WS]++;
  agg[F_KIND + K_MVIN] += p.a.commands;
  agg[F_KIND + K_MVIN + 1] += p.b.commands;
  agg[F_KIND + K_MVIN + 2] += p.d.commands;
  agg[F_KIND + K_MVOUT] += p.c.commands;
  agg[F_KIND + K_PRELOAD] += p.computes;
  agg[F_KIND + K_COMPUTE_PRE] += p.J * p.K;
  agg[F_KIND + K_COMPUTE_ACC] += (p.I - 1) * p.J * p.K;
  agg[F_UNROLLED] += p.a.commands + p.b.commands + p.d.commands + p.c.commands + 2 * p.computes;
  agg[F_BYTES_READ] += p.a.bytes + p.b.bytes + p.d.bytes;
  agg[F_BYTES_WRITTEN] += p.c.bytes;
  agg[F_MACS] += p.macs;
  agg[F_RD_REQ] += p.a.requests + p.b.requests + p.d.requests;
  agg[F_RD_BEATS] += p.a.beats + p.b.beats + p.d.beats;
  agg[F_LD_ROWS] += p.a.localRows + p.b.localRows + p.d.localRows;
  agg[F_WR_REQ] += p.c.requests;
  agg[F_WR_BEATS] += p.c.beats;
  agg[F_ST_ROWS] += p.c.localRows;
}

// ---------------------------------------------------------------------------
// Counting pass: loops evaluated at their edges and a few interior samples
// ---------------------------------------------------------------------------

/** Loops this short are evaluated iteration by iteration. */
const SHORT_LOOP = 8;
/** Set while the timing pass evaluates batches: cheaper, approximate sums. */
let roughEvaluation = false;

// Scratch aggregates, taken and given back in stack order (evaluation allocates nothing).
const aggPool: Agg[] = [];
let aggTop = 0;
function takeAgg(): Agg {
  if (aggTop === aggPool.length) aggPool.push(newAgg());
  const a = aggPool[aggTop++];
  a.fill(0);
  return a;
}

function evalNodes(nodes: readonly CNode[], env: Env, agg: Agg, es: EvalState, m: Machine): void {
  for (const n of nodes) {
    if (n.kind === 'inst') evalInst(n.c, env, agg, es, m);
    else evalLoop(n, 0, n.extent(env), env, agg, es, m);
  }
}

function evalIteration(n: LoopNode, v: number, env: Env, es: EvalState, m: Machine): Agg {
  const a = takeAgg();
  env[n.slot] = v;
  evalNodes(n.body, env, a, es, m);
  return a;
}

/**
 * Adds iterations [from, to) of loop `n` to `agg`: once times the count when
 * its counts do not depend on the variable; otherwise each residue class of
 * its period sampled (evalStrided), or every iteration when the period is
 * unknown.
 */
function evalLoop(n: LoopNode, from: number, to: number, env: Env, agg: Agg, es: EvalState, m: Machine): void {
  const count = to - from;
  if (count <= 0) return;
  const mark = aggTop;
  if (roughEvaluation) {
    // Timing needs no exact counts: the first and last iterations (edges)
    // and the interior as the mean of the next two (alignment and bank
    // placement often alternate between iterations) — when the interior is
    // alike: its middle and end are sampled too, and where the counts differ
    // there (a guard that ends part-way through the loop, a mod pattern),
    // the loop is evaluated as the counting pass does below.
    if (count === 1) {
      addScaled(agg, evalIteration(n, from, env, es, m), 1);
      aggTop = mark;
      return;
    }
    if (!(n.exactSlots & (1 << n.slot))) {
      addScaled(agg, evalIteration(n, from, env, es, m), count / 2);
      addScaled(agg, evalIteration(n, from + 1, env, es, m), count / 2);
      aggTop = mark;
      return;
    }
    if (count <= 4) {
      for (let v = from; v < to; v++) {
        env[n.slot] = v;
        evalNodes(n.body, env, agg, es, m);
      }
      return;
    }
    if (interiorPeriod(n, from, to, env) === 1) {
      const b = evalIteration(n, from + 1, env, es, m);
      const c = evalIteration(n, from + 2, env, es, m);
      if (exactEqual(b, c) && exactEqual(b, evalIteration(n, from + (count >> 1), env, es, m)) && exactEqual(b, evalIteration(n, to - 2, env, es, m))) {
        addScaled(agg, evalIteration(n, from, env, es, m), 1);
        addScaled(agg, b, (count - 2) / 2);
        addScaled(agg, c, (count - 2) / 2);
        addScaled(agg, evalIteration(n, to - 1, env, es, m), 1);
        aggTop = mark;
        return;
      }
      aggTop = mark;
    }
  }
  // Counting: DMA requests follow the addresses' place in their windows.
  const align = roughEvaluation ? 1 : n.alignPeriod;
  if (!(n.exactSlots & (1 << n.slot)) && align === 1) {
    // Counts do not depend on the variable: one iteration times the count;
    // timing terms (bank placement, alignment) averaged over two iterations.
    const first = evalIteration(n, from, env, es, m);
    if (count === 1) addScaled(agg, first, 1);
    else {
      const second = evalIteration(n, from + 1, env, es, m);
      for (let f = 0; f < FIELDS; f++) agg[f] += f < EXACT_FIELDS ? first[f] * count : ((first[f] + second[f]) / 2) * count;
    }
    aggTop = mark;
    return;
  }
  // Each residue class of the loop's period samples like a loop without mod
  // or div of its variable (the first and last iterations apart).
  const period = lcm(interiorPeriod(n, from, to, env), align);
  if (period === 0 || (period > 1 && count <= SHORT_LOOP * period)) evalStrided(n, from, 1, count, env, agg, es, m, true);
  else if (period === 1) evalStrided(n, from, 1, count, env, agg, es, m);
  else for (let r = 0; r < period; r++) evalStrided(n, from + r, period, Math.ceil((count - r) / period), env, agg, es, m);
}

/**
 * Adds iterations start, start + step, … (count of them) of loop `n`: the
 * first and the last (edges) and, when samples of the interior (the second,
 * middle and second-to-last) agree on every exact field, the interior as a
 * sample times its count (timing fields: the samples' mean); otherwise every
 * iteration (and always with `everyIteration`).
 */
function evalStrided(n: LoopNode, start: number, step: number, count: number, env: Env, agg: Agg, es: EvalState, m: Machine, everyIteration = false): void {
  if (count <= SHORT_LOOP || everyIteration) {
    for (let i = 0; i < count; i++) {
      env[n.slot] = start + i * step;
      evalNodes(n.body, env, agg, es, m);
    }
    return;
  }
  const mark = aggTop;
  const at = (i: number): number => start + i * step;
  const first = evalIteration(n, at(0), env, es, m);
  const s1 = evalIteration(n, at(1), env, es, m);
  const s2 = evalIteration(n, at(count >> 1), env, es, m);
  const s3 = evalIteration(n, at(count - 2), env, es, m);
  if (exactEqual(s1, s2) && exactEqual(s1, s3)) {
    const last = evalIteration(n, at(count - 1), env, es, m);
    addScaled(agg, first, 1);
    addScaled(agg, last, 1);
    for (let f = 0; f < FIELDS; f++) agg[f] += (f < EXACT_FIELDS ? s1[f] : (s1[f] + s2[f] + s3[f]) / 3) * (count - 2);
    aggTop = mark;
    return;
  }
  // Counting: the second and second-to-last iterations may be edges too (a
  // pipelined schedule's second stores the first tile, its second-to-last
  // prefetches the last, a remainder tile): sampled inside them, the interior may be alike.
  const t1 = !roughEvaluation && count > SHORT_LOOP + 2 ? evalIteration(n, at(2), env, es, m) : undefined;
  const t3 = t1 && exactEqual(t1, s2) ? evalIteration(n, at(count - 3), env, es, m) : undefined;
  if (t1 && t3 && exactEqual(t1, t3)) {
    addScaled(agg, first, 1);
    addScaled(agg, s1, 1);
    addScaled(agg, s3, 1);
    addScaled(agg, evalIteration(n, at(count - 1), env, es, m), 1);
    for (let f = 0; f < FIELDS; f++) agg[f] += (f < EXACT_FIELDS ? t1[f] : (t1[f] + s2[f] + t3[f]) / 3) * (count - 4);
  } else {
    addScaled(agg, first, 1);
    for (let i = 1; i < count; i++) {
      env[n.slot] = at(i);
      evalNodes(n.body, env, agg, es, m);
    }
  }
  aggTop = mark;
}

// ---------------------------------------------------------------------------
// Timing: machine state
// ---------------------------------------------------------------------------

/** Completions of a run of `n` commands, evenly spread over [first, last]. */
interface Segment {
  n: number;
  first: number;
  last: number;
}

class QueueState {
  nextStart = 0; // in-order start: no command of this queue starts earlier
  lastDone = 0; // commands retire in order (gemmini_model.c record)
  busy = 0;
  busyUntil = 0;
  readonly history: Segment[] = [];
  constructor(readonly entries: number) {}

  /** Completion of the command `back` places before the next one (1 = newest); 0 when there is none. */
  doneBack(back: number): number {
    for (let s = this.history.length - 1; s >= 0; s--) {
      const seg = this.history[s];
      if (back <= seg.n) return seg.n === 1 ? seg.last : seg.last - ((back - 1) * (seg.last - seg.first)) / (seg.n - 1);
      back -= seg.n;
    }
    return 0;
  }

  /**
   * When command `j` of a batch of `n` (completing over [first, last]) may be
   * dispatched: once command j − entries has completed and freed its entry.
   */
  entryFree(j: number, n: number, first: number, last: number): number {
    const k = j - this.entries;
    if (k < 0) return this.doneBack(-k);
    return n <= 1 ? last : first + (k * (last - first)) / (n - 1);
  }

  /** Commands still holding an entry at time t (completing after t). */
  busyAt(t: number): number {
    let count = 0;
    for (let s = this.history.length - 1; s >= 0; s--) {
      const seg = this.history[s];
      if (seg.last <= t) break;
      count += seg.first > t || seg.n === 1 ? seg.n : Math.ceil(((seg.last - t) / (seg.last - seg.first)) * (seg.n - 1));
    }
    return Math.min(count, this.entries);
  }

  push(n: number, first: number, last: number): void {
    if (n <= 0) return;
    first = Math.max(first, this.lastDone);
    last = Math.max(last, first);
    this.lastDone = last;
    this.history.push({ n, first, last });
    let covered = 0;
    for (let s = this.history.length - 1; s >= 0; s--) {
      covered += this.history[s].n;
      if (covered > this.entries && s > 0) {
        this.history.splice(0, s);
        break;
      }
    }
  }

  addBusy(from: number, to: number): void {
    const start = Math.max(from, this.busyUntil);
    if (to > start) {
      this.busy += to - start;
      this.busyUntil = to;
    }
  }
}

/** One DMA engine (DMA.scala StreamReader / StreamWriter). */
class DmaEngine {
  nextIssue = 0;
  busFree = 0;
  /** Completion times of the last `window` requests, oldest first. */
  readonly ring: Float64Array;
  /** A plan's first-window issue and completion times (one plan per engine is open at a time). */
  readonly scratch: Float64Array;
  readonly scratch2: Float64Array;
  constructor(readonly window: number) {
    this.ring = new Float64Array(window);
    this.scratch = new Float64Array(window);
    this.scratch2 = new Float64Array(window);
  }
}

/**
 * Request timing of a batch of R requests of `beats` bus beats each, in closed
 * form. Request j issues once the request a window (w slots) earlier has
 * completed and no sooner than the issue rate allows (one per `gap` cycles
 * from s0): t(j) = max(s0 + j·gap, done(j − w)); a read completes when its
 * beats have crossed the bus after the memory latency, done(j) = max(t(j) + L,
 * done(j − 1)) + beats; a write after latency + beats. The first window is
 * evaluated request by request (it starts from the slots the previous batch
 * left, and its reads queue on the bus); later windows repeat it one
 * occupancy (L + beats) later, or follow the bus or the issue rate when those
 * are slower.
 */
class DmaPlan {
  private readonly t0: Float64Array;
  private readonly d0: Float64Array;
  private readonly period: number;
  private readonly round: number;
  constructor(
    private readonly engine: DmaEngine,
    readonly s0: number,
    readonly requests: number,
    readonly beats: number,
    private readonly gap: number,
    private readonly w: number,
    /** Cycles a slot stays taken after its request completes (a reservation-station round trip). */
    private readonly extra: number,
    private readonly isWrite: boolean,
    private readonly latency: number,
  ) {
    const W = engine.window;
    this.t0 = engine.scratch;
    this.d0 = engine.scratch2;
    this.round = Math.min(w, requests);
    let bus = engine.busFree;
    for (let k = 0; k < this.round; k++) {
      const t = Math.max(s0 + k * gap, engine.ring[W - w + k] + extra);
      this.t0[k] = t;
      if (isWrite) this.d0[k] = t + beats + latency;
      else {
        bus = Math.max(t + latency, bus) + beats;
        this.d0[k] = bus;
      }
    }
    this.period = latency + beats + extra;
  }

  done(j: number): number {
    j = Math.min(Math.max(0, Math.floor(j)), this.requests - 1);
    if (j < this.round) return this.d0[j];
    const w = this.w;
    const q = Math.floor(j / w);
    let d = Math.max(this.d0[j - q * w] + q * this.period, this.s0 + j * this.gap + this.latency + this.beats);
    if (!this.isWrite) d = Math.max(d, this.d0[w - 1] + (j - w + 1) * this.beats);
    return d;
  }

  issue(j: number): number {
    j = Math.min(Math.max(0, Math.floor(j)), this.requests - 1);
    if (j < this.round) return this.t0[j];
    return Math.max(this.s0 + j * this.gap, this.done(j - this.w) + this.extra);
  }

  /** The engine after the batch. */
  commit(): void {
    const e = this.engine;
    const R = this.requests;
    const W = e.window;
    const last = R - 1;
    e.nextIssue = this.issue(last) + (this.isWrite ? this.beats : 1);
    if (!this.isWrite) e.busFree = this.done(last);
    const keep = Math.max(0, W - R);
    const ring = e.ring;
    for (let k = 0; k < keep; k++) ring[k] = ring[k + R];
    for (let k = keep; k < W; k++) ring[k] = this.done(R - W + k);
  }
}

/** Local rows a batch reads and writes, as [start, end) pairs; `head*`: those its first commands touch. */
interface BatchSpans {
  readonly reads: number[];
  readonly writes: number[];
  /** Preloads' B/D reads (see SpanSpec.early). */
  readonly early: number[];
  readonly headReads: number[];
  readonly headWrites: number[];
  readonly headEarly: number[];
  /** What the batch's last command reads (execute batches). */
  readonly tailReads?: number[];
}

/** A batch still in flight, for dependency checks: its queue, local spans and completion. */
interface InFlight {
  queue: number;
  reads: number[];
  writes: number[];
  /**
   * The rows its last commands write, the ones that land last: a load
   * loop's last iteration's (worked out when first asked, from `source`);
   * else all its writes.
   */
  lastWrites?: number[];
  firstDone: number;
  lastDone: number;
  /** The batch's number (Timing.batches when it was timed), and, for loads, what their rows were worked out from. */
  readonly seq: number;
  source?: { readonly nodes: readonly CNode[]; readonly loop?: LoopNode; readonly from: number; readonly to: number; readonly env: Env };
  /** Moved on by a skip (translateInFlight): its rows are worked out again when a dependency check first reads them. */
  stale?: boolean;
  /**
   * An execute batch's: the rows its last compute reads, and when the
   * compute before it completes — what a load of other rows it reads waits for.
   */
  readonly tailReads?: number[];
  readonly beforeTail?: number;
}

/** An execute batch's instructions and the rows they read and write, for the checks that walk its computes. */
interface ExecuteBatch {
  readonly nodes: readonly CNode[];
  readonly loop: LoopNode | undefined;
  readonly from: number;
  readonly to: number;
  readonly env: Env;
  readonly reads: number[];
  readonly writes: number[];
}

/**
 * When the last of an execute batch's `computes` can end if the data landing
 * at `landed` holds back every compute from number `before` on (in order).
 */
const lateEnd = (landed: number, lead: number, computes: number, before: number, perCompute: number): number => landed + lead + Math.max(1, computes - before) * perCompute;

/** The iterations of a load loop's batch in flight (0: not one of more than one iteration). */
const loopIterations = (f: InFlight): number => (f.source?.loop && f.source.to - f.source.from > 1 ? f.source.to - f.source.from : 0);

/** Whether a batch of `queue` reading and writing these rows waits for `f` (ReservationStation.scala: RAW; WAR and WAW across queues). */
function conflicts(f: InFlight, queue: number, reads: readonly number[], writes: readonly number[]): boolean {
  return overlaps(f.writes, reads) || (f.queue !== queue && (overlaps(f.writes, writes) || overlaps(f.reads, writes)));
}

function overlaps(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i += 2) for (let k = 0; k < b.length; k += 2) if (a[i] < b[k + 1] && b[k] < a[i + 1]) return true;
  return false;
}

// ---------------------------------------------------------------------------
// Timing: the simulator of batches
// ---------------------------------------------------------------------------

/** Single-queue loops become at most this many batches (chunks of their outer iterations). */
const MAX_CHUNKS = 2;
/** Runs of rows one operand of a batch may be described by, at most (then one interval). */
const MAX_RUNS = 32;
/** The time-like fields of the timing state that steady-state detection compares. */
const SIGNATURE = 12;
/** The busy cycles recorded per iteration: the three queues' and the host's issue. */
const BUSY = 4;
/** Iterations over which a mixed loop's counts may repeat, at most (countsRepeat). */
const MAX_REPEAT = 8;
/** Iterations of a mixed loop's skip checked period by period (longer skips: by bisection). */
const MAX_CHECKED_ITERATIONS = 32;
/** Iterations of a mixed loop evaluated before its steady period is assumed. */
const MAX_WARMUP = 8;

class Timing {
  host = 0;
  /** Cycles the host has spent issuing commands (a lower bound on its pace, like a queue's busy cycles). */
  hostBusy = 0;
  unrollerFree = 0;
  readonly queues: readonly [QueueState, QueueState, QueueState];
  readonly reader: DmaEngine;
  readonly writer: DmaEngine;
  meshFree = 0;
  exDrained = 0;
  dramWritesDone = 0;
  /** loop_ws: the scratchpad half and accumulator half the next loop uses, and who last read each (first and last completion). */
  loopSlot = 0;
  accHalf = 0;
  spHalfReaders: [number, number][] = [
    [0, 0],
    [0, 0],
  ];
  accHalfReaders: [number, number][] = [
    [0, 0],
    [0, 0],
  ];
  inFlight: InFlight[] = [];
  /** Mixed loops of more than one iteration run so far. */
  private mixedLoops = 0;
  /** Batches timed so far. */
  private batches = 0;
  readonly es: EvalState;
  private readonly lo: Env;
  private readonly hi: Env;
  private readonly rangeScratch = new Float64Array(6);
  private readonly runScratch = new Float64Array(2);
  private readonly stepCoef: Float64Array;
  private readonly stepTrips: Float64Array;
  /** The loop variables countsOf sets, kept to restore. */
  private readonly countsSaved: Float64Array;
  /** countsOf's aggregates of one DMA instruction. */
  private readonly dmaScratch = newAgg();

  constructor(
    private readonly m: Machine,
    private readonly slots: number,
  ) {
    this.queues = [new QueueState(m.entries[0]), new QueueState(m.entries[1]), new QueueState(m.entries[2])];
    this.reader = new DmaEngine(m.window);
    this.writer = new DmaEngine(m.window);
    this.es = initialState(m);
    this.lo = new Float64Array(slots);
    this.hi = new Float64Array(slots);
    this.stepCoef = new Float64Array(slots);
    this.stepTrips = new Float64Array(slots);
    this.countsSaved = new Float64Array(slots);
  }

  completion(): number {
    return Math.max(this.host, this.unrollerFree, this.dramWritesDone, ...this.queues.map((q) => q.lastDone));
  }

  // ---- walking the program

  run(nodes: readonly CNode[], env: Env): void {
    let k = 0;
    while (k < nodes.length) {
      const n = nodes[k];
      // Consecutive single instructions of one queue form one batch.
      if (n.kind === 'inst' && singleQueue(n.bits)) {
        let end = k + 1;
        while (end < nodes.length && nodes[end].kind === 'inst' && nodes[end].bits === n.bits) end++;
        this.batch(queueOfBits(n.bits), nodes.slice(k, end), undefined, 0, 0, env);
        k = end;
        continue;
      }
      k++;
      if (n.kind === 'inst') this.special(n.c, env);
      else if (singleQueue(n.bits)) this.singleQueueLoop(n, env);
      else this.mixedLoop(n, env);
    }
  }

  private special(c: CInst, env: Env): void {
    const cmd = MODEL_TIMING.hostCyclesPerCommand;
    switch (c.op) {
      case 'config_ex': {
        const q = this.queues[Q_EX];
        const dispatch = Math.max(this.host, q.entryFree(0, 1, 0, 0));
        const start = Math.max(dispatch + MODEL_TIMING.rsIssueCycles, q.nextStart, this.exDrained);
        const end = start + MODEL_TIMING.configExCycles;
        q.nextStart = end;
        this.meshFree = Math.max(this.meshFree, end);
        q.addBusy(start, end);
        q.push(1, end, end);
        this.host = dispatch + cmd;
        this.hostBusy += cmd;
        evalInst(c, new Float64Array(0), newAgg(), this.es, this.m);
        return;
      }
      case 'config_ld':
      case 'config_st': {
        const q = this.queues[c.op === 'config_ld' ? Q_LD : Q_ST];
        const dispatch = Math.max(this.host, q.entryFree(0, 1, 0, 0));
        const start = Math.max(dispatch + MODEL_TIMING.rsIssueCycles, q.nextStart);
        q.nextStart = start + 1;
        q.addBusy(start, start + 1);
        q.push(1, start + 1, start + 1);
        this.host = dispatch + cmd;
        this.hostBusy += cmd;
        evalInst(c, new Float64Array(0), newAgg(), this.es, this.m);
        return;
      }
      case 'fence':
        // The host waits for every instruction and DRAM write (gemmini_model.c).
        this.host = this.completion() + MODEL_TIMING.fenceCycles;
        this.inFlight = [];
        return;
      case 'loop_ws':
        this.loopWs(loopWsParams(c, env, this.es, this.m));
        return;
      default:
        return;
    }
  }

  private singleQueueLoop(n: LoopNode, env: Env): void {
    let E = n.extent(env);
    // Chunk the outermost loop that iterates: loops of one trip are looked through.
    while (E === 1 && n.body.length === 1 && n.body[0].kind === 'loop') {
      env[n.slot] = 0;
      n = n.body[0];
      E = n.extent(env);
    }
    const chunks = Math.min(MAX_CHUNKS, E);
    for (let c = 0; c < chunks; c++) {
      const from = Math.floor((c * E) / chunks);
      const to = Math.floor(((c + 1) * E) / chunks);
      this.batch(queueOfBits(n.bits), [n], n, from, to, env);
    }
  }

  /** Appends the time-like fields of the state (SIGNATURE of them), for steady-state detection, and the busy cycles (BUSY: the queues', the host's). */
  private record(sigs: number[], busy: number[]): void {
    const [ld, ex, st] = this.queues;
    sigs.push(this.host, this.unrollerFree, ld.nextStart, ex.nextStart, st.nextStart, ld.lastDone, ex.lastDone, st.lastDone, this.reader.nextIssue, this.writer.nextIssue, this.meshFree, this.dramWritesDone);
    busy.push(ld.busy, ex.busy, st.busy, this.hostBusy);
  }

  /**
   * Moves the times at or after `since` forward by `delta` (skipping `delta`
   * worth of identical iterations), of the parts of the machine that moved
   * over the iterations measured (`moved`: by SIGNATURE field). A part that
   * stood still keeps its times: loads still in flight from before a
   * stretch of compute-only iterations land when they land.
   */
  private shift(delta: number, since: number, moved: (field: number) => boolean): void {
    const mv = (t: number): number => (t >= since ? t + delta : t);
    const queueMoved = [moved(2) || moved(5), moved(3) || moved(6) || moved(10), moved(4) || moved(7)];
    if (moved(0)) this.host = mv(this.host);
    if (moved(1)) {
      this.unrollerFree = mv(this.unrollerFree);
      for (const r of [...this.spHalfReaders, ...this.accHalfReaders]) {
        r[0] = mv(r[0]);
        r[1] = mv(r[1]);
      }
    }
    if (queueMoved[Q_EX]) {
      this.meshFree = mv(this.meshFree);
      this.exDrained = mv(this.exDrained);
    }
    if (moved(9) || moved(11)) this.dramWritesDone = mv(this.dramWritesDone);
    this.queues.forEach((q, i) => {
      if (!queueMoved[i]) return;
      q.nextStart = mv(q.nextStart);
      q.lastDone = mv(q.lastDone);
      q.busyUntil = mv(q.busyUntil);
      for (const s of q.history) {
        s.first = mv(s.first);
        s.last = mv(s.last);
      }
    });
    for (const [e, field] of [[this.reader, 8], [this.writer, 9]] as const) {
      if (!moved(field)) continue;
      e.nextIssue = mv(e.nextIssue);
      e.busFree = mv(e.busFree);
      for (let k = 0; k < e.ring.length; k++) e.ring[k] = mv(e.ring[k]);
    }
    for (const f of this.inFlight) {
      if (!queueMoved[f.queue]) continue;
      f.firstDone = mv(f.firstDone);
      f.lastDone = mv(f.lastDone);
    }
  }

  /**
   * A loop whose body mixes queues: iterations are evaluated until the
   * machine state advances by the same amount every iteration (or every two:
   * alternating buffers and DMA alignments) — its steady period — and the
   * interior iterations left are skipped by moving the state forward by
   * that many periods; the last iteration (edges) is evaluated again.
   */
  private mixedLoop(n: LoopNode, env: Env): void {
    const E = n.extent(env);
    if (E <= 1) {
      // Guards (a trip count of 0 or 1) are common: nothing to skip.
      if (E === 1) {
        env[n.slot] = 0;
        this.run(n.body, env);
      }
      return;
    }
    const pattern = interiorPeriod(n, 0, E, env, true);
    // The state after each iteration so far: SIGNATURE times and BUSY busy counts a row.
    const sigs: number[] = [];
    const busy: number[] = [];
    const starts: number[] = [];
    const batchesAt: number[] = []; // batches timed before each iteration since the history (re)started
    this.record(sigs, busy);
    const S = SIGNATURE;
    const maxOf = (row: number): number => {
      let x = -Infinity;
      for (let k = row * S; k < (row + 1) * S; k++) x = Math.max(x, sigs[k]);
      return x;
    };
    const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1 + 0.002 * Math.abs(x);
    // What iteration u counts, worked out once per u (the outer variables stay put while this loop runs).
    const counted = new Map<number, number[]>();
    const countsAt = (u: number): number[] => {
      let c = counted.get(u);
      if (c === undefined) counted.set(u, (c = this.countsOf(n, env, u)));
      return c;
    };
    this.mixedLoops++;
    let since = 0; // where the history starts: 0, or the iteration after the last skip
    let nests = false; // a mixed loop inside ran more than one iteration
    let v = 0;
    while (v < E) {
      starts.push(this.host);
      batchesAt.push(this.batches);
      env[n.slot] = v;
      const inner = this.mixedLoops;
      this.run(n.body, env);
      nests ||= this.mixedLoops > inner;
      v++;
      this.record(sigs, busy);
      // Interior iterations left to skip (the last ones are always
      // evaluated: one, or a period of the loop's mod/div pattern), a
      // multiple of 2 and of that period, so that alternating buffers keep
      // their parity and the pattern its phase.
      const unit = pattern > 1 ? lcm(2, pattern) : 2;
      let skip = E - Math.max(1, pattern) - v;
      skip -= skip % unit;
      if (skip <= 0) continue;
      // Steady: the advance repeats, and every part of the machine that moves
      // moves by the same amount (none is still catching up on a backlog).
      const steadyOver = (p: number): boolean => {
        let moving = NaN;
        for (let k = 0; k < S; k++) {
          const d = sigs[v * S + k] - sigs[(v - p) * S + k];
          if (!close(d, sigs[(v - p) * S + k] - sigs[(v - 2 * p) * S + k])) return false;
          if (Math.abs(d) <= 1) continue;
          if (Number.isNaN(moving)) moving = d;
          else if (!close(d, moving)) return false;
        }
        return true;
      };
      let period = 0; // iterations per repeat of the state's advance
      const seen = v - since; // iterations evaluated since the history (re)started
      // With a mod/div pattern only whole periods of it can be steady (a
      // stretch of alike iterations inside one proves nothing).
      for (const p of pattern > 1 ? [pattern, 2 * pattern] : [1, 2]) if (!period && seen >= 2 * p + 1 && steadyOver(p)) period = p;
      // The iterations to skip must count what the ones measured did, period
      // by period (0: not checked). Checked where no loop inside iterates one
      // by one: a tile loop's iterations are whole K loops, alike but at the edges.
      let countsPeriod = nests ? 0 : period;
      // No steady state found: the mean advance of all but the first; with a
      // mod/div pattern, after steadiness had two chances to show, over the
      // most recent half of the iterations in whole periods (the first ones
      // often differ: the previous tile's stores ride on them). Without a
      // pattern, over the most recent iterations that count alike, once there
      // are a few (a guard that ended part-way: the ones before it differ);
      // over the latest whole repeats of counts that repeat every few
      // iterations (a tile's loads in every fourth K block); or over all but
      // the first if neither comes.
      let whole = unit; // what the skip is a multiple of
      if (!period && pattern <= 1 && seen >= MAX_WARMUP) {
        const tail = nests ? seen - 1 : this.alikeTail(countsAt, v, since);
        // Counts that repeat every few iterations: the latest whole repeats that count alike.
        const repeat = nests || tail >= MAX_WARMUP / 2 ? 0 : this.countsRepeat(countsAt, v, 1);
        const repeats = repeat > 0 ? this.alikeRepeats(countsAt, v, since, repeat) : 0;
        if (tail >= MAX_WARMUP / 2 || tail === seen - 1) [period, countsPeriod] = [tail, nests ? 0 : 1];
        else if (repeats >= 2) [period, countsPeriod, whole] = [repeats * repeat, repeat, lcm(unit, repeat)];
        else if (seen >= 2 * MAX_WARMUP) period = seen - 1;
      }
      if (!period && pattern > 1 && seen >= Math.max(MAX_WARMUP, 3 * pattern + 1)) period = Math.max(pattern, Math.floor((seen - 1) / 2 / pattern) * pattern);
      if (!period) continue;
      // Only iterations that count what the measured ones did share their advance.
      if (countsPeriod > 0) {
        let alike = this.alikeRun(countsAt, v, skip, countsPeriod);
        if (alike === 0 && countsPeriod === period) {
          // The counts may repeat over a few iterations (a K group's loads
          // in all but its last block): where the state is steady over such
          // a repeat too, skip whole repeats at its advance.
          const repeat = this.countsRepeat(countsAt, v, countsPeriod);
          if (repeat > 0 && seen >= 2 * repeat + 1 && steadyOver(repeat)) {
            [period, whole] = [repeat, lcm(unit, repeat)];
            alike = this.alikeRun(countsAt, v, skip, repeat);
          }
        }
        skip = alike - (alike % whole);
        if (skip <= 0) continue;
      }
      // Steady, every moving part advances alike; otherwise the frontier (the latest time in the state) sets the pace.
      // A queue busy for b cycles per iteration holds the pace to at least b
      // (while its backlog is still building, the frontier moves slower),
      // and so does the host issuing b cycles of commands (still behind a
      // queue that ran ahead, it would catch up and then set the pace).
      const perIteration = [0, 1, 2, 3].map((q) => (busy[v * BUSY + q] - busy[(v - period) * BUSY + q]) / period);
      const advance = Math.max((maxOf(v) - maxOf(v - period)) / period, ...perIteration);
      if (advance <= 0) continue;
      this.shift(advance * skip, starts[v - Math.min(period, 2)], (k) => Math.abs(sigs[v * S + k] - sigs[(v - period) * S + k]) > 1);
      this.translateInFlight(n.slot, skip, batchesAt[v - period]);
      for (let q = 0; q < 3; q++) this.queues[q].busy += perIteration[q] * skip;
      this.hostBusy += perIteration[3] * skip;
      v += skip;
      since = v;
      sigs.length = 0;
      busy.length = 0;
      starts.length = 0;
      batchesAt.length = 0;
      // Later iterations are evaluated one by one: the history restarts here.
      for (let k = 0; k <= v; k++) {
        this.record(sigs, busy);
        starts.push(this.host);
        if (k < v) batchesAt.push(this.batches);
      }
    }
  }

  /**
   * After `skip` iterations of the loop in `slot` were skipped: the loads in
   * flight from the last iterations evaluated (batch `since` on) stand for
   * those of the last iterations skipped, whose rows are `skip` iterations
   * on (a K loop's A and B blocks move with it). Without this, the computes
   * after a skip found nothing in flight to wait for.
   */
  private translateInFlight(slot: number, skip: number, since: number): void {
    for (const f of this.inFlight) {
      if (f.seq < since || !f.source) continue;
      const env = f.source.env.slice();
      env[slot] += skip;
      f.source = { ...f.source, env };
      f.lastWrites = undefined;
      f.stale = true;
    }
  }

  /** A stale batch's rows, worked out from where a skip moved it (many land before anything asks). */
  private respan(f: InFlight): void {
    const src = f.source as NonNullable<InFlight['source']>;
    const { reads, writes } = this.spans(src.nodes, src.loop, src.from, src.to, src.env);
    f.reads = reads;
    f.writes = writes;
    f.stale = false;
  }

  /**
   * What iteration u of mixed loop `n` counts, as the expressions its counts
   * depend on: trip counts (at least 0) and, where the trips are some, the
   * rows and cols of the first; on a single-ported scratchpad also whether
   * the first and last computes read A from the bank their weights or B
   * come from (that sets the mesh's pace: B tiles may reach into A's bank
   * for the first K blocks only); and the DMA requests of each mvin and
   * mvout (31-byte K blocks cross request windows in some K blocks and
   * not others). Restores the variables it sets.
   */
  private countsOf(n: LoopNode, env: Env, u: number): number[] {
    const saved = this.countsSaved;
    for (let s = n.slot; s < this.slots; s++) saved[s] = env[s];
    const out: number[] = [];
    env[n.slot] = u;
    this.preBank = -1;
    this.countsIn(n.body, env, out);
    for (let s = n.slot; s < this.slots; s++) env[s] = saved[s];
    return out;
  }

  /** countsOf's walk: trip counts, and the first iteration of each loop (the last's banks too). */
  private countsIn(nodes: readonly CNode[], env: Env, out: number[]): void {
    const ported = this.m.spSinglePorted;
    for (const b of nodes) {
      if (b.kind === 'inst') {
        for (const f of b.exactFns) out.push(f(env));
        if (ported) this.bankConflict(b.c, env, out);
        if (b.c.op === 'mvin' || b.c.op === 'mvout') {
          // Its DMA requests: where its rows sit in their request windows moves the DMA's pace.
          const dma = this.dmaScratch.fill(0);
          evalInst(b.c, env, dma, this.es, this.m);
          out.push(dma[F_RD_REQ] + dma[F_WR_REQ]);
        }
        continue;
      }
      const trips = Math.max(0, b.extent(env));
      out.push(trips);
      if (trips === 0) continue;
      if (ported && trips > 1 && b.bits & B_EX) {
        // A tile's B blocks may cross into the next bank by its last iteration.
        env[b.slot] = trips - 1;
        this.lastBankConflicts(b.body, env, out);
      }
      env[b.slot] = 0;
      this.countsIn(b.body, env, out);
    }
  }

  /** The bank conflicts of the last iterations of the loops in `nodes` that hold computes. */
  private lastBankConflicts(nodes: readonly CNode[], env: Env, out: number[]): void {
    for (const b of nodes) {
      if (b.kind === 'inst') this.bankConflict(b.c, env, out);
      else if (b.bits & B_EX) {
        const trips = b.extent(env);
        if (trips <= 0) continue;
        env[b.slot] = trips - 1;
        this.lastBankConflicts(b.body, env, out);
      }
    }
  }

  /** The bank of the weights last preloaded, while countsOf walks (-1: none in the scratchpad). */
  private preBank = -1;

  /** Whether a compute reads A from the bank its weights (or its OS B operand) come from. */
  private bankConflict(c: CInst, env: Env, out: number[]): void {
    const m = this.m;
    if (c.op === 'preload') this.preBank = c.bd.space === 'sp' ? bankOf(c.bd.row(env), m) : -1;
    if (c.op !== 'compute' || c.a.space !== 'sp') return;
    const aBank = bankOf(c.a.row(env), m);
    out.push((!c.inst.accumulated && this.preBank === aBank ? 1 : 0) + (c.bd.space === 'sp' && bankOf(c.bd.row(env), m) === aBank ? 2 : 0));
  }

  /**
   * How many of the iterations [v, v + skip) of mixed loop `n`, from v on,
   * count what the last `period` evaluated did (a multiple of the period).
   * A guard that ends part-way through the loop (a tile's bias loads and
   * stores ride on its first K groups only) makes later ones differ: the
   * advance found so far is not theirs. Such guards mostly change once
   * along the loop, so over many iterations the first differing period is
   * found by bisection, after the first few periods are checked one by one
   * (all of them in a short skip): a guard may also hold for some residues
   * only, where the loop's pattern is unknown (a tile's loads in every
   * fourth K block, beside a mod by an expression).
   */
  private alikeRun(countsAt: (u: number) => number[], v: number, skip: number, period: number): number {
    const last = Array.from({ length: period }, (_, j) => countsAt(v - period + j));
    // Whether the k-th period from v (1-based) counts like the last one.
    const alike = (k: number): boolean => last.every((want, j) => sameCounts(countsAt(v + (k - 1) * period + j), want));
    let lo = 0; // periods known alike
    let hi = Math.floor(skip / period); // periods that may be
    // The first few periods one by one (all of a short skip), the rest by bisection.
    const checked = hi * period <= MAX_CHECKED_ITERATIONS ? hi : Math.min(hi, Math.ceil(MAX_REPEAT / period));
    while (lo < checked && alike(lo + 1)) lo++;
    if (lo < checked || lo === hi) return lo * period;
    if (!alike(hi)) {
      hi--;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (alike(mid)) lo = mid;
        else hi = mid - 1;
      }
    }
    return hi * period;
  }

  /**
   * The fewest iterations, a multiple of `period` (at most MAX_REPEAT), over
   * which a mixed loop's counts (`countsAt`) repeat before iteration v: the
   * last that many count what the ones before them did. 0: none.
   */
  private countsRepeat(countsAt: (u: number) => number[], v: number, period: number): number {
    for (let q = 2 * period; q <= MAX_REPEAT && v - 2 * q >= 0; q += period) {
      let repeats = true;
      for (let j = 1; j <= q && repeats; j++) repeats = sameCounts(countsAt(v - j), countsAt(v - j - q));
      if (repeats) return q;
    }
    return 0;
  }

  /** How many whole repeats of `q` iterations, back from v and no further than `since`, count what the last one did. */
  private alikeRepeats(countsAt: (u: number) => number[], v: number, since: number, q: number): number {
    let repeats = 1;
    const alike = (r: number): boolean => {
      for (let j = 1; j <= q; j++) if (!sameCounts(countsAt(v - j - r * q), countsAt(v - j))) return false;
      return true;
    };
    while (v - (repeats + 1) * q >= since && alike(repeats)) repeats++;
    return repeats;
  }

  /** How many of a mixed loop's iterations (since, v), back from v - 1, count what it did. */
  private alikeTail(countsAt: (u: number) => number[], v: number, since: number): number {
    const want = countsAt(v - 1);
    let tail = 1;
    while (v - 1 - tail > since && sameCounts(countsAt(v - 1 - tail), want)) tail++;
    return tail;
  }

  // ---- batches

  /** Local spans of a region's instructions (loop `loop` over [from, to), or plain instructions). */
  private spans(nodes: readonly CNode[], loop: LoopNode | undefined, from: number, to: number, env: Env, withTail = false): BatchSpans {
    const lo = this.lo;
    const hi = this.hi;
    for (let s = 0; s < this.slots; s++) {
      lo[s] = env[s];
      hi[s] = env[s];
    }
    const reads: number[] = [];
    const writes: number[] = [];
    const early: number[] = [];
    const head: number[][] = [[], [], []]; // what the batch's first commands touch
    let last: Extract<CNode, { kind: 'inst' }> | undefined;
    const seen: string[] = []; // the kinds met so far (a batch has a few)
    const r = this.rangeScratch;
    const visit = (ns: readonly CNode[]): void => {
      for (const n of ns) {
        if (n.kind === 'loop') {
          n.extentRange(lo, hi, r, 0);
          lo[n.slot] = 0;
          hi[n.slot] = r[1] - 1;
          if (r[1] >= 1) visit(n.body);
          continue;
        }
        // The batch's first commands: the first instruction of each kind, in its first iteration.
        const first = !seen.includes(n.c.op);
        if (first) seen.push(n.c.op);
        for (const sp of n.spans) this.spanRows(sp, sp.write ? writes : sp.early ? early : reads, first ? head[sp.write ? 1 : sp.early ? 2 : 0] : undefined);
        last = n;
      }
    };
    if (loop) {
      lo[loop.slot] = from;
      hi[loop.slot] = to - 1;
      visit(loop.body);
    } else visit(nodes);
    // The batch's last command: the last instruction, its variables at hi (what it reads).
    let tailReads: number[] | undefined;
    if (withTail && last) {
      tailReads = [];
      for (const sp of last.spans) if (!sp.write && !sp.early) this.rowsAt(sp, hi, this.spanOf(sp, hi, hi), sp.acc ? this.m.spRows : 0, tailReads);
    }
    return { reads, writes, early, headReads: head[0], headWrites: head[1], headEarly: head[2], tailReads };
  }

  /**
   * The rows `sp` touches with the variables in [lo, hi], appended to `out`
   * as runs [start, end); and to `head`, those of the first iteration (every
   * variable at lo: the batch's first command).
   */
  private spanRows(sp: SpanSpec, out: number[], head?: number[]): void {
    const r = this.rangeScratch;
    const span = this.spanOf(sp, this.lo, this.hi);
    const base = sp.acc ? this.m.spRows : 0;
    const at = out.length;
    if (!this.runs(sp.linear, span, base, out)) {
      sp.row(this.lo, this.hi, r, 0); // one interval over everything
      out.push(base + r[0], base + r[1] + span);
    }
    // An ascending address starts its first run (or interval) at the first iteration.
    if (head && sp.linear.ascending) head.push(out[at], out[at] + span);
    else if (head) this.rowsAt(sp, this.lo, span, base, head);
  }

  /** The most rows one instance of `sp` touches with the variables in [lo, hi]. */
  private spanOf(sp: SpanSpec, lo: Env, hi: Env): number {
    const r = this.rangeScratch;
    sp.rows(lo, hi, r, 2);
    let span = Math.max(1, r[3]);
    if (sp.cols) {
      // block mvin / mvout: blocks DIM rows apart (gemmini_extended3_config_ld's block stride)
      sp.cols(lo, hi, r, 4);
      span += (Math.ceil(r[5] / this.m.dim) - 1) * this.m.dim;
    }
    return span;
  }

  /** The `span` rows `sp` touches with the variables at `at`, appended to `out` as one run. */
  private rowsAt(sp: SpanSpec, at: Env, span: number, base: number, out: number[]): void {
    const f = sp.linear;
    const r = this.rangeScratch;
    let start = f.c;
    for (let t = 0; t < f.slots.length; t++) start += f.coefs[t] * at[f.slots[t]];
    for (const o of f.opaque) {
      o.range(at, at, r, 0);
      start += o.coef * r[0];
    }
    out.push(base + start, base + start + span);
  }

  /**
   * The rows an operand touches over the batch's iterations, as runs
   * [start, end): variables whose steps are no longer than the rows already
   * covered extend one run; each value of the others starts a run of its own
   * (A blocks of different row blocks, C blocks of different rows). False
   * when the address is not affine over the batch or needs too many runs
   * (the caller then takes one interval over everything).
   */
  private runs(f: LinearForm, span: number, base: number, out: number[]): boolean {
    const lo = this.lo;
    const hi = this.hi;
    const r = this.runScratch;
    let c = f.c;
    for (const o of f.opaque) {
      o.range(lo, hi, r, 0);
      if (r[0] !== r[1]) return false;
      c += o.coef * r[0];
    }
    // The varying slots' |coef| and trips, by |coef| (insertion sort: a few at most).
    const coef = this.stepCoef;
    const trips = this.stepTrips;
    let n = 0;
    for (let t = 0; t < f.slots.length; t++) {
      const s = f.slots[t];
      const k = f.coefs[t];
      c += k * (k > 0 ? lo[s] : hi[s]); // the lowest address
      if (hi[s] <= lo[s]) continue;
      let at = n++;
      for (; at > 0 && coef[at - 1] > Math.abs(k); at--) {
        coef[at] = coef[at - 1];
        trips[at] = trips[at - 1];
      }
      coef[at] = Math.abs(k);
      trips[at] = hi[s] - lo[s] + 1;
    }
    let run = span;
    let t = 0;
    for (; t < n && coef[t] <= run; t++) run += coef[t] * (trips[t] - 1);
    let count = 1;
    for (let u = t; u < n; u++) count *= trips[u];
    if (count > MAX_RUNS) return false;
    for (let r = 0; r < count; r++) {
      let start = c;
      let rest = r;
      for (let u = t; u < n; u++) {
        start += coef[u] * (rest % trips[u]);
        rest = Math.floor(rest / trips[u]);
      }
      out.push(base + start, base + start + run);
    }
    return true;
  }

  /**
   * The in-flight batches this one conflicts with (ReservationStation.scala's
   * checks: RAW, and WAR / WAW across queues): commands stream through both
   * in order, so this batch's first command waits for their first
   * completions and its last command for their last (depFirst, depLast).
   */
  private depFirst = 0;
  private depLast = 0;
  /** The batch in flight whose completion set depLast. */
  private depLastOf: InFlight | undefined;
  /** Computes of an execute batch before the first command that reads what depLastOf writes (computesBeforeLate). */
  private lateBefore = Infinity;
  /** Set by computesUntilLate when it meets the first such read. */
  private lateFound = false;
  private readonly lateScratch: number[] = [];
  /** The first completion of the batch just timed; for execute batches also when it was dispatched and when its last compute started. */
  private batchFirst = 0;
  private batchLastStart = 0;
  private batchDispatch = 0;
  private queueStartBefore = 0;
  private batchComputes = 0;
  private batchPerCompute = 0;
  private dependencies(queue: number, reads: number[], writes: number[], headReads: number[], headWrites: number[]): void {
    let first = 0;
    let last = 0;
    let lastOf: InFlight | undefined;
    for (const f of this.inFlight) {
      if (f.lastDone <= last && f.firstDone <= first) continue;
      if (f.stale) this.respan(f);
      if (!conflicts(f, queue, reads, writes)) continue;
      if (f.lastDone > last) {
        // Writing rows a compute batch reads, but not what its last compute reads: the compute before it.
        const done = f.beforeTail !== undefined && queue !== Q_EX && !overlaps(f.tailReads as number[], writes) && !overlaps(f.writes, reads) && !overlaps(f.writes, writes) ? f.beforeTail : f.lastDone;
        if (done > last) [last, lastOf] = [done, f];
      }
      // The first commands touch only the first rows of each operand.
      if (f.firstDone > first && conflicts(f, queue, headReads, headWrites)) first = f.firstDone;
    }
    this.depFirst = first;
    this.depLast = last;
    this.depLastOf = lastOf;
  }

  private batch(queue: number, nodes: readonly CNode[], loop: LoopNode | undefined, from: number, to: number, env: Env): void {
    const mark = aggTop;
    const agg = takeAgg();
    roughEvaluation = true;
    if (loop) evalLoop(loop, from, to, env, agg, this.es, this.m);
    else for (const n of nodes) if (n.kind === 'inst') evalInst(n.c, env, agg, this.es, this.m);
    roughEvaluation = false;
    const { reads, writes, early, headReads, headWrites, headEarly, tailReads } = this.spans(nodes, loop, from, to, env, queue === Q_EX);
    // Batches that completed before the issuer reaches this one cannot delay it.
    const now = this.host;
    this.inFlight = this.inFlight.filter((f) => f.lastDone > now);
    // A preload may start as soon as its own operand has landed.
    let earlyReady = 0;
    if (early.length) {
      this.dependencies(queue, early, [], headEarly, []);
      earlyReady = this.depFirst;
    }
    const allReads = early.length ? [...reads, ...early] : reads;
    this.dependencies(queue, allReads, writes, early.length ? [...headReads, ...headEarly] : headReads, headWrites);
    this.lateBefore = Infinity;
    // An execute batch waiting for data that lands over its computes: what earlierLandings reads.
    let landing: ExecuteBatch | undefined;
    if (queue === Q_EX && this.depLast > this.depFirst) {
      this.lateBefore = this.computesBeforeLate(this.depLastOf as InFlight, nodes, loop, from, to, env);
      if (this.lateBefore === Infinity && loopIterations(this.depLastOf as InFlight) > 0) this.depLast = this.beforeLastIteration(queue, allReads, writes);
      landing = { nodes, loop, from, to, env, reads: allReads, writes };
    }
    const done = queue === Q_LD ? this.loadBatch(agg) : queue === Q_EX ? this.executeBatch(agg, landing) : this.storeBatch(agg);
    const seq = this.batches++;
    if (done > now) {
      // Loads keep what their rows came from: a skip moves them on (translateInFlight).
      const source = queue === Q_LD ? { nodes, loop, from, to, env: env.slice() } : undefined;
      const beforeTail = queue === Q_EX && this.batchComputes > 1 ? Math.max(this.batchFirst, done - this.batchPerCompute) : undefined;
      this.inFlight.push({ queue, reads, writes, firstDone: this.batchFirst, lastDone: done, seq, source, tailReads, beforeTail });
    }
    if (early.length) {
      // Its entry retires with the compute before it: writers of its rows wait for the preloads to start.
      const first = Math.max(this.batchDispatch + MODEL_TIMING.rsIssueCycles, this.queueStartBefore, earlyReady) + 1;
      const last = Math.max(first, this.batchComputes > 1 ? this.batchLastStart - this.batchPerCompute + 1 : first);
      if (last > now) this.inFlight.push({ queue, reads: early, writes: [], firstDone: first, lastDone: last, seq });
    }
    aggTop = mark;
  }

  /**
   * The loads in flight other than the latest one an execute batch waits for
   * also hold back the computes from the first that reads what they land
   * last (the computes of a K block read A's row blocks in turn, each landing
   * later): `end`, or the later end one of them sets.
   */
  private earlierLandings(b: ExecuteBatch | undefined, computes: number, perCompute: number, lead: number, end: number): number {
    if (!b) return end;
    for (const f of this.inFlight) {
      if (f === this.depLastOf || f.queue !== Q_LD || f.lastDone <= this.depFirst) continue;
      // Only a first reader among the first `cap` computes sets a later end.
      const cap = computes - (end - f.lastDone - lead) / perCompute;
      if (cap <= 0) continue;
      if (f.stale) this.respan(f);
      if (!conflicts(f, Q_EX, b.reads, b.writes)) continue;
      const before = this.computesBeforeLate(f, b.nodes, b.loop, b.from, b.to, b.env, cap);
      if (before < cap) end = Math.max(end, lateEnd(f.lastDone, lead, computes, before, perCompute));
    }
    return end;
  }

  /**
   * When the latest batch an execute batch waits for (depLastOf, a load
   * loop's iterations) lands, if none of its commands reads the rows that
   * batch's last iteration writes: its second-to-last iteration at the
   * latest (a prologue loads K blocks 2 and 3 in one batch; the K step of
   * block 2 reads only the first), or the other batches it waits for.
   */
  private beforeLastIteration(queue: number, reads: readonly number[], writes: readonly number[]): number {
    const late = this.depLastOf as InFlight;
    const n = loopIterations(late);
    let others = 0;
    for (const f of this.inFlight) {
      if (f === late || f.lastDone <= others) continue;
      if (f.stale) this.respan(f);
      if (conflicts(f, queue, reads, writes)) others = f.lastDone;
    }
    return Math.max(others, late.firstDone + ((late.lastDone - late.firstDone) * (n - 2)) / (n - 1));
  }

  /**
   * How many of the batch's computes come before the first command that
   * reads the rows load batch `f` (the latest it depends on, or another in
   * flight) writes last (Infinity: none does, or none before the caller's
   * `cap`, past which that compute would not matter). Execution is in
   * order: from that command on, everything waits for those rows to land,
   * not only the last compute.
   */
  private computesBeforeLate(f: InFlight, nodes: readonly CNode[], loop: LoopNode | undefined, from: number, to: number, env: Env, cap = Infinity): number {
    const src = f.source;
    f.lastWrites ??= src?.loop && loopIterations(f) > 0 ? this.spans([], src.loop, src.to - 1, src.to, src.env).writes : f.writes;
    const late = f.lastWrites;
    for (let s = 0; s < this.slots; s++) this.lo[s] = this.hi[s] = env[s];
    this.lateFound = false;
    if (!loop) {
      const before = this.computesUntilLate(nodes, late);
      return this.lateFound ? before : Infinity;
    }
    // Iteration by iteration only where some iteration reads them.
    this.lo[loop.slot] = from;
    this.hi[loop.slot] = to - 1;
    if (!this.readsAnyIn(loop.body, late)) return Infinity;
    let before = 0;
    for (let v = from; v < to && !this.lateFound && before < cap; v++) {
      this.lo[loop.slot] = this.hi[loop.slot] = v;
      before += this.computesUntilLate(loop.body, late);
    }
    return this.lateFound ? before : Infinity;
  }

  /** Computes in `nodes` (enclosing variables fixed in lo/hi) up to the first that reads `late`'s rows, where it stops and sets lateFound. */
  private computesUntilLate(nodes: readonly CNode[], late: readonly number[]): number {
    const lo = this.lo;
    const hi = this.hi;
    let computes = 0;
    for (const n of nodes) {
      if (n.kind === 'inst') {
        if (this.readsAny(n, late)) {
          this.lateFound = true;
          return computes;
        }
        if (n.c.op === 'compute') computes++;
        continue;
      }
      const r = this.rangeScratch;
      n.extentRange(lo, hi, r, 0);
      const trips = r[1];
      if (trips <= 0) continue;
      // Where no iteration reads them, the first is counted and the others taken alike.
      lo[n.slot] = 0;
      hi[n.slot] = trips - 1;
      const any = this.readsAnyIn(n.body, late);
      for (let v = 0; v < trips; v++) {
        lo[n.slot] = hi[n.slot] = v;
        const c = this.computesUntilLate(n.body, late);
        if (!any) {
          computes += trips * c;
          break;
        }
        computes += c;
        if (this.lateFound) return computes;
      }
    }
    return computes;
  }

  /** Whether an instruction reads any of `rows` (its reads over the variables' ranges in lo/hi). */
  private readsAny(n: Extract<CNode, { kind: 'inst' }>, rows: readonly number[]): boolean {
    const out = this.lateScratch;
    out.length = 0;
    for (const sp of n.spans) if (!sp.write) this.spanRows(sp, out);
    return overlaps(rows, out);
  }

  /** readsAny over every instruction of `nodes`, their loops over their whole extents. */
  private readsAnyIn(nodes: readonly CNode[], rows: readonly number[]): boolean {
    for (const n of nodes) {
      if (n.kind === 'inst') {
        if (this.readsAny(n, rows)) return true;
        continue;
      }
      const r = this.rangeScratch;
      n.extentRange(this.lo, this.hi, r, 0);
      if (r[1] < 1) continue;
      this.lo[n.slot] = 0;
      this.hi[n.slot] = r[1] - 1;
      if (this.readsAnyIn(n.body, rows)) return true;
    }
    return false;
  }

  /** Dispatch times for a batch of n commands into `q` completing over [first, last]: the issuer's time after it. */
  private issuerAfter(q: QueueState, dispatch0: number, n: number, first: number, last: number, cmd: number): number {
    this.hostBusy += n * cmd;
    return Math.max(dispatch0 + n * cmd, q.entryFree(n - 1, n, first, last) + cmd);
  }

  private loadBatch(agg: Agg): number {
    const m = this.m;
    const q = this.queues[Q_LD];
    const n = agg[F_KIND + K_MVIN] + agg[F_KIND + K_MVIN + 1] + agg[F_KIND + K_MVIN + 2];
    if (n <= 0) return 0;
    const cmd = MODEL_TIMING.hostCyclesPerCommand;
    const dispatch0 = Math.max(this.host, q.entryFree(0, n, 0, 0));
    const R = Math.max(1, Math.round(agg[F_RD_REQ]));
    const beats = agg[F_RD_BEATS] / R || 1;
    const perCommand = R / n;
    // Steady DMA time of one load: its requests at the window's pace.
    const loadCycles = perCommand * Math.max(1, (m.memLatency + beats) / m.window, beats);
    const start = Math.max(dispatch0 + MODEL_TIMING.rsIssueCycles, q.nextStart, this.depFirst, this.depLast - (n - 1) * loadCycles);
    const plan = this.readPlan(start, R, beats, n, cmd);
    const rows = agg[F_LD_ROWS];
    const lag = MODEL_TIMING.loadCompletionLag;
    const first = Math.max(plan.done(Math.max(0, Math.ceil(perCommand) - 1)), start + rows / n) + lag;
    const last = Math.max(plan.done(R - 1), start + rows) + lag;
    const issued = plan.issue(R - 1) + 1;
    q.nextStart = issued;
    q.addBusy(start, issued);
    plan.commit();
    this.host = this.issuerAfter(q, dispatch0, n, first, last, cmd);
    q.push(n, first, last);
    this.batchFirst = first;
    return last;
  }

  /** The read DMA for R requests of `commands` loads, issued one per `cmd` cycles at most. */
  private readPlan(start: number, R: number, beats: number, commands: number, cmd: number): DmaPlan {
    const m = this.m;
    const perCommand = R / commands;
    // A load holds its reservation-station entry until its last data lands: a
    // batch longer than the entries has at most entries × requests-per-load
    // requests in flight, and a slot is free again only once the load has
    // completed and the next one was dispatched. (Entries held by earlier
    // batches delay the first dispatch instead: entryFree.)
    const entries = this.queues[Q_LD].entries;
    const rsWindow = commands > entries ? Math.max(1, Math.floor(entries * perCommand)) : m.window;
    const w = Math.min(m.window, rsWindow);
    const extra = rsWindow < m.window ? MODEL_TIMING.loadCompletionLag + MODEL_TIMING.rsIssueCycles : 0;
    const gap = Math.max(1, cmd / perCommand); // one request per cycle (perf model dma.gets_per_cycle)
    return new DmaPlan(this.reader, Math.max(start, this.reader.nextIssue), R, beats, gap, w, extra, false, m.memLatency);
  }

  private executeBatch(agg: Agg, landing: ExecuteBatch | undefined): number {
    const m = this.m;
    const q = this.queues[Q_EX];
    const computes = agg[F_KIND + K_COMPUTE_PRE] + agg[F_KIND + K_COMPUTE_ACC];
    const n = agg[F_KIND + K_PRELOAD] + computes;
    if (n <= 0) return 0;
    const cmd = MODEL_TIMING.hostCyclesPerCommand;
    const dispatch0 = Math.max(this.host, q.entryFree(0, n, 0, 0));
    const start = Math.max(dispatch0 + MODEL_TIMING.rsIssueCycles, q.nextStart, this.depFirst);
    this.batchDispatch = dispatch0;
    this.queueStartBefore = q.nextStart;
    this.batchComputes = computes;
    if (computes <= 0) {
      q.nextStart = start;
      this.host = dispatch0 + n * cmd;
      this.hostBusy += n * cmd;
      q.push(n, start + 1, start + 1);
      this.batchFirst = start + 1;
      this.batchLastStart = start;
      return start + 1;
    }
    const feed = agg[F_FEED];
    const perCompute = feed / computes;
    this.batchPerCompute = perCompute;
    const aRows = agg[F_A_ROWS] / computes;
    const latency = MODEL_TIMING.meshIssueLatency;
    const meshStart = start > this.meshFree ? start + latency : this.meshFree;
    // The issuer feeds one compute per (n / computes) commands; when that is
    // slower than the mesh, every compute finds the mesh idle.
    const issuePerCompute = (cmd * n) / computes;
    const hostBound = dispatch0 + (n - 1) * cmd + MODEL_TIMING.rsIssueCycles + (issuePerCompute > perCompute ? latency : 0) + perCompute;
    // The last compute waits for the last data it depends on; so does every
    // compute from the first that reads the rows landing last (in order).
    const lead = MODEL_TIMING.rsIssueCycles + latency;
    const end = this.earlierLandings(landing, computes, perCompute, lead, Math.max(meshStart + feed, hostBound, lateEnd(this.depLast, lead, computes, this.lateBefore, perCompute)));
    const lastStart = end - perCompute;
    this.batchLastStart = lastStart;
    const commit = (perCompute - aRows) + m.commitLatency + (this.es.dataflow === 'os' ? m.osTransposerLatency : 0);
    const first = meshStart + commit;
    const last = lastStart + commit;
    this.meshFree = end;
    this.exDrained = Math.max(this.exDrained, last);
    q.nextStart = lastStart;
    q.busy += feed; // computes never overlap on the mesh, so their busy cycles add up
    q.busyUntil = Math.max(q.busyUntil, end);
    this.host = this.issuerAfter(q, dispatch0, n, first, last, cmd);
    q.push(n, first, last);
    this.batchFirst = first;
    return last;
  }

  private storeBatch(agg: Agg): number {
    const m = this.m;
    const q = this.queues[Q_ST];
    const n = agg[F_KIND + K_MVOUT];
    if (n <= 0) return 0;
    const cmd = MODEL_TIMING.hostCyclesPerCommand;
    const dispatch0 = Math.max(this.host, q.entryFree(0, n, 0, 0));
    const R = Math.max(1, Math.round(agg[F_WR_REQ]));
    const beats = agg[F_WR_BEATS] / R || 1;
    const perCommand = R / n;
    const rowsRead = agg[F_ST_ROWS];
    const storeCycles = Math.max(rowsRead / n, perCommand * Math.max(beats, (m.memLatency + beats) / m.window));
    const start = Math.max(dispatch0 + MODEL_TIMING.rsIssueCycles, q.nextStart, this.depFirst, this.depLast - (n - 1) * storeCycles);
    // Writes hold the bus for their beats; rows leave the accumulator one per cycle.
    const gap = Math.max(beats, rowsRead / R, cmd / perCommand);
    const plan = new DmaPlan(this.writer, Math.max(start + MODEL_TIMING.storePipeLatency, this.writer.nextIssue), R, beats, gap, m.window, 0, true, m.memLatency);
    const lag = MODEL_TIMING.storeCompletionLag;
    const first = Math.max(plan.issue(Math.max(0, Math.ceil(perCommand) - 1)) + beats, start + rowsRead / n) + lag;
    const last = Math.max(plan.issue(R - 1) + beats, start + rowsRead) + lag;
    this.dramWritesDone = Math.max(this.dramWritesDone, plan.done(R - 1));
    plan.commit();
    q.addBusy(start, last - lag);
    const host = this.issuerAfter(q, dispatch0, n, first, last, cmd);
    q.nextStart = Math.max(start + rowsRead, host - cmd + MODEL_TIMING.rsIssueCycles + rowsRead / n);
    this.host = host;
    q.push(n, first, last);
    this.batchFirst = first;
    return last;
  }

  // ---- loop_ws

  private loopWs(p: LoopWsParams): void {
    const m = this.m;
    const d = m.dim;
    const [ld, ex, st] = this.queues;
    const { I, J, K } = p;
    this.host += MODEL_TIMING.loopWsHostCommands * MODEL_TIMING.hostCyclesPerCommand;
    const u0 = Math.max(this.host, this.unrollerFree);
    const step = MODEL_TIMING.unrollerCyclesPerCommand;

    // Loads: D blocks, then A and B alternating (LoopMatmul's arbiter), back to back on the read DMA.
    const nD = p.d.commands;
    const nA = p.a.commands;
    const nB = p.b.commands;
    const loads = nD + nA + nB;
    const R = Math.max(1, Math.round(p.a.requests + p.b.requests + p.d.requests));
    const beats = (p.a.beats + p.b.beats + p.d.beats) / R || 1;
    // LoopMatmul places A and B in scratchpad half `loopSlot` and C in
    // accumulator half `accHalf`, alternating between loops: the loads here
    // overwrite what the loop two back was still computing from (WAR), and its
    // D moves and computes overwrite what that loop's mvouts still read.
    const slot = this.loopSlot;
    const half = this.accHalf;
    const spReaders = this.spHalfReaders[slot];
    const accReaders = this.accHalfReaders[half];
    const streamCycles = (requests: number): number => requests * Math.max(1, (m.memLatency + 1) / m.window);
    // The first A move, A(0, group 0), holds what the computes (k < aBlocks, any j, i = 0) read.
    const firstAReaders = I * J * K > 1 ? ((Math.min(K, p.aBlocks) - 1) * J * I + (J - 1) * I) / (I * J * K - 1) : 1;
    const loadStart = Math.max(
      Math.max(u0, ld.entryFree(0, loads, 0, 0)) + MODEL_TIMING.rsIssueCycles,
      ld.nextStart,
      spReaders[0] + firstAReaders * (spReaders[1] - spReaders[0]),
      spReaders[1] - streamCycles(p.a.requests + p.b.requests),
      nD ? Math.max(accReaders[0], accReaders[1] - streamCycles(p.d.requests)) : 0,
    );
    const plan = this.readPlan(loadStart, R, beats, loads, step);
    const lag = MODEL_TIMING.loadCompletionLag;
    const dDone = nD ? plan.done(Math.ceil(p.d.requests) - 1) + lag : loadStart;
    // LoopMatmul's arbiter serves the stream the computes wait for, else
    // alternates A and B. The computes that can be issued when the A/B moves
    // start (those the execute queue has entries for, after the D moves) pull
    // their moves in the order they need them — A(0), B(0), A(1) … A(I−1),
    // then the step's other B groups; later moves alternate (the execute
    // queue is full of computes waiting for data, or the loads are ahead).
    const groupsB = Math.ceil(J / p.bBlocks);
    const abDispatch = nD >= ld.entries ? plan.done(Math.ceil(p.d.requests * ((nD - ld.entries + 1) / nD)) - 1) + lag : u0 + nD * step;
    // Computes issued while the moves are dispatched (one a cycle, as far as the
    // load entries go), plus the one then waiting: its A move is pulled too.
    // Each A move of the first group feeds one compute of the first column,
    // which runs as soon as the move lands: while the pairs waiting on the A
    // moves in flight (about one more than a move's DRAM round trip over the
    // moves' issue interval) fit the free entries, the computes never run out
    // of room and pull the whole group.
    const free = ex.entries - ex.busyAt(abDispatch + Math.min(ld.entries, nA + nB) * step);
    const perMoveA = p.a.requests / Math.max(1, nA);
    const roundTrip = m.memLatency + beats;
    const aInFlight = Math.min(ld.entries, Math.ceil(1 + roundTrip / Math.max(perMoveA * step, (perMoveA * roundTrip) / m.window, 1)));
    const issuable = 2 * aInFlight <= free ? I : Math.floor(free / 2) + 1;
    const prefixA = Math.min(nA, issuable >= I ? I : Math.max(1, issuable));
    const prefixB = Math.min(nB, issuable >= I ? Math.max(1, Math.ceil(issuable / (p.bBlocks * I))) : 1, groupsB);
    const restA = nA - prefixA;
    const restB = nB - prefixB;
    const prefix = prefixA + prefixB;
    // After the prefix the arbiter turns to the other stream first (WeightedArbiter's alternation).
    const restFromB = prefixB <= 1 && prefixA > 1;
    // Position of the r-th move of a stream among alternating moves (it goes first or second; `other` moves of the other stream).
    const alternate = (r: number, other: number, first: boolean): number => (first ? (r <= other ? 2 * r - 1 : other + r) : r <= other ? 2 * r : other + r);
    const posA = (i: number, g: number): number => {
      const a = g * I + i; // 0-based, in the A stream's order
      if (a < prefixA) return a === 0 || prefixB === 0 ? a + 1 : a + 2;
      return prefix + alternate(a - prefixA + 1, restB, !restFromB);
    };
    const posB = (kk: number, jg: number): number => {
      const b = kk * groupsB + jg;
      if (b < prefixB) return b === 0 ? Math.min(2, prefix) : prefixA + 1 + b;
      return prefix + alternate(b - prefixB + 1, restA, restFromB);
    };

    // Completion of the first `k` A/B moves (after all D moves).
    const asIn = (k: number): number => {
      if (k <= prefix) return prefixB === 0 ? k : k <= 2 ? Math.min(1, prefixA) : Math.min(prefixA, k - 1);
      const r = k - prefix;
      const both = 2 * Math.min(restA, restB);
      return prefixA + (r <= both ? (restFromB ? Math.floor(r / 2) : Math.ceil(r / 2)) : restA <= restB ? restA : r - restB);
    };
    const abDone = (k: number): number => {
      if (k <= 0) return dDone;
      const as = Math.min(nA, asIn(k));
      const requests = p.d.requests + streamRequests(p.a, as, true) + streamRequests(p.b, Math.min(nB, k - as), false);
      return plan.done(Math.ceil(requests) - 1) + lag;
    };

    // Computes, k-step by k-step (order k, j, i): a step starts when its first A and B blocks have landed,
    // and cannot end before its last blocks land plus the computes that need them.
    const spHalf = m.spRows / 2;
    const aStart = slot * spHalf;
    const bStart = (slot + 1) * spHalf - K * J * d;
    // Of step kk's J preloads, those whose B block shares A's single-ported bank stream after A.
    const sameBankPreloads = (kk: number): number => {
      if (!m.spSinglePorted) return 0;
      const bank = bankOf(aStart + kk * d, m);
      const firstRow = bStart + kk * J * d;
      const lo = Math.max(0, Math.ceil((bank * m.bankRows - firstRow) / d));
      const hi = Math.min(J - 1, Math.floor(((bank + 1) * m.bankRows - 1 - firstRow) / d));
      return Math.max(0, hi - lo + 1);
    };
    const minRows = MODEL_TIMING.meshMinRows;
    // A rows of row block i (the last has the padding); mesh rows count at least MESH_MIN_ROWS per compute.
    const aRows = (i: number): number => d - (i === I - 1 ? p.padI : 0);
    const aRowsLast = Math.max(aRows(I - 1), minRows);
    const aRow0 = aRows(0);
    // Computes with i > 0 keep the weights: A's rows only.
    const accumulatedFeed = I > 1 ? (I - 2) * Math.max(d, minRows) + aRowsLast : 0;
    let meshEnd = Math.max(this.meshFree, accReaders[0]);
    let feedTotal = 0;
    let firstStart = -1;
    let lastStepStart = 0;
    let lastStepPer = 0;
    const latency = MODEL_TIMING.meshIssueLatency;
    let groupFirst = 0; // when the step's A group starts / ends landing (the same for all its steps)
    let groupLast = 0;
    for (let kk = 0; kk < K; kk++) {
      const bRows = d - (kk === K - 1 ? p.padK : 0);
      const shared = sameBankPreloads(kk);
      const dur = shared * Math.max(aRow0 + bRows, minRows) + (J - shared) * Math.max(aRow0, bRows, minRows) + J * accumulatedFeed;
      const group = Math.floor(kk / p.aBlocks);
      const groupStart = kk % p.aBlocks === 0;
      if (groupStart) {
        groupFirst = abDone(posA(0, group));
        groupLast = abDone(posA(I - 1, group));
      }
      const bFirst = abDone(posB(kk, 0));
      const bLast = groupsB > 1 ? abDone(posB(kk, groupsB - 1)) : bFirst;
      let start = Math.max(meshEnd, groupFirst, bFirst, dDone);
      if (start > meshEnd) start += latency;
      const per = dur / (I * J);
      let end = Math.max(start + dur, bLast + (J - (groupsB - 1) * p.bBlocks) * I * per);
      // A group's last block is first needed by compute (kk, 0, I − 1), in the group's first step.
      if (groupStart) end = Math.max(end, groupLast + (I * J - (I - 1)) * per);
      if (kk === 0) end = Math.max(end, accReaders[1] + per);
      if (firstStart < 0) firstStart = start;
      lastStepStart = start;
      lastStepPer = per;
      meshEnd = end;
      feedTotal += dur;
    }
    const aRowsAvg = (I * d - p.padI) / I;
    const lastFeed = I > 1 ? aRowsLast : lastStepPer;
    const lastCommit = meshEnd - lastFeed + (lastFeed - Math.max(aRowsLast, MODEL_TIMING.meshMinRows)) + m.commitLatency;
    const firstCommit = firstStart + (lastStepPer - aRowsAvg) + m.commitLatency;
    const exCommands = 2 * p.computes;
    // The unroller issues a command once its queue has a free entry: the last
    // load once the one `entries` back has landed, the last execute command
    // once its loads are issued and the command `entries` back has committed.
    const loadFirst = nD ? dDone : abDone(1);
    const loadLast = plan.done(R - 1) + lag;
    const loadLastIssue = Math.max(u0 + loads * step, ld.entryFree(loads - 1, loads, loadFirst, loadLast));
    // Commands commit at the last k-step's pace at the end (two per compute).
    const tailEntries = Math.min(exCommands, ex.entries);
    const tailStart = Math.max(firstCommit, lastCommit - ((tailEntries - 1) / 2) * lastStepPer);
    const exEntryFree = exCommands > ex.entries ? Math.max(firstCommit, lastCommit - (ex.entries / 2) * lastStepPer) : ex.doneBack(ex.entries - exCommands + 1);
    const exLastIssue = Math.max(u0 + (loads + exCommands) * step, loadLastIssue + step, exEntryFree);

    // Stores trail the last k-step: mvout (j-group, i) once its last compute has committed.
    let unrollerEnd = exLastIssue + step;
    if (p.c.commands > 0) {
      // Stores trail the last k-step, one column group at a time (all i of a
      // group, then the next): mvout (g, i) once compute (K−1, last j of g, i)
      // has committed; its rows leave one per cycle, its writes at the DMA's pace.
      const nC = p.c.commands;
      const groups = p.c.groups;
      const sLag = MODEL_TIMING.storeCompletionLag;
      const rowsPerMvout = p.c.localRows / nC;
      let firstRelease = 0;
      let lastRelease = 0;
      // The last step's computes spread over its real span (loads may pace them).
      const stepPace = I * J > 1 ? Math.max(lastStepPer, (lastCommit - m.commitLatency - lastStepStart) / (I * J - 1)) : 0;
      for (let g = 0; g < groups; g++) {
        const jLast = Math.min(J, (g + 1) * p.cBlocks) - 1;
        const readyAt = (i: number): number => Math.min(lastCommit, lastStepStart + (jLast * I + i) * stepPace + m.commitLatency);
        const requests = p.c.groupRequests[g];
        const Rg = Math.max(1, Math.round(requests));
        const beats = p.c.groupBeats[g] / requests || 1;
        const perMvout = Rg / I;
        const s0 = Math.max(readyAt(0) + MODEL_TIMING.rsIssueCycles, st.nextStart) + MODEL_TIMING.storePipeLatency;
        const lastS0 = Math.max(readyAt(I - 1) + MODEL_TIMING.rsIssueCycles, st.nextStart) + MODEL_TIMING.storePipeLatency;
        const gap = Math.max(beats, rowsPerMvout / perMvout, Rg > perMvout ? (lastS0 - s0) / (Rg - perMvout) : 0);
        const wplan = new DmaPlan(this.writer, Math.max(s0, this.writer.nextIssue), Rg, beats, gap, m.window, 0, true, m.memLatency);
        const first = Math.max(wplan.issue(Math.ceil(perMvout) - 1) + beats, s0 - MODEL_TIMING.storePipeLatency + rowsPerMvout) + sLag;
        const last = Math.max(wplan.issue(Rg - 1) + beats, lastS0 - MODEL_TIMING.storePipeLatency + rowsPerMvout) + sLag;
        this.dramWritesDone = Math.max(this.dramWritesDone, wplan.done(Rg - 1));
        wplan.commit();
        st.addBusy(s0 - MODEL_TIMING.storePipeLatency, last - sLag);
        st.nextStart = last - sLag;
        st.push(I, first, last);
        if (g === 0) firstRelease = first;
        lastRelease = last;
      }
      // The last mvout goes once an entry frees: the store `entries` back has left.
      const stLastIssue = Math.max(exLastIssue + step, nC > st.entries ? st.doneBack(st.entries + 1) : 0);
      unrollerEnd = Math.max(unrollerEnd, stLastIssue + step);
      this.accHalfReaders[half] = [firstRelease, lastRelease];
      this.accHalf ^= 1;
    }

    // The machine after the loop.
    const issuedUntil = plan.issue(R - 1) + 1;
    ld.nextStart = issuedUntil;
    ld.addBusy(loadStart, issuedUntil);
    plan.commit();
    ld.push(loads, loadFirst, loadLast);
    this.meshFree = meshEnd;
    this.exDrained = Math.max(this.exDrained, lastCommit);
    ex.nextStart = meshEnd - lastFeed;
    ex.busy += feedTotal;
    ex.busyUntil = Math.max(ex.busyUntil, meshEnd);
    if (exCommands > tailEntries) ex.push(exCommands - tailEntries, firstCommit, tailStart);
    ex.push(tailEntries, tailStart, lastCommit);
    this.spHalfReaders[slot] = [firstCommit, lastCommit];
    this.loopSlot ^= 1;
    this.unrollerFree = unrollerEnd;
    // LoopMatmul holds the host's later commands until the loop has issued everything.
    this.host = Math.max(this.host, unrollerEnd);
  }
}

function queueOfBits(bits: number): number {
  return bits === B_LD ? Q_LD : bits === B_EX ? Q_EX : Q_ST;
}

// ---------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------

// Compiled programs, by program: the sweeps estimate one program on many configurations.
const compiledCache = new WeakMap<ProgramFunc, Compiled>();

/**
 * A program's predicted cycles (the timing pass), with the exact totals of
 * the counting pass worked out only when `full()` asks: the tile step ranks
 * candidates by cycles alone and needs the totals of the winner only.
 */
export interface TimedEstimate {
  readonly cycles: number;
  full(): CostEstimate;
}

function timed(compiled: Compiled, config: GemminiConfig): TimedEstimate {
  const m = machineOf(config);
  const timing = new Timing(m, compiled.slots);
  timing.run(compiled.nodes, new Float64Array(compiled.slots));
  const cycles = Math.round(timing.completion());
  const busyCycles = { load: Math.round(timing.queues[Q_LD].busy), execute: Math.round(timing.queues[Q_EX].busy), store: Math.round(timing.queues[Q_ST].busy) };
  let known: CostEstimate | undefined;
  return {
    cycles,
    full: () => (known ??= withCounts(compiled, m, cycles, busyCycles)),
  };
}

/**
 * Counting-pass totals by program and machine. A sweep over memory latency
 * or requests in flight compiles the same program for many configurations;
 * its counts depend on neither (nor on the reservation stations), so they
 * are worked out once. Oldest first; a few hundred at most.
 */
const countsCache = new BoundedCache<Agg>(256);

/** What the counting pass reads: the statements, the buffers' element sizes and the machine less its timing-only parameters. */
function countsKey(compiled: Compiled, m: Machine): string {
  const { window: _window, memLatency: _latency, entries: _entries, ...counted } = m;
  compiled.text ??= JSON.stringify([[...compiled.bufferBytes], compiled.body]);
  return JSON.stringify(counted) + compiled.text;
}

/** The counting pass (exact), around the timing pass's cycles and busy cycles. */
function withCounts(compiled: Compiled, m: Machine, cycles: number, busyCycles: CostEstimate['busyCycles']): CostEstimate {
  const agg = countsCache.get(countsKey(compiled, m), () => {
    const totals = newAgg();
    evalNodes(compiled.nodes, new Float64Array(compiled.slots), totals, initialState(m), m);
    return totals;
  });
  const instructions = Object.fromEntries(INSTRUCTION_KINDS.map((k, i) => [k, agg[F_KIND + i]])) as Record<InstructionKind, number>;
  const all = INSTRUCTION_KINDS.reduce((s, _k, i) => s + agg[F_KIND + i], 0);
  const fences = agg[F_KIND + K_FENCE];
  const unrolled = agg[F_UNROLLED];
  const hostInstructions = all - fences - unrolled;
  const macs = agg[F_MACS];
  const perCycle = m.dim * m.dim;
  return {
    cycles,
    busyCycles,
    instructions,
    hostInstructions,
    executedInstructions: hostInstructions + unrolled,
    dramBytesRead: agg[F_BYTES_READ],
    dramBytesWritten: agg[F_BYTES_WRITTEN],
    dramReadRequests: Math.round(agg[F_RD_REQ]),
    dramWriteRequests: Math.round(agg[F_WR_REQ]),
    macs,
    idealMacCycles: Math.ceil(macs / perCycle),
    utilization: cycles > 0 ? macs / perCycle / cycles : 0,
  };
}

/** Estimates what the host model reports for `program` on `config`, from the Program IR alone. */
export function estimateProgram(program: ProgramFunc, config: GemminiConfig): CostEstimate {
  let compiled = compiledCache.get(program);
  if (!compiled) {
    const bytes = new Map(program.buffers.map((b) => [b.name, DTYPE_BYTES[b.type.dtype]] as const));
    compiled = compileProgram(program.body, (name) => bytes.get(name) ?? 1);
    compiledCache.set(program, compiled);
  }
  return timed(compiled, config).full();
}

/**
 * Estimates a list of Program IR statements, e.g. one tiling candidate's
 * matmulConfig + matmulProgram (or loopWsProgram) + fence. DRAM buffers are
 * taken as i8 unless `bufferBytes` says otherwise (it matters only for the
 * alignment of DMA requests and bias / i32 operands' byte offsets).
 */
export function estimateStatements(body: readonly ProgramStmt[], config: GemminiConfig, bufferBytes: (name: string) => number = () => 1): CostEstimate {
  return timeStatements(body, config, bufferBytes).full();
}

// Compiled statements, by the statements (gemmStatements hands out the same
// ones for the same gemm, tiling and placement across a sweep's points).
const compiledStatements = new WeakMap<readonly ProgramStmt[], Compiled>();

/** estimateStatements' cycles, with the rest of the estimate worked out on demand. */
export function timeStatements(body: readonly ProgramStmt[], config: GemminiConfig, bufferBytes: (name: string) => number = () => 1): TimedEstimate {
  let compiled = compiledStatements.get(body);
  if (!compiled || [...compiled.bufferBytes].some(([name, bytes]) => bufferBytes(name) !== bytes)) {
    compiled = compileProgram(body, bufferBytes);
    compiledStatements.set(body, compiled);
  }
  return timed(compiled, config);
}
