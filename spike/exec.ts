// execa, loaded on first use. Its ~100 modules took about 60 ms of every
// command's start-up on this 2-core machine, and most commands (compile,
// an analytical sweep, --help) never start a process.

import type { execa as Execa } from 'execa';

let loading: Promise<typeof Execa> | undefined;

/** execa's `execa`, imported the first time a caller needs it. */
export function loadExeca(): Promise<typeof Execa> {
  return (loading ??= import('execa').then((m) => m.execa));
}
