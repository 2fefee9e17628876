// The RISC-V runners: qemu, spike and verilator. Each builds the program into
// a bare-metal ELF (riscv-build.ts), runs its simulator with a time limit and
// turns what happened into a RunResult: the harness's report, or a clean
// error when the program trapped, the simulator crashed or hung, or the
// output is malformed.
//
// Command lines:
//   qemu       qemu-system-riscv64 -machine virt -nographic -bios none -m 256M -kernel prog.elf
//              (Gemmini emulated by tc's model behind the trap handler)
//   spike      spike --extension=gemmini [TC_SPIKE_FLAGS] prog.elf
//   verilator  SIM +permissive +max-cycles=N [TC_VERILATOR_FLAGS] +permissive-off prog.elf
//              (a Chipyard simulator binary; the arguments are those of
//              Chipyard's run-binary rule, with its own +dramsim flags left to
//              TC_VERILATOR_FLAGS)

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { functionAt, parseElf, decodeRocc, type Elf } from './elf.js';
import { functName } from './instruction-mix.js';
import { parseHarnessReport } from './report.js';
import { buildForRiscv, type RiscvBuild, type RiscvPlatform } from './riscv-build.js';
import type { CyclesSource, RunResult, SimKind } from './result.js';
import { findQemu, findRiscvToolchain, findSpike, findVerilatorSim, type Env, type ToolLookup } from './tools.js';

export type RiscvSim = Exclude<SimKind, 'host'>;

export interface RiscvRunOptions {
  readonly seed?: number;
  /** Stop the simulator after this long (ms); default 120 s (verilator: 1 h). */
  readonly timeoutMs?: number;
  /** Keep the build directory (program.c, program.elf, build.sh) and say where. */
  readonly keep?: boolean;
  /** verilator: the simulator binary (else TC_VERILATOR_SIM). */
  readonly simBin?: string;
  /** verilator: +max-cycles (default 100 million). */
  readonly maxCycles?: number;
  /** qemu: the machine; `spike` runs the HTIF runtime on QEMU's HTIF (tests). */
  readonly qemuMachine?: 'virt' | 'spike';
  /** Where to look for tools (PATH, TC_*); default process.env. */
  readonly env?: Env;
}

export interface SimCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/** Extra flags from an environment variable, split on white space. */
function extraFlags(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter(Boolean);
}

export function qemuCommand(qemu: string, elf: string, machine: 'virt' | 'spike' = 'virt'): SimCommand {
  return { file: qemu, args: ['-machine', machine, '-nographic', '-bios', 'none', '-m', '256M', '-kernel', elf] };
}

export function spikeCommand(spike: string, elf: string, env: Env = process.env): SimCommand {
  return { file: spike, args: ['--extension=gemmini', ...extraFlags(env.TC_SPIKE_FLAGS), elf] };
}

export const DEFAULT_MAX_CYCLES = 100_000_000;

export function verilatorCommand(sim: string, elf: string, maxCycles = DEFAULT_MAX_CYCLES, env: Env = process.env): SimCommand {
  return { file: sim, args: ['+permissive', `+max-cycles=${maxCycles}`, ...extraFlags(env.TC_VERILATOR_FLAGS), '+permissive-off', elf] };
}

/** How each simulator runs: which runtime it needs and what its rdcycle means. */
export const RISCV_SIMS: Record<RiscvSim, { platform: RiscvPlatform; emulateGemmini: boolean; cycles: CyclesSource; name: string }> = {
  qemu: { platform: 'virt', emulateGemmini: true, cycles: 'qemu', name: 'QEMU' },
  spike: { platform: 'htif', emulateGemmini: false, cycles: 'spike', name: 'Spike' },
  verilator: { platform: 'htif', emulateGemmini: false, cycles: 'rtl', name: 'the Verilator simulator' },
};

export function findSimulator(sim: RiscvSim, options: RiscvRunOptions = {}): ToolLookup {
  const env = options.env ?? process.env;
  switch (sim) {
    case 'qemu':
      return findQemu(env);
    case 'spike':
      return findSpike(env);
    case 'verilator':
      return findVerilatorSim(options.simBin, env);
  }
}

export function simCommand(sim: RiscvSim, simulator: string, elf: string, options: RiscvRunOptions = {}): SimCommand {
  const env = options.env ?? process.env;
  switch (sim) {
    case 'qemu':
      return qemuCommand(simulator, elf, options.qemuMachine);
    case 'spike':
      return spikeCommand(simulator, elf, env);
    case 'verilator':
      return verilatorCommand(simulator, elf, options.maxCycles, env);
  }
}

