// The output-stationary (OS) dataflow: every example, on every int8 preset
// that has OS, for 5 seeds, matches the reference interpreter bit for bit on
// the host model; extreme products stay exact; the pipeline's OS goldens
// (test/golden/passes/gemm_odd-os, each step a function of the text before
// it; TC_UPDATE_GOLDEN=1 to accept changes); and asking for a dataflow a
// configuration lacks is a diagnostic.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../frontend/frontend.js';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { expectBitExactOnHost } from './helpers/host-check.js';
import { runTc } from './helpers/run-tc.js';
import { Diagnostics } from '../ir/diagnostics.js';
import { printProgram } from '../ir/program-print.js';
import type { TensorFunc } from '../ir/tensor-ir.js';
import { parseTensorFunc } from '../ir/tensor-parse.js';
import { printTensorFunc } from '../ir/tensor-print.js';
import { verifyMappedFunc, verifyTiledFunc } from '../ir/tiled-verify.js';
import { getPreset, PRESETS } from '../gemmini/presets.js';
import { emitInstructions } from '../passes/emit-instructions.js';
import { mapMemory } from '../passes/map-memory.js';
import { PASS_NAMES, runGemminiPipeline } from '../passes/pipeline.js';
import { gemminiTarget } from '../passes/target.js';
import { tile } from '../passes/tile.js';

const SEEDS = [1, 2, 3, 4, 5];
const examples = readdirSync('examples').filter((f) => f.endsWith('.tc')).sort();
const osPresets = Object.values(PRESETS).filter((p) => p.config.inputType === 'int8' && p.config.dataflow !== 'WS');

describe.each(osPresets.map((p) => [p.config.name, p.config] as const))('examples in OS on preset %s', (_name, config) => {
  it.concurrent.each(examples)('%s passes for 5 seeds', async (file) => {
    const path = join('examples', file);
    const { func } = compileSource(path, readFileSync(path, 'utf8'));
    const build = compileForGemmini(func!, config, path, undefined, { dataflow: 'os' });
    expect(build.diagnostics.items).toEqual([]);
    // Every gemm runs output-stationary, tile by tile (loop_ws is WS only).
    const text = printProgram(build.program!);
    expect(text).not.toMatch(/dataflow=ws|loop_ws/);
    await expectBitExactOnHost(func!, build, SEEDS);
  });
});

// Every product (-128) * (-128), K = 64: the whole sum (2^20) cannot stay in
// the mesh's 20-bit partial sums in OS at any DIM; each K block must leave it.
const EXTREME = `def extreme(a: i8[64, 64], b: i8[64, 64]) -> i32[64, 64] {
  x = clip(a, -128, -128)
  y = clip(b, -128, -128)
  return x @ y
}
`;

describe('extreme int8 products stay exact in OS', () => {
  it.concurrent.each(osPresets.map((p) => p.config.name))('on preset %s', async (name) => {
    const config = getPreset(name)!.config;
    const { func } = compileSource('extreme.tc', EXTREME);
    const build = compileForGemmini(func!, config, 'extreme.tc', undefined, { dataflow: 'os' });
    const expected = await expectBitExactOnHost(func!, build, [1]);
    expect(expected[0].data[0]).toBe(64 * 16384);
  });
});

describe('pipeline goldens of gemm_odd in OS', () => {
  const update = process.env.TC_UPDATE_GOLDEN === '1';
  const target = gemminiTarget(getPreset('default')!.config);
  const dir = join('test/golden/passes', 'gemm_odd-os');
  const fileOf = (i: number, step: string): string => join(dir, `${String(i).padStart(2, '0')}-${step}.ir`);
  const golden = (path: string, text: string): void => {
    if (update || !existsSync(path)) writeFileSync(path, text);
    expect(text).toBe(readFileSync(path, 'utf8'));
  };
  const src = join('examples', 'gemm_odd.tc');
  const { func } = compileSource(src, readFileSync(src, 'utf8'));
  mkdirSync(dir, { recursive: true });

  it('the IR after every step matches its golden file, and every verifier passes', () => {
    const texts = new Map<string, string>();
    const log = new Diagnostics();
    const result = runGemminiPipeline(func!, target, log, (step, text) => texts.set(step, text), { dataflow: 'os' });
    expect(log.items).toEqual([]);
    expect(result.program).toBeDefined();
    golden(fileOf(0, 'input'), printTensorFunc(func!));
    PASS_NAMES.forEach((step, i) => golden(fileOf(i + 1, step), texts.get(step)!));
  });

  // The steps after tile read the dataflow from the text.
  const steps: Partial<Record<string, (f: TensorFunc) => string>> = {
    tile: (f) => printTensorFunc(tile(f, target, new Diagnostics(), { dataflow: 'os' })),
    'map-memory': (f) => printTensorFunc(mapMemory(f, target, new Diagnostics())),
    'emit-instructions': (f) => printProgram(emitInstructions(f, target, new Diagnostics())),
  };
  it.each(['tile', 'map-memory', 'emit-instructions'])('%s is a function of the text before it', (step) => {
    const i = PASS_NAMES.indexOf(step as (typeof PASS_NAMES)[number]);
    const parsed = parseTensorFunc(readFileSync(fileOf(i, PASS_NAMES[i - 1]), 'utf8'));
    expect(parsed.diagnostics.items).toEqual([]);
    expect(steps[step]!(parsed.value!)).toBe(readFileSync(fileOf(i + 1, step), 'utf8'));
  });
});

