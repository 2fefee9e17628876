// A closed-form estimate of the cycles of tc's explicit (rows) schedule for
// one gemm (matmul-schedule.ts), from its sizes, tiling and placement alone:
// no instructions are built. The tile step ranks every candidate tiling with
// it in microseconds, then asks the analytical model of Gemmini
// (gemmini/cost.ts), which times the real instructions, to decide among the
// best few. Compile time and sweep speed depend on that split: the
// analytical model takes milliseconds per candidate.
//
// The schedule is a software pipeline over the K groups of tile steps (one
// K tile of one output tile): while a group computes, the DMA loads the next
// group's A and B blocks (after a step's last group, the next step's first)
// and, in a step's first groups, stores the previous output tile. So a group
// takes about the longest of four streams, each from the host model's
// constants (gemmini/runtime/gemmini_model.c, MODEL_TIMING):
// - execute: mesh rows streamed, one per cycle, at least meshMinRows per compute;
// - loads: DMA reads, one request per cycle, each holding one of
//   maxInFlightRequests slots for the memory latency plus its bus beats; a
//   row takes a request per MAX_BYTES window it touches, so where it starts
//   counts (K blocks of 31 bytes on a DIM-32 mesh with 20-bit sums straddle
//   windows: about 1.4 requests each);
// - stores: DMA writes, one per bus occupancy, slots held likewise;
// - issue: the host, hostCyclesPerCommand per command.
// Plus the pipeline's fill (the first loads) and drain (the last tile's
// stores). With one copy of each buffer nothing overlaps across steps: a
// step's first loads, its computes and (last K step) its stores add up.
// Steps differ only at the edges (remainder tiles), so steps are grouped by
// whether their i, j, k tile is the first, an interior or the last one, and
// a step's groups are all alike but its last.

import { derivedParams } from '../gemmini/config.js';
import { BoundedCache } from '../ir/bounded-cache.js';
import { gcd, MODEL_TIMING } from '../gemmini/cost.js';
import type { GemmPlacement, GemmTiling, TensorOp } from '../ir/tensor-ir.js';
import type { TensorType } from '../ir/types.js';
import { scheduleKey, type GemminiTarget } from './target.js';

export interface GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** The bias added into C: none, one row for every output row, or a whole M x N matrix. */
  readonly bias: 'none' | 'row' | 'matrix';
  /** Bytes per output element: 1 (scaled int8) or 4 (raw int32). */
  readonly outBytes: 1 | 4;
}

/** The shape of a gemm op whose operand types `typeOf` gives. */
export function gemmShapeOf(op: Extract<TensorOp, { kind: 'gemm' }>, typeOf: (name: string) => TensorType): GemmShape {
  const [m, k] = typeOf(op.a).shape;
  const n = typeOf(op.b).shape[1];
  const bias = op.bias === undefined ? 'none' : typeOf(op.bias).shape.length === 1 ? 'row' : 'matrix';
  return { m, n, k, bias, outBytes: op.type.dtype === 'i8' ? 1 : 4 };
}

/** DMA requests and bus beats of a stream (per row, or in total). */
interface Dma {
  readonly requests: number;
  readonly beats: number;
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);
const none: Dma = { requests: 0, beats: 0 };
const plus = (a: Dma, b: Dma, times = 1): Dma => ({ requests: a.requests + b.requests * times, beats: a.beats + b.beats * times });

/** A K group of a step: its computes' mesh cycles, its A and B loads, its commands, its K blocks. */
interface Group {
  readonly exec: number;
  readonly load: Dma;
  readonly commands: number;
  readonly blocks: number;
}

/** A function estimating the cycles of the rows schedule of one gemm for a tiling and a placement of kind 'rows'. */
export type RowsScheduleEstimator = (t: GemmTiling, placement: Extract<GemmPlacement, { kind: 'rows' }>) => number;

/**
 * A tiling's estimate less memory timing, packed into its gemm's arena (an
 * array of numbers): its step classes at [at, end), CLASS numbers each: how
 * many steps the class stands for, where its step is packed (STEP numbers,
 * see S_*), where the step whose output tile it stores is (-1: none) and
 * FIRST / LAST / LAST_K flags. Classes alike in all but count are one.
 */
