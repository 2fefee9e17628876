// tc sweep: spec checking (errors name the field), grid expansion, shards,
// skipped points and their reasons, the JSONL / CSV shapes, merging shards,
// and the HTML report. Resumption after a kill is test/sweep-resume.test.ts.

import { runTc, runTcAsync, type TcResult } from './helpers/run-tc.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SweepRecord } from '../cli/sweep-point.js';
import { csvHeader, paretoFront, renderHtmlReport } from '../cli/sweep-report.js';
import { expandPoints, inShard, parseShard, parseSweepSpec, type SweepSpec } from '../cli/sweep-spec.js';
import { loadSweep, readRecords } from '../cli/sweep.js';
import { getPreset } from '../gemmini/presets.js';

const dir = mkdtempSync(join(tmpdir(), 'tc-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

write(
  'tiny.tc',
  `let M = 32
let K = 32
let N = 32
def gemm(a: i8[M, K], b: i8[K, N]) -> i32[M, N] {
  return a @ b
}
`,
);

const spec = (name: string, json: object): string => write(`${name}.json`, JSON.stringify({ name, workloads: ['tiny.tc'], ...json }, null, 2));

const tc = (args: string[]): Promise<TcResult> => runTcAsync(args);

const records = (outDir: string, file = 'results.jsonl'): SweepRecord[] => readRecords(join(outDir, file)).records;

function checked(json: unknown): SweepSpec {
  const r = parseSweepSpec(json);
  expect(r.errors).toEqual([]);
  return r.spec!;
}

describe('sweep specs', () => {
  const errorsOf = (json: unknown) => parseSweepSpec(json).errors.map((e) => `${e.path}: ${e.message}`);

  it('names the field of every mistake', () => {
    expect(errorsOf({ name: 's', parameters: { dim: [16] }, workload: ['a.tc'] })).toEqual([
      "workloads: missing required field 'workloads'",
      "workload: unknown field 'workload' (did you mean 'workloads'?)",
    ]);
    expect(errorsOf({ name: 's', parameters: { dim: [16, '32'] }, workloads: ['a.tc'] })).toEqual([
      'parameters.dim[1]: must be one of 2, 4, 8, 16, 32, 64, 128, 256, got "32" (a string)',
    ]);
    expect(errorsOf({ name: 's', parameters: { sp_capacity: [64] }, workloads: ['a.tc'] })[0]).toMatch(
      /^parameters\.sp_capacity: unknown parameter 'sp_capacity' \(did you mean 'scratchpadKiB'\?\)/,
    );
    expect(errorsOf({ name: 's', parameters: { dim: { from: 64, to: 8, times: 2 } }, workloads: ['a.tc'] })).toEqual(['parameters.dim: from (64) must not exceed to (8)']);
    expect(errorsOf({ name: 's', parameters: { dim: { from: 8, to: 64, times: 2, step: 8 } }, workloads: ['a.tc'] })).toEqual([
      'parameters.dim: give step (arithmetic) or times (geometric), not both',
    ]);
    expect(errorsOf({ name: 's', parameters: { dim: { from: 8 } }, workloads: ['a.tc'] })[0]).toMatch(/^parameters\.dim: must be a list of values .* or a range/);
    expect(errorsOf({ name: 's', parameters: { dim: [16] }, workloads: ['a.tc'], runner: 'spike', seeds: [1, 1] })).toEqual([
      'runner: must be one of "host", "analytical", got "spike"',
      'seeds: 1 is listed twice',
    ]);
    expect(errorsOf({ name: 's', parameters: { meshDataflow: ['ws', 'OS'] }, workloads: ['a.tc'] })).toEqual([
      'parameters.meshDataflow[1]: must be "ws" or "os" (the mesh\'s dataflow), got "OS"',
    ]);
    expect(errorsOf({ name: 's', parameters: { dim: [16] }, workloads: ['a.tc'], report: { heatmap: ['dim', 'banks'] } })).toEqual([
      "report.heatmap[1]: 'banks' is not a swept parameter (swept: dim)",
    ]);
    expect(errorsOf({ name: 's', parameters: { dim: [16] }, fixed: { dim: 8 }, workloads: ['a.tc', { file: 'b/a.tc' }] })).toEqual([
      "parameters.dim: 'dim' is both fixed and swept; keep one",
      "workloads[1]: workload name 'a' is also workloads[0]'s; give one of them a \"name\"",
    ]);
    expect(errorsOf([])).toEqual([': a sweep spec must be a JSON object, got a list']);
  });

  it('reports spec errors, unreadable workloads and invalid JSON from the command with exit code 1', async () => {
    const bad = spec('bad', { parameters: { dim: [16], scratchpadKib: [64] } });
    let r = await tc(['sweep', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: error: parameters.scratchpadKib: unknown parameter 'scratchpadKib' (did you mean 'scratchpadKiB'?)`);
    r = await tc(['sweep', spec('missing', { parameters: { dim: [16] }, workloads: ['nope.tc'] })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("workloads[0]: cannot read 'nope.tc'");
    r = await tc(['sweep', write('broken.json', '{"name": "x",\n  "parameters": }')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`broken.json: error: not valid JSON: `);
    r = await tc(['sweep', '--shard', '3/2', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--shard 3/2: I must be between 1 and N');
  });

  it('expands lists and ranges into a grid, first parameter slowest, workloads innermost, with stable ids', () => {
    const s = checked({
      name: 'grid',
      parameters: { dim: { from: 8, to: 32, times: 2 }, memLatencyCycles: { from: 50, to: 150, step: 50 } },
      workloads: ['a.tc', { file: 'a.tc', sizes: { M: 8 } }],
    });
    expect(s.parameters).toEqual([
      { name: 'dim', values: [8, 16, 32] },
      { name: 'memLatencyCycles', values: [50, 100, 150] },
    ]);
    expect(s.workloads.map((w) => w.name)).toEqual(['a', 'a-M8']);
    const base = getPreset('default')!.config;
    const wl = s.workloads.map((w) => ({ ...w, path: w.file, source: 'text' }));
    const points = expandPoints(s, base, wl);
    expect(points).toHaveLength(18);
    expect(points.slice(0, 4).map((p) => [p.params, p.workload])).toEqual([
      [{ dim: 8, memLatencyCycles: 50 }, 0],
      [{ dim: 8, memLatencyCycles: 50 }, 1],
      [{ dim: 8, memLatencyCycles: 100 }, 0],
      [{ dim: 8, memLatencyCycles: 100 }, 1],
    ]);
    expect(points[2].config).toMatchObject({ name: 'grid', dim: 8, memLatencyCycles: 100, scratchpadKiB: 256 });
    expect(new Set(points.map((p) => p.id)).size).toBe(18);
    expect(points[0].configId).toBe(points[1].configId);
    // Same spec, same ids; another seed or another workload text, other ids.
    expect(expandPoints(s, base, wl).map((p) => p.id)).toEqual(points.map((p) => p.id));
    expect(expandPoints({ ...s, seeds: [2] }, base, wl)[0].id).not.toBe(points[0].id);
    expect(expandPoints(s, base, wl.map((w) => ({ ...w, source: 'other' })))[0].id).not.toBe(points[0].id);
  });

  it('draws shards deterministically: disjoint, covering, one configuration per shard', () => {
    const s = checked({ name: 'sh', parameters: { dim: [4, 8, 16, 32], scratchpadKiB: { from: 16, to: 1024, times: 2 } }, workloads: ['a.tc', 'b.tc'] });
    const points = expandPoints(s, getPreset('default')!.config, s.workloads.map((w) => ({ ...w, path: w.file, source: w.file })));
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard('0/3')).toMatch(/between 1 and N/);
    expect(parseShard('2')).toMatch(/expects I\/N/);
    const shards = [1, 2, 3].map((index) => points.filter((p) => inShard(p, { index, count: 3 })).map((p) => p.index));
    expect(shards.flat().sort((a, b) => a - b)).toEqual(points.map((p) => p.index));
    for (const sh of shards) expect(sh.length).toBeGreaterThan(0);
    for (const p of points) expect(shards.findIndex((sh) => sh.includes(p.index))).toBe(shards.findIndex((sh) => sh.includes(points[p.index ^ 1].index)));
    // A second expansion draws the same slices.
    const again = expandPoints(s, getPreset('default')!.config, s.workloads.map((w) => ({ ...w, path: w.file, source: w.file })));
    expect([1, 2, 3].map((index) => again.filter((p) => inShard(p, { index, count: 3 })).map((p) => p.index))).toEqual(shards);
  });
});

describe('tc sweep', () => {
  it('skips invalid configurations and programs a configuration cannot run, with the reasons', async () => {
    const path = spec('skips', {
      base: 'chip', // weight-stationary only
      parameters: { dim: [16, 64], scratchpadKiB: [8, 64], meshDataflow: ['ws', 'os'] },
      runner: 'analytical',
    });
    const out = join(dir, 'skips-out');
    const r = await tc(['sweep', path, '-o', out]);
    expect(r.stderr).toContain("sweep 'skips': 8 points, analytical runner, 8 to run on 1 thread");
    expect(r.stdout).toContain('skips: 8/8 points done: 3 estimated, 0 FAIL, 5 skipped, 0 error');
    expect(r.code).toBe(0);
    const byKey = new Map(records(out).map((x) => [`${x.params.dim}/${x.params.scratchpadKiB}/${x.params.meshDataflow}`, x]));
    expect(byKey.size).toBe(8);
    for (const df of ['ws', 'os'])
      expect(byKey.get(`64/8/${df}`)).toMatchObject({
        status: 'skipped',
        reason: 'invalid configuration: scratchpadKiB: 8 KiB holds 128 rows of 64 bytes (DIM 64 × int8), too small for one 64×64 tile each of A, B and C (192 rows, 12 KiB)',
      });
    for (const key of ['16/8/os', '16/64/os', '64/64/os'])
      expect(byKey.get(key)).toMatchObject({
        status: 'skipped',
        reason: "does not compile for this configuration: configuration 'skips' has no output-stationary (os) dataflow; it has weight-stationary (ws)",
      });
    for (const key of ['16/8/ws', '16/64/ws', '64/64/ws']) {
      const x = byKey.get(key)!;
      expect(x.status).toBe('estimated');
      expect(x.cycles).toBeGreaterThan(0);
      expect(x.dataflow).toBe('ws');
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Skipped points (5)');
    expect(html).toContain('has no output-stationary (os) dataflow');
  });

  it('runs points on the host model, checks every seed, and writes JSONL and CSV of the documented shape', async () => {
    const path = spec('host', { parameters: { dim: [8, 16] }, seeds: [1, 7] });
    const out = join(dir, 'host-out');
    const r = await tc(['sweep', path, '-o', out, '-j', '2']);
    expect(r.stdout).toContain('host: 2/2 points done: 2 PASS, 0 FAIL, 0 skipped, 0 error');
    expect(r.code).toBe(0);
    const lines = readFileSync(join(out, 'results.jsonl'), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(2);
    const recs = lines.map((l) => JSON.parse(l) as SweepRecord).sort((a, b) => a.index - b.index);
    for (const x of recs) {
      expect(x).toMatchObject({ v: 1, workload: 'tiny', runner: 'host', seeds: [1, 7], status: 'pass', dataflow: 'ws', macs: 32 * 32 * 32 });
      expect(Object.keys(x)).toEqual(expect.arrayContaining(['id', 'index', 'configId', 'params', 'cycles', 'utilization', 'dramBytesRead', 'dramBytesWritten', 'loadBusyCycles', 'executeBusyCycles', 'storeBusyCycles', 'scratchpadRowsUsed', 'scratchpadRows', 'accumulatorRowsUsed', 'accumulatorRows', 'peCount', 'sramKiB', 'relativeCost', 'compileMs', 'buildMs', 'runMs', 'wallMs', 'finishedAt']));
      expect(x.utilization).toBeGreaterThan(0);
      expect(x.utilization).toBeLessThanOrEqual(1);
      expect(x.scratchpadRowsUsed).toBeGreaterThan(0);
      expect(x.scratchpadRowsUsed).toBeLessThanOrEqual(x.scratchpadRows!);
      expect(x.accumulatorRowsUsed).toBeLessThanOrEqual(x.accumulatorRows!);
    }
    expect(recs.map((x) => [x.params.dim, x.peCount, x.relativeCost])).toEqual([
      [8, 64, 64 + 256 + 64],
      [16, 256, 256 + 256 + 64],
    ]);
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0].split(',')).toEqual(csvHeader(checked(JSON.parse(readFileSync(path, 'utf8')))));
    expect(csv[0]).toBe(
      'index,id,workload,dim,runner,seeds,status,cycles,utilization,macs,dram_bytes_read,dram_bytes_written,load_busy_cycles,execute_busy_cycles,store_busy_cycles,' +
        'scratchpad_rows_used,scratchpad_rows,accumulator_rows_used,accumulator_rows,pe_count,sram_kib,relative_cost,dataflow,compile_ms,build_ms,run_ms,wall_ms,reason',
    );
    expect(csv).toHaveLength(3);
    const row = csv[1].split(',');
    expect(row.slice(0, 7)).toEqual(['0', recs[0].id, 'tiny', '8', 'host', '1 7', 'pass']);
    expect(Number(row[7])).toBe(recs[0].cycles);
    // Running again resumes: nothing left to run.
    const again = await tc(['sweep', path, '-o', out]);
    expect(again.stderr).toBe('');
    expect(readFileSync(join(out, 'results.jsonl'), 'utf8').split('\n')).toHaveLength(3);
  });

  it('runs shards into separate files; merged, they equal the whole sweep', async () => {
    const path = spec('shards', { parameters: { dim: [4, 8, 16, 32], scratchpadKiB: [32, 64, 128] }, runner: 'analytical' });
    const whole = join(dir, 'shards-whole');
    await tc(['sweep', path, '-o', whole]);
    const a = join(dir, 'shard-a');
    const b = join(dir, 'shard-b');
    const merged = join(dir, 'shard-merged');
    const r1 = await tc(['sweep', path, '-o', a, '--shard', '1/2']);
    const r2 = await tc(['sweep', path, '-o', b, '--shard', '2/2']);
    expect(r1.stderr).toMatch(/shard 1\/2: \d+ of 12/);
    const s1 = records(a, 'results.shard-1-of-2.jsonl');
    const s2 = records(b, 'results.shard-2-of-2.jsonl');
    expect(s1.length + s2.length).toBe(12);
    expect(s1.length).toBeGreaterThan(0);
    expect(s2.length).toBeGreaterThan(0);
    const m = await tc(['sweep', path, '-o', merged, '--merge', join(a, 'results.shard-1-of-2.jsonl'), '--merge', join(b, 'results.shard-2-of-2.jsonl')]);
    expect(m.stdout).toContain(`${s2.length} new records`);
    expect(m.stdout).toContain('shards: 12/12 points done: 12 estimated');
    const ids = (rs: SweepRecord[]) => rs.map((x) => x.id).sort();
    expect(ids(records(merged))).toEqual(ids(records(whole)));
    // Copying the shard files into one folder works as well, and --list says what is done.
    writeFileSync(join(b, 'results.shard-1-of-2.jsonl'), readFileSync(join(a, 'results.shard-1-of-2.jsonl')));
    const list = await tc(['sweep', path, '-o', b, '--list']);
    expect(list.stdout).toContain('12 points, 12 done, 0 to run');
  });
});

describe('the report', () => {
  const s = checked({ name: 'rep', parameters: { dim: [8, 16], scratchpadKiB: [64, 128] }, workloads: ['a.tc', 'b.tc'] });
  const rec = (i: number, workload: string, dim: number, sp: number, cycles: number | undefined, status: SweepRecord['status'] = 'pass'): SweepRecord => ({
    v: 1,
    id: `id${i}`,
    index: i,
    configId: `c${dim}-${sp}`,
    workload,
    params: { dim, scratchpadKiB: sp },
    runner: 'host',
    seeds: [1],
    status,
    reason: status === 'skipped' ? 'invalid configuration: scratchpadKiB: too small, "quoted" & <tagged>' : undefined,
    cycles,
    utilization: cycles ? 1000 / cycles : undefined,
    peCount: dim * dim,
    sramKiB: sp + 64,
    relativeCost: dim * dim + sp + 64,
    wallMs: 1,
    finishedAt: '2026-01-01T00:00:00.000Z',
  });
  const recs = [
    rec(0, 'a', 8, 64, 9000),
    rec(1, 'b', 8, 64, 20000),
    rec(2, 'a', 8, 128, 8000),
    rec(3, 'b', 8, 128, 19000),
    rec(4, 'a', 16, 64, 4000),
    rec(5, 'b', 16, 64, 10000),
    rec(6, 'a', 16, 128, undefined, 'skipped'),
    rec(7, 'b', 16, 128, undefined, 'skipped'),
  ];

  it('is one self-contained page: inline SVG plots, heat maps, Pareto, skipped points, nothing fetched', () => {
    const html = renderHtmlReport({ spec: s, specPath: 'rep.json', base: getPreset('default')!.config, records: recs, totalPoints: 8, now: new Date(0) });
    expect(html).not.toMatch(/<script|<link|src=|url\(|https?:\/\/(?!www\.w3)/);
    expect(html.match(/<svg /g)?.length).toBe(2 * 2 + 3); // 2 parameters × (cycles, utilisation) + Pareto: all + 2 workloads
    expect(html).toContain('cycles vs dim');
    expect(html).toContain('utilisation vs scratchpadKiB');
    expect(html.match(/<table class="heat">/g)?.length).toBe(2);
    expect(html).toContain('relative cost = PEs + SRAM KiB (not an area)');
    expect(html).toContain('Skipped points (2)');
    expect(html).toContain('too small, &quot;quoted&quot; &amp; &lt;tagged&gt;');
    expect(html).toContain('<td class="empty"');
  });

  it('finds the Pareto front of cost against cycles', () => {
    const pts = [
      { cost: 10, cycles: 100 },
      { cost: 20, cycles: 120 },
      { cost: 20, cycles: 60 },
      { cost: 30, cycles: 60 },
      { cost: 40, cycles: 10 },
      { cost: 5, cycles: 500 },
    ];
    expect(paretoFront(pts)).toEqual([pts[5], pts[0], pts[2], pts[4]]);
  });

  it('loads the example sweep: 64 points of DIM × scratchpad over the default GEMM and a convolution', () => {
    const { sweep, errors } = loadSweep('examples/sweeps/dim-and-spad.json');
    expect(errors).toEqual([]);
    expect(sweep!.points).toHaveLength(64);
    expect(sweep!.workloads.map((w) => w.name)).toEqual(['gemm', 'resnet50_conv3x3']);
  });
});
