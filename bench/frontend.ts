// Frontend speed: parse + check + lower to Tensor IR, per example.
// Target (issue 2): under 50 ms each, median after warm-up.
//   npm run build && node dist/bench/frontend.js [runs]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSource } from '../frontend/frontend.js';
import { median, table, timeRuns } from './stats.js';

const runs = Number(process.argv[2] ?? 30);
const files = readdirSync('examples').filter((f) => f.endsWith('.tc')).sort();
const rows: string[][] = [];
let worst = 0;
for (const file of files) {
  const path = join('examples', file);
  const text = readFileSync(path, 'utf8');
  let ops = 0;
  const times = timeRuns(() => {
    const r = compileSource(path, text);
    if (!r.func) throw new Error(`${path} does not compile`);
    ops = r.func.body.length;
  }, runs);
  const med = median(times);
  worst = Math.max(worst, med);
  rows.push([file, String(text.split('\n').length), String(ops), med.toFixed(3), Math.min(...times).toFixed(3), Math.max(...times).toFixed(3)]);
}
console.log(`parse + check + lower to Tensor IR, ${runs} runs after 3 warm-up runs, one process`);
console.log(table(['example', 'lines', 'ops', 'median ms', 'min ms', 'max ms'], rows));
console.log(`\nslowest median: ${worst.toFixed(3)} ms (target < 50 ms): ${worst < 50 ? 'met' : 'NOT met'}`);
