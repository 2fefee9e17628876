// `tc doctor`: what tc found for building and running programs, and what each
// runner still needs. It runs only the tools' version queries.

import { loadExeca } from './exec.js';
import type { SimKind } from './result.js';
import { findQemu, findRiscvToolchain, findSpike, findVerilatorSim, which, type Env, type ToolLookup } from './tools.js';

export interface DoctorReport {
  readonly lines: readonly string[];
  readonly ready: Readonly<Record<SimKind, boolean>>;
}

async function firstLine(file: string, args: string[]): Promise<string | undefined> {
  const execa = await loadExeca();
  const r = await execa(file, args, { reject: false, timeout: 20_000, stdin: 'ignore' });
  const line = `${r.stdout ?? ''}`.split('\n')[0]?.trim();
  return r.exitCode === 0 && line ? line : undefined;
}

function describe(t: ToolLookup, detail?: string): string[] {
  if (t.problem && !t.path) return [`  ${t.what}: missing`, `    ${t.problem}`];
  if (t.problem) return [`  ${t.what}: ${t.path} (unusable)`, `    ${t.problem}`];
  return [`  ${t.what}: ${t.path}${detail ? ` (${detail})` : ''}${t.source !== 'PATH' ? ` [from ${t.source}]` : ''}`];
}

export async function doctorReport(env: Env = process.env, simBin?: string): Promise<DoctorReport> {
  const ccName = env.CC ?? 'cc';
  const ccPath = which(ccName, env);
  const cc: ToolLookup = {
    what: 'host C compiler',
    wanted: ccName,
    source: env.CC ? 'CC' : 'PATH',
    path: ccPath,
    problem: ccPath ? undefined : `no ${ccName}: --sim host (the default) builds each program with the host model of Gemmini. Debian/Ubuntu: apt-get install gcc libc6-dev, or set CC`,
  };
  const [toolchain, ccVersion] = await Promise.all([findRiscvToolchain(env), ccPath ? firstLine(ccPath, ['-dumpversion']) : undefined]);
  const qemu = findQemu(env);
  const spike = findSpike(env);
  const verilator = findVerilatorSim(simBin, env);
  const qemuVersion = qemu.path ? await firstLine(qemu.path, ['--version']) : undefined;
  const ready: Record<SimKind, boolean> = {
    host: !cc.problem,
    qemu: !toolchain.problem && !qemu.problem,
    spike: !toolchain.problem && !spike.problem,
    verilator: !toolchain.problem && !verilator.problem,
  };
  const lines = [
    'tc doctor: the tools tc found for building and running Gemmini programs',
    '',
    'building',
    ...describe(cc, ccVersion && `version ${ccVersion}`),
    ...describe(toolchain, toolchain.version && `gcc ${toolchain.version}, picolibc`),
    '',
    'simulators',
    ...describe(qemu, qemuVersion),
    ...describe(spike, 'used with --extension=gemmini; its libgemmini must be built for the same gemmini_params.h'),
    ...describe(verilator),
    '',
    'runners (tc run --sim NAME)',
    `  host       ${ready.host ? 'ready' : 'needs the host C compiler'}: host C compiler + tc's host model; Gemmini cycles from the model`,
    `  qemu       ${ready.qemu ? 'ready' : 'needs the RISC-V cross compiler and QEMU'}: the RISC-V binary on QEMU's virt machine, Gemmini emulated by tc's model (bit-exact; the model's cycles, not hardware cycles)`,
    `  spike      ${ready.spike ? 'ready' : "needs the RISC-V cross compiler and Spike with Gemmini's extension"}: the RISC-V binary on Spike with Gemmini's functional model (no timing)`,
    `  verilator  ${ready.verilator ? 'ready' : 'needs the RISC-V cross compiler and a Chipyard simulator (--sim-bin or TC_VERILATOR_SIM)'}: the RISC-V binary on an RTL simulation; hardware cycles`,
  ];
  return { lines, ready };
}
