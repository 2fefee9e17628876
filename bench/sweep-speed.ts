// How fast `tc sweep` is (issue 6's speed bar), and what its report looks like.
//
//   npx tsc -p . && node cli/copy-assets.mjs && node dist/bench/sweep-speed.js [--no-screenshot] [--skip-large]
//
// The 64-point sweep is examples/sweeps/dim-and-spad.json: DIM {8, 16, 32, 64}
// × scratchpad {8 .. 1024 KiB} over the default GEMM (256³) and the ResNet-50
// 3×3 convolution; 2 of its 64 points (DIM 64 with 8 KiB) are invalid
// configurations and are skipped in well under a millisecond, the other 62 are
// built, run and checked (host) or estimated (analytical). Each measurement is
// a fresh `node dist/cli/tc.js sweep` process writing into an empty output
// folder, on all cores, as a user runs it:
//   - "sweep": points / the time from the first point to the last record
//     (tc's own "this run" figure);
//   - "process": points / the process's wall time, start-up and report included.
// Host model, cold: an empty host-model cache (TC_CACHE_DIR), so each of the 32
// configurations compiles its model object once; warm: the same cache again
// (median of 3). Analytical, 64 points: median of 5, on one thread (tc's
// choice below 256 points); 4096 points: the same grid × memLatencyCycles ×
// maxInFlightRequests on all cores, the steady state (median of 3). The
// machine may be shared: single runs jitter, hence the medians (the range is
// printed).
// Targets: ≥ 60 host points/min, ≥ 10,000 analytical points/min.
//
// Then opens the host sweep's report.html in headless Chromium (Debian package
// chromium; CHROMIUM=path overrides) and saves screenshots of its top and of
// the whole page to out/bench/sweep-speed/.

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './stats.js';

const argv = process.argv.slice(2);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const tcBin = join(repo, 'dist/cli/tc.js');
// The flags the bin's first line gives node (`#!/usr/bin/env -S node FLAGS`): the bench runs tc as `tc` runs.
const nodeFlags = /^#!.*\bnode\b(.*)$/m.exec(readFileSync(tcBin, 'utf8').split('\n')[0])?.[1].trim().split(/\s+/).filter(Boolean) ?? [];
const example = join(repo, 'examples/sweeps/dim-and-spad.json');
const artefacts = join(repo, 'out/bench/sweep-speed');
const work = mkdtempSync(join(tmpdir(), 'tc-sweep-speed-'));
mkdirSync(artefacts, { recursive: true });

interface Measured {
  readonly label: string;
  readonly points: number;
  readonly sweepS: number;
  readonly processS: number;
  readonly summary: string;
  readonly outDir: string;
}

function sweep(label: string, spec: string, outName: string, extra: string[], env: Record<string, string> = {}): Measured {
  const outDir = join(work, outName);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...nodeFlags, tcBin, 'sweep', spec, '-o', outDir, ...extra], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const processS = (performance.now() - t0) / 1000;
  const m = /this run: (\d+) points in [0-9.]+ s \((\d+) points\/min\)/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`${label}: tc sweep exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const summary = r.stdout.split('\n')[0].replace(/;.*$/, '').replace(/^[^:]+: /, '');
  const points = Number(m[1]);
  // The rate tc prints is of the unrounded time; the seconds it prints are rounded.
  return { label, points, sweepS: (points / Number(m[2])) * 60, processS, summary, outDir };
}

const perMin = (points: number, s: number): string => Math.round((points / s) * 60).toLocaleString('en-US');

/** The run with the median sweep time of `runs` fresh runs (the machine is shared; single runs jitter). */
function medianOf(runs: number, run: (i: number) => Measured): Measured {
  const all = Array.from({ length: runs }, (_, i) => run(i)).sort((a, b) => a.sweepS - b.sweepS);
  const mid = all[all.length >> 1];
  return runs > 1 ? { ...mid, label: `${mid.label} (median of ${runs}, ${perMin(mid.points, all[all.length - 1].sweepS)}..${perMin(mid.points, all[0].sweepS)}/min)` } : mid;
}

const loadBefore = loadavg()[0];
const results: Measured[] = [];
const freshCache = join(work, 'cache');
results.push(sweep('host model, cold model cache', example, 'host-cold', [], { TC_CACHE_DIR: freshCache }));
results.push(medianOf(3, (i) => sweep('host model, warm model cache', example, `host-warm-${i}`, [], { TC_CACHE_DIR: freshCache })));
results.push(medianOf(5, (i) => sweep('analytical', example, `analytical-${i}`, ['--runner', 'analytical'])));
if (!argv.includes('--skip-large')) {
  const spec = JSON.parse(readFileSync(example, 'utf8')) as { name: string; parameters: Record<string, unknown>; workloads: string[] };
  spec.name = 'sweep-speed-4096';
  spec.parameters = { ...spec.parameters, memLatencyCycles: { from: 25, to: 400, step: 25 }, maxInFlightRequests: [4, 8, 16, 32] };
  spec.workloads = spec.workloads.map((w) => resolve(repo, 'examples/sweeps', w));
  const large = join(work, 'large.json');
  writeFileSync(large, JSON.stringify(spec));
  results.push(medianOf(3, (i) => sweep('analytical, 4096 points', large, `analytical-large-${i}`, ['--runner', 'analytical'])));
}

console.log(
  `tc sweep speed on ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; ` +
    `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after (above the core count, other work shared the machine)\n`,
);
console.log(
  table(
    ['sweep', 'points', 'sweep s', 'points/min (sweep)', 'process s', 'points/min (process)', 'outcome'],
    results.map((r) => [r.label, String(r.points), r.sweepS.toFixed(2), perMin(r.points, r.sweepS), r.processS.toFixed(2), perMin(r.points, r.processS), r.summary]),
  ),
);
console.log('\ntargets: host model ≥ 60 points/min; analytical ≥ 10,000 points/min');

// The report, as a browser shows it.
const report = join(results[0].outDir, 'report.html');
copyFileSync(report, join(artefacts, 'report.html'));
copyFileSync(join(results[0].outDir, 'results.csv'), join(artefacts, 'results.csv'));
if (!argv.includes('--no-screenshot')) {
  const chromium = process.env.CHROMIUM ?? ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync('which', [c]).status === 0);
  if (!chromium) console.log('\nno chromium found (Debian: apt-get install chromium); no screenshot');
  else
    for (const [name, height] of [['report-top.png', 2000], ['report-full.png', 3800]] as const) {
      const png = join(artefacts, name);
      const profile = mkdtempSync(join(tmpdir(), 'tc-chromium-'));
      try {
        execFileSync(
          chromium,
          ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
            `--user-data-dir=${profile}`, `--screenshot=${png}`, `--window-size=1400,${height}`, `file://${join(artefacts, 'report.html')}`],
          { stdio: 'ignore', timeout: 60_000 },
        );
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
      console.log(existsSync(png) ? `screenshot: ${png}` : `chromium wrote no ${png}`);
    }
}
console.log(`report: ${join(artefacts, 'report.html')}`);
rmSync(work, { recursive: true, force: true });
