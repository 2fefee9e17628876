// Copies the non-TypeScript files the compiled code reads at run time
// (the grammar, JSON schemas, the C runtime) into dist/ beside the JavaScript,
// and saves each grammar compiled (frontend/grammar.ts: it loads in a
// millisecond, the grammar text compiles in tens). Runs after tsc.
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { savedGrammar, savedGrammarPath } from '../dist/frontend/grammar.js';

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
