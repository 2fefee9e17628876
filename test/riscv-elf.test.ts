// The ELF decoder: custom-3 instructions found and decoded (funct, registers,
// xd/xs1/xs2) in code the assembler wrote, across compressed instructions;
// symbols; and the errors for files that are not RISC-V ELF.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSource } from '../frontend/frontend.js';
import { compileForGemmini } from '../cli/gemmini-driver.js';
import { PRESETS } from '../gemmini/presets.js';
import { decodeRocc, ElfError, functionAt, parseElf, roccInstructions, symbolNamed } from '../spike/elf.js';
import { binaryMix, FUNCT, functName, functsOf, programMix } from '../spike/instruction-mix.js';
import { buildForRiscv, RISCV_C_FLAGS } from '../spike/riscv-build.js';
import { findRiscvToolchain } from '../spike/tools.js';

const toolchain = await findRiscvToolchain();
const dir = mkdtempSync(join(tmpdir(), 'tc-elf-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('decodeRocc', () => {
  it('decodes the R-type fields of a custom-3 word', () => {
    // funct7 6 (preload), rs2 x11, rs1 x10, funct3 3 (xs1, xs2), rd x0, opcode 0x7B
    const word = (6 << 25) | (11 << 20) | (10 << 15) | (3 << 12) | (0 << 7) | 0x7b;
    expect(decodeRocc(word)).toMatchObject({ funct: 6, rs1: 10, rs2: 11, rd: 0, xd: false, xs1: true, xs2: true });
    // the counter read writes rd: funct3 7
    const counter = (126 << 25) | (14 << 20) | (13 << 15) | (7 << 12) | (12 << 7) | 0x7b;
    expect(decodeRocc(counter)).toMatchObject({ funct: 126, rs1: 13, rs2: 14, rd: 12, xd: true, xs1: true, xs2: true });
  });

  it('ignores other opcodes', () => {
    expect(decodeRocc(0x00000013)).toBeUndefined(); // addi x0, x0, 0
    expect(decodeRocc(0x0000000b)).toBeUndefined(); // custom-0
  });
});

describe('Program IR instructions and their functs', () => {
  it('maps each op to the functs gemmini.h issues', () => {
    expect(functsOf({ op: 'fence' })).toEqual([]);
    expect(functsOf({ op: 'config_ld', channel: 1, strideBytes: 16, scale: 1 })).toEqual([FUNCT.config]);
    expect(functName(FUNCT.mvin3)).toBe('mvin3');
    expect(functName(99)).toBe('funct 99');
  });
});

describe.skipIf(toolchain.problem !== undefined)('roccInstructions on assembled code', () => {
  it('finds every custom-3 instruction, between compressed ones, with its function', async () => {
    const source = join(dir, 'probe.S');
    writeFileSync(
      source,
      `  .text
  .globl probe
  .type probe, @function
probe:
  c.nop
  .insn r CUSTOM_3, 3, 2, x0, a0, a1
  c.addi a0, 1
  .insn r CUSTOM_3, 3, 6, x0, t0, t1
  addi a0, a1, 2047
  .insn r CUSTOM_3, 7, 126, a2, a3, a4
  .insn r CUSTOM_0, 3, 5, x0, a0, a1
  ret
  .size probe, .-probe
`,
    );
    const object = join(dir, 'probe.o');
    await execa(toolchain.path!, [...RISCV_C_FLAGS, '-c', source, '-o', object]);
    const elf = parseElf(readFileSync(object));
    const found = roccInstructions(elf).map((i) => ({ funct: i.funct, rs1: i.rs1, rs2: i.rs2, rd: i.rd, xd: i.xd, fn: i.function, at: Number(i.address) }));
    expect(found).toEqual([
      { funct: 2, rs1: 10, rs2: 11, rd: 0, xd: false, fn: 'probe', at: 2 },
      { funct: 6, rs1: 5, rs2: 6, rd: 0, xd: false, fn: 'probe', at: 8 },
      { funct: 126, rs1: 13, rs2: 14, rd: 12, xd: true, fn: 'probe', at: 16 },
    ]);
    expect(symbolNamed(elf, 'probe')?.size).toBeGreaterThan(20);
    expect(functionAt(elf, 8n)?.name).toBe('probe');
  });

  it('refuses files that are not RISC-V ELF', () => {
    expect(() => parseElf(new TextEncoder().encode('#!/bin/sh\necho hello\n'))).toThrow(ElfError);
    const host = parseElf(readFileSync('/bin/sh'));
    expect(() => roccInstructions(host)).toThrow(/not a RISC-V ELF/);
  });
});

describe.skipIf(toolchain.problem !== undefined)('the binary for Spike, Verilator and FireSim', () => {
  it('is an HTIF program at 0x80000000 with real Gemmini instructions and no model', async () => {
    const path = 'examples/gemm_bias_relu.tc';
    const { func } = compileSource(path, readFileSync(path, 'utf8'));
    const build = compileForGemmini(func!, PRESETS.default.config, path);
    const elfBuild = await buildForRiscv(build.cSource, build.paramsHeader, { toolchain, platform: 'htif', emulateGemmini: false, seed: 1 });
    try {
      expect(elfBuild.message ?? '').toBe('');
      const elf = parseElf(readFileSync(elfBuild.elf));
      expect(elf.entry).toBe(0x80000000n);
      expect(symbolNamed(elf, '_start')?.value).toBe(0x80000000n);
      for (const name of ['tohost', 'fromhost']) expect(Number(symbolNamed(elf, name)!.value % 64n), name).toBe(0);
      expect(symbolNamed(elf, 'gemmini_rocc')).toBeUndefined();
      expect(symbolNamed(elf, 'tc_gemmini_fence_hook')).toBeUndefined();
      const functs = (m: Iterable<number>) => [...m].sort((a, b) => a - b);
      expect(functs(binaryMix(roccInstructions(elf)).keys())).toEqual(functs(programMix(build.program!).issued.keys()));
    } finally {
      rmSync(elfBuild.dir, { recursive: true, force: true });
    }
  });
});