it('an OS-only configuration gets OS by default and WS is refused', async () => {
  const config = { ...getPreset('default')!.config, name: 'os-only', dataflow: 'OS' as const };
  const path = join('examples', 'gemm_bias_relu.tc');
  const { func } = compileSource(path, readFileSync(path, 'utf8'));
  expect(compileForGemmini(func!, config, path, undefined, { dataflow: 'ws' }).diagnostics.items.map((d) => d.message)).toEqual([
    "configuration 'os-only' has no weight-stationary (ws) dataflow; it has output-stationary (os)",
  ]);
  const build = compileForGemmini(func!, config, path);
  expect(build.diagnostics.items).toEqual([]);
  expect(printProgram(build.program!)).toContain('config_ex dataflow=os');
  await expectBitExactOnHost(func!, build, [7]);
});

describe('a dataflow the configuration lacks', () => {
  const chip = getPreset('chip')!.config;
  const { func } = compileSource('g.tc', `def g(a: i8[32, 32], b: i8[32, 32]) -> i32[32, 32] {\n  return a @ b\n}\n`);

  it('is an error diagnostic of the pipeline, not a crash', () => {
    const build = compileForGemmini(func!, chip, 'g.tc', undefined, { dataflow: 'os' });
    expect(build.program).toBeUndefined();
    expect(build.diagnostics.items.map((d) => d.message)).toEqual([
      "configuration 'chip' has no output-stationary (os) dataflow; it has weight-stationary (ws)",
    ]);
  });

  it('is rejected by the Tiled IR verifier, and loop_ws is rejected for OS gemms', () => {
    const text = `func @g(%a: i8[32, 32], %b: i8[32, 32]) -> (i32[32, 32]) {
  %1: i32[32, 32] = gemm %a, %b act=none tile=[32, 32, 32] order=ijk dataflow=os map=loop_ws
  return %1
}
`;
    const parsed = parseTensorFunc(text);
    expect(parsed.diagnostics.items).toEqual([]);
    expect(printTensorFunc(parsed.value!)).toBe(text);
    expect(verifyTiledFunc(parsed.value!, gemminiTarget(chip)).items.map((d) => d.message)).toEqual([
      "gemm %1: configuration 'chip' has no output-stationary (os) dataflow (it has ws)",
    ]);
    expect(verifyMappedFunc(parsed.value!, gemminiTarget(getPreset('default')!.config)).items.map((d) => d.message)).toEqual([
      'gemm %1: loop_ws runs weight-stationary only, but the gemm is tiled for dataflow=os',
    ]);
  });

  it('tc compile --dataflow: os is used, os on chip is exit 1 with the diagnostic, an unknown one is a usage error', () => {
    const tc = (args: string[]) => runTc(args);
    const os = tc(['compile', '--target', 'gemmini', '--dataflow', 'os', '--emit', 'program-ir', 'examples/gemm.tc']);
    expect(os.code).toBe(0);
    expect(os.stdout).toContain('config_ex dataflow=os');
    const onChip = tc(['compile', '--target', 'gemmini', '--config', 'chip', '--dataflow', 'os', '--emit', 'program-ir', 'examples/gemm.tc']);
    expect(onChip.code).toBe(1);
    expect(onChip.stderr).toContain("configuration 'chip' has no output-stationary (os) dataflow");
    const bad = tc(['compile', '--target', 'gemmini', '--dataflow', 'xs', 'examples/gemm.tc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--dataflow: unknown dataflow 'xs' (ws or os)");
    expect(tc(['help', 'run']).stdout).toContain('--dataflow ws|os');
  });
});
