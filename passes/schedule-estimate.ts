// A closed-form estimate of the cycles of tc's explicit (rows) schedule for
// one gemm (matmul-schedule.ts), from its sizes, tiling and placement alone:
// no instructions are built. The tile step ranks every candidate tiling with
// it in microseconds, then asks the analytical model of Gemmini
// (gemmini/cost.ts), which times the real instructions, to decide among the
// best few. Compile time and sweep speed depend on that split: the
// analytical model takes milliseconds per candidate.
//
// The schedule is a software pipeline over tile steps (one K tile of one
// output tile): while a step computes, the DMA loads the next step's A and B
// tiles and stores the previous output tile. So a step takes about the
// longest of its four streams, each from the host model's constants
// (gemmini/runtime/gemmini_model.c, MODEL_TIMING):
// - execute: mesh rows streamed, one per cycle, at least meshMinRows per compute;
// - loads: DMA reads, one request per cycle, each holding one of
//   maxInFlightRequests slots for the memory latency plus its bus beats;
// - stores: DMA writes, one per bus occupancy, slots held likewise;
// - issue: the host, hostCyclesPerCommand per command.
// Plus the pipeline's fill (the first loads) and drain (the last tile's
// stores). With one copy of each buffer nothing overlaps across steps: a
// step's first loads, its computes and (last K step) its stores add up.
// Steps differ only at the edges (remainder tiles), so steps are grouped by
// whether their i, j, k tile is the first, an interior or the last one.

import { derivedParams } from '../gemmini/config.js';
import { MODEL_TIMING } from '../gemmini/cost.js';
import type { GemmPlacement, GemmTiling } from '../ir/tensor-ir.js';
import type { GemminiTarget } from './target.js';

export interface GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** The bias added into C: none, one row for every output row, or a whole M x N matrix. */
  readonly bias: 'none' | 'row' | 'matrix';
  /** Bytes per output element: 1 (scaled int8) or 4 (raw int32). */
  readonly outBytes: 1 | 4;
}

