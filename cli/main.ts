// The `tc` command: subcommands, their help, and the mapping of outcomes to
// exit codes (0 success, 1 the program or its run is wrong, 2 usage error).

import { dirname, join } from 'node:path';
import { parse, parseSeed, parseSizes } from './args.js';
import { processIO, UsageError, type CliIO } from './io.js';
import { compileSource } from '../frontend/frontend.js';
import { formatDiagnostic, type Diagnostics } from '../ir/diagnostics.js';
import { interpret } from '../ir/interpret.js';
import { decodeNpy, encodeNpy } from '../ir/npy.js';
import type { TensorFunc } from '../ir/tensor-ir.js';
import { printTensorFunc } from '../ir/tensor-print.js';
import { checksum, formatChecksum, randomTensor, type Tensor } from '../ir/tensor-value.js';
import { formatType, sameType } from '../ir/types.js';
import type { Dataflow } from '../ir/program-ir.js';
import { printProgram } from '../ir/program-print.js';
import { configsCommand, loadPresetOrFile } from '../gemmini/configs-command.js';
import type { GemminiConfig } from '../gemmini/config.js';
import { modelSummary } from '../spike/report.js';
import { doctorReport } from '../spike/doctor.js';
import { describeCycles, type SimKind } from '../spike/result.js';
import { isSimKind, SIM_KINDS } from '../spike/runner.js';
import { compileForGemmini, runForGemmini } from './gemmini-driver.js';
import { PASS_NAMES } from '../passes/pipeline.js';
import { compileReport } from './compile-report.js';
import { estimateProgram } from '../gemmini/cost.js';
import { SWEEP_HELP, SWEEP_OPTIONS, sweepCommand } from './sweep.js';

const VERSION = '0.1.0';

const TOP_HELP = `tc ${VERSION} — a compiler for tensor programs on tensor accelerators

Usage: tc <command> [options] FILE.tc

Commands:
  check FILE      parse and check a program; report every error with its place
  eval FILE       run a program on the reference interpreter (Gemmini-exact numerics)
  compile FILE    lower a program: Tensor IR, Program IR, or Gemmini C (--target gemmini)
  run FILE        compile for Gemmini, run (host model, QEMU, Spike or RTL), compare with the interpreter
  sweep SPEC      run a design-space sweep over configurations and workloads (CSV, HTML report)
  configs         list, show and check Gemmini configurations
  doctor          list the compilers and simulators tc found, and what each runner needs
  help [COMMAND]  show help for a command

Options shared by check, eval and compile:
  --size NAME=N[,NAME=N...]   bind symbolic sizes (overrides \`let\` in the file)
  --entry NAME                the function to compile (default: the last one)

Run 'tc help COMMAND' for a command's options.
`;

const COMMON = {
  size: { type: 'string', multiple: true },
  entry: { type: 'string' },
} as const;

