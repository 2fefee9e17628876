// The grammar's saved form (frontend/grammar.ts): `npm run build` writes the
// compiled grammar beside frontend/tc.ohm in dist/, which loads in a
// millisecond where compiling the text takes tens. It must be the same
// grammar, and never stand in for a grammar text it was not made from.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ohm from 'ohm-js';
import { grammarOf, savedGrammar, savedGrammarPath } from '../frontend/grammar.js';

const source = readFileSync(new URL('../frontend/tc.ohm', import.meta.url), 'utf8');
const recipe = (g: ohm.Grammar): string => (g as unknown as { toRecipe: () => string }).toRecipe();
const examples = readdirSync(new URL('../examples', import.meta.url))
  .filter((f) => f.endsWith('.tc'))
  .map((f) => readFileSync(new URL(`../examples/${f}`, import.meta.url), 'utf8'));

describe('the saved grammar', () => {
  const compiled = ohm.grammar(source);
  const loaded = grammarOf(source, savedGrammar(source));

  it('is the grammar the text compiles to', () => {
    expect(recipe(loaded)).toBe(recipe(compiled));
  });

  it('matches what the compiled grammar matches, and fails where it fails', () => {
    expect(examples.length).toBeGreaterThan(10);
    for (const text of examples) expect(loaded.match(text).succeeded()).toBe(true);
    const broken = `${examples[0]}\n)`;
    const [a, b] = [compiled.match(broken), loaded.match(broken)];
    expect(b.failed()).toBe(true);
    expect(b.getRightmostFailurePosition()).toBe(a.getRightmostFailurePosition());
  });

  it('is not used for another text (a grammar edited since the build)', () => {
    const edited = source.replace('def', 'fn');
    expect(edited).not.toBe(source);
    expect(recipe(grammarOf(edited, savedGrammar(source)))).toBe(recipe(ohm.grammar(edited)));
  });

  it('is written by the build, from the grammar text as it is', () => {
    const saved = savedGrammarPath(fileURLToPath(new URL('../dist/frontend/tc.ohm', import.meta.url)));
    expect(existsSync(saved), `${saved}: run npm run build`).toBe(true);
    expect(JSON.parse(readFileSync(saved, 'utf8')).source).toBe(source);
  });
});
