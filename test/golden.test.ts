// Golden files: the Tensor IR of every example, as the frontend lowers it.
// A diff of a golden file is a review of the frontend. To accept changes:
//   TC_UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../frontend/frontend.js';
import { parseTensorFunc } from '../ir/tensor-parse.js';
import { printTensorFunc } from '../ir/tensor-print.js';
import { verifyTensorFunc } from '../ir/tensor-verify.js';

const update = process.env.TC_UPDATE_GOLDEN === '1';
const examples = readdirSync('examples').filter((f) => f.endsWith('.tc')).sort();

describe('Tensor IR goldens of the examples', () => {
  it('covers at least ten examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });
  for (const file of examples) {
    it(file, () => {
      const path = join('examples', file);
      const r = compileSource(path, readFileSync(path, 'utf8'));
      expect(r.diagnostics.items).toEqual([]);
      const text = printTensorFunc(r.func!);
      const golden = join('test/golden/tensor-ir', basename(file, '.tc') + '.ir');
      if (update || !existsSync(golden)) writeFileSync(golden, text);
      expect(text).toBe(readFileSync(golden, 'utf8'));
      // The text is a faithful form of the IR: it parses back to the same function.
      const back = parseTensorFunc(text, golden);
      expect(back.diagnostics.items).toEqual([]);
      expect(verifyTensorFunc(back.value!).items).toEqual([]);
      expect(printTensorFunc(back.value!)).toBe(text);
      const withLocs = printTensorFunc(r.func!, { locs: true });
      expect(printTensorFunc(parseTensorFunc(withLocs).value!, { locs: true })).toBe(withLocs);
    });
  }
});