interface Command {
  readonly summary: string;
  readonly help: string;
  readonly options: Parameters<typeof parse>[1];
  run(values: Record<string, unknown>, positionals: string[], io: CliIO): number | Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  check: {
    summary: 'parse and check a program',
    help: `Usage: tc check [--size NAME=N,...] [--entry NAME] FILE.tc

Parses and checks FILE: syntax, names, shapes, dtypes, sizes and index ranges.
Every error is printed as FILE:LINE:COL: error: MESSAGE with the source line.
Exit code 0 when the program is valid, 1 when it has errors.
`,
    options: COMMON,
    run(values, positionals, io) {
      const { func, path } = frontend(values, positionals, io);
      if (!func) return 1;
      io.stdout(`${path}: ok — @${func.name}(${func.params.map((p) => `${p.name}: ${formatType(p.type)}`).join(', ')}) -> ${func.resultTypes.map(formatType).join(', ')}\n`);
      return 0;
    },
  },
  eval: {
    summary: 'run a program on the reference interpreter',
    help: `Usage: tc eval [options] FILE.tc

Runs the entry function on the reference interpreter, with inputs drawn from
the seeded generator (or read from .npy files), and prints each output's
shape and FNV-1a checksum.

Options:
  --seed N                 input seed (default 1); the C harnesses draw the same inputs
  --input NAME=FILE.npy    read input NAME from a .npy file (int8, int32 or float32, C order)
  --out DIR                write every output to DIR/<name>.npy
  --print                  print the output values too
  --size NAME=N[,...]      bind symbolic sizes
  --entry NAME             the function to run (default: the last one)
`,
    options: { ...COMMON, seed: { type: 'string' }, input: { type: 'string', multiple: true }, out: { type: 'string' }, print: { type: 'boolean' } },
    run(values, positionals, io) {
      const { func, path } = frontend(values, positionals, io);
      if (!func) return 1;
      const seed = parseSeed(values.seed as string | undefined);
      const inputs = makeInputs(func, seed, values.input as string[] | undefined, io);
      const started = performance.now();
      const outputs = interpret(func, inputs);
      const ms = performance.now() - started;
      io.stdout(`${path}: @${func.name}, seed ${seed}, ${ms.toFixed(1)} ms\n`);
      func.params.forEach((p, i) => io.stdout(`  input  ${p.name.padEnd(10)} ${formatType(p.type).padEnd(22)} checksum ${formatChecksum(checksum(inputs[i]))}\n`));
      outputs.forEach((t, i) => {
        const name = outputName(func, i);
        io.stdout(`  output ${name.padEnd(10)} ${formatType(t.type).padEnd(22)} checksum ${formatChecksum(checksum(t))}  ${stats(t)}\n`);
        if (values.print) io.stdout(formatValues(t) + '\n');
      });
      if (typeof values.out === 'string') {
        io.mkdir(values.out);
        outputs.forEach((t, i) => io.writeFile(join(values.out as string, `${outputName(func, i)}.npy`), encodeNpy(t)));
        io.stdout(`  wrote ${outputs.length} output${outputs.length === 1 ? '' : 's'} to ${values.out}/\n`);
      }
      return 0;
    },
  },
  compile: {
    summary: 'lower a program and print or write the result',
    help: `Usage: tc compile [options] FILE.tc

Lowers FILE. Without --target it prints the Tensor IR. With --target gemmini it
lowers to Gemmini instructions and writes the C program, its gemmini_params.h,
the Program IR and a compile report (tiles, memory map, the cycles the
analytical model predicts) into the output directory (default: out/NAME/).

Options:
  --target gemmini       compile for Gemmini
  --config NAME|FILE     Gemmini configuration: a preset (tc configs list) or a JSON file (default: default)
  --dataflow ws|os       the mesh's dataflow: weight- or output-stationary (default: ws where the configuration has it)
  --emit KIND            tensor-ir (default without --target), program-ir, or c: print that to stdout
  --dump-after STEP      print the IR after one step (canonicalize, fuse, tile, map-memory, emit-instructions)
  --dump-all             print the IR after every step
  --locs                 annotate Tensor IR ops with the source line they came from
  -o, --output PATH      without --target: write the text to PATH; with it: the output directory
  --size NAME=N[,...]    bind symbolic sizes
  --entry NAME           the function to compile (default: the last one)
`,
    options: {
      ...COMMON,
      emit: { type: 'string' },
      locs: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      target: { type: 'string' },
      config: { type: 'string' },
      dataflow: { type: 'string' },
      'dump-after': { type: 'string' },
      'dump-all': { type: 'boolean' },
    },
    run(values, positionals, io) {
      const target = values.target as string | undefined;
      if (target !== undefined && target !== 'gemmini') throw new UsageError(`--target: unknown target '${target}' (available: gemmini)`);
      const emit = (values.emit as string | undefined) ?? (target ? undefined : 'tensor-ir');
      if (emit !== undefined && !['tensor-ir', 'program-ir', 'c'].includes(emit)) throw new UsageError(`--emit: unknown format '${emit}' (available: tensor-ir, program-ir, c)`);
      const { func, path } = frontend(values, positionals, io);
      if (!func) return 1;
      if (emit === 'tensor-ir') {
        const text = printTensorFunc(func, { locs: Boolean(values.locs) });
        if (typeof values.output === 'string') {
          const dir = dirname(values.output);
          if (dir !== '.') io.mkdir(dir);
          io.writeFile(values.output, text);
        } else io.stdout(text);
        return 0;
      }
      const config = resolveConfig(values.config as string | undefined, io);
      const dataflow = parseDataflow(values.dataflow as string | undefined);
      const dumpAfter = values['dump-after'] as string | undefined;
      if (dumpAfter !== undefined && !(PASS_NAMES as readonly string[]).includes(dumpAfter))
        throw new UsageError(`--dump-after: unknown step '${dumpAfter}' (steps: ${PASS_NAMES.join(', ')})`);
      const dump = (step: string, text: string): void => {
        if (values['dump-all'] || step === dumpAfter) io.stdout(`// ----- IR after ${step} -----\n${text}`);
      };
      const build = compileForGemmini(func, config, path, dump, { dataflow });
      printDiagnostics(build.diagnostics, new Map([[path, new TextDecoder().decode(io.readFile(path))]]), io);
      const program = build.program;
      if (build.diagnostics.hasErrors || !program) return 1;
      if (dumpAfter !== undefined || values['dump-all']) return 0;
      if (emit === 'program-ir') return io.stdout(printProgram(program)), 0;
      if (emit === 'c') return io.stdout(build.cSource), 0;
      const outDir = (values.output as string | undefined) ?? join('out', func.name);
      io.mkdir(outDir);
      io.writeFile(join(outDir, `${func.name}.c`), build.cSource);
      io.writeFile(join(outDir, 'gemmini_params.h'), build.paramsHeader);
      io.writeFile(join(outDir, `${func.name}.program.ir`), printProgram(program));
      const report = compileReport({ source: path, configName: config.name, dim: program.dim, mapped: build.mapped!, program, estimate: build.estimate ?? estimateProgram(program, config) });
      io.writeFile(join(outDir, `${func.name}.report.txt`), report);
      io.stdout(report);
      io.stdout(`wrote ${outDir}/${func.name}.c, ${outDir}/gemmini_params.h, ${outDir}/${func.name}.program.ir, ${outDir}/${func.name}.report.txt\n`);
      return 0;
    },
  },
  run: {
    summary: 'compile for Gemmini, run, and check against the reference interpreter',
    help: `Usage: tc run --target gemmini [options] FILE.tc

Compiles FILE for Gemmini, builds and runs it on inputs drawn from the seed
(outputs poisoned first), compares every output element with the reference
interpreter, and prints PASS or FAIL with the first mismatches, the cycles, the
utilisation and the model's breakdown. Exit code 0 only on PASS.

Where it runs (--sim; tc doctor says what is installed):
  host       the system C compiler and tc's host model of Gemmini (default)
  qemu       a bare-metal RISC-V binary on QEMU's virt machine; each Gemmini
             instruction traps and runs on tc's model compiled for RISC-V
             (bit-exact; cycles are the model's, rdcycle is QEMU's)
  spike      the RISC-V binary on spike --extension=gemmini (TC_SPIKE, TC_SPIKE_FLAGS)
  verilator  the RISC-V binary on a Chipyard-built RTL simulator (--sim-bin or
             TC_VERILATOR_SIM, TC_VERILATOR_FLAGS): hardware cycles
RISC-V builds use riscv64-unknown-elf-gcc with picolibc (or TC_RISCV_PREFIX).

Options:
  --target gemmini       the target (the only one so far; also the default)
  --config NAME|FILE     Gemmini configuration: a preset (tc configs list) or a JSON file (default: default)
  --dataflow ws|os       the mesh's dataflow: weight- or output-stationary (default: ws where the configuration has it)
  --seed N               input seed (default 1)
  --sim host|qemu|spike|verilator   where to run (default host)
  --sim-bin PATH         the simulator binary for --sim verilator
  --timeout SECONDS      stop the program after this long (default 120; verilator 3600)
  --trace FILE.json      write the model's timeline as Chrome trace-event JSON (open in Perfetto; --sim host)
  --keep                 keep the build directory and print where it is
  --size NAME=N[,...]    bind symbolic sizes
  --entry NAME           the function to run (default: the last one)
`,
    options: {
      ...COMMON,
      target: { type: 'string' },
      config: { type: 'string' },
      dataflow: { type: 'string' },
      seed: { type: 'string' },
      trace: { type: 'string' },
      keep: { type: 'boolean' },
      sim: { type: 'string' },
      'sim-bin': { type: 'string' },
      timeout: { type: 'string' },
    },
    async run(values, positionals, io) {
      const target = (values.target as string | undefined) ?? 'gemmini';
      if (target !== 'gemmini') throw new UsageError(`--target: unknown target '${target}' (available: gemmini)`);
      const seed = parseSeed(values.seed as string | undefined);
      const sim = parseSim(values.sim as string | undefined);
      if (values.trace && sim !== 'host') throw new UsageError(`--trace: the trace is written by the host model (--sim host), not with --sim ${sim}`);
      if (values['sim-bin'] !== undefined && sim !== 'verilator') throw new UsageError('--sim-bin: only --sim verilator takes a simulator binary (spike: TC_SPIKE, qemu: TC_QEMU)');
      const timeoutMs = parseTimeout(values.timeout as string | undefined);
      const { func, path } = frontend(values, positionals, io);
      if (!func) return 1;
      const config = resolveConfig(values.config as string | undefined, io);
      const dataflow = parseDataflow(values.dataflow as string | undefined);
      const build = compileForGemmini(func, config, path, undefined, { dataflow });
      printDiagnostics(build.diagnostics, new Map([[path, new TextDecoder().decode(io.readFile(path))]]), io);
      const program = build.program;
      if (build.diagnostics.hasErrors || !program) return 1;
      io.stderr(`building and running @${func.name} for Gemmini '${config.name}' on ${SIM_WORDS[sim]}...\n`);
      const run = await runForGemmini(func, build, seed, {
        sim,
        tracePath: values.trace as string | undefined,
        keep: Boolean(values.keep),
        simBin: values['sim-bin'] as string | undefined,
        timeoutMs,
      });
      const r = run.result;
      io.stdout(`${path}: @${func.name} on Gemmini '${config.name}' (DIM ${program.dim}, ${SIM_WORDS[sim]}), seed ${seed}\n`);
      if (r.buildDir) io.stdout(`  build kept in ${r.buildDir}\n`);
      if (r.status !== 'ok' || !run.comparison || !r.report) {
        io.stdout(`FAIL  ${r.status}: ${r.message ?? ''}\n`);
        return 1;
      }
      const c = run.comparison;
      const elements = run.expected.reduce((n, t) => n + t.data.length, 0);
      if (c.pass) io.stdout(`PASS  ${run.expected.length} output${run.expected.length === 1 ? '' : 's'}, ${elements} elements equal to the reference interpreter\n`);
      else {
        io.stdout(`FAIL  ${c.mismatchCount} of ${elements} elements differ from the reference interpreter\n`);
        for (const p of c.problems) io.stdout(`  ${p}\n`);
        for (const m of c.firstMismatches) io.stdout(`  output ${m.output} [${m.index.join(', ')}]: expected ${m.expected}, got ${m.actual}\n`);
      }
      const s = modelSummary(r.report);
      const source = r.cyclesSource ?? 'model';
      if (source === 'model' || s.cycles !== undefined) {
        // The model's figures: on the host, or in QEMU's emulator.
        const cycles = source === 'model' ? (r.report.cycles ?? s.cycles) : s.cycles;
        const whose = source === 'model' ? '' : " (Gemmini cycles by tc's model, emulated)";
        io.stdout(`  cycles ${cycles}${whose}  utilisation ${((s.utilization ?? 0) * 100).toFixed(1)}%  MACs ${s.macs ?? 0}  DRAM read ${s.dram_bytes_read ?? 0} B, written ${s.dram_bytes_written ?? 0} B\n`);
      }
      if (source !== 'model' && r.report.cycles !== undefined) io.stdout(`  ${source === 'rtl' ? 'cycles' : 'rdcycle'} ${r.report.cycles} over the kernel: ${describeCycles(source)}\n`);
      const queues = r.report.model.filter((m) => m.record === 'queue').map((m) => `${m.fields.name} ${m.fields.busy_cycles}`);
      if (queues.length) io.stdout(`  busy cycles by queue: ${queues.join(', ')}\n`);
      const kinds = r.report.model.filter((m) => m.record === 'kind').map((m) => `${m.fields.name} ${m.fields.count}`);
      if (kinds.length) io.stdout(`  instructions: ${kinds.join(', ')}\n`);
      io.stdout(`  build ${(r.buildMs / 1000).toFixed(2)} s, run ${(r.runMs / 1000).toFixed(2)} s\n`);
      if (values.trace) io.stdout(`  trace written to ${values.trace}\n`);
      return c.pass ? 0 : 1;
    },
  },
  sweep: {
    summary: 'run a design-space sweep over configurations and workloads',
    help: SWEEP_HELP,
    options: SWEEP_OPTIONS,
    run: sweepCommand,
  },
  doctor: {
    summary: 'list the compilers and simulators tc found, and what each runner needs',
    help: `Usage: tc doctor [--sim-bin PATH]

Lists the host C compiler, the RISC-V cross toolchain (riscv64-unknown-elf-gcc
with picolibc, or TC_RISCV_PREFIX), QEMU (TC_QEMU), Spike (TC_SPIKE) and the
Verilator simulator (--sim-bin or TC_VERILATOR_SIM) that tc run --sim uses,
what is missing and how to install it. tc never downloads or builds them.
Exit code 0 when the default runner (host) is ready, 1 otherwise.
`,
    options: { 'sim-bin': { type: 'string' } },
    async run(values, positionals, io) {
      if (positionals.length) throw new UsageError(`doctor takes no FILE, got '${positionals[0]}'`);
      const report = await doctorReport(process.env, values['sim-bin'] as string | undefined);
      io.stdout(report.lines.join('\n') + '\n');
      return report.ready.host ? 0 : 1;
    },
  },
};

