// Copies the non-TypeScript files the compiled code reads at run time
// (the grammar, JSON schemas, the C runtime) into dist/ beside the JavaScript,
// and saves each grammar and JSON Schema validator compiled
// (frontend/grammar.ts, ir/json-schema.ts: they load in a millisecond or a
// few, compiling them takes tens). Runs after tsc.
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { savedGrammar, savedGrammarPath } from '../dist/frontend/grammar.js';
import { savedValidator } from '../dist/ir/json-schema.js';
import { CONFIG_VALIDATOR } from '../dist/gemmini/config.js';
import { SWEEP_VALIDATOR } from '../dist/cli/sweep-spec.js';

const ASSET = /\.(ohm|json|h|c|S|ld|md)$/;
const roots = ['frontend', 'ir', 'passes', 'backends', 'gemmini', 'spike', 'llm', 'cli'];

function copyTree(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyTree(path);
    else if (ASSET.test(name)) {
      cpSync(path, join('dist', path));
      if (name.endsWith('.ohm')) writeFileSync(savedGrammarPath(join('dist', path)), savedGrammar(readFileSync(path, 'utf8')));
    }
  }
}
for (const root of roots) copyTree(root);
for (const v of [CONFIG_VALIDATOR, SWEEP_VALIDATOR]) writeFileSync(fileURLToPath(v.saved), savedValidator(v));
