// A sweep over memory timing (latency, requests in flight) compiles the same
// gemms with the same tilings again and again: the closed form's step
// layouts, the tilings' statements, their compiled form and their counts are
// kept by what they are built from (passes/target.ts codegenKey). Here: a
// point costed after its neighbours (caches warm) gets exactly what it got
// first (this file's module state starts empty), and what memory timing
// changes still changes. Over scratchpad sizes the layouts and the
// estimates of relocatable placements are shared (scheduleKey): each point of
// such a sweep gets what it gets alone, from a fresh copy of the modules.

import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { compileSource } from '../frontend/frontend.js';
import { validateConfig, type GemminiConfig } from '../gemmini/config.js';
import { getPreset } from '../gemmini/presets.js';
import { typeMap, type TensorOp } from '../ir/tensor-ir.js';
import type { TensorType } from '../ir/types.js';
import { gemmStatements } from '../passes/emit-instructions.js';
import { relocatable, rowsPlacement } from '../passes/map-memory.js';
import { rowsScheduleEstimator, gemmShapeOf } from '../passes/schedule-estimate.js';
import { codegenKey, gemminiTarget, scheduleKey } from '../passes/target.js';
import { candidateTilings } from '../passes/tile.js';

const conv = (() => {
  const path = new URL('../examples/resnet50_conv3x3.tc', import.meta.url);
  const r = compileSource('resnet50_conv3x3.tc', readFileSync(path, 'utf8'));
  if (!r.func) throw new Error('the example does not compile');
  return r.func;
})();

function config(fields: Partial<GemminiConfig>): GemminiConfig {
  const { config: c, errors } = validateConfig({ ...getPreset('default').config, ...fields });
  if (!c) throw new Error(errors.map((e) => e.message).join('; '));
  return c;
}

const build = (c: GemminiConfig) => {
  const b = compileForGemmini(conv, c, undefined, undefined, { verifyInstructions: false, emitC: false });
  const gemm = b.mapped?.body.find((o) => o.kind === 'gemm');
  return { estimate: b.estimate, tiling: gemm?.kind === 'gemm' ? gemm.tiling : undefined, placement: gemm?.kind === 'gemm' ? gemm.placement : undefined };
};

describe('caches across a sweep over memory timing', () => {
  // DIM 8: thousands of candidate tilings, memory bound at high latency.
  const point = config({ dim: 8, scratchpadKiB: 128, memLatencyCycles: 300, maxInFlightRequests: 4 });
  const first = build(point); // before any neighbour: every cache empty

  it('keys on the configuration less its name and memory timing', () => {
    const key = codegenKey(gemminiTarget(point));
    expect(codegenKey(gemminiTarget(config({ dim: 8, scratchpadKiB: 128, name: 'other', memLatencyCycles: 50, maxInFlightRequests: 32, ldReservationEntries: 2 })))).toBe(key);
    expect(codegenKey(gemminiTarget(config({ dim: 8, scratchpadKiB: 256, memLatencyCycles: 300, maxInFlightRequests: 4 })))).not.toBe(key);
    expect(codegenKey(gemminiTarget(config({ dim: 16, scratchpadKiB: 128, memLatencyCycles: 300, maxInFlightRequests: 4 })))).not.toBe(key);
  });

  it('gives a point costed after its neighbours exactly what it got first', () => {
    const neighbours = [25, 100, 200, 400].flatMap((memLatencyCycles) => [4, 16].map((maxInFlightRequests) => build(config({ dim: 8, scratchpadKiB: 128, memLatencyCycles, maxInFlightRequests }))));
    expect(neighbours.every((n) => n.estimate !== undefined)).toBe(true);
    const again = build(point);
    expect(again).toEqual(first);
  });

  it('still lets memory timing change the cycles, and the counts only with the tiling', () => {
    const fast = build(config({ dim: 8, scratchpadKiB: 128, memLatencyCycles: 25, maxInFlightRequests: 32 }));
    expect(fast.estimate!.cycles).toBeLessThan(first.estimate!.cycles);
    if (JSON.stringify([fast.tiling, fast.placement]) === JSON.stringify([first.tiling, first.placement])) {
      expect(fast.estimate!.instructions).toEqual(first.estimate!.instructions);
      expect(fast.estimate!.dramBytesRead).toBe(first.estimate!.dramBytesRead);
    }
  });

  it('ranks tilings alike from a warm layout cache, and by the latency it is given', () => {
    const f = compileForGemmini(conv, point, undefined, undefined, { verifyInstructions: false, emitC: false }).mapped!;
    const types = typeMap(f);
    const typeOf = (n: string): TensorType => types.get(n) as TensorType;
    const op = f.body.find((o): o is Extract<TensorOp, { kind: 'gemm' }> => o.kind === 'gemm')!;
    const shape = gemmShapeOf(op, typeOf);
    const rank = (c: GemminiConfig): number[] => {
      const target = gemminiTarget(c);
      const estimate = rowsScheduleEstimator(shape, target);
      return candidateTilings(shape.m, shape.n, shape.k, target).map((t) => estimate(t, rowsPlacement(t, target)));
    };
    const slow = rank(point);
    const quick = rank(config({ dim: 8, scratchpadKiB: 128, memLatencyCycles: 25, maxInFlightRequests: 32 }));
    expect(rank(point)).toEqual(slow);
    expect(quick.length).toBe(slow.length);
    expect(quick.filter((q, i) => q < slow[i]).length).toBeGreaterThan(slow.length / 2);
  });

  it('hands out the same statements for the same gemm and tiling, and new ones when the scratchpad changes', () => {
    const f = compileForGemmini(conv, point, undefined, undefined, { verifyInstructions: false, emitC: false }).mapped!;
    const types = typeMap(f);
    const typeOf = (n: string): TensorType => types.get(n) as TensorType;
    const op = f.body.find((o): o is Extract<TensorOp, { kind: 'gemm' }> => o.kind === 'gemm')!;
    const statements = (c: GemminiConfig) => gemmStatements(op, op.tiling!, op.placement!, typeOf, gemminiTarget(c));
    const here = statements(point);
    expect(statements(config({ dim: 8, scratchpadKiB: 128, memLatencyCycles: 25, maxInFlightRequests: 32 }))).toBe(here);
    const larger = statements(config({ dim: 8, scratchpadKiB: 256, memLatencyCycles: 300, maxInFlightRequests: 4 }));
    expect(larger).not.toBe(here);
  });
});