const SIM_WORDS: Record<SimKind, string> = {
  host: 'host model',
  qemu: 'QEMU, Gemmini emulated by the model',
  spike: 'Spike',
  verilator: 'Verilator RTL simulation',
};

function parseSim(arg: string | undefined): SimKind {
  if (arg === undefined) return 'host';
  if (isSimKind(arg)) return arg;
  throw new UsageError(`--sim: unknown simulator '${arg}' (${SIM_KINDS.join(', ')})`);
}

function parseTimeout(arg: string | undefined): number | undefined {
  if (arg === undefined) return undefined;
  if (!/^[0-9]+(\.[0-9]+)?$/.test(arg) || Number(arg) <= 0) throw new UsageError(`--timeout expects a number of seconds, got '${arg}'`);
  return Number(arg) * 1000;
}

/** A preset name or a configuration file; a bad one is a usage error. */
function resolveConfig(arg: string | undefined, io: CliIO): GemminiConfig {
  const loaded = loadPresetOrFile(arg ?? 'default', { stdout: io.stdout, stderr: io.stderr, readFile: (p) => new TextDecoder().decode(io.readFile(p)) });
  switch (loaded.kind) {
    case 'preset':
      return loaded.preset.config;
    case 'file':
      return loaded.config;
    case 'failed':
      throw new UsageError(`--config: ${loaded.errorLines.join('\n')}`);
  }
}

