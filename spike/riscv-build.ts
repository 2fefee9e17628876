// Cross build of a generated program into one static bare-metal RISC-V ELF:
// the program and its harness, gemmini_params.h, and tc's runtime
// (spike/runtime: start-up, trap vector, console and exit), linked at
// 0x80000000 by spike/runtime/link.ld.
//
// Two platforms:
//   htif  Spike, Chipyard's Verilator/VCS simulators, FireSim: console and exit
//         over HTIF (tohost/fromhost); Gemmini instructions run on Gemmini.
//   virt  QEMU's virt machine: 16550 UART console, test-device exit, and an
//         illegal-instruction handler that runs every custom-3 instruction on
//         tc's model of Gemmini compiled for RISC-V (so results are bit-exact
//         with the host model and its cycle count is reported).
//
// The runtime's objects and the RISC-V model are compiled once per toolchain,
// flags and source (the model once per configuration) and cached.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExeca } from './exec.js';
import { RUNTIME_DIR } from './host.js';
import type { RiscvToolchain } from './tools.js';

export const RISCV_RUNTIME_DIR = fileURLToPath(new URL('./runtime/', import.meta.url));

/** Target flags: RV64GC, hard-float ABI, code anywhere in the address space, picolibc. */
export const RISCV_TARGET_FLAGS = ['-march=rv64gc', '-mabi=lp64d', '-mcmodel=medany', '--specs=picolibc.specs'];
/** As on the host: -ffp-contract=off keeps float32 scaling bit-exact. */
export const RISCV_C_FLAGS = [...RISCV_TARGET_FLAGS, '-O2', '-std=gnu11', '-ffp-contract=off', '-fno-strict-aliasing', '-w'];
/** Static, our start-up instead of picolibc's crt0, our linker script. */
export const RISCV_LINK_FLAGS = ['-static', '-nostartfiles', '-Wl,--gc-sections'];

export type RiscvPlatform =
  /** HTIF console (proxied write) and exit: Spike, Chipyard simulators, FireSim. */
  | 'htif'
  /** HTIF with the one-character console device, which QEMU's spike machine has too. */
  | 'htif-bcd'
  /** QEMU virt: UART console, test-device exit. */
  | 'virt';

export interface RiscvBuildOptions {
  readonly toolchain: RiscvToolchain;
  readonly platform: RiscvPlatform;
  /** Link tc's Gemmini model behind the illegal-instruction trap (QEMU). */
  readonly emulateGemmini: boolean;
  /** The seed the harness draws its inputs from (there is no argv on bare metal). */
  readonly seed: number;
}

export interface RiscvBuild {
  readonly status: 'ok' | 'build-error' | 'tool-missing';
  readonly dir: string;
  readonly elf: string;
  readonly buildMs: number;
  readonly message?: string;
  /** The compiler and linker command lines, for --keep and reports. */
  readonly commands: readonly string[];
}