describe('caches across a sweep over scratchpad sizes', () => {
  const example = (name: string) => {
    const r = compileSource(name, readFileSync(new URL(`../examples/${name}`, import.meta.url), 'utf8'));
    if (!r.func) throw new Error(`${name} does not compile`);
    return r.func;
  };
  const [gemm, odd] = [example('gemm.tc'), example('gemm_odd.tc')];
  // DIM 8 (thousands of tilings), single- and dual-ported scratchpads, and 2
  // banks: at 8 KiB gemm_odd's B shares A's bank on DIM 16, where a key
  // without the bank size would hand the larger sizes its estimate.
  const points = [8, 16, 32, 128, 512].flatMap((scratchpadKiB) =>
    [
      { f: odd, fields: { dim: 16, scratchpadKiB, scratchpadBanks: 2 } },
      { f: conv, fields: { dim: 8, scratchpadKiB, scratchpadBanks: 2 } },
      { f: gemm, fields: { dim: 8, scratchpadKiB } },
      { f: gemm, fields: { dim: 16, scratchpadKiB, scratchpadSinglePorted: false, memLatencyCycles: 200 } },
    ].map((p) => ({ ...p, config: config(p.fields) })),
  );
  const summary = (b: ReturnType<typeof compileForGemmini>) => ({
    estimate: b.estimate,
    gemms: b.mapped?.body.filter((o) => o.kind === 'gemm').map((o) => (o.kind === 'gemm' ? [o.tiling, o.placement] : [])),
  });

  it('keys layouts and relocatable estimates on the configuration less its capacities', () => {
    const target = gemminiTarget(config({ dim: 8, scratchpadKiB: 128 }));
    expect(scheduleKey(gemminiTarget(config({ dim: 8, scratchpadKiB: 16, accumulatorKiB: 32 })))).toBe(scheduleKey(target));
    expect(scheduleKey(gemminiTarget(config({ dim: 8, scratchpadKiB: 128, scratchpadBanks: 2 })))).not.toBe(scheduleKey(target));
    const t = { tileM: 32, tileN: 32, tileK: 64, order: 'ijk', dataflow: 'ws' } as const;
    const rows = rowsPlacement(t, target);
    expect(rows).toMatchObject({ kind: 'rows', copies: 2 });
    expect(relocatable(t, rows, target)).toBe(true);
    // B right after A in A's bank: which rows share it depends on the bank size.
    expect(relocatable(t, { ...rows, bRow: rows.bRow - 1 }, target)).toBe(false);
    expect(relocatable(t, { kind: 'loop_ws' }, target)).toBe(false);
  });

  it('gives every point what it gets alone, from fresh modules', async () => {
    const shared = points.map((p) => summary(compileForGemmini(p.f, p.config, undefined, undefined, { verifyInstructions: false, emitC: false })));
    for (const [i, p] of points.entries()) {
      vi.resetModules();
      const fresh = (await import('../cli/gemmini-driver.js')) as typeof import('../cli/gemmini-driver.js');
      expect(summary(fresh.compileForGemmini(p.f, p.config, undefined, undefined, { verifyInstructions: false, emitC: false })), JSON.stringify(p.fields)).toEqual(shared[i]);
    }
    // The sweep did share: some tilings recur across the sizes (their placements differ in where B sits).
    const tilings = shared.map((s, i) => JSON.stringify([points[i].fields.dim, points[i].f.name, s.gemms?.map(([t]) => t)]));
    expect(new Set(tilings).size).toBeLessThan(tilings.length);
  }, 60_000);
});

describe('the closed form on a target with both dataflows', () => {
  it('keeps the layouts of the two dataflows apart', async () => {
    // One scratchpad bank: B always shares A's, which WS pays for and OS does not alike.
    const target = gemminiTarget(config({ dim: 16, scratchpadKiB: 64, scratchpadBanks: 1 }));
    const shape = { m: 200, n: 120, k: 160, bias: 'row', outBytes: 1 } as const;
    const rank = (estimator: typeof rowsScheduleEstimator, dataflow: 'ws' | 'os'): number[] => {
      const estimate = estimator(shape, target);
      return candidateTilings(shape.m, shape.n, shape.k, target, dataflow).map((t) => estimate(t, rowsPlacement(t, target)));
    };
    const ws = rank(rowsScheduleEstimator, 'ws');
    const os = rank(rowsScheduleEstimator, 'os');
    expect(os).not.toEqual(ws);
    vi.resetModules();
    const fresh = (await import('../passes/schedule-estimate.js')) as typeof import('../passes/schedule-estimate.js');
    expect(rank(fresh.rowsScheduleEstimator, 'os')).toEqual(os);
  });
});
