// How well the tile step's closed-form estimate (passes/schedule-estimate.ts)
// stands in for the analytical model of Gemmini (gemmini/cost.ts) when it
// ranks candidate tilings, and what that costs in the cycles of the tiling
// tc picks. For each gemm of each workload and preset: the best `top`
// candidate tilings by the closed form are also costed by the analytical
// model (tc's explicit schedule); the table gives the closed form's |error|
// against it (median, max), the analytical cycles of the best of them and of
// the tiling the tile step chose (which weighs loop_ws too), and the time of
// one closed-form and one analytical estimate.
//
//   npm run build && node dist/bench/tile-choice.js [--top N]

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSource } from '../frontend/frontend.js';
import { estimateStatements } from '../gemmini/cost.js';
import { getPreset } from '../gemmini/presets.js';
import { Diagnostics } from '../ir/diagnostics.js';
import { type TensorFunc, type TensorOp, typeMap } from '../ir/tensor-ir.js';
import { DTYPE_BYTES, type TensorType } from '../ir/types.js';
import { gemmStatements } from '../passes/emit-instructions.js';
import { placeGemm, rowsPlacement } from '../passes/map-memory.js';
import { runGemminiPipeline } from '../passes/pipeline.js';
import { gemmShapeOf, rowsScheduleEstimator } from '../passes/schedule-estimate.js';
import { gemminiTarget } from '../passes/target.js';
import { candidateTilings } from '../passes/tile.js';
import { median, table } from './stats.js';

export interface TileChoiceOutcome {
  readonly label: string;
  /** |closed form − analytical| / analytical over the candidates, sorted. */
  readonly errors: readonly number[];
  /** Analytical cycles of the best candidate (explicit schedule) and of the tile step's pick (its best placement). */
  readonly bestCycles: number;
  readonly chosenCycles: number;
  readonly closedFormUs: number;
  readonly analyticalMs: number;
}

export function tileChoice(file: string, presetName: string, top: number): TileChoiceOutcome[] {
  const config = getPreset(presetName)!.config;
  const target = gemminiTarget(config);
  const path = join('examples', file); // run from the repository root, as the other benches
  const func = compileSource(path, readFileSync(path, 'utf8')).func!;
  const log = new Diagnostics();
  const tiled = runGemminiPipeline(func, target, log).stages.get('tile') as TensorFunc;
  if (log.hasErrors) throw new Error(`${file} on ${presetName}: ${log.items.map((d) => d.message).join('; ')}`);
  const types = typeMap(tiled);
  const typeOf = (name: string): TensorType => types.get(name) as TensorType;
  const bytesOf = (name: string): number => DTYPE_BYTES[typeOf(name).dtype];
  const out: TileChoiceOutcome[] = [];
  for (const op of tiled.body) {
    if (op.kind !== 'gemm') continue;
    const shape = gemmShapeOf(op, typeOf);
    const { m, n, k } = shape;
    let closedTime = 0;
    const estimate = rowsScheduleEstimator(shape, target);
    const ranked = candidateTilings(m, n, k, target, op.tiling!.dataflow)
      .map((c) => {
        const t0 = performance.now();
        const quick = estimate(c, rowsPlacement(c, target));
        closedTime += performance.now() - t0;
        return { c, quick };
      })
      .sort((x, y) => x.quick - y.quick);
    const closedFormUs = (closedTime / ranked.length) * 1000;
    let fullTime = 0;
    const costed = ranked.slice(0, top).map(({ c, quick }) => {
      const t0 = performance.now();
      const full = estimateStatements(gemmStatements(op as Extract<TensorOp, { kind: 'gemm' }>, c, rowsPlacement(c, target), typeOf, target), config, bytesOf).cycles;
      fullTime += performance.now() - t0;
      return { quick, full };
    });
    const chosen = placeGemm(op, op.tiling!, typeOf, target).estimate.cycles;
    out.push({
      label: `${file} ${m}x${k}x${n} on ${presetName}`,
      errors: costed.map((x) => Math.abs(x.quick - x.full) / x.full).sort((a, b) => a - b),
      bestCycles: Math.min(...costed.map((x) => x.full)),
      chosenCycles: chosen,
      closedFormUs,
      analyticalMs: fullTime / costed.length,
    });
  }
  return out;
}

export const TILE_CHOICE_CASES: readonly (readonly [string, string])[] = [
  ['gemm.tc', 'default'],
  ['gemm_skinny.tc', 'default'],
  ['resnet50_conv3x3.tc', 'default'],
  ['resnet50_conv1x1.tc', 'default'],
  ['mobilenet_pointwise.tc', 'default'],
  ['mlp.tc', 'default'],
  ['gemm.tc', 'dim32'],
  ['resnet50_conv3x3.tc', 'dim32'],
  ['gemm.tc', 'dim4'],
  ['mlp.tc', 'chip'],
];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--top');
  const top = at > 0 ? Number(process.argv[at + 1]) : 12;
  const rows: string[][] = [];
  const all: number[] = [];
  for (const [file, preset] of TILE_CHOICE_CASES)
    for (const o of tileChoice(file, preset, top)) {
      all.push(...o.errors);
      rows.push([
        o.label,
        `${(100 * median([...o.errors])).toFixed(1)}%`,
        `${(100 * o.errors[o.errors.length - 1]).toFixed(1)}%`,
        String(o.bestCycles),
        String(o.chosenCycles),
        `${(100 * (o.chosenCycles / o.bestCycles - 1)).toFixed(1)}%`,
        o.closedFormUs.toFixed(0),
        o.analyticalMs.toFixed(1),
      ]);
    }
  console.log(`closed-form estimate vs analytical model, best ${top} candidates by the closed form (explicit schedule)`);
  console.log(table(['gemm', 'median |err|', 'max |err|', `best of ${top}`, 'tc picks', 'vs best', 'closed form us', 'analytical ms'], rows));
  console.log(`all candidates: median |error| ${(100 * median(all)).toFixed(1)}%`);
}
