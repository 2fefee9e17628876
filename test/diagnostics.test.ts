// Every user mistake gives a located diagnostic and exit code 1, never a stack
// trace. Each program in test/fixtures/bad/ holds exactly one mistake; its
// .expected file is the first line `tc check` must print, run from the
// repository root.

import { runTc, runTcAsync, type TcResult } from './helpers/run-tc.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const badDir = 'test/fixtures/bad';

/** Runs `tc ARGS` in-process; relative paths are read from the repository root. */
const tc = (args: string[]): TcResult => runTc(args, root);

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
const errorLines = (text: string): string[] => lines(text).filter((l) => /\berror: /.test(l));

const fixtures = readdirSync(resolve(root, badDir))
  .filter((f) => f.endsWith('.tc'))
  .sort();

describe('bad programs: one clear, located diagnostic each', () => {
  it('has at least 20 fixtures, each with an .expected file and a comment saying what is wrong', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
    for (const f of fixtures) {
      expect(existsSync(resolve(root, badDir, f.replace(/\.tc$/, '.expected'))), `${f} has no .expected`).toBe(true);
      expect(readFileSync(resolve(root, badDir, f), 'utf8').startsWith('//'), `${f} starts with a // comment`).toBe(true);
    }
  });

  it.each(fixtures)('%s', (f) => {
    const path = `${badDir}/${f}`;
    const expected = readFileSync(resolve(root, path.replace(/\.tc$/, '.expected')), 'utf8').trim();
    const source = readFileSync(resolve(root, path), 'utf8').split('\n');
    const r = tc(['check', path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const out = lines(r.stderr);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(out).toHaveLength(3);
    expect(out[0]).toBe(expected);
    // The source line, then a caret under the blamed column.
    const [, line, col] = /^[^:]+:(\d+):(\d+): error: /.exec(out[0]) ?? [];
    expect(out[1]).toBe(`${line.padStart(5)} | ${source[Number(line) - 1]}`);
    expect(out[2]).toMatch(/^ {5} \| *\^~*$/);
    expect(out[2].indexOf('^') - '      | '.length).toBe(Number(col) - 1);
  });
});

describe('the tc binary', () => {
  it('reports a bad program without a stack trace', () => {
    const bin = resolve(root, 'dist/cli/tc.js');
    expect(existsSync(bin), 'build first: npx tsc -p . && node cli/copy-assets.mjs').toBe(true);
    const path = `${badDir}/06-matmul-shape.tc`;
    const r = spawnSync(process.execPath, [bin, 'check', path], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(lines(r.stderr)[0]).toBe(readFileSync(resolve(root, path.replace(/\.tc$/, '.expected')), 'utf8').trim());
  });

  it('runs as an executable through its first line, the node flags there included (as npx tc runs it)', () => {
    const bin = resolve(root, 'dist/cli/tc.js');
    const r = spawnSync(bin, ['--version'], { cwd: root, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^tc \d+\.\d+\.\d+/);
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env -S node --v8-pool-size=0');
  });
});

const dir = mkdtempSync(join(tmpdir(), 'tc-diag-'));
const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('several errors in one run', () => {
  it('reports independent errors in three statements, then a count', () => {
    const p = write(
      'three.tc',
      [
        'def f(a: i8[4, 8], b: i8[4, 8], s: f32[4]) -> i32[4, 8] {',
        '  x = a @ b',
        '  y = a + s',
        '  z = relu(q)',
        '  return a + b',
        '}',
        '',
      ].join('\n'),
    );
    const r = tc(['check', p]);
    expect(r.code).toBe(1);
    const errors = errorLines(r.stderr);
    expect(errors).toHaveLength(3);
    expect(errors.map((l) => /:(\d+):\d+: error: /.exec(l)?.[1])).toEqual(['2', '3', '4']);
    expect(errors[0]).toContain('matmul inner dimensions differ');
    expect(errors[1]).toContain("'+' mixes i8 and f32");
    expect(errors[2]).toContain("unknown name 'q'");
    expect(lines(r.stderr).at(-1)).toBe('3 errors');
  });

  it('reports an error in a function the entry does not call', () => {
    const p = write(
      'two-funcs.tc',
      ['def helper(a: i8[4, 4]) -> i8[4, 4] {', '  return a @ a', '}', '', 'def main(a: i8[4, 4]) -> i8[4, 4] {', '  return relu(a)', '}', ''].join('\n'),
    );
    const r = tc(['check', p]);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(errorLines(r.stderr)[0]).toMatch(/two-funcs\.tc:2:10: error: returns i32\[4, 4\] but 'helper' declares i8\[4, 4\]/);
  });
});

describe('usage errors: exit 2, one line', () => {
  const good = write('gemm.tc', 'let M = 8\nlet K = 16\nlet N = 4\n\ndef gemm(a: i8[M, K], b: i8[K, N]) -> i32[M, N] {\n  return a @ b\n}\n');
  const cases: [string, string[]][] = [
    ['an unknown command', ['frob', good]],
    ['a missing FILE', ['check']],
    ['a file that does not exist', ['check', join(dir, 'no-such-file.tc')]],
    ['an unknown option', ['check', '--frob', good]],
    ['--size without =', ['check', '--size', 'M', good]],
    ['--size with a non-integer', ['check', '--size', 'M=x', good]],
    ['a bad --seed', ['eval', '--seed', 'abc', good]],
    ['two files', ['check', good, good]],
  ];
  it.each(cases)('%s', (_what, args) => {
    const r = tc(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^tc\b/);
  });

  it('--size for a size the program does not have is an error', () => {
    const r = tc(['check', '--size', 'Q=3', good]);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain("no size named 'Q'");
  });
});