const TRAP_CAUSES: Record<number, string> = {
  0: 'instruction address misaligned',
  1: 'instruction access fault',
  2: 'illegal instruction',
  3: 'breakpoint',
  4: 'load address misaligned',
  5: 'load access fault',
  6: 'store address misaligned',
  7: 'store access fault',
  8: 'environment call from U-mode',
  9: 'environment call from S-mode',
  11: 'environment call from M-mode',
  12: 'instruction page fault',
  13: 'load page fault',
  15: 'store page fault',
};

/** "illegal instruction at 0x80001234 in tc_kernel (instruction 0x...)" from a tc-trap line. */
export function describeTrap(line: string, elf?: Elf): string {
  const m = /tc-trap mcause=0x([0-9a-f]+) mepc=0x([0-9a-f]+) mtval=0x([0-9a-f]+)/.exec(line);
  if (!m) return line.trim();
  const mcause = BigInt('0x' + m[1]);
  const mepc = BigInt('0x' + m[2]);
  const mtval = BigInt('0x' + m[3]);
  const interrupt = mcause >> 63n === 1n;
  const code = Number(mcause & 0xffn);
  const cause = interrupt ? `interrupt ${code}` : (TRAP_CAUSES[code] ?? `exception ${code}`);
  const where = elf ? functionAt(elf, mepc)?.name : undefined;
  let text = `${cause} at 0x${mepc.toString(16)}${where ? ` in ${where}` : ''}`;
  if (!interrupt && code === 2) {
    const rocc = decodeRocc(Number(mtval & 0xffffffffn));
    text += rocc
      ? ` (a Gemmini instruction, custom-3 ${functName(rocc.funct)}: this machine has no Gemmini — Spike needs --extension=gemmini, RTL a configuration with Gemmini)`
      : ` (instruction 0x${mtval.toString(16)})`;
  } else if (!interrupt && [0, 1, 4, 5, 6, 7, 12, 13, 15].includes(code)) text += ` (address 0x${mtval.toString(16)})`;
  return text;
}

/** The last lines a person needs to see, without the bulky hex data. */
function tail(text: string, lines = 8): string {
  return text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('tc-data '))
    .slice(-lines)
    .join('\n');
}

export interface SimOutcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode?: number;
  readonly signal?: string;
  readonly timedOut: boolean;
  /** The simulator could not be started at all (ENOENT, EACCES...). */
  readonly startError?: string;
}

/** What a simulator run means: report, or a clean error. Pure, so tests can feed it anything. */
export function interpretOutcome(sim: RiscvSim, o: SimOutcome, timeoutMs: number, elf?: Elf): Pick<RunResult, 'status' | 'message' | 'report'> {
  const name = RISCV_SIMS[sim].name;
  if (o.startError) return { status: 'tool-missing', message: `${name} could not be started: ${o.startError}` };
  if (o.timedOut) return { status: 'timeout', message: `${name} ran longer than ${timeoutMs} ms and was stopped${tail(o.stdout) ? `; its last output:\n${tail(o.stdout)}` : ''}` };
  const trap = o.stdout.split('\n').find((l) => l.includes('tc-trap mcause='));
  if (trap) return { status: 'crash', message: `the program trapped: ${describeTrap(trap, elf)}` };
  const modelError = (o.stdout + '\n' + o.stderr).split('\n').find((l) => l.startsWith('gemmini model: error:'));
  if (modelError) return { status: 'crash', message: `tc's Gemmini model stopped the program: ${modelError.slice('gemmini model: error: '.length)}` };
  if (o.signal) return { status: 'crash', message: `${name} was killed by ${o.signal}${tail(o.stderr) ? `:\n${tail(o.stderr)}` : ''}` };
  if (o.exitCode !== 0) {
    const detail = tail(o.stdout + '\n' + o.stderr);
    return { status: 'crash', message: `${name} exited with status ${o.exitCode}${detail ? `:\n${detail}` : ''}` };
  }
  const parsed = parseHarnessReport(o.stdout);
  if (!parsed.ok) return { status: 'malformed', message: `its report is malformed: ${parsed.error}` };
  if (!parsed.report.done)
    return { status: 'malformed', message: `the program ended before its report was complete (no tc-done)${tail(o.stdout) ? `; its last output:\n${tail(o.stdout)}` : ''}` };
  return { status: 'ok', report: parsed.report };
}

