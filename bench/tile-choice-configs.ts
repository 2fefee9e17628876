// What the tile step's shortlist costs across the design space a sweep
// explores. The tile step ranks every tiling by a closed-form estimate and
// costs only the best few (SHORTLIST in passes/tile.ts) with the analytical
// model. Here six workloads are compiled on a grid of configurations (DIM ×
// scratchpad × memory latency around the default preset) with shortlists of
// 1, 2 and 4 tile sizes, and each compiled program is estimated by the
// analytical model (gemmini/cost.ts). The table gives, per shortlist, how
// much slower its picks are than a 4-candidate search; then how often a
// larger scratchpad makes tc's default pick slower (a sweep curve going the
// wrong way), and the compile time per point.
//
//   npm run build && node dist/bench/tile-choice-configs.js

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSource } from '../frontend/frontend.js';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { validateConfig } from '../gemmini/config.js';
import { estimateProgram } from '../gemmini/cost.js';
import { getPreset } from '../gemmini/presets.js';
import { median, table } from './stats.js';

const WORKLOADS = ['gemm.tc', 'gemm_skinny.tc', 'mlp.tc', 'resnet50_conv3x3.tc', 'resnet50_conv1x1.tc', 'mobilenet_pointwise.tc'];
const DIMS = [4, 8, 16, 32, 64];
const SCRATCHPAD_KIB = [8, 32, 128, 512];
const LATENCIES = [50, 100, 300];
const SHORTLISTS = [1, 2, 4];

interface Point {
  readonly key: string;
  /** The configuration but its scratchpad, for the monotonicity check. */
  readonly series: string;
  readonly scratchpadKiB: number;
  /** Predicted cycles per shortlist. */
  readonly cycles: Map<number, number>;
  readonly compileMs: number;
}

const base = getPreset('default')!.config;
const funcs = WORKLOADS.map((file) => {
  const path = join('examples', file); // run from the repository root, as the other benches
  return { file, func: compileSource(path, readFileSync(path, 'utf8')).func! };
});
const points: Point[] = [];
for (const dim of DIMS)
  for (const scratchpadKiB of SCRATCHPAD_KIB)
    for (const memLatencyCycles of LATENCIES)
      for (const { file, func } of funcs) {
        const { config } = validateConfig({ ...base, name: `dim${dim}-sp${scratchpadKiB}-lat${memLatencyCycles}`, dim, scratchpadKiB, memLatencyCycles });
        if (!config) continue; // e.g. DIM 64 rows do not fit 8 KiB in 4 banks
        const cycles = new Map<number, number>();
        let compileMs = 0;
        for (const shortlist of SHORTLISTS) {
          const t0 = performance.now();
          const build = compileForGemmini(func, config, undefined, undefined, { shortlist, verifyInstructions: false });
          if (shortlist === 2) compileMs = performance.now() - t0;
          if (build.program) cycles.set(shortlist, estimateProgram(build.program, config).cycles);
        }
        if (cycles.size === SHORTLISTS.length)
          points.push({ key: `${file} DIM ${dim} ${scratchpadKiB} KiB latency ${memLatencyCycles}`, series: `${file} ${dim} ${memLatencyCycles}`, scratchpadKiB, cycles, compileMs });
      }

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const rows = SHORTLISTS.filter((s) => s !== 4).map((s) => {
  const loss = points.map((p) => p.cycles.get(s)! / p.cycles.get(4)! - 1);
  const worst = points[loss.indexOf(Math.max(...loss))];
  return [
    String(s),
    pct(loss.reduce((a, b) => a + b, 0) / loss.length),
    pct(Math.max(...loss)),
    String(loss.filter((x) => x > 0.01).length),
    String(loss.filter((x) => x > 0.05).length),
    worst.key,
  ];
});
console.log(`${points.length} compiled points: ${WORKLOADS.length} workloads × DIM {${DIMS}} × scratchpad {${SCRATCHPAD_KIB}} KiB × latency {${LATENCIES}}, default preset otherwise`);
console.log(table(['shortlist', 'mean vs 4', 'max vs 4', '> 1% slower', '> 5% slower', 'worst'], rows));

// A larger scratchpad should never make tc's pick slower; count the steps where it does.
let steps = 0;
const wrongWay: string[] = [];
const bySeries = new Map<string, Point[]>();
for (const p of points) bySeries.set(p.series, [...(bySeries.get(p.series) ?? []), p]);
for (const series of bySeries.values()) {
  series.sort((a, b) => a.scratchpadKiB - b.scratchpadKiB);
  for (let i = 1; i < series.length; i++) {
    steps++;
    const [before, after] = [series[i - 1].cycles.get(2)!, series[i].cycles.get(2)!];
    if (after > before * 1.005) wrongWay.push(`${series[i].key}: ${pct(after / before - 1)} slower than at ${series[i - 1].scratchpadKiB} KiB`);
  }
}
console.log(`\nscratchpad steps where tc's pick gets more than 0.5% slower: ${wrongWay.length} of ${steps}`);
for (const w of wrongWay) console.log(`  ${w}`);
console.log(`\ncompile time per point (shortlist 2, no instruction verifier): median ${median(points.map((p) => p.compileMs)).toFixed(1)} ms`);
