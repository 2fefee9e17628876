// `tc configs ...`: list the presets, show one, check configuration files, and
// print the gemmini_params.h of a preset or file. The CLI passes its arguments
// after `configs` and an io object; every string given to io.stdout/io.stderr
// ends with its own newline. Exit status: 0 ok, 1 invalid configuration or
// unreadable file, 2 wrong usage.

import {
  CONFIG_SCHEMA,
  type GemminiConfig,
  derivedParams,
  formatConfigError,
  validateConfig,
} from './config.js';
import { renderGemminiParams } from './params.js';
import { type Preset, getPreset, presetNames } from './presets.js';

export interface ConfigsCommandIO {
  stdout(s: string): void;
  stderr(s: string): void;
  readFile(path: string): string;
}

const USAGE = `usage: tc configs <command>
  list                    the named presets
  show NAME|FILE [--json] a configuration and its derived parameters (--json: the configuration only)
  check FILE...           validate configuration files
  params NAME|FILE        print the gemmini_params.h of a configuration
  schema                  print the JSON Schema of configuration files
`;

type FileLoad =
  | { readonly kind: 'file'; readonly path: string; readonly config: GemminiConfig }
  | { readonly kind: 'failed'; readonly errorLines: readonly string[] };

export type Loaded = { readonly kind: 'preset'; readonly preset: Preset } | FileLoad;

function loadFile(path: string, io: ConfigsCommandIO): FileLoad {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error) {
    return { kind: 'failed', errorLines: [`${path}: error: cannot read file (${describeError(error)})`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'failed', errorLines: [`${path}: error: not valid JSON: ${jsonErrorText(error, text)}`] };
  }
  const { config, errors } = validateConfig(json);
  if (config === undefined) {
    return { kind: 'failed', errorLines: errors.map((e) => `${path}: error: ${formatConfigError(e)}`) };
  }
  return { kind: 'file', path, config };
}

function looksLikePath(arg: string): boolean {
  return arg.includes('/') || arg.includes('\\') || arg.endsWith('.json');
}

/** A preset when `arg` names one, otherwise the configuration file at `arg`. */
export function loadPresetOrFile(arg: string, io: ConfigsCommandIO): Loaded {
  const preset = getPreset(arg);
  if (preset !== undefined) return { kind: 'preset', preset };
  const loaded = loadFile(arg, io);
  if (loaded.kind === 'failed' && !looksLikePath(arg) && loaded.errorLines[0]?.includes('cannot read file')) {
    return {
      kind: 'failed',
      errorLines: [`error: '${arg}' is neither a preset (${presetNames().join(', ')}) nor a readable file`],
    };
  }
  return loaded;
}

/** JSON.parse's message with "at position N" also given as a line and column. */
function jsonErrorText(error: unknown, text: string): string {
  const message = describeError(error);
  const position = /at position (\d+)/.exec(message);
  if (position === null || /line \d+/.test(message)) return message;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function configOf(loaded: Loaded & { kind: 'preset' | 'file' }): GemminiConfig {
  switch (loaded.kind) {
    case 'preset':
      return loaded.preset.config;
    case 'file':
      return loaded.config;
  }
}

function typesText(c: GemminiConfig): string {
  return `${c.inputType}/${c.accType}/${c.outputType}`;
}

function table(rows: readonly (readonly string[])[], rightAligned: readonly number[]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          rightAligned.includes(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
        )
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function listPresets(io: ConfigsCommandIO): number {
  const rows = [['name', 'DIM', 'types (in/acc/out)', 'scratchpad KiB', 'acc KiB', 'dataflow', 'source']];
  for (const name of presetNames()) {
    const preset = getPreset(name);
    if (preset === undefined) continue;
    const c = preset.config;
    rows.push([
      c.name,
      String(c.dim),
      typesText(c),
      String(c.scratchpadKiB),
      String(c.accumulatorKiB),
      c.dataflow,
      preset.source,
    ]);
  }
  io.stdout(table(rows, [1, 3, 4]));
  return 0;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function summary(c: GemminiConfig): string {
  const d = derivedParams(c);
  return (
    `'${c.name}', DIM ${c.dim}, ${typesText(c)}, ` +
    `scratchpad ${c.scratchpadKiB} KiB (${count(d.BANK_NUM, 'bank')} × ${d.BANK_ROWS} rows), ` +
    `accumulator ${c.accumulatorKiB} KiB (${count(d.ACC_BANKS, 'bank')} × ${d.ACC_BANK_ROWS} rows), ` +
    `dataflow ${c.dataflow}`
  );
}

function show(args: readonly string[], io: ConfigsCommandIO): number {
  const jsonOnly = args.includes('--json');
  const targets = args.filter((a) => a !== '--json');
  if (targets.length !== 1) return usageError(io, 'show takes one preset name or file');
  const loaded = loadPresetOrFile(targets[0], io);
  if (loaded.kind === 'failed') return fail(io, loaded.errorLines);
  const config = configOf(loaded);
  io.stdout(`${JSON.stringify(config, null, 2)}\n`);
  if (jsonOnly) return 0;
  const derived = derivedParams(config);
  const lines = [''];
  lines.push(`source: ${loaded.kind === 'preset' ? loaded.preset.source : loaded.path}`);
  lines.push('derived parameters:');
  lines.push(
    table(
      Object.entries(derived).map(([key, value]) => [`  ${key}`, String(value)]),
      [1],
    ).trimEnd(),
  );
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

function check(paths: readonly string[], io: ConfigsCommandIO): number {
  if (paths.length === 0) return usageError(io, 'check takes one or more configuration files');
  let status = 0;
  for (const path of paths) {
    const loaded = loadFile(path, io);
    switch (loaded.kind) {
      case 'file':
        io.stdout(`${path}: ok: ${summary(loaded.config)}\n`);
        break;
      case 'failed':
        io.stderr(loaded.errorLines.map((line) => `${line}\n`).join(''));
        status = 1;
        break;
    }
  }
  return status;
}

function params(args: readonly string[], io: ConfigsCommandIO): number {
  if (args.length !== 1) return usageError(io, 'params takes one preset name or file');
  const loaded = loadPresetOrFile(args[0], io);
  if (loaded.kind === 'failed') return fail(io, loaded.errorLines);
  io.stdout(renderGemminiParams(configOf(loaded)));
  return 0;
}

function fail(io: ConfigsCommandIO, errorLines: readonly string[]): number {
  io.stderr(errorLines.map((line) => `${line}\n`).join(''));
  return 1;
}

function usageError(io: ConfigsCommandIO, problem: string): number {
  io.stderr(`tc configs: ${problem}\n${USAGE}`);
  return 2;
}

export function configsCommand(args: string[], io: ConfigsCommandIO): number {
  const [command, ...rest] = args;
  switch (command) {
    case 'list':
      return rest.length === 0 ? listPresets(io) : usageError(io, 'list takes no arguments');
    case 'show':
      return show(rest, io);
    case 'check':
      return check(rest, io);
    case 'params':
      return params(rest, io);
    case 'schema':
      io.stdout(`${JSON.stringify(CONFIG_SCHEMA, null, 2)}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
      io.stdout(USAGE);
      return 0;
    default:
      return usageError(io, `unknown command '${command}'`);
  }
}
