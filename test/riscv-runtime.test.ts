// tc's bare-metal RISC-V runtime and the qemu runner, on QEMU: clean errors
// (never a hang) when the program traps, the model rejects an instruction,
// the program exits non-zero, hangs, or prints a malformed report; the
// emulator writes rd back (the counter read agrees with the host model); the
// HTIF console and exit work (on QEMU's spike machine, which implements HTIF);
// build directories are removed unless kept.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSource } from '../frontend/frontend.js';
import { compileForGemmini, runForGemmini } from '../cli/gemmini-driver.js';
import { renderGemminiParams } from '../gemmini/params.js';
import { PRESETS } from '../gemmini/presets.js';
import { runOnHost } from '../spike/host.js';
import { buildForRiscv } from '../spike/riscv-build.js';
import { runOnRiscv, runRiscvElf } from '../spike/riscv-run.js';
import { findQemu, findRiscvToolchain } from '../spike/tools.js';

const toolchain = await findRiscvToolchain();
const missing = toolchain.problem ?? findQemu().problem;
const params = renderGemminiParams(PRESETS.default.config);

async function onQemu(cSource: string, timeoutMs = 30_000) {
  const build = await buildForRiscv(cSource, params, { toolchain, platform: 'virt', emulateGemmini: true, seed: 1 });
  try {
    expect(build.message ?? '').toBe('');
    return await runRiscvElf('qemu', build, { timeoutMs });
  } finally {
    rmSync(build.dir, { recursive: true, force: true });
  }
}

describe.skipIf(missing !== undefined)('the qemu runner reports what went wrong', () => {
  it.concurrent('a trap: its cause, pc and function', async () => {
    const r = await onQemu('int main(void) { __asm__ volatile("ebreak"); return 0; }');
    expect(r.status).toBe('crash');
    expect(r.message).toMatch(/^the program trapped: breakpoint at 0x8[0-9a-f]+ in main$/);
  });

  it.concurrent('a load from nowhere: the address', async () => {
    const r = await onQemu('#include <stdint.h>\nint main(void) { return *(volatile int *)(uintptr_t)0x1000000000ull; }');
    expect(r.status).toBe('crash');
    expect(r.message).toMatch(/load access fault at 0x8[0-9a-f]+ in main \(address 0x1000000000\)/);
  });

  it.concurrent('an illegal instruction that is not Gemmini', async () => {
    const r = await onQemu('int main(void) { __asm__ volatile(".word 0xffffffff"); return 0; }');
    expect(r.message).toMatch(/illegal instruction at 0x8[0-9a-f]+ in main \(instruction 0xffffffff\)/);
  });

  it.concurrent("a Gemmini instruction the model rejects: the model's error", async () => {
    const r = await onQemu('int main(void) { __asm__ volatile(".insn r CUSTOM_3, 3, 99, x0, x0, x0"); return 0; }');
    expect(r.status).toBe('crash');
    expect(r.message).toBe("tc's Gemmini model stopped the program: instruction #0 (unknown): unknown funct 99 (rs1=0x0, rs2=0x0)");
  });

  it.concurrent('a non-zero exit status, with the last output', async () => {
    const r = await onQemu('#include <stdio.h>\nint main(void) { printf("almost\\n"); return 7; }');
    expect(r.status).toBe('crash');
    expect(r.message).toBe('QEMU exited with status 7:\nalmost');
  });

  it.concurrent('a hang: stopped at the time limit', async () => {
    const r = await onQemu('int main(void) { for (;;) { } }', 1500);
    expect(r.status).toBe('timeout');
    expect(r.message).toBe('QEMU ran longer than 1500 ms and was stopped');
    expect(r.runMs).toBeLessThan(10_000);
  });

  it.concurrent('a malformed report, and one without its end', async () => {
    const bad = await onQemu('#include <stdio.h>\nint main(void) { printf("tc-output 0 x i8 zz\\ntc-done\\n"); return 0; }');
    expect(bad.status).toBe('malformed');
    expect(bad.message).toMatch(/malformed tc-output line/);
    const cut = await onQemu('#include <stdio.h>\nint main(void) { printf("tc-output 0 x i8 1 fnv1a=0x00000000\\n"); return 0; }');
    expect(cut.status).toBe('malformed');
    expect(cut.message).toMatch(/^the program ended before its report was complete \(no tc-done\)/);
  });
});

