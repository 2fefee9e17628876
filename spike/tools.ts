// Finding the outside tools the runners need: the RISC-V cross toolchain
// (with picolibc), QEMU, Spike with Gemmini's extension, and a Chipyard-built
// Verilator simulator. tc never downloads or builds any of them; when one is
// missing, the message says what to install, and why.

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { loadExeca } from './exec.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ToolLookup {
  /** What the tool is, for people ("RISC-V cross compiler"). */
  readonly what: string;
  /** The command or path that was looked for. */
  readonly wanted: string;
  /** Where it was found; absent when it was not. */
  readonly path?: string;
  /** Which setting chose it (PATH, TC_SPIKE, --sim-bin, ...). */
  readonly source: string;
  /** What is wrong, for a person: what to install and why. Absent when usable. */
  readonly problem?: string;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A command on PATH (or a path with a slash, taken as it is), without running anything. */
export function which(command: string, env: Env = process.env): string | undefined {
  if (command.includes('/')) return isExecutableFile(command) ? command : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export const INSTALL_RISCV_TOOLCHAIN =
  'apt-get install gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf';
export const INSTALL_QEMU = 'apt-get install qemu-system-misc';

export interface RiscvToolchain extends ToolLookup {
  /** riscv64-unknown-elf- or TC_RISCV_PREFIX: gcc is prefix + 'gcc'. */
  readonly prefix: string;
  /** gcc's version, when found. */
  readonly version?: string;
}

/**
 * The cross toolchain: TC_RISCV_PREFIX (for example
 * /opt/riscv/bin/riscv64-unknown-elf-) or riscv64-unknown-elf- on PATH. tc's
 * runtime uses picolibc (--specs=picolibc.specs), so a toolchain without it is
 * reported as unusable.
 */
export async function findRiscvToolchain(env: Env = process.env): Promise<RiscvToolchain> {
  const fromEnv = env.TC_RISCV_PREFIX;
  const prefix = fromEnv ?? 'riscv64-unknown-elf-';
  const source = fromEnv ? 'TC_RISCV_PREFIX' : 'PATH';
  const wanted = `${prefix}gcc`;
  const what = 'RISC-V cross compiler (gcc + picolibc)';
  const why = 'tc cross-builds each program into a bare-metal RISC-V ELF for --sim qemu, spike and verilator';
  const path = which(wanted, env);
  if (!path)
    return {
      what,
      wanted,
      prefix,
      source,
      problem: fromEnv
        ? `TC_RISCV_PREFIX=${fromEnv}: no executable ${wanted} (${why})`
        : `no ${wanted} on PATH: ${why}. Install it (Debian/Ubuntu: ${INSTALL_RISCV_TOOLCHAIN}) or set TC_RISCV_PREFIX to your toolchain's prefix`,
    };
  const execa = await loadExeca();
  const probe = await execa(path, ['-dumpversion'], { reject: false, timeout: 20_000, env: { ...env } as Record<string, string> });
  const version = probe.exitCode === 0 ? probe.stdout.trim() : undefined;
  const specs = await execa(path, ['-print-file-name=picolibc.specs'], { reject: false, timeout: 20_000, env: { ...env } as Record<string, string> });
  const specsPath = specs.stdout.trim();
  if (specs.exitCode !== 0 || !isAbsolute(specsPath))
    return {
      what,
      wanted,
      prefix,
      source,
      path,
      version,
      problem: `${wanted} has no picolibc (no picolibc.specs): tc's bare-metal runtime is built on picolibc. Debian/Ubuntu: apt-get install picolibc-riscv64-unknown-elf`,
    };
  return { what, wanted, prefix, source, path, version };
}

/** A program named by an environment variable, else found on PATH under its usual name; `why` says what it is for and how to get it. */
function findOnPath(env: Env, variable: string, name: string, what: string, why: string): ToolLookup {
  const wanted = env[variable] ?? name;
  const source = env[variable] ? variable : 'PATH';
  const path = which(wanted, env);
  return { what, wanted, source, path, problem: path ? undefined : `no ${wanted}${source === 'PATH' ? ' on PATH' : ` (${variable})`}: ${why}` };
}

/** QEMU for --sim qemu: TC_QEMU or qemu-system-riscv64 on PATH. */
export function findQemu(env: Env = process.env): ToolLookup {
  return findOnPath(
    env,
    'TC_QEMU',
    'qemu-system-riscv64',
    'QEMU (qemu-system-riscv64)',
    `--sim qemu runs the RISC-V binary on QEMU's virt machine, Gemmini emulated by tc's model. Install it (Debian/Ubuntu: ${INSTALL_QEMU}) or set TC_QEMU`,
  );
}

/** Spike for --sim spike: TC_SPIKE or spike on PATH. */
export function findSpike(env: Env = process.env): ToolLookup {
  return findOnPath(
    env,
    'TC_SPIKE',
    'spike',
    "Spike with Gemmini's extension",
    "--sim spike runs the binary on Spike, the RISC-V ISA simulator, with Gemmini's functional model (libgemmini, loaded by --extension=gemmini). No distribution packages it and tc never downloads or builds it: build it with Chipyard (its toolchain build installs spike; then generators/gemmini/scripts/build-spike.sh builds libgemmini for your gemmini_params.h), put spike on PATH or set TC_SPIKE",
  );
}

/** A Chipyard-built Verilator simulator for --sim verilator: --sim-bin, else TC_VERILATOR_SIM. */
export function findVerilatorSim(simBin: string | undefined, env: Env = process.env): ToolLookup {
  const wanted = simBin ?? env.TC_VERILATOR_SIM;
  const source = simBin ? '--sim-bin' : 'TC_VERILATOR_SIM';
  const what = 'Chipyard Verilator simulator';
  const how =
    'build one with Chipyard (cd sims/verilator && make CONFIG=<a config with Gemmini, e.g. GemminiRocketConfig>; the binary is simulator-chipyard-<CONFIG>) and give it with --sim-bin or TC_VERILATOR_SIM';
  if (!wanted)
    return { what, wanted: '(none given)', source, problem: `no simulator given: --sim verilator runs the binary on an RTL simulation of a Gemmini SoC, whose cycles are real; ${how}` };
  const path = which(wanted.includes('/') ? wanted : `./${wanted}`, env) ?? which(wanted, env);
  return { what, wanted, source, path, problem: path ? undefined : `${source} ${wanted}: no such executable file; ${how}` };
}