interface Layout {
  /** Its number among its gemm's layouts. */
  readonly id: number;
  readonly pipelined: boolean;
  readonly at: number;
  readonly end: number;
}

// A packed step: its groups, its full and last group (exec, load requests and beats, commands, blocks), its K blocks, store, bias and tile commands.
const S_GROUPS = 0;
const S_FULL = 1;
const S_LAST = 6;
const G_EXEC = 0;
const G_LOAD_REQUESTS = 1;
const G_LOAD_BEATS = 2;
const G_COMMANDS = 3;
const G_BLOCKS = 4;
const S_TKH = 11;
const S_STORE = 12;
const S_BIAS = 14;
const S_TILE_COMMANDS = 16;
const STEP = 17;
const CLASS = 4;
const FIRST = 1; // the first step (i = j = k = 0): the pipeline's fill
const LAST = 2; // the last step: the drain
const LAST_K = 4; // its output tile's last K step: bias and stores

/** Numbers appended to a growing buffer. */
class Arena {
  data = new Float64Array(4096);
  length = 0;
  /** Makes room for n more numbers; where they start. */
  take(n: number): number {
    if (this.length + n > this.data.length) {
      const grown = new Float64Array(2 * (this.length + n));
      grown.set(this.data);
      this.data = grown;
    }
    this.length += n;
    return this.length - n;
  }
}

/** The layouts of one gemm's tilings on one target, packed into `arena`. */
interface Layouts {
  readonly arena: Arena;
  /** `sharedBank`: B's rows stream from A's single-ported bank (no bank was free for B). */
  readonly layoutOf: (t: GemmTiling, copies: number, sharedBank: boolean) => Layout;
  /** Estimates by memory timing, by layout id: a sweep's scratchpad sizes rank many of the same tilings. */
  readonly estimates: BoundedCache<number[]>;
}

/** Step classes: the first, an interior and the last tile along an axis, each followed by how many steps it stands for. */
const classes = (count: number): number[] => (count === 1 ? [0, 1] : count === 2 ? [0, 1, 1, 1] : [0, 1, 1, count - 2, count - 1, 1]);

/** Packs a K group at `at`. */
function packGroup(a: Float64Array, at: number, group: Group): void {
  a[at + G_EXEC] = group.exec;
  a[at + G_LOAD_REQUESTS] = group.load.requests;
  a[at + G_LOAD_BEATS] = group.load.beats;
  a[at + G_COMMANDS] = group.commands;
  a[at + G_BLOCKS] = group.blocks;
}

// Layouts by gemm shape and target less its memory timing and capacities: a
// sweep over memory latency, requests in flight or scratchpad size ranks the
// same tilings again and again (a larger scratchpad adds tilings that fit).
const layoutsCache = new BoundedCache<Layouts>(4);

