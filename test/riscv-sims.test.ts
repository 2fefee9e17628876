// The spike and verilator runners, which need tools this machine does not
// have: their command lines, their errors when a tool is absent (what to
// install, and why), the process handling with stand-in executables of our
// own (a simulator that fails, hangs or dies; no real simulator output is
// imitated), the interpretation of outcomes, `tc doctor` and `tc run --sim`.
import { runTc, runTcAsync, type TcResult } from './helpers/run-tc.js';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderGemminiParams } from '../gemmini/params.js';
import { PRESETS } from '../gemmini/presets.js';
import { doctorReport } from '../spike/doctor.js';
import { describeTrap, interpretOutcome, qemuCommand, runOnRiscv, spikeCommand, verilatorCommand } from '../spike/riscv-run.js';
import { RUNNERS } from '../spike/runner.js';
import { findQemu, findRiscvToolchain, findSpike, findVerilatorSim } from '../spike/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'tc-sims-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const params = renderGemminiParams(PRESETS.default.config);
const PROGRAM = '#include <stdio.h>\nint main(void) { printf("tc-done\\n"); return 0; }';
const toolchain = await findRiscvToolchain();

/** An environment in which nothing can be found. */
const EMPTY_PATH = { PATH: join(dir, 'nothing-here') };

/** A stand-in executable of ours: a shell script. */
function standIn(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('command lines', () => {
  it('spike: the Gemmini extension, extra flags from TC_SPIKE_FLAGS, the ELF', () => {
    expect(spikeCommand('/opt/riscv/bin/spike', '/tmp/p.elf', {})).toEqual({ file: '/opt/riscv/bin/spike', args: ['--extension=gemmini', '/tmp/p.elf'] });
    expect(spikeCommand('spike', 'p.elf', { TC_SPIKE_FLAGS: ' -p1  --isa=rv64gc ' }).args).toEqual(['--extension=gemmini', '-p1', '--isa=rv64gc', 'p.elf']);
  });

  it("verilator: Chipyard's run-binary arguments, +max-cycles, extra flags inside +permissive", () => {
    expect(verilatorCommand('./simulator-chipyard-GemminiRocketConfig', 'p.elf', 5000, {})).toEqual({
      file: './simulator-chipyard-GemminiRocketConfig',
      args: ['+permissive', '+max-cycles=5000', '+permissive-off', 'p.elf'],
    });
    expect(verilatorCommand('sim', 'p.elf', undefined, { TC_VERILATOR_FLAGS: '+dramsim +verbose' }).args).toEqual([
      '+permissive',
      '+max-cycles=100000000',
      '+dramsim',
      '+verbose',
      '+permissive-off',
      'p.elf',
    ]);
  });

  it('qemu: the virt machine, no firmware, the ELF as the kernel', () => {
    expect(qemuCommand('qemu-system-riscv64', 'p.elf')).toEqual({
      file: 'qemu-system-riscv64',
      args: ['-machine', 'virt', '-nographic', '-bios', 'none', '-m', '256M', '-kernel', 'p.elf'],
    });
  });
});

describe('absent tools: what to install, and why', () => {
  it('spike', () => {
    const t = findSpike(EMPTY_PATH);
    expect(t.path).toBeUndefined();
    expect(t.problem).toMatch(/^no spike on PATH: --sim spike runs the binary on Spike/);
    expect(t.problem).toMatch(/libgemmini/);
    expect(t.problem).toMatch(/tc never downloads or builds it/);
    expect(findSpike({ ...EMPTY_PATH, TC_SPIKE: '/nowhere/spike' }).problem).toMatch(/^no \/nowhere\/spike \(TC_SPIKE\)/);
  });

  it('the verilator simulator', () => {
    expect(findVerilatorSim(undefined, EMPTY_PATH).problem).toMatch(/^no simulator given: .*--sim-bin or TC_VERILATOR_SIM/);
    expect(findVerilatorSim('/nowhere/simulator-chipyard-X', EMPTY_PATH).problem).toMatch(/^--sim-bin \/nowhere\/simulator-chipyard-X: no such executable file/);
    expect(findVerilatorSim(undefined, { ...EMPTY_PATH, TC_VERILATOR_SIM: '/nowhere/sim' }).problem).toMatch(/^TC_VERILATOR_SIM \/nowhere\/sim/);
  });

  it('qemu and the cross toolchain', async () => {
    expect(findQemu(EMPTY_PATH).problem).toMatch(/apt-get install qemu-system-misc/);
    const missing = await findRiscvToolchain(EMPTY_PATH);
    expect(missing.problem).toMatch(/^no riscv64-unknown-elf-gcc on PATH: tc cross-builds/);
    expect(missing.problem).toMatch(/apt-get install gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf/);
    expect((await findRiscvToolchain({ ...EMPTY_PATH, TC_RISCV_PREFIX: '/nowhere/riscv64-unknown-elf-' })).problem).toMatch(/^TC_RISCV_PREFIX=/);
  });

  it('a toolchain without picolibc is named unusable', async () => {
    // A stand-in gcc that knows no picolibc.specs (gcc echoes the name back then).
    const bin = join(dir, 'fake-gcc-bin');
    mkdirSync(bin, { recursive: true });
    const gcc = join(bin, 'riscv64-unknown-elf-gcc');
    writeFileSync(gcc, '#!/bin/sh\ncase "$1" in -dumpversion) echo 99.1;; -print-file-name=*) echo picolibc.specs;; esac\n');
    chmodSync(gcc, 0o755);
    const t = await findRiscvToolchain({ PATH: bin });
    expect(t.path).toBe(gcc);
    expect(t.problem).toMatch(/has no picolibc .*apt-get install picolibc-riscv64-unknown-elf/);
  });

  it('the runners answer tool-missing before building anything', async () => {
    const spike = await RUNNERS.spike.run(PROGRAM, params, { env: EMPTY_PATH });
    expect(spike.status).toBe('tool-missing');
    expect(spike.message).toMatch(/^no spike on PATH/);
    expect(spike.cyclesSource).toBe('spike');
    const verilator = await RUNNERS.verilator.run(PROGRAM, params, { env: EMPTY_PATH });
    expect(verilator.status).toBe('tool-missing');
    expect(verilator.message).toMatch(/^no simulator given/);
    const qemu = await RUNNERS.qemu.run(PROGRAM, params, { env: EMPTY_PATH });
    expect(qemu.message).toMatch(/^no qemu-system-riscv64 on PATH/);
    // The simulator is there, the compiler is not.
    const sim = standIn('sim-ok', 'exit 0');
    const noCompiler = await RUNNERS.verilator.run(PROGRAM, params, { env: EMPTY_PATH, simBin: sim });
    expect(noCompiler.message).toMatch(/^no riscv64-unknown-elf-gcc on PATH/);
  });
});

describe('outcomes', () => {
  const ok = { stdout: 'tc-output 0 c i8 1 fnv1a=0x050c5d7e\ntc-data 0 00\ntc-cycles 12\ntc-done\n', stderr: '', exitCode: 0, timedOut: false };

  it('a complete report', () => {
    const r = interpretOutcome('spike', ok, 1000);
    expect(r.status).toBe('ok');
    expect(r.report?.cycles).toBe(12);
  });

  it('each failure, as a clean error', () => {
    expect(interpretOutcome('spike', { ...ok, timedOut: true, exitCode: undefined }, 1000).message).toMatch(/^Spike ran longer than 1000 ms and was stopped/);
    expect(interpretOutcome('verilator', { ...ok, exitCode: undefined, signal: 'SIGSEGV' }, 1000).message).toBe('the Verilator simulator was killed by SIGSEGV');
    expect(interpretOutcome('spike', { ...ok, stdout: 'hello\n', exitCode: 3 }, 1000).message).toBe('Spike exited with status 3:\nhello');
    expect(interpretOutcome('spike', { ...ok, stdout: 'tc-cycles x\ntc-done\n' }, 1000).status).toBe('malformed');
    expect(interpretOutcome('spike', { ...ok, stdout: 'tc-cycles 1\n' }, 1000).message).toMatch(/^the program ended before its report was complete/);
    expect(interpretOutcome('spike', { ...ok, startError: 'spawn sim EACCES', exitCode: undefined }, 1000)).toEqual({ status: 'tool-missing', message: 'Spike could not be started: spawn sim EACCES' });
  });

  it('a Gemmini instruction trapping as illegal says the machine has no Gemmini', () => {
    const mvin = (2 << 25) | (11 << 20) | (10 << 15) | (3 << 12) | 0x7b;
    const text = describeTrap(`tc-trap mcause=0x2 mepc=0x80000100 mtval=0x${mvin.toString(16)}`);
    expect(text).toMatch(/^illegal instruction at 0x80000100 \(a Gemmini instruction, custom-3 mvin: this machine has no Gemmini/);
    const r = interpretOutcome('spike', { ...ok, stdout: 'tc-cycles 1\n\ntc-trap mcause=0x2 mepc=0x80000100 mtval=0x0\n', exitCode: 99 }, 1000);
    expect(r).toEqual({ status: 'crash', message: 'the program trapped: illegal instruction at 0x80000100 (instruction 0x0)' });
  });
});

describe.skipIf(toolchain.problem !== undefined)('running stand-in simulators (our own scripts, not Spike or Verilator)', () => {
  it('verilator: the simulator gets the command line, a failing one is a clean error', async () => {
    const argsFile = join(dir, 'args.txt');
    const sim = standIn('sim-args', `printf '%s\\n' "$@" > ${argsFile}\necho 'simulated failure' >&2\nexit 2`);
    const r = await RUNNERS.verilator.run(PROGRAM, params, { simBin: sim, maxCycles: 1234 });
    expect(r.status).toBe('crash');
    expect(r.message).toBe('the Verilator simulator exited with status 2:\nsimulated failure');
    const args = readFileSync(argsFile, 'utf8').trim().split('\n');
    expect(args.slice(0, 3)).toEqual(['+permissive', '+max-cycles=1234', '+permissive-off']);
    expect(args[3]).toMatch(/\/program\.elf$/);
    expect(r.command).toEqual([sim, ...args]);
  });

  it('spike: a simulator that hangs is stopped at the time limit', async () => {
    const spike = standIn('spike', 'exec sleep 30');
    const r = await RUNNERS.spike.run(PROGRAM, params, { env: { ...process.env, TC_SPIKE: spike }, timeoutMs: 500 });
    expect(r.status).toBe('timeout');
    expect(r.message).toBe('Spike ran longer than 500 ms and was stopped');
  });

  it('spike: a simulator that dies of a signal', async () => {
    const spike = standIn('spike-dies', 'kill -SEGV $$');
    const r = await runOnRiscv('spike', PROGRAM, params, { env: { ...process.env, TC_SPIKE: spike } });
    expect(r.status).toBe('crash');
    expect(r.message).toBe('Spike was killed by SIGSEGV');
  });
});

const tcAsync = (args: string[]): Promise<TcResult> => runTcAsync(args);

describe('tc run --sim and tc doctor', () => {
  it('usage errors', async () => {
    expect((await tcAsync(['run', '--sim', 'gem5', 'examples/gemm_64.tc'])).stderr).toBe("tc run: --sim: unknown simulator 'gem5' (host, qemu, spike, verilator)\n");
    expect((await tcAsync(['run', '--sim', 'qemu', '--trace', 't.json', 'examples/gemm_64.tc'])).stderr).toMatch(/--trace: the trace is written by the host model/);
    expect((await tcAsync(['run', '--sim', 'spike', '--sim-bin', 'x', 'examples/gemm_64.tc'])).code).toBe(2);
    expect((await tcAsync(['run', '--timeout', '-1', 'examples/gemm_64.tc'])).code).toBe(2);
  });

  it('an absent simulator fails the run with what to install', async () => {
    const r = await tcAsync(['run', '--sim', 'verilator', 'examples/gemm_64.tc']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}tool-missing: no simulator given: --sim verilator runs the binary on an RTL simulation/);
  });

  it.skipIf(toolchain.problem !== undefined || findQemu().problem !== undefined)('--sim qemu: PASS, the model’s cycles, and rdcycle marked as not hardware cycles', async () => {
    const r = await tcAsync(['run', '--sim', 'qemu', '--seed', '4', 'examples/gemm_64.tc']);
    expect(r.stderr).toMatch(/on QEMU, Gemmini emulated by the model/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}1 output, 4096 elements equal to the reference interpreter$/m);
    expect(r.stdout).toMatch(/^ {2}cycles \d+ \(Gemmini cycles by tc's model, emulated\) {2}utilisation/m);
    expect(r.stdout).toMatch(/^ {2}rdcycle \d+ over the kernel: QEMU's cycle counter, not hardware cycles$/m);
    const host = await tcAsync(['run', '--seed', '4', 'examples/gemm_64.tc']);
    const cycles = (out: string) => /^ {2}cycles (\d+)/m.exec(out)?.[1];
    expect(cycles(r.stdout)).toBe(cycles(host.stdout));
  });

  it('doctor lists what each runner needs', async () => {
    const report = await doctorReport(EMPTY_PATH);
    expect(report.ready).toEqual({ host: false, qemu: false, spike: false, verilator: false });
    const text = report.lines.join('\n');
    expect(text).toMatch(/host C compiler: missing/);
    expect(text).toMatch(/apt-get install gcc-riscv64-unknown-elf/);
    expect(text).toMatch(/apt-get install qemu-system-misc/);
    expect(text).toMatch(/^ {2}verilator {2}needs the RISC-V cross compiler and a Chipyard simulator/m);
    const here = await tcAsync(['doctor']);
    expect(here.stdout).toMatch(/^tc doctor: /);
    expect(here.stdout).toMatch(/^runners \(tc run --sim NAME\)$/m);
  });
});
