// The target description: the only thing the shared passes know of the
// hardware. For Gemmini it comes from a validated configuration.

import { derivedParams, type GemminiConfig } from '../gemmini/config.js';

export interface GemminiTarget {
  readonly kind: 'gemmini';
  readonly name: string;
  /** Mesh rows = cols; one scratchpad row holds DIM input elements. */
  readonly dim: number;
  readonly scratchpadRows: number;
  /** Rows of one scratchpad bank; each bank has one port (Configs.scala sp_singleported). */
  readonly scratchpadBankRows: number;
  readonly accumulatorRows: number;
  /** Blocks of DIM columns one mvin moves into the scratchpad / accumulator. */
  readonly maxBlockLen: number;
  readonly maxBlockLenAcc: number;
  readonly maxMvinColsSp: number;
  readonly maxMvinColsAcc: number;
  readonly dataflows: readonly ('ws' | 'os')[];
  readonly hasRelu: boolean;
  /** Gemmini's hardware matmul unroller (LoopMatmul.scala). */
  readonly hasLoopWs: boolean;
  /** Width of the partial sums inside the mesh (Configs.scala spatialArrayOutputType). */
  readonly spatialOutputBits: number;
  /**
   * Elements of K one compute may sum: DIM, unless DIM int8 x int8 products
   * could leave the mesh's partial-sum width (a DIM-32 mesh with 20-bit sums:
   * 32 * 128 * 128 = 2^19 does not fit), then fewer, so results stay exact.
   */
  readonly kStep: number;
  readonly config: GemminiConfig;
}

export function gemminiTarget(config: GemminiConfig): GemminiTarget {
  const p = derivedParams(config);
  return {
    kind: 'gemmini',
    name: config.name,
    dim: p.DIM,
    scratchpadRows: p.SP_ROWS,
    scratchpadBankRows: p.BANK_ROWS,
    accumulatorRows: p.ACC_ROWS,
    maxBlockLen: p.MAX_BLOCK_LEN,
    maxBlockLenAcc: p.MAX_BLOCK_LEN_ACC,
    maxMvinColsSp: p.DIM * p.MAX_BLOCK_LEN,
    maxMvinColsAcc: p.DIM * p.MAX_BLOCK_LEN_ACC,
    dataflows: config.dataflow === 'both' ? ['ws', 'os'] : config.dataflow === 'WS' ? ['ws'] : ['os'],
    hasRelu: config.activations.includes('relu'),
    hasLoopWs: config.hasLoopWs,
    spatialOutputBits: config.spatialArrayOutputBits,
    kStep: Math.min(p.DIM, Math.floor((2 ** (config.spatialArrayOutputBits - 1) - 1) / (128 * 128))),
    config,
  };
}

const codegenKeys = new WeakMap<GemminiTarget, string>();

/**
 * What instructions for this target are built from: its configuration less
 * its name and the parameters only timing reads (memory latency, requests in
 * flight, reservation-station entries). For a given tiling, targets with
 * equal keys get the same instructions; caches across a sweep's points key on it.
 */
export function codegenKey(target: GemminiTarget): string {
  let key = codegenKeys.get(target);
  if (key === undefined) {
    const { name: _name, description: _description, memLatencyCycles: _latency, maxInFlightRequests: _window, ldReservationEntries: _ld, exReservationEntries: _ex, stReservationEntries: _st, ...built } = target.config;
    key = JSON.stringify(built);
    codegenKeys.set(target, key);
  }
  return key;
}

const scheduleKeys = new WeakMap<GemminiTarget, string>();

/**
 * codegenKey less the memories' capacities: what tc's rows schedule is built
 * from apart from where its buffers sit. Its closed-form estimate reads no
 * capacity, and its timing reads one only through which rows share a bank
 * (map-memory.ts relocatable), so a sweep over scratchpad sizes shares them.
 */
export function scheduleKey(target: GemminiTarget): string {
  let key = scheduleKeys.get(target);
  if (key === undefined) {
    const { scratchpadKiB: _sp, accumulatorKiB: _acc, ...rest } = JSON.parse(codegenKey(target)) as Record<string, unknown>;
    key = JSON.stringify(rest);
    scheduleKeys.set(target, key);
  }
  return key;
}

/** The parameters only timing reads (the other half of codegenKey). */
export function timingKey(target: GemminiTarget): string {
  const c = target.config;
  return JSON.stringify([c.memLatencyCycles, c.maxInFlightRequests, c.ldReservationEntries, c.exReservationEntries, c.stReservationEntries]);
}