/** The estimator for one gemm on one target: constants computed once, then O(1) per tiling. */
export function rowsScheduleEstimator(shape: GemmShape, target: GemminiTarget): RowsScheduleEstimator {
  const key = JSON.stringify([shape, scheduleKey(target)]);
  const { arena, layoutOf, estimates } = layoutsCache.get(key, () => rowsLayouts(shape, target));
  const cfg = target.config;
  const d = target.dim;
  const window = Math.min(256, Math.max(1, cfg.maxInFlightRequests));
  const latency = cfg.memLatencyCycles;
  const host = MODEL_TIMING.hostCyclesPerCommand;
  const readCycles = (requests: number, beats: number): number => (requests === 0 ? 0 : Math.max(requests, beats, (requests * latency + beats) / window));
  const writeCycles = (requests: number, beats: number): number => (requests === 0 ? 0 : Math.max(beats, (requests * latency + beats) / window));
  const known = estimates.get(`${latency} ${window}`, () => []);
  return (t, placement) => {
    // B and A share a bank (their rows stream one after the other) only when no bank was free for B.
    const sharedBank = cfg.scratchpadSinglePorted && Math.floor(placement.bRow / target.scratchpadBankRows) === 0;
    const { id, pipelined, at, end } = layoutOf(t, placement.copies, sharedBank);
    const before = known[id];
    if (before !== undefined) return before;
    const st = arena.data; // after layoutOf, which may have grown it
    let cycles = 0;
    let fill = 0;
    let drain = 0;
    for (let c = at; c < end; c += CLASS) {
      const s = st[c + 1];
      const prev = st[c + 2];
      const flags = st[c + 3];
      const groups = st[s + S_GROUPS];
      const full = s + S_FULL;
      const last = s + S_LAST;
      const firstGroup = groups > 1 ? full : last;
      let stepCycles = 0;
      if (pipelined) {
        // Group g computes while the next group's loads (after the last:
        // the next step's first, about this one's) stream in; a first
        // step (k = 0) also adds the bias and stores the previous output
        // tile (about this one's) over its groups, in proportion to their K blocks.
        const slot = (g: number, next: number): number => {
          const share = st[g + G_BLOCKS] / st[s + S_TKH];
          const biasRequests = prev < 0 ? 0 : st[prev + S_BIAS];
          const biasBeats = prev < 0 ? 0 : st[prev + S_BIAS + 1];
          const reads = readCycles(st[next + G_LOAD_REQUESTS] + biasRequests * share, st[next + G_LOAD_BEATS] + biasBeats * share);
          const writes = prev < 0 ? 0 : writeCycles(0 + st[prev + S_STORE] * share, 0 + st[prev + S_STORE + 1] * share);
          return Math.max(st[g + G_EXEC], reads, writes, (st[g + G_COMMANDS] + (prev < 0 ? 0 : st[prev + S_TILE_COMMANDS] * share)) * host);
        };
        if (groups === 1) stepCycles = slot(last, last);
        else stepCycles = (groups - 2) * slot(full, full) + slot(full, last) + slot(last, full);
      } else {
        // One copy: the first group loads before the computes; the bias and stores (last K step) after them.
        const loadOf = (g: number): number => readCycles(st[g + G_LOAD_REQUESTS], st[g + G_LOAD_BEATS]);
        stepCycles = loadOf(firstGroup) + latency;
        if (groups === 1) stepCycles += Math.max(st[last + G_EXEC], st[last + G_COMMANDS] * host);
        else
          stepCycles +=
            (groups - 2) * Math.max(st[full + G_EXEC], loadOf(full), st[full + G_COMMANDS] * host) +
            Math.max(st[full + G_EXEC], loadOf(last), st[full + G_COMMANDS] * host) +
            Math.max(st[last + G_EXEC], st[last + G_COMMANDS] * host);
        if (flags & LAST_K) stepCycles += readCycles(st[s + S_BIAS], st[s + S_BIAS + 1]) + writeCycles(st[s + S_STORE], st[s + S_STORE + 1]) + st[s + S_TILE_COMMANDS] * host + latency + 3 * d;
      }
      cycles += stepCycles * st[c];
      if (flags & FIRST) fill = readCycles(st[firstGroup + G_LOAD_REQUESTS], st[firstGroup + G_LOAD_BEATS]) + latency;
      if (flags & LAST) drain = readCycles(st[s + S_BIAS], st[s + S_BIAS + 1]) + writeCycles(st[s + S_STORE], st[s + S_STORE + 1]) + latency + 3 * d + 3;
    }
    return (known[id] = pipelined ? fill + cycles + drain : cycles);
  };
}

