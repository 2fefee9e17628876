#!/usr/bin/env node
// Entry point of the `tc` binary.
import { main } from './main.js';

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  // Only tc's own bugs reach this point; user mistakes are diagnostics.
  process.stderr.write(`tc: internal error: ${(e as Error).message}\n`);
  if (process.env.TC_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  else process.stderr.write('(set TC_DEBUG=1 for a stack trace, and please report it)\n');
  process.exitCode = 70;
}
