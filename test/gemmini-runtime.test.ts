// The C side of the Gemmini runtime: every program in test/gemmini-c is built
// with the system C compiler against gemmini/runtime/gemmini.h and the host
// model, for several presets (gemmini_params.h from gemmini/params.ts), and run.
// A program exits 0 when its results match its own plain-C reference, 1 on a
// mismatch; programs whose first comment says "tc-test: expect-exit=N
// expect-stderr=TEXT" must stop with that status and message instead. The model's
// report must be present and self-consistent.

import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelReport, parseModelReport } from '../gemmini/model-report.js';
import { renderGemminiParams } from '../gemmini/params.js';
import { getPreset } from '../gemmini/presets.js';
import { mapConcurrently } from '../bench/pool.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const runtimeDir = path.join(repoRoot, 'gemmini/runtime');
const programDir = path.join(repoRoot, 'test/gemmini-c');
const PRESET_NAMES = ['default', 'dim4', 'dim8', 'dim32', 'chip'] as const;
const CFLAGS = ['-O2', '-std=c11', '-ffp-contract=off', '-Wall'];
const PARALLEL_JOBS = Math.max(2, Math.min(6, os.availableParallelism() * 2));

interface Expectation {
  readonly exitCode: number;
  readonly stderrIncludes?: string;
}

interface ProgramResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly trace?: unknown;
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly ts: number;
  readonly dur: number;
  readonly args?: { readonly instruction?: number };
}

const programs = fs
  .readdirSync(programDir)
  .filter((file) => file.endsWith('.c'))
  .sort()
  .map((file) => ({ name: path.basename(file, '.c'), file: path.join(programDir, file) }));

function expectationOf(file: string): Expectation {
  const match = /tc-test: expect-exit=(\d+)(?: expect-stderr=(.*))?/.exec(fs.readFileSync(file, 'utf8'));
  if (!match) return { exitCode: 0 };
  return { exitCode: Number(match[1]), stderrIncludes: match[2]?.trim() };
}

const pool = <T>(tasks: (() => Promise<T>)[], jobs: number): Promise<T[]> => mapConcurrently(tasks, jobs, (task) => task());

