// A killed sweep resumes: run `tc sweep` as a child process (the built
// dist/cli/tc.js, as `npx tc` runs it; `npm test` builds first), SIGKILL it
// once two records are in results.jsonl, tear its last line as a kill inside
// write() would, run it again, and check that every point is there exactly
// once and that the records written before the kill are untouched.

import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { loadSweep } from '../cli/sweep.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const tcBin = join(repo, 'dist/cli/tc.js');
const dir = mkdtempSync(join(tmpdir(), 'tc-sweep-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'tiny.tc'),
  `let M = 48
let K = 32
let N = 16
def gemm(a: i8[M, K], b: i8[K, N]) -> i32[M, N] {
  return a @ b
}
`,
);
const specPath = join(dir, 'resume.json');
writeFileSync(specPath, JSON.stringify({ name: 'resume', parameters: { dim: [4, 8, 16, 32], memLatencyCycles: [20, 100] }, workloads: ['tiny.tc'] }));
const out = join(dir, 'out');
const results = join(out, 'results.jsonl');

function sweep(): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; kill: () => void } {
  const child = spawn(process.execPath, [tcBin, 'sweep', specPath, '-o', out, '-j', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return {
    done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))),
    kill: () => void child.kill('SIGKILL'),
  };
}

const completeLines = (): string[] => (existsSync(results) ? readFileSync(results, 'utf8').split('\n').slice(0, -1) : []);

it('resumes a killed sweep: no point lost, none run twice', async () => {
  expect(existsSync(tcBin), 'dist/cli/tc.js is missing: run npm run build').toBe(true);
  const expected = loadSweep(specPath).sweep!.points.map((p) => p.id).sort();
  expect(expected).toHaveLength(8);

  const first = sweep();
  const t0 = Date.now();
  while (completeLines().length < 2 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 10));
  first.kill();
  const killed = await first.done;
  expect(killed.code).toBeNull(); // killed, not finished
  const before = completeLines();
  expect(before.length).toBeGreaterThanOrEqual(2);
  expect(before.length).toBeLessThan(8);
  // A kill inside write() leaves a torn last line; the rerun must cut it off.
  appendFileSync(results, '{"v":1,"id":"torn');

  const second = await sweep().done;
  expect(second.stderr).toContain(`${before.length} already done, ${8 - before.length} to run`);
  expect(second.stdout).toContain('resume: 8/8 points done: 8 PASS, 0 FAIL, 0 skipped, 0 error');
  expect(second.stdout).not.toContain('unreadable');
  expect(second.code).toBe(0);

  const after = completeLines();
  expect(readFileSync(results, 'utf8').endsWith('\n')).toBe(true);
  expect(after.slice(0, before.length)).toEqual(before);
  const ids = after.map((l) => (JSON.parse(l) as { id: string }).id);
  expect(ids).toHaveLength(8);
  expect([...ids].sort()).toEqual(expected);
}, 120_000);