/** `--dataflow ws|os`; absent: the pipeline's default. Whether the configuration has it is the pipeline's to say. */
function parseDataflow(arg: string | undefined): Dataflow | undefined {
  if (arg === undefined || arg === 'ws' || arg === 'os') return arg;
  throw new UsageError(`--dataflow: unknown dataflow '${arg}' (ws or os)`);
}

/** Reads FILE, runs the frontend, prints diagnostics. */
function frontend(values: Record<string, unknown>, positionals: string[], io: CliIO): { func?: TensorFunc; path: string } {
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing FILE.tc' : `expected one FILE.tc, got ${positionals.length} arguments`);
  const path = positionals[0];
  let text: string;
  try {
    text = new TextDecoder().decode(io.readFile(path));
  } catch (e) {
    throw new UsageError(`cannot read '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const r = compileSource(path, text, { entry: values.entry as string | undefined, sizes: parseSizes(values.size as string[] | undefined) });
  printDiagnostics(r.diagnostics, new Map([[path, text]]), io);
  return { func: r.func, path };
}

function printDiagnostics(diags: Diagnostics, sources: Map<string, string>, io: CliIO): void {
  for (const d of diags.items) io.stderr(formatDiagnostic(d, sources) + '\n');
  const n = diags.errorCount;
  if (n > 1) io.stderr(`${n} errors\n`);
}

function makeInputs(func: TensorFunc, seed: number, specs: string[] | undefined, io: CliIO): Tensor[] {
  const files = new Map<string, string>();
  for (const spec of specs ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(spec);
    if (!m) throw new UsageError(`--input expects NAME=FILE.npy, got '${spec}'`);
    if (!func.params.some((p) => p.name === m[1]))
      throw new UsageError(`--input ${m[1]}: @${func.name} has no parameter '${m[1]}' (parameters: ${func.params.map((p) => p.name).join(', ')})`);
    files.set(m[1], m[2]);
  }
  return func.params.map((p, i) => {
    const file = files.get(p.name);
    if (file === undefined) return randomTensor(p.type, seed, i);
    let bytes: Uint8Array;
    try {
      bytes = io.readFile(file);
    } catch {
      throw new UsageError(`--input ${p.name}: cannot read '${file}'`);
    }
    const r = decodeNpy(bytes);
    if (!r.ok) throw new UsageError(`--input ${p.name}: ${file}: ${r.error}`);
    if (!sameType(r.tensor.type, p.type)) throw new UsageError(`--input ${p.name}: ${file} holds ${formatType(r.tensor.type)} but '${p.name}' is ${formatType(p.type)}`);
    return r.tensor;
  });
}

/** An output's user-facing name: the source name it was assigned to, else out0, out1, ... */
function outputName(func: TensorFunc, i: number): string {
  const r = func.results[i];
  return /^[0-9]+$/.test(r) ? `out${i}` : r;
}

function stats(t: Tensor): string {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of t.data) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = t.data.length ? sum / t.data.length : 0;
  return `min ${min} max ${max} mean ${mean.toPrecision(4)}`;
}

function formatValues(t: Tensor): string {
  const shape = t.type.shape;
  if (shape.length === 0) return String(t.data[0]);
  const inner = shape[shape.length - 1];
  const rows: string[] = [];
  for (let i = 0; i < t.data.length; i += inner) rows.push('    ' + Array.from(t.data.subarray(i, i + inner)).join(' '));
  return rows.join('\n');
}

export function main(argv: string[], io: CliIO = processIO): number | Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(TOP_HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`tc ${VERSION}\n`);
    return 0;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (topic === undefined) io.stdout(TOP_HELP);
    else if (topic === 'configs') configsCommand(['help'], { stdout: io.stdout, stderr: io.stderr, readFile: () => '' });
    else if (COMMANDS[topic]) io.stdout(COMMANDS[topic].help);
    else {
      io.stderr(`tc: no command '${topic}'; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
      return 2;
    }
    return 0;
  }
  if (name === 'configs') return configsCommand(rest, { stdout: io.stdout, stderr: io.stderr, readFile: (p) => new TextDecoder().decode(io.readFile(p)) });
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stderr(`tc: unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(', ')} (see tc --help)\n`);
    return 2;
  }
  try {
    const { values, positionals } = parse(rest, cmd.options);
    if (values.help) {
      io.stdout(cmd.help);
      return 0;
    }
    const code = cmd.run(values, positionals, io);
    return code instanceof Promise ? code.catch((e: unknown) => usageOrThrow(e, name, io)) : code;
  } catch (e) {
    return usageOrThrow(e, name, io);
  }
}

function usageOrThrow(e: unknown, command: string, io: CliIO): number {
  if (e instanceof UsageError) {
    io.stderr(`tc ${command}: ${e.message}\n`);
    return 2;
  }
  throw e;
}
