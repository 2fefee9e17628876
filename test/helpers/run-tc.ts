// Runs the `tc` command in-process with captured output, for the CLI tests.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIO } from '../../cli/io.js';
import { main } from '../../cli/main.js';

export interface TcResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Files are read and written relative to `root` (default: the current directory). */
function captured(root: string): { io: CliIO; out: () => { stdout: string; stderr: string } } {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readFile: (p) => readFileSync(resolve(root, p)),
    writeFile: (p, d) => writeFileSync(resolve(root, p), d),
    mkdir: (p) => void mkdirSync(resolve(root, p), { recursive: true }),
  };
  return { io, out: () => ({ stdout, stderr }) };
}

/** A command that finishes synchronously (check, eval, compile, configs, help). */
export function runTc(args: string[], root = '.'): TcResult {
  const { io, out } = captured(root);
  const code = main(args, io);
  if (typeof code !== 'number') throw new Error('use runTcAsync for asynchronous commands');
  return { code, ...out() };
}

/** Any command, run and sweep included. */
export async function runTcAsync(args: string[], root = '.'): Promise<TcResult> {
  const { io, out } = captured(root);
  const code = await main(args, io);
  return { code, ...out() };
}
