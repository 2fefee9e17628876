// Command-line parsing on node:util's parseArgs, with tc's shared options.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export function parse(args: string[], options: OptionSpec): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** `--size M=64,K=128 --size N=32` -> Map. */
export function parseSizes(specs: string[] | undefined): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const spec of specs ?? [])
    for (const part of spec.split(',')) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(-?[0-9]+)\s*$/.exec(part);
      if (!m) throw new UsageError(`--size expects NAME=INTEGER[,NAME=INTEGER...], got '${part}'`);
      sizes.set(m[1], Number(m[2]));
    }
  return sizes;
}

export function parseSeed(text: string | undefined): number {
  if (text === undefined) return 1;
  if (!/^[0-9]+$/.test(text) || Number(text) > 0xffffffff) throw new UsageError(`--seed expects an integer in [0, 2^32), got '${text}'`);
  return Number(text);
}
