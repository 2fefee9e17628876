#!/usr/bin/env node
// Entry point of the `tc` binary.
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
