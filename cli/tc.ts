#!/usr/bin/env -S node --v8-pool-size=0
// Entry point of the `tc` binary. --v8-pool-size=0 sizes V8's pool of
// background threads (where its optimizing compiler runs) to the machine's
// cores instead of Node's default of 4: on a 2-core machine the extra threads
// took CPU from the main thread while a short analytical sweep warmed up
// (bench/sweep-speed.ts measures it).
import { main } from './main.js';

function internalError(e: unknown): void {
  // Only tc's own bugs reach this point; user mistakes are diagnostics.
  process.stderr.write(`tc: internal error: ${(e as Error).message}\n`);
  if (process.env.TC_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  else process.stderr.write('(set TC_DEBUG=1 for a stack trace, and please report it)\n');
  process.exitCode = 70;
}

try {
  const code = main(process.argv.slice(2));
  if (typeof code === 'number') process.exitCode = code;
  else code.then((c) => (process.exitCode = c), internalError);
} catch (e) {
  internalError(e);
}