/** Per-step totals of one stream. */
interface Dma {
  requests: number;
  beats: number;
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Estimated cycles of the rows schedule; `placement` must be of kind 'rows'. */
export function estimateRowsSchedule(shape: GemmShape, t: GemmTiling, placement: Extract<GemmPlacement, { kind: 'rows' }>, target: GemminiTarget): number {
  const p = derivedParams(target.config);
  const cfg = target.config;
  const d = target.dim;
  const dk = target.kStep;
  const [mb, nb, kb] = [ceilDiv(shape.m, d), ceilDiv(shape.n, d), ceilDiv(shape.k, dk)];
  const [ti, tj, tk] = [t.tileM / d, t.tileN / d, t.tileK / dk];
  const [mt, nt, kt] = [ceilDiv(mb, ti), ceilDiv(nb, tj), ceilDiv(kb, tk)];
  const mbl = target.maxBlockLen;
  const kGroup = dk === d ? mbl : 1;
  const storeGroup = shape.outBytes === 4 ? 1 : mbl;
  const biasGroup = target.maxBlockLenAcc;
  const window = Math.min(256, Math.max(1, cfg.maxInFlightRequests));
  const latency = cfg.memLatencyCycles;
  const bus = p.DMA_BUS_BYTES;
  const maxBytes = p.MAX_BYTES;
  const host = MODEL_TIMING.hostCyclesPerCommand;
  const minRows = MODEL_TIMING.meshMinRows;
  const reused = kt > 1 ? undefined : t.order === 'ijk' ? (nt > 1 ? 'a' : undefined) : mt > 1 ? 'b' : undefined;
  // B and A share a bank (their rows stream one after the other) only when no bank was free for B.
  const sharedBank = cfg.scratchpadSinglePorted && Math.floor(placement.bRow / target.scratchpadBankRows) === 0;

  /** `rows` rows of `rowBytes` bytes, 64-byte aligned: requests of at most MAX_BYTES. */
  const rowsDma = (into: Dma, rows: number, rowBytes: number): void => {
    const perRow = ceilDiv(rowBytes, maxBytes);
    into.requests += rows * perRow;
    into.beats += rows * (Math.floor(rowBytes / maxBytes) * ceilDiv(maxBytes, bus) + ceilDiv(rowBytes % maxBytes, bus));
  };
  const readCycles = (x: Dma): number => (x.requests === 0 ? 0 : Math.max(x.requests, x.beats, (x.requests * latency + x.beats) / window));
  const writeCycles = (x: Dma): number => (x.requests === 0 ? 0 : Math.max(x.beats, (x.requests * latency + x.beats) / window));

  // Rows of block b of a size split into blocks of `step` (the last may be partial).
  const extent = (b: number, size: number, step: number): number => Math.min(step, size - b * step);
  // Blocks in tile `t` of `tile` blocks out of `total`.
  const blocksIn = (tt: number, tile: number, total: number): number => Math.min(tile, total - tt * tile);

  /** A K group of a step: its computes, and the loads of its A and B blocks. */
  interface Group {
    readonly kBlocks: number;
    readonly exec: number;
    readonly load: Dma;
    readonly commands: number;
  }

  /** The K groups of step (i, j, k), and its output tile's bias and stores (issued during the step after it). */
  const step = (i: number, j: number, k: number): { groups: Group[]; store: Dma; biasLoad: Dma; tileCommands: number } => {
    const [tiH, tjH, tkH] = [blocksIn(i, ti, mb), blocksIn(j, tj, nb), blocksIn(k, tk, kb)];
    let rowsI = 0;
    for (let ii = 0; ii < tiH; ii++) rowsI += extent(i * ti + ii, shape.m, d);
    // Execute: per (kk, jj), the first compute streams A's rows beside the new weights, the others A's rows.
    let perColumn = 0;
    for (let ii = 1; ii < tiH; ii++) perColumn += Math.max(extent(i * ti + ii, shape.m, d), minRows);
    const first = extent(i * ti, shape.m, d);
    const loadsA = reused === 'a' ? j === 0 : true;
    const loadsB = reused === 'b' ? i === 0 : true;
    const groups: Group[] = [];
    for (let g = 0; g < tkH; g += kGroup) {
      const blocks = Math.min(tkH - g, kGroup);
      let exec = 0;
      const load: Dma = { requests: 0, beats: 0 };
      let commands = 2 * blocks * tjH * tiH;
      const lastK = k * tk + g + blocks === kb;
      if (loadsA) {
        rowsDma(load, rowsI, blocks * dk - (lastK ? kb * dk - shape.k : 0));
        commands += tiH;
      }
      for (let kk = g; kk < g + blocks; kk++) {
        const kRows = extent(k * tk + kk, shape.k, dk);
        if (t.dataflow === 'ws') exec += tjH * ((sharedBank ? first + kRows : Math.max(first, kRows, minRows)) + perColumn);
        else exec += tjH * tiH * Math.max(d, minRows); // OS: B streams beside A, both about DIM rows
        if (loadsB)
          for (let jg = 0; jg < tjH; jg += mbl) {
            const cols = Math.min(tjH - jg, mbl) * d - (j * tj + Math.min(tjH, jg + mbl) === nb ? nb * d - shape.n : 0);
            rowsDma(load, kRows, cols);
            commands++;
          }
      }
      groups.push({ kBlocks: blocks, exec, load, commands });
    }
    // The output tile's bias (i32 rows) and its stores.
    const biasLoad: Dma = { requests: 0, beats: 0 };
    const store: Dma = { requests: 0, beats: 0 };
    let tileCommands = 0;
    if (k === kt - 1) {
      for (let ug = 0; ug < tjH; ug += storeGroup) {
        const blocks = Math.min(storeGroup, tjH - ug);
        const cols = blocks * d - (j * tj + ug + blocks === nb ? nb * d - shape.n : 0);
        rowsDma(store, rowsI, cols * shape.outBytes);
        tileCommands += tiH;
        if (shape.bias !== 'none')
          for (let bg = 0; bg < blocks; bg += biasGroup) {
            const bBlocks = Math.min(biasGroup, blocks - bg);
            const bCols = bBlocks * d - (j * tj + ug + bg + bBlocks === nb ? nb * d - shape.n : 0);
            rowsDma(biasLoad, rowsI, 4 * bCols);
            tileCommands += tiH;
          }
      }
    }
    return { groups, store, biasLoad, tileCommands };
  };

  // Step classes: first, interior and last tile along each axis, with how many steps each stands for.
  const classes = (count: number): [number, number][] => (count === 1 ? [[0, 1]] : count === 2 ? [[0, 1], [1, 1]] : [[0, 1], [1, count - 2], [count - 1, 1]]);
  const pipelined = placement.copies === 2 && mt * nt * kt > 1;
  const plus = (a: Dma, b: Dma, share = 1): Dma => ({ requests: a.requests + b.requests * share, beats: a.beats + b.beats * share });
  const none: Dma = { requests: 0, beats: 0 };
  let cycles = 0;
  let fill = 0;
  let drain = 0;
  for (const [i, ci] of classes(mt))
    for (const [j, cj] of classes(nt))
      for (const [k, ck] of classes(kt)) {
        const s = step(i, j, k);
        const gs = s.groups;
        let stepCycles = 0;
        if (pipelined) {
          // Group g computes while the next group's loads (the next step's
          // first: about this one's) stream in; a first step (k = 0) also
          // adds the bias and stores the previous output tile (about this
          // one's) over its groups, in proportion to their K blocks.
          const prevTile = k === 0 ? step(i, j, kt - 1) : undefined;
          const tkH = gs.reduce((x, g) => x + g.kBlocks, 0);
          gs.forEach((g, at) => {
            const share = g.kBlocks / tkH;
            const next = gs[(at + 1) % gs.length];
            const reads = readCycles(plus(next.load, prevTile ? prevTile.biasLoad : none, share));
            const writes = prevTile ? writeCycles(plus(none, prevTile.store, share)) : 0;
            const commands = g.commands + (prevTile ? prevTile.tileCommands * share : 0);
            stepCycles += Math.max(g.exec, reads, writes, commands * host);
          });
        } else {
          // One copy: the first group loads before the computes; the bias and stores (last K step) after them.
          stepCycles = readCycles(gs[0].load) + latency;
          gs.forEach((g, at) => (stepCycles += Math.max(g.exec, at + 1 < gs.length ? readCycles(gs[at + 1].load) : 0, g.commands * host)));
          if (k === kt - 1) stepCycles += readCycles(s.biasLoad) + writeCycles(s.store) + s.tileCommands * host + latency + 3 * d;
        }
        cycles += stepCycles * ci * cj * ck;
        if (i === 0 && j === 0 && k === 0) fill = readCycles(gs[0].load) + latency;
        if (i === mt - 1 && j === nt - 1 && k === kt - 1) drain = readCycles(s.biasLoad) + writeCycles(s.store) + latency + 3 * d + 3;
      }
  return pipelined ? fill + cycles + drain : cycles;
}