function cacheRoot(): string {
  const dir = join(process.env.TC_CACHE_DIR ?? join(tmpdir(), 'tc-cache'), 'riscv');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function hash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Compiles once into the cache (under a unique name, then renamed: concurrent builds never see half a file). */
async function cachedObject(key: string, name: string, compile: (out: string) => Promise<unknown>): Promise<string> {
  const dir = join(cacheRoot(), key);
  const obj = join(dir, name);
  if (existsSync(obj)) return obj;
  mkdirSync(dir, { recursive: true });
  const partial = `${obj}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await compile(partial);
  renameSync(partial, obj);
  return obj;
}

function runtimeSource(file: string): string {
  return readFileSync(join(RISCV_RUNTIME_DIR, file), 'utf8');
}

/** The runtime's objects for a platform (and the emulator, without the model). */
async function runtimeObjects(gcc: string, toolchainId: string, platform: RiscvPlatform, emulate: boolean): Promise<string[]> {
  const header = runtimeSource('runtime.h');
  const execa = await loadExeca();
  const compile = (file: string, defines: string[] = [], includes: string[] = []) =>
    cachedObject(hash(toolchainId, RISCV_C_FLAGS.join(' '), file, defines.join(' '), runtimeSource(file), header, ...includes.map((i) => readFileSync(i, 'utf8'))), file.replace(/\.[cS]$/, '.o'), (out) =>
      execa(gcc, [...RISCV_C_FLAGS, ...defines, '-I', RISCV_RUNTIME_DIR, '-I', RUNTIME_DIR, '-c', join(RISCV_RUNTIME_DIR, file), '-o', out]),
    );
  const console_ = platform === 'virt' ? compile('virt.c') : compile('htif.c', platform === 'htif-bcd' ? ['-DTC_HTIF_BCD_CONSOLE'] : []);
  const parts = [compile('crt.S'), compile('runtime.c'), console_];
  if (emulate) parts.push(compile('emulate.c', [], [join(RUNTIME_DIR, 'gemmini_model.h')]));
  return Promise.all(parts);
}

/** tc's model of Gemmini compiled for RISC-V, for one configuration. */
async function riscvModelObject(gcc: string, toolchainId: string, paramsHeader: string): Promise<string> {
  const source = readFileSync(join(RUNTIME_DIR, 'gemmini_model.c'), 'utf8') + readFileSync(join(RUNTIME_DIR, 'gemmini.h'), 'utf8') + readFileSync(join(RUNTIME_DIR, 'gemmini_model.h'), 'utf8');
  const key = hash(toolchainId, RISCV_C_FLAGS.join(' '), paramsHeader, source);
  const execa = await loadExeca();
  return cachedObject(key, 'gemmini_model.o', async (out) => {
    const dir = join(cacheRoot(), key);
    writeFileSync(join(dir, 'gemmini_params.h'), paramsHeader);
    await execa(gcc, [...RISCV_C_FLAGS, '-DTC_MODEL_EMULATOR', '-I', dir, '-I', RUNTIME_DIR, '-c', join(RUNTIME_DIR, 'gemmini_model.c'), '-o', out]);
  });
}

function quote(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The compile command of the program itself (also shown with --keep). */
export function programCompileArgs(dir: string, options: Pick<RiscvBuildOptions, 'seed' | 'emulateGemmini'>): string[] {
  return [
    ...RISCV_C_FLAGS,
    `-DTC_SEED=${options.seed}u`,
    // An emulator sees no fence; the model's timing needs them (gemmini.h).
    ...(options.emulateGemmini ? ['-DTC_GEMMINI_FENCE_HOOK'] : []),
    '-I',
    dir,
    '-I',
    RUNTIME_DIR,
    '-c',
    join(dir, 'program.c'),
    '-o',
    join(dir, 'program.o'),
  ];
}

export async function buildForRiscv(cSource: string, paramsHeader: string, options: RiscvBuildOptions): Promise<RiscvBuild> {
  const dir = mkdtempSync(join(tmpdir(), 'tc-riscv-'));
  const elf = join(dir, 'program.elf');
  const t0 = performance.now();
  const commands: string[] = [];
  const gcc = options.toolchain.path;
  if (!gcc || options.toolchain.problem)
    return { status: 'tool-missing', dir, elf, buildMs: 0, commands, message: options.toolchain.problem ?? 'no RISC-V cross compiler' };
  writeFileSync(join(dir, 'program.c'), cSource);
  writeFileSync(join(dir, 'gemmini_params.h'), paramsHeader);
  const toolchainId = `${gcc} ${options.toolchain.version ?? ''}`;
  const execa = await loadExeca();
  try {
    const compileArgs = programCompileArgs(dir, options);
    commands.push(quote([gcc, ...compileArgs]));
    const [runtime, model] = await Promise.all([
      runtimeObjects(gcc, toolchainId, options.platform, options.emulateGemmini),
      options.emulateGemmini ? riscvModelObject(gcc, toolchainId, paramsHeader) : Promise.resolve(undefined),
      execa(gcc, compileArgs),
    ]);
    const linkArgs = [...RISCV_C_FLAGS, ...RISCV_LINK_FLAGS, '-T', join(RISCV_RUNTIME_DIR, 'link.ld'), ...runtime, ...(model ? [model] : []), join(dir, 'program.o'), '-lm', '-o', elf];
    commands.push(quote([gcc, ...linkArgs]));
    await execa(gcc, linkArgs);
  } catch (e) {
    const err = e as { code?: string; stderr?: string; shortMessage?: string };
    const buildMs = performance.now() - t0;
    if (err.code === 'ENOENT') return { status: 'tool-missing', dir, elf, buildMs, commands, message: `cannot run ${gcc}` };
    return { status: 'build-error', dir, elf, buildMs, commands, message: `the RISC-V build failed:\n${(err.stderr ?? err.shortMessage ?? '').slice(0, 4000)}` };
  }
  writeFileSync(join(dir, 'build.sh'), `#!/bin/sh\n# How tc built program.elf (the runtime objects are cached under ${cacheRoot()}).\nset -e\n${commands.join('\n')}\n`);
  return { status: 'ok', dir, elf, buildMs: performance.now() - t0, commands };
}