interface ProcessOutcome {
  readonly exitCode?: number;
  readonly signal?: string;
  readonly timedOut: boolean;
  readonly stderr: string;
  readonly startError?: string;
}

/** Runs a simulator with its standard output in a file; kills it (SIGKILL) at the time limit. */
function runWithConsoleFile(command: SimCommand, consoleFile: string, timeoutMs: number, env?: Env): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const fd = openSync(consoleFile, 'w');
    let stderr = '';
    let timedOut = false;
    const child = spawn(command.file, [...command.args], { stdio: ['ignore', fd, 'pipe'], env: env ? { ...env } : process.env });
    closeSync(fd);
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 1 << 20) stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    let settled = false;
    const settle = (outcome: ProcessOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    // A simulator that cannot start (no such file, not executable) only emits 'error'.
    child.on('error', (e) => settle({ timedOut: false, stderr, startError: e.message }));
    child.on('close', (code, signal) => settle({ exitCode: code ?? undefined, signal: signal ?? undefined, timedOut, stderr }));
    // Stopped at the time limit: done when it exits, even if something it
    // started still holds its standard error open.
    child.on('exit', () => {
      if (timedOut) settle({ timedOut, stderr });
    });
  });
}

export function defaultTimeoutMs(sim: RiscvSim): number {
  return sim === 'verilator' ? 3_600_000 : 120_000;
}

/** Runs an ELF that buildForRiscv made for this simulator. */
export async function runRiscvElf(sim: RiscvSim, build: RiscvBuild, options: RiscvRunOptions = {}): Promise<RunResult> {
  const base0 = { sim, cyclesSource: RISCV_SIMS[sim].cycles, stdout: '', stderr: '', buildMs: build.buildMs, runMs: 0, buildDir: options.keep ? build.dir : undefined };
  if (build.status !== 'ok') return { ...base0, status: build.status, message: build.message };
  const simulator = findSimulator(sim, options);
  if (!simulator.path) return { ...base0, status: 'tool-missing', message: simulator.problem };
  const command = simCommand(sim, simulator.path, build.elf, options);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs(sim);
  const t1 = performance.now();
  // The console goes straight to a file (console.txt, kept with the build):
  // QEMU 7.2's HTIF console lost characters when its standard output was a
  // pipe that execa read; with a file of its own it loses none.
  const consoleFile = join(build.dir, 'console.txt');
  const run = await runWithConsoleFile(command, consoleFile, timeoutMs, options.env);
  const runMs = performance.now() - t1;
  const stdout = existsSync(consoleFile) ? readFileSync(consoleFile, 'utf8') : '';
  const stderr = run.stderr;
  const startError = run.startError;
  let elf: Elf | undefined;
  try {
    elf = parseElf(readFileSync(build.elf));
  } catch {
    elf = undefined;
  }
  const outcome = interpretOutcome(sim, { stdout, stderr, exitCode: run.exitCode, signal: run.signal ?? undefined, timedOut: run.timedOut, startError }, timeoutMs, elf);
  return { ...base0, ...outcome, stdout, stderr, runMs, command: [command.file, ...command.args] };
}

/** Build, run once, clean up (unless keep): the qemu, spike and verilator runners. */
export async function runOnRiscv(sim: RiscvSim, cSource: string, paramsHeader: string, options: RiscvRunOptions = {}): Promise<RunResult> {
  const base = { sim, cyclesSource: RISCV_SIMS[sim].cycles, stdout: '', stderr: '', buildMs: 0, runMs: 0 };
  // Missing tools are reported before anything is built.
  const simulator = findSimulator(sim, options);
  if (!simulator.path) return { ...base, status: 'tool-missing', message: simulator.problem };
  const toolchain = await findRiscvToolchain(options.env);
  if (toolchain.problem) return { ...base, status: 'tool-missing', message: toolchain.problem };
  const platform = sim === 'qemu' && options.qemuMachine === 'spike' ? 'htif-bcd' : RISCV_SIMS[sim].platform;
  const build = await buildForRiscv(cSource, paramsHeader, { toolchain, platform, emulateGemmini: RISCV_SIMS[sim].emulateGemmini, seed: options.seed ?? 1 });
  try {
    return await runRiscvElf(sim, build, options);
  } finally {
    if (!options.keep) rmSync(build.dir, { recursive: true, force: true });
  }
}
