// The `tc` command on good programs: check, eval, compile and help.

import { runTc, runTcAsync, type TcResult } from './helpers/run-tc.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const tc = (args: string[]): TcResult => runTc(args);

const tcAsync = (args: string[]): Promise<TcResult> => runTcAsync(args);

const dir = mkdtempSync(join(tmpdir(), 'tc-cli-'));
const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gemm = write(
  'gemm.tc',
  `// A small GEMM with bias, ReLU and requantization.
let M = 8
let K = 16
let N = 4

def gemm_bias_relu(a: i8[M, K], b: i8[K, N], bias: i32[N]) -> i8[M, N] {
  return requant(relu(a @ b + bias), 0.05)
}
`,
);

const twoLayers = write(
  'mlp.tc',
  `def dense(x: i8[B, I], w: i8[I, O]) -> i32[B, O] {
  return x @ w
}

def first(x: i8[4, 8], w: i8[8, 8]) -> i8[4, 8] {
  return requant(dense(x, w), 0.1)
}

def mlp(x: i8[4, 8], w1: i8[8, 16], w2: i8[16, 2]) -> (i32[4, 2], i8[4, 16]) {
  h = requant(relu(dense(x, w1)), 0.1)
  return dense(h, w2), h
}
`,
);

/** The checksum lines of `tc eval`, without its timing. */
const checksums = (stdout: string): string[] => stdout.split('\n').filter((l) => l.includes('checksum'));

describe('tc check', () => {
  it('accepts a good program and prints its signature', () => {
    const r = tc(['check', gemm]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('ok');
    expect(r.stdout).toContain('@gemm_bias_relu(a: i8[8, 16], b: i8[16, 4], bias: i32[4]) -> i8[8, 4]');
  });

  it('checks the function named with --entry', () => {
    const r = tc(['check', '--entry', 'first', twoLayers]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('@first(');
  });

  it('lets --size override a let', () => {
    const r = tc(['check', '--size', 'M=3,N=5', gemm]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-> i8[3, 5]');
  });
});

describe('tc eval', () => {
  it('prints a checksum for every input and output', () => {
    const r = tc(['eval', '--seed', '1', gemm]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = checksums(r.stdout);
    expect(lines).toHaveLength(4);
    expect(lines.filter((l) => /^\s*output\b/.test(l))).toHaveLength(1);
    for (const l of lines) expect(l).toMatch(/checksum 0x[0-9a-f]{8}/);
  });

  it('is deterministic for a seed and changes with it', () => {
    const once = checksums(tc(['eval', '--seed', '1', gemm]).stdout);
    expect(checksums(tc(['eval', '--seed', '1', gemm]).stdout)).toEqual(once);
    expect(checksums(tc(['eval', '--seed', '2', gemm]).stdout)).not.toEqual(once);
  });

  it('runs a program with several results', () => {
    const r = tc(['eval', '--seed', '1', twoLayers]);
    expect(r.code).toBe(0);
    expect(checksums(r.stdout).filter((l) => /^\s*output\b/.test(l))).toHaveLength(2);
  });

  it('writes every output as .npy with --out', () => {
    const out = join(dir, 'outputs');
    const r = tc(['eval', '--seed', '1', '--out', out, twoLayers]);
    expect(r.code).toBe(0);
    const written = r.stdout.match(/wrote (\d+) outputs?/);
    expect(written?.[1]).toBe('2');
    const files = checksums(r.stdout)
      .filter((l) => /^\s*output\b/.test(l))
      .map((l) => join(out, `${l.trim().split(/\s+/)[1]}.npy`));
    for (const f of files) {
      expect(existsSync(f), f).toBe(true);
      expect(Buffer.from(readFileSync(f).subarray(0, 6)).toString('latin1')).toBe('\x93NUMPY');
    }
  });
});

describe('tc compile', () => {
  it('prints Tensor IR', () => {
    const r = tc(['compile', '--emit', 'tensor-ir', gemm]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('func @gemm_bias_relu(')).toBe(true);
    expect(r.stdout).toContain('matmul');
  });

  it('writes the IR to a file with -o', () => {
    const out = join(dir, 'ir', 'gemm.tir');
    const r = tc(['compile', gemm, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(tc(['compile', gemm]).stdout);
  });

  it('rejects an unknown --emit format as a usage error', () => {
    const r = tc(['compile', '--emit', 'llvm', gemm]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('help', () => {
  it('tc help eval and tc eval --help print the same help', () => {
    const a = tc(['help', 'eval']);
    const b = tc(['eval', '--help']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.stdout).toContain('Usage: tc eval');
    expect(a.stdout).toContain('--seed');
    expect(b.stdout).toBe(a.stdout);
  });

  it.each(['check', 'eval', 'compile'])('tc help %s', (cmd) => {
    const r = tc(['help', cmd]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: tc ${cmd}`);
  });

  it('tc --help lists the commands', () => {
    const r = tc(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['check', 'eval', 'compile', 'help']) expect(r.stdout).toContain(cmd);
  });
});

describe('compile --target gemmini and run', () => {
  it('writes the C, its params header, the Program IR and the compile report', () => {
    const out = join(dir, 'out-gemm');
    const r = tc(['compile', '--target', 'gemmini', '--config', 'dim8', '-o', out, gemm]);
    expect(r.code).toBe(0);
    const c = readFileSync(join(out, 'gemm_bias_relu.c'), 'utf8');
    expect(c).toContain('#include "gemmini.h"');
    expect(c).toMatch(/gemmini_(loop_ws|extended_preload)\(/);
    expect(readFileSync(join(out, 'gemmini_params.h'), 'utf8')).toMatch(/#define DIM 8\b/);
    expect(readFileSync(join(out, 'gemm_bias_relu.program.ir'), 'utf8')).toMatch(/^program @gemm_bias_relu dim=8 \{/);
    const report = readFileSync(join(out, 'gemm_bias_relu.report.txt'), 'utf8');
    expect(report).toContain('-> Gemmini');
    // Tiles, memory map and the analytical model's prediction.
    expect(report).toMatch(/tiles M \d+, N \d+, K \d+/);
    expect(report).toMatch(/memory: /);
    expect(report).toMatch(/predicted by the analytical model[^\n]*\n\s+cycles [1-9]\d*, utilisation \d+\.\d%/);
    expect(r.stdout).toContain(report);
  });

  it('--dump-after prints the IR after one step, --dump-all after every step', () => {
    const one = tc(['compile', '--target', 'gemmini', '--dump-after', 'tile', gemm]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/IR after tile/);
    expect(one.stdout).toMatch(/tile=\[\d+, \d+, \d+\]/);
    expect(one.stdout).not.toMatch(/IR after fuse/);
    const all = tc(['compile', '--target', 'gemmini', '--dump-all', gemm]);
    for (const step of ['canonicalize', 'fuse', 'tile', 'map-memory', 'emit-instructions']) expect(all.stdout).toContain(`IR after ${step}`);
    expect(tc(['compile', '--target', 'gemmini', '--dump-after', 'tiling', gemm]).code).toBe(2);
  });

  it('tc run prints PASS with cycles and exits 0', async () => {
    const r = await tcAsync(['run', '--target', 'gemmini', '--config', 'dim4', '--seed', '3', gemm]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS /m);
    expect(r.stdout).toMatch(/cycles [1-9]\d*/);
  });

  it('an unknown configuration is a usage error', () => {
    const r = tc(['compile', '--target', 'gemmini', '--config', 'nosuch', gemm]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/neither a preset/);
  });
});
