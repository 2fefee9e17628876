// Copies the non-TypeScript files the compiled code reads at run time
// (the grammar, JSON schemas, the C runtime) into dist/ beside the JavaScript.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ASSET = /\.(ohm|json|h|c|S|ld|md)$/;
const roots = ['frontend', 'ir', 'passes', 'backends', 'gemmini', 'spike', 'llm', 'cli'];

function copyTree(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyTree(path);
    else if (ASSET.test(name)) cpSync(path, join('dist', path));
  }
}
for (const root of roots) copyTree(root);
