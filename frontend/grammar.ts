// The tc grammar (frontend/tc.ohm), built once per process. Compiling the
// grammar text takes about 60 ms on this machine (ohm parses it with its own
// grammar), a quarter of every command's start-up; `npm run build` also saves
// the compiled grammar beside it (tc.ohm.recipe.json, cli/copy-assets.mjs),
// which loads in about 1 ms. The saved form carries the text it was made from
// and is used only where that is the grammar text read now.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Ohm from 'ohm-js';

// ohm-js's ES module build is some 50 files (about 25 ms to load here), its
// CommonJS build one bundle (about 12 ms): the same package, loaded as the latter.
const ohm = createRequire(import.meta.url)('ohm-js') as typeof Ohm;

// ohm-js has no types for a grammar's recipe (its JSON form) and makeRecipe;
// the grammar bundles ohm's own command-line tool writes load grammars so.
const { makeRecipe } = ohm as unknown as { makeRecipe: (recipe: unknown) => Ohm.Grammar };
const recipeOf = (grammar: Ohm.Grammar): unknown => JSON.parse((grammar as unknown as { toRecipe: () => string }).toRecipe());

/** What the build saves for a grammar text: the text and its compiled grammar (JSON). */
export function savedGrammar(source: string): string {
  return JSON.stringify({ source, recipe: recipeOf(ohm.grammar(source)) });
}

/** The grammar of `source`, from `saved` (savedGrammar's output) when that was made from this very text. */
export function grammarOf(source: string, saved?: string): Ohm.Grammar {
  if (saved !== undefined) {
    const { source: from, recipe } = JSON.parse(saved) as { source?: unknown; recipe?: unknown };
    if (from === source) return makeRecipe(recipe);
  }
  return ohm.grammar(source);
}

/** Where the build saves the compiled grammar of a .ohm file. */
export const savedGrammarPath = (grammarPath: string): string => `${grammarPath}.recipe.json`;

/** The grammar in `url` (a .ohm file), from its saved form where that is current. */
export function loadGrammar(url: URL): Ohm.Grammar {
  const saved = savedGrammarPath(fileURLToPath(url));
  return grammarOf(readFileSync(url, 'utf8'), existsSync(saved) ? readFileSync(saved, 'utf8') : undefined);
}