/** The layouts of one gemm's tilings on one target (cached per tiling); they read no memory capacity. */
function rowsLayouts(shape: GemmShape, target: GemminiTarget): Layouts {
  const arena = new Arena();
  const p = derivedParams(target.config);
  const d = target.dim;
  const dk = target.kStep;
  const [mb, nb, kb] = [ceilDiv(shape.m, d), ceilDiv(shape.n, d), ceilDiv(shape.k, dk)];
  // Rows of the last block of M and of K, columns of the last block of N.
  const [lastM, lastK, trimN, trimK] = [shape.m - (mb - 1) * d, shape.k - (kb - 1) * dk, nb * d - shape.n, kb * dk - shape.k];
  const mbl = target.maxBlockLen;
  const kGroup = dk === d ? mbl : 1;
  const storeGroup = shape.outBytes === 4 ? 1 : mbl;
  const biasGroup = target.maxBlockLenAcc;
  const bus = p.DMA_BUS_BYTES;
  const maxBytes = p.MAX_BYTES;
  const minRows = MODEL_TIMING.meshMinRows;
  /** The DMA requests (one per MAX_BYTES window touched, as the DMA splits a move) and bus beats of `bytes` bytes from `offset` within a window. */
  const windows = (offset: number, bytes: number): Dma => {
    let [requests, beats] = [0, 0];
    for (let left = bytes; left > 0; offset = 0) {
      const chunk = Math.min(left, maxBytes - offset);
      requests++;
      beats += ceilDiv(chunk, bus);
      left -= chunk;
    }
    return { requests, beats };
  };
  // Rows and splits recur across tilings: each is worked out once.
  const rows = new Map<number, Dma>();
  const splits = new Map<number, { dma: Dma; moves: number }>();
  /**
   * One row of `bytes` bytes that starts at a multiple of `align` bytes
   * (DRAM buffers are 64-byte aligned; a K block of 31 bytes is not): a
   * request per MAX_BYTES window it touches, as the DMA splits it, averaged
   * over the starts within a window.
   */
  const row = (bytes: number, align: number): Dma => {
    const g = gcd(align, maxBytes);
    const key = bytes * (maxBytes + 1) + g;
    let r = rows.get(key);
    if (!r) {
      r = none;
      for (let start = 0; start < maxBytes; start += g) r = plus(r, windows(start, bytes));
      r = { requests: (r.requests * g) / maxBytes, beats: (r.beats * g) / maxBytes };
      rows.set(key, r);
    }
    return r;
  };
  // With one K block per move (kStep < DIM), A's moves start at every
  // multiple of kStep bytes within a row: their requests are the mean over
  // the blocks they start at (and the rows' starts), the last block apart.
  const aRowStarts = gcd(shape.k, maxBytes);
  const meanOver = (blocks: number[], bytes: number): Dma => {
    let r = none;
    for (const b of blocks) for (let start = 0; start < maxBytes; start += aRowStarts) r = plus(r, windows((start + b * dk) % maxBytes, bytes));
    const n = (blocks.length * maxBytes) / aRowStarts;
    return { requests: r.requests / n, beats: r.beats / n };
  };
  const singleBlocks = kGroup === 1 ? { full: meanOver(Array.from({ length: Math.max(1, kb - 1) }, (_, b) => b), dk), edge: meanOver([kb - 1], lastK) } : undefined;
  /**
   * Per row: `blocks` blocks of DIM columns moved `group` blocks at a time,
   * the last move `trim` columns short, the first starting at a multiple of
   * `align` bytes; and the moves.
   */
  const split = (blocks: number, group: number, trim: number, elemBytes: number, align: number): { dma: Dma; moves: number } => {
    const moveAlign = gcd(align, group * d * elemBytes);
    // group < 4096 (MAX_BYTES <= 4096), trim < DIM <= 256, elemBytes 1 or 4, gcd(moveAlign, MAX_BYTES) <= 4096: a number keys them.
    const key = (((blocks * 4096 + group) * 256 + trim) * 8 + elemBytes) * 4097 + gcd(moveAlign, maxBytes);
    let r = splits.get(key);
    if (!r) {
      const moves = ceilDiv(blocks, group);
      const lastBlocks = blocks - (moves - 1) * group;
      r = { dma: plus(row((lastBlocks * d - trim) * elemBytes, moveAlign), row(group * d * elemBytes, moveAlign), moves - 1), moves };
      splits.set(key, r);
    }
    return r;
  };

  // The loop order only matters when a tile's A or B is kept (one K step
  // per tile): the other order of a tiling is usually costed already.
  const known = new Map<number | string, Layout>();
  // A number keys a tiling exactly unless the matrices are astronomically large.
  const numericKeys = (mb + 1) * (nb + 1) * (kb + 1) * 64 <= Number.MAX_SAFE_INTEGER;
  const layoutOf = (t: GemmTiling, copies: number, sharedBank: boolean): Layout => {
    // Plain locals, no destructured arrays: this runs for thousands of
    // candidates per compile, mostly before V8 has optimised it.
    const ti = t.tileM / d;
    const tj = t.tileN / d;
    const tk = t.tileK / dk;
    const mt = ceilDiv(mb, ti);
    const nt = ceilDiv(nb, tj);
    const kt = ceilDiv(kb, tk);
    const reused = kt > 1 ? undefined : t.order === 'ijk' ? (nt > 1 ? 'a' : undefined) : mt > 1 ? 'b' : undefined;
    const variant = (reused === 'a' ? 1 : reused === 'b' ? 2 : 0) * 4 + (copies - 1) * 2 + (sharedBank ? 1 : 0);
    // The dataflow too: a target with both may rank a gemm's tilings in each.
    const key = numericKeys ? (((ti * (nb + 1) + tj) * (kb + 1) + tk) * 12 + variant) * 2 + (t.dataflow === 'os' ? 1 : 0) : `${ti} ${tj} ${tk} ${variant} ${t.dataflow}`;
    const before = known.get(key);
    if (before !== undefined) return before;
    const pipelined = copies === 2 && mt * nt * kt > 1;
    // Where DRAM rows start, in bytes (buffers are 64-byte aligned): A's K
    // groups, B's and C's column tiles, the bias's moves; and each row's stride.
    const alignA = gcd(dk * gcd(tk, kGroup), shape.k);
    const alignB = gcd(d * tj, shape.n);
    const alignC = gcd(d * tj * shape.outBytes, shape.n * shape.outBytes);
    const alignBias = gcd(4 * d * gcd(tj, storeGroup), shape.bias === 'matrix' ? 4 * shape.n : 0);

    /** Step (i, j, k), packed into the arena: its K groups (all alike but the last) and its output tile's bias and stores; where it starts. */
    const buildStep = (i: number, j: number, k: number, tiH: number, tjH: number, tkH: number, mEdge: boolean, nEdge: boolean, kEdge: boolean): number => {
      const rowsI = (tiH - 1) * d + (mEdge ? lastM : d);
      // Execute, per K block: per column block the first compute streams A beside the new weights, the others A.
      const lastRows = mEdge ? lastM : d;
      const first = tiH === 1 ? lastRows : d;
      const perColumn = tiH >= 2 ? (tiH - 2) * Math.max(d, minRows) + Math.max(lastRows, minRows) : 0;
      const execOf = (kRows: number): number =>
        t.dataflow === 'ws' ? tjH * ((sharedBank ? first + kRows : Math.max(first, kRows, minRows)) + perColumn) : tjH * tiH * Math.max(d, minRows);
      const loadsA = reused === 'a' ? j === 0 : true;
      const loadsB = reused === 'b' ? i === 0 : true;
      const bRow = split(tjH, mbl, nEdge ? trimN : 0, 1, alignB);
      const group = (blocks: number, last: boolean): Group => {
        const kRowsLast = last && kEdge ? lastK : dk;
        let load = none;
        let commands = 2 * blocks * tjH * tiH;
        if (loadsA) {
          load = plus(load, singleBlocks ? (last && kEdge ? singleBlocks.edge : singleBlocks.full) : row(blocks * dk - (last && kEdge ? trimK : 0), alignA), rowsI);
          commands += tiH;
        }
        if (loadsB) {
          load = plus(load, bRow.dma, (blocks - 1) * dk + kRowsLast);
          commands += blocks * bRow.moves;
        }
        return { exec: (blocks - 1) * execOf(dk) + execOf(kRowsLast), load, commands, blocks };
      };
      const groups = ceilDiv(tkH, kGroup);
      const full = group(kGroup, false);
      const last = group(tkH - (groups - 1) * kGroup, true);
      // The output tile's bias (i32 rows, biasGroup blocks a move) and its stores (storeGroup blocks a move).
      let store = none;
      let bias = none;
      let tileCommands = 0;
      if (k === kt - 1) {
        const units = split(tjH, storeGroup, nEdge ? trimN : 0, shape.outBytes, alignC);
        store = plus(none, units.dma, rowsI);
        tileCommands += tiH * units.moves;
        if (shape.bias !== 'none') {
          const lastUnit = tjH - (units.moves - 1) * storeGroup;
          const fullUnit = split(storeGroup, biasGroup, 0, 4, alignBias);
          const edgeUnit = split(lastUnit, biasGroup, nEdge ? trimN : 0, 4, alignBias);
          bias = plus(plus(none, fullUnit.dma, (units.moves - 1) * rowsI), edgeUnit.dma, rowsI);
          tileCommands += tiH * ((units.moves - 1) * fullUnit.moves + edgeUnit.moves);
        }
      }
      const at = arena.take(STEP);
      const a = arena.data;
      a[at + S_GROUPS] = groups;
      packGroup(a, at + S_FULL, full);
      packGroup(a, at + S_LAST, last);
      a[at + S_TKH] = tkH;
      a[at + S_STORE] = store.requests;
      a[at + S_STORE + 1] = store.beats;
      a[at + S_BIAS] = bias.requests;
      a[at + S_BIAS + 1] = bias.beats;
      a[at + S_TILE_COMMANDS] = tileCommands;
      return at;
    };
    // A step depends on its tiles' sizes and edges, whether it loads A and B,
    // and whether it is its output tile's last: alike steps are built once.
    const steps = new Map<number | string, number>();
    const step = (i: number, j: number, k: number): number => {
      const tiH = Math.min(ti, mb - i * ti);
      const tjH = Math.min(tj, nb - j * tj);
      const tkH = Math.min(tk, kb - k * tk);
      const mEdge = i * ti + tiH === mb;
      const nEdge = j * tj + tjH === nb;
      const kEdge = k * tk + tkH === kb;
      const a = (tiH * 2 + (mEdge ? 1 : 0)) * 2 + (reused === 'b' && i !== 0 ? 0 : 1);
      const b = (tjH * 2 + (nEdge ? 1 : 0)) * 2 + (reused === 'a' && j !== 0 ? 0 : 1);
      const c = (tkH * 2 + (kEdge ? 1 : 0)) * 2 + (k === kt - 1 ? 1 : 0);
      const key = numericKeys ? (a * (4 * tj + 4) + b) * (4 * tk + 4) + c : `${a} ${b} ${c}`;
      let s = steps.get(key);
      if (s === undefined) steps.set(key, (s = buildStep(i, j, k, tiH, tjH, tkH, mEdge, nEdge, kEdge)));
      return s;
    };

    // The classes, alike ones merged.
    const found: number[] = [];
    const alongI = classes(mt);
    const alongJ = classes(nt);
    const alongK = classes(kt);
    for (let x = 0; x < alongI.length; x += 2)
      for (let y = 0; y < alongJ.length; y += 2)
        for (let z = 0; z < alongK.length; z += 2) {
          const i = alongI[x];
          const j = alongJ[y];
          const k = alongK[z];
          const ci = alongI[x + 1];
          const cj = alongJ[y + 1];
          const ck = alongK[z + 1];
          const flags = (i === 0 && j === 0 && k === 0 ? FIRST : 0) | (i === mt - 1 && j === nt - 1 && k === kt - 1 ? LAST : 0) | (k === kt - 1 ? LAST_K : 0);
          const s = step(i, j, k);
          const prev = pipelined && k === 0 ? step(i, j, kt - 1) : -1;
          let c = 0;
          while (c < found.length && !(found[c + 1] === s && found[c + 2] === prev && found[c + 3] === flags)) c += CLASS;
          if (c < found.length) found[c] += ci * cj * ck;
          else found.push(ci * cj * ck, s, prev, flags);
        }
    const at = arena.take(found.length);
    arena.data.set(found, at);
    const layout: Layout = { id: known.size, pipelined, at, end: at + found.length };
    known.set(key, layout);
    return layout;
  };
  return { arena, layoutOf, estimates: new BoundedCache<number[]>(16) };
}