async function execute(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<ProgramResult> {
  try {
    const { stdout, stderr } = await run(command, args, { env: env ?? process.env, maxBuffer: 64 << 20, timeout: 60_000 });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { exitCode: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const buildRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-gemmini-runtime-'));
const results = new Map<string, ProgramResult>();
const key = (preset: string, program: string) => `${preset}/${program}`;

beforeAll(async () => {
  // One params header and one model object per preset, built once and shared.
  await pool(
    PRESET_NAMES.map((name) => async () => {
      const preset = getPreset(name);
      if (!preset) throw new Error(`no preset ${name}`);
      const dir = path.join(buildRoot, name);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'gemmini_params.h'), renderGemminiParams(preset.config));
      const built = await execute('gcc', [
        ...CFLAGS,
        '-I', runtimeDir, '-I', dir,
        '-c', path.join(runtimeDir, 'gemmini_model.c'),
        '-o', path.join(dir, 'gemmini_model.o'),
      ]);
      if (built.exitCode !== 0) throw new Error(`building the model for ${name} failed:\n${built.stderr}`);
    }),
    PARALLEL_JOBS,
  );
  const tasks = PRESET_NAMES.flatMap((preset) =>
    programs.map((program) => async () => {
      const dir = path.join(buildRoot, preset);
      const binary = path.join(dir, program.name);
      const built = await execute('gcc', [
        ...CFLAGS,
        '-I', runtimeDir, '-I', dir,
        program.file, path.join(dir, 'gemmini_model.o'),
        '-o', binary,
      ]);
      if (built.exitCode !== 0) {
        results.set(key(preset, program.name), { exitCode: -1, stdout: '', stderr: `compile failed:\n${built.stderr}` });
        return;
      }
      const tracePath = path.join(dir, `${program.name}.trace.json`);
      const ran = await execute(binary, [], { ...process.env, TC_TRACE: tracePath, TC_MODEL_REPORT: '1' });
      const trace = fs.existsSync(tracePath) ? JSON.parse(fs.readFileSync(tracePath, 'utf8')) : undefined;
      results.set(key(preset, program.name), { ...ran, trace });
    }),
  );
  await pool(tasks, PARALLEL_JOBS);
}, 180_000);

afterAll(() => {
  fs.rmSync(buildRoot, { recursive: true, force: true });
});

function resultOf(preset: string, program: string): ProgramResult {
  const result = results.get(key(preset, program));
  if (!result) throw new Error(`no result for ${preset}/${program}`);
  return result;
}

function reportOf(result: ProgramResult): ModelReport {
  const report = parseModelReport(result.stdout);
  if (!report) throw new Error(`no model report in:\n${result.stdout}`);
  return report;
}

function traceEvents(result: ProgramResult): TraceEvent[] {
  const trace = result.trace as { traceEvents?: TraceEvent[] } | undefined;
  return (trace?.traceEvents ?? []).filter((event) => event.ph === 'X');
}

describe.each(PRESET_NAMES)('preset %s', (preset) => {
  const dim = getPreset(preset)?.config.dim ?? 0;

  for (const program of programs) {
    const expectation = expectationOf(program.file);
    it(`${program.name} ${expectation.exitCode === 0 ? 'matches its reference' : `stops with status ${expectation.exitCode}`}`, () => {
      const result = resultOf(preset, program.name);
      const context = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
      expect(result.exitCode, context).toBe(expectation.exitCode);
      if (expectation.exitCode !== 0) {
        expect(result.stderr).toContain(`gemmini model: error: instruction #`);
        if (expectation.stderrIncludes) expect(result.stderr).toContain(expectation.stderrIncludes);
        expect(result.stdout).not.toContain('tc-model: end');
        return;
      }
      expect(result.stdout).toMatch(/: (PASS|SKIP)/);
      if (result.stdout.includes(': SKIP')) return; // not applicable to this preset
      const report = reportOf(result);
      // The report is consistent with itself and with the hardware's limits.
      expect(report.config.dim).toBe(String(dim));
      expect(report.cycles).toBeGreaterThan(0);
      expect(report.idealMacCycles).toBe(Math.ceil(report.macs / (dim * dim)));
      if (report.macs > 0) expect(report.cycles).toBeGreaterThan(report.idealMacCycles);
      expect(report.utilization).toBeGreaterThanOrEqual(0);
      expect(report.utilization).toBeLessThanOrEqual(1);
      for (const queue of Object.values(report.queues)) expect(queue.busyCycles).toBeLessThanOrEqual(report.cycles);
      const kindTotal = Object.values(report.kinds).reduce((sum, count) => sum + count, 0);
      expect(kindTotal).toBe(report.executedInstructions + (report.kinds.fence ?? 0));
      // One trace slice per instruction that went through a queue.
      const queued = Object.values(report.queues).reduce((sum, queue) => sum + queue.instructions, 0);
      expect(traceEvents(result)).toHaveLength(queued);
    });
  }

  it('counts exactly the MACs a tiled GEMM and loop_ws perform', () => {
    const tiled = resultOf(preset, 'tiled_matmul_ws');
    if (tiled.exitCode !== 0) return; // reported by its own test
    // tiled_matmul_ws.c: M = 2*DIM+3, N = DIM+5, K = 3*DIM-2 in partial tiles
    expect(reportOf(tiled).macs).toBe((2 * dim + 3) * (dim + 5) * (3 * dim - 2));
    const loop = resultOf(preset, 'loop_ws');
    if (loop.exitCode !== 0 || loop.stdout.includes('SKIP')) return;
    // loop_ws.c: three loops over M = 2*DIM+1, N = 2*DIM-3, K = 3*DIM-1
    const report = reportOf(loop);
    expect(report.macs).toBe(3 * (2 * dim + 1) * Math.max(2 * dim - 3, 1) * (3 * dim - 1));
    expect(report.kinds.loop_ws).toBe(4);
    expect(report.hostInstructions).toBeLessThan(report.executedInstructions);
  });

  it('orders the RAW/WAR hazards of raw_hazard.c in the timeline', () => {
    const result = resultOf(preset, 'raw_hazard');
    const events = traceEvents(result);
    const at = (instruction: number) => {
      const event = events.find((e) => e.args?.instruction === instruction);
      if (!event) throw new Error(`instruction #${instruction} is not in the trace`);
      return { start: event.ts, end: event.ts + event.dur, name: event.name };
    };
    // #4 mvin A1, #5 preload, #6 compute, #7 mvout C1, #8 mvin A2 (same rows), #9 preload, #10 compute, #11 mvout C2
    expect(at(4).name).toBe('mvin');
    expect(at(10).name).toBe('compute_preloaded');
    expect(at(6).start).toBeGreaterThanOrEqual(at(4).end); // RAW: compute reads what mvin wrote
    expect(at(7).start).toBeGreaterThanOrEqual(at(6).end); // RAW: mvout reads the accumulator rows
    expect(at(8).start).toBeGreaterThanOrEqual(at(6).end); // WAR: mvin overwrites A1 after the compute read it
    expect(at(10).start).toBeGreaterThanOrEqual(at(8).end); // RAW on A2
    expect(at(10).start).toBeGreaterThanOrEqual(at(7).end); // WAR: compute overwrites C1 after mvout read it
  });
});

// The RISC-V side of gemmini.h: each macro must assemble to a custom-3 R-type
// instruction with the right funct7 and funct3 (built only where the Debian
// cross compiler is installed).
const riscvGcc = 'riscv64-unknown-elf-gcc';
const hasRiscv = spawnSync(riscvGcc, ['--version']).status === 0;

describe.skipIf(!hasRiscv)('RISC-V encoding', () => {
  it('issues custom-3 instructions with the standard funct values', async () => {
    const dir = path.join(buildRoot, 'riscv');
    fs.mkdirSync(dir, { recursive: true });
    const preset = getPreset('default');
    if (!preset) throw new Error('no default preset');
    fs.writeFileSync(path.join(dir, 'gemmini_params.h'), renderGemminiParams(preset.config));
    const source = path.join(dir, 'encode.c');
    fs.writeFileSync(
      source,
      [
        '#include "gemmini.h"',
        'uint64_t counter(uint64_t c) { uint64_t r; gemmini_counter_access(r, c); return r; }',
        'void f(elem_t *p) {',
        '  gemmini_config_ld(16); gemmini_mvin(p, 0); gemmini_mvout(p, 0); gemmini_preload(0, 0);',
        '  gemmini_compute_preloaded(0, 0); gemmini_compute_accumulated(0, 0); gemmini_fence();',
        '}',
      ].join('\n'),
    );
    const object = path.join(dir, 'encode.o');
    const built = await execute(riscvGcc, [
      '--specs=picolibc.specs', '-march=rv64gc', '-mabi=lp64d', '-O2', '-std=c11',
      '-I', runtimeDir, '-I', dir, '-c', source, '-o', object,
    ]);
    expect(built.exitCode, built.stderr).toBe(0);
    const dump = await execute('riscv64-unknown-elf-objdump', ['-d', object]);
    const words = [...dump.stdout.matchAll(/\.4byte\s+0x([0-9a-f]+)/g)].map((m) => Number.parseInt(m[1], 16));
    const decoded = words.map((w) => ({ opcode: w & 0x7f, funct3: (w >>> 12) & 7, funct7: w >>> 25 }));
    expect(decoded.every((d) => d.opcode === 0x7b)).toBe(true); // custom-3
    // counter (rd written), config, mvin, mvout, preload, compute_preloaded, compute_accumulated
    expect(decoded.map((d) => [d.funct7, d.funct3])).toEqual([
      [126, 7], [0, 3], [2, 3], [3, 3], [6, 3], [4, 3], [5, 3],
    ]);
    expect(dump.stdout).toMatch(/\bfence\b/);
  });
});