const COUNTER_PROGRAM = `#include <stdint.h>
#include <stdio.h>
#include "gemmini.h"
static int8_t a[DIM][DIM] __attribute__((aligned(64)));
int main(void) {
  uint64_t before, after;
  gemmini_counter_access(before, (1u << 3) | ((uint32_t)MAIN_LD_CYCLES << 12));
  gemmini_config_ld(DIM);
  gemmini_mvin(a, 0);
  gemmini_mvin(a, DIM);
  gemmini_fence();
  gemmini_counter_access(after, 0u);
  printf("counter before=%llu after=%llu\\n", (unsigned long long)before, (unsigned long long)after);
  printf("tc-done\\n");
  return 0;
}
`;

describe.skipIf(missing !== undefined)('the Gemmini emulator', () => {
  it('writes rd back: a counter read agrees with the host model', async () => {
    const riscv = await onQemu(COUNTER_PROGRAM);
    const host = await runOnHost(COUNTER_PROGRAM, params);
    expect(riscv.message ?? '').toBe('');
    const line = (out: string) => out.split('\n').find((l) => l.startsWith('counter '));
    expect(line(host.stdout)).toMatch(/^counter before=0 after=[1-9][0-9]*$/);
    expect(line(riscv.stdout)).toBe(line(host.stdout));
  });
});

describe.skipIf(missing !== undefined)('the HTIF runtime (console and exit), on QEMU spike machine', () => {
  const path = 'examples/gemm_64.tc';
  const { func } = compileSource(path, readFileSync(path, 'utf8'));
  const build = compileForGemmini(func!, PRESETS.default.config, path);

  it('runs an example PASS', async () => {
    const run = await runForGemmini(func!, build, 3, { sim: 'qemu', qemuMachine: 'spike' });
    expect(run.result.message ?? '').toBe('');
    expect(run.comparison?.pass).toBe(true);
  });

  it('passes the exit status', async () => {
    const r = await runOnRiscv('qemu', '#include <stdio.h>\nint main(void) { printf("bye\\n"); return 5; }', params, { qemuMachine: 'spike' });
    expect(r.message).toBe('QEMU exited with status 5:\nbye');
  });
});

describe.skipIf(missing !== undefined)('build directories', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tc-keep-test-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const program = '#include <stdio.h>\nint main(void) { printf("tc-done\\n"); return 0; }';

  it('are removed after the run, kept with keep', async () => {
    const saved = { TMPDIR: process.env.TMPDIR, TC_CACHE_DIR: process.env.TC_CACHE_DIR };
    process.env.TC_CACHE_DIR ??= join(tmpdir(), 'tc-cache');
    process.env.TMPDIR = scratch;
    try {
      const plain = await runOnRiscv('qemu', program, params);
      expect(plain.status).toBe('ok');
      expect(readdirSync(scratch).filter((f) => f.startsWith('tc-riscv-'))).toEqual([]);
      const kept = await runOnRiscv('qemu', program, params, { keep: true });
      expect(kept.buildDir).toBeDefined();
      for (const f of ['program.c', 'gemmini_params.h', 'program.elf', 'build.sh']) expect(existsSync(join(kept.buildDir!, f)), f).toBe(true);
      expect(readFileSync(join(kept.buildDir!, 'build.sh'), 'utf8')).toMatch(/-march=rv64gc -mabi=lp64d -mcmodel=medany --specs=picolibc.specs/);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
});
