// The `host` runner: builds generated C with the system C compiler against
// tc's intrinsics header and host model of Gemmini, runs it, parses the report.
// The model is compiled once per configuration and cached as an object file.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExeca } from './exec.js';
import { parseHarnessReport } from './report.js';
import type { RunResult } from './result.js';

export const RUNTIME_DIR = fileURLToPath(new URL('../gemmini/runtime/', import.meta.url));

export interface HostRunOptions {
  readonly seed?: number;
  /** Kill the program after this long (ms). */
  readonly timeoutMs?: number;
  /** Keep the build directory and say where it is. */
  readonly keep?: boolean;
  /** Write a Chrome/Perfetto trace of the model's timeline to this path. */
  readonly tracePath?: string;
  readonly cc?: string;
}

export const C_FLAGS = ['-O2', '-std=gnu11', '-ffp-contract=off', '-fno-strict-aliasing', '-w'];

function cacheDir(): string {
  const dir = join(process.env.TC_CACHE_DIR ?? join(tmpdir(), 'tc-cache'), 'host-model');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The host model compiled for one configuration (keyed by its params header and the model's source). */
async function modelObject(paramsHeader: string, cc: string): Promise<string> {
  const { readFileSync } = await import('node:fs');
  const source = readFileSync(join(RUNTIME_DIR, 'gemmini_model.c'), 'utf8') + readFileSync(join(RUNTIME_DIR, 'gemmini.h'), 'utf8');
  const key = createHash('sha256').update(paramsHeader).update(source).update(C_FLAGS.join(' ')).digest('hex').slice(0, 16);
  const dir = join(cacheDir(), key);
  const obj = join(dir, 'gemmini_model.o');
  if (existsSync(obj)) return obj;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'gemmini_params.h'), paramsHeader);
  // Build under a unique name and rename, so concurrent builds never see half a file.
  const partial = `${obj}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  const execa = await loadExeca();
  await execa(cc, [...C_FLAGS, '-c', '-I', dir, '-I', RUNTIME_DIR, join(RUNTIME_DIR, 'gemmini_model.c'), '-o', partial]);
  renameSync(partial, obj);
  return obj;
}

export interface HostBuild {
  readonly status: 'ok' | 'build-error' | 'tool-missing';
  readonly dir: string;
  readonly binary: string;
  readonly buildMs: number;
  readonly message?: string;
}

/** Builds the program once; run it with any number of seeds with runHostBinary. */
export async function buildOnHost(cSource: string, paramsHeader: string, cc: string = process.env.CC ?? 'cc'): Promise<HostBuild> {
  const dir = mkdtempSync(join(tmpdir(), 'tc-host-'));
  const binary = join(dir, 'program');
  const t0 = performance.now();
  writeFileSync(join(dir, 'program.c'), cSource);
  writeFileSync(join(dir, 'gemmini_params.h'), paramsHeader);
  try {
    const model = await modelObject(paramsHeader, cc);
    const execa = await loadExeca();
    await execa(cc, [...C_FLAGS, '-I', dir, '-I', RUNTIME_DIR, join(dir, 'program.c'), model, '-o', binary, '-lm']);
  } catch (e) {
    const err = e as { code?: string; stderr?: string; shortMessage?: string };
    const buildMs = performance.now() - t0;
    if (err.code === 'ENOENT')
      return { status: 'tool-missing', dir, binary, buildMs, message: `no C compiler '${cc}' found; install gcc (Debian: apt-get install gcc) or set CC` };
    return { status: 'build-error', dir, binary, buildMs, message: `the C build failed:\n${(err.stderr ?? err.shortMessage ?? '').slice(0, 4000)}` };
  }
  return { status: 'ok', dir, binary, buildMs: performance.now() - t0 };
}

export async function runHostBinary(build: HostBuild, options: HostRunOptions = {}): Promise<RunResult> {
  const base0 = { stdout: '', stderr: '', buildMs: build.buildMs, runMs: 0, buildDir: options.keep ? build.dir : undefined };
  if (build.status !== 'ok') return { ...base0, status: build.status, message: build.message };
  const t1 = performance.now();
  const env: Record<string, string> = { TC_MODEL_REPORT: '1' };
  if (options.tracePath) env.TC_TRACE = options.tracePath;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const execa = await loadExeca();
  const run = await execa(build.binary, [String(options.seed ?? 1)], { reject: false, timeout: timeoutMs, env, maxBuffer: 512 * 1024 * 1024 });
  const base = { ...base0, stdout: run.stdout, stderr: run.stderr, runMs: performance.now() - t1 };
  if (run.timedOut) return { ...base, status: 'timeout', message: `the program ran longer than ${timeoutMs} ms and was stopped` };
  if (run.exitCode !== 0 || run.signal) {
    const why = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
    const detail = run.stderr.trim().split('\n').slice(-5).join('\n');
    return { ...base, status: 'crash', message: `the program ${why}${detail ? `:\n${detail}` : ''}` };
  }
  const parsed = parseHarnessReport(run.stdout);
  if (!parsed.ok) return { ...base, status: 'malformed', message: `its report is malformed: ${parsed.error}` };
  if (!parsed.report.done) return { ...base, status: 'malformed', message: 'the program ended before its report was complete (no tc-done)' };
  return { ...base, status: 'ok', report: parsed.report };
}

export function removeHostBuild(build: HostBuild): void {
  rmSync(build.dir, { recursive: true, force: true });
}

/** Build, run once, clean up (unless keep). */
export async function runOnHost(cSource: string, paramsHeader: string, options: HostRunOptions = {}): Promise<RunResult> {
  const build = await buildOnHost(cSource, paramsHeader, options.cc);
  try {
    return await runHostBinary(build, options);
  } finally {
    if (!options.keep) removeHostBuild(build);
  }
}
