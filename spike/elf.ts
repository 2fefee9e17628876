// A small ELF64 (little-endian, RISC-V) reader: sections, symbols, and every
// RoCC custom-3 instruction in the executable sections, decoded. Enough to
// check what a built binary will issue to Gemmini, and to name the function a
// trapping pc belongs to.
//
// Instruction lengths follow the RISC-V base encoding: low bits 11 = 32-bit
// (unless bits 4:2 are 111, the longer formats, which gcc does not emit),
// anything else = 16-bit compressed. gcc puts no data in .text on RISC-V, so a
// linear walk from each executable section's start sees every instruction.

export interface ElfSection {
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: bigint;
  readonly size: number;
  /** STT_FUNC = 2, STT_OBJECT = 1, ... */
  readonly type: number;
}

export interface Elf {
  readonly machine: number;
  readonly entry: bigint;
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
  readonly bytes: Uint8Array;
}

export const EM_RISCV = 243;
const SHT_SYMTAB = 2;
const SHF_EXECINSTR = 0x4n;
const STT_FUNC = 2;

export class ElfError extends Error {}

export function parseElf(bytes: Uint8Array): Elf {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 64 || view.getUint32(0) !== 0x7f454c46) throw new ElfError('not an ELF file');
  if (bytes[4] !== 2) throw new ElfError('not a 64-bit ELF file');
  if (bytes[5] !== 1) throw new ElfError('not a little-endian ELF file');
  const machine = view.getUint16(18, true);
  const entry = view.getBigUint64(24, true);
  const shoff = Number(view.getBigUint64(40, true));
  const shentsize = view.getUint16(58, true);
  const shnum = view.getUint16(60, true);
  const shstrndx = view.getUint16(62, true);
  if (shoff + shnum * shentsize > bytes.length) throw new ElfError('section headers lie outside the file');
  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * shentsize;
    return {
      nameOffset: view.getUint32(o, true),
      type: view.getUint32(o + 4, true),
      flags: view.getBigUint64(o + 8, true),
      addr: view.getBigUint64(o + 16, true),
      offset: Number(view.getBigUint64(o + 24, true)),
      size: Number(view.getBigUint64(o + 32, true)),
      link: view.getUint32(o + 40, true),
      entsize: Number(view.getBigUint64(o + 56, true)),
    };
  });
  const cString = (at: number): string => {
    let end = at;
    while (end < bytes.length && bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(at, end));
  };
  const names = raw[shstrndx];
  const sections: ElfSection[] = raw.map((s) => ({
    name: names ? cString(names.offset + s.nameOffset) : '',
    type: s.type,
    flags: s.flags,
    addr: s.addr,
    offset: s.offset,
    size: s.size,
  }));
  const symbols: ElfSymbol[] = [];
  for (const s of raw) {
    if (s.type !== SHT_SYMTAB || s.entsize < 24) continue;
    const strings = raw[s.link];
    for (let o = s.offset; o + 24 <= s.offset + s.size; o += s.entsize) {
      const info = bytes[o + 4];
      symbols.push({
        name: cString(strings.offset + view.getUint32(o, true)),
        type: info & 0xf,
        value: view.getBigUint64(o + 8, true),
        size: Number(view.getBigUint64(o + 16, true)),
      });
    }
  }
  return { machine, entry, sections, symbols, bytes };
}

/** The function symbol whose range holds `address`, for messages ("in tc_kernel"). */
export function functionAt(elf: Elf, address: bigint): ElfSymbol | undefined {
  return elf.symbols.find((s) => s.type === STT_FUNC && s.size > 0 && address >= s.value && address < s.value + BigInt(s.size));
}

export function symbolNamed(elf: Elf, name: string): ElfSymbol | undefined {
  return elf.symbols.find((s) => s.name === name);
}

/** One RoCC instruction: R-type with opcode custom-3 (0x7B). */
export interface RoccInstruction {
  readonly address: bigint;
  readonly word: number;
  /** funct7: Gemmini's instruction (gemmini.h k_*). */
  readonly funct: number;
  readonly rs1: number;
  readonly rs2: number;
  readonly rd: number;
  /** funct3 bits: xd (writes rd), xs1, xs2 (reads rs1, rs2). */
  readonly xd: boolean;
  readonly xs1: boolean;
  readonly xs2: boolean;
  /** The function it lies in, when the symbol table says. */
  readonly function?: string;
}

export const OPCODE_CUSTOM_3 = 0x7b;

export function decodeRocc(word: number, address = 0n): RoccInstruction | undefined {
  if ((word & 0x7f) !== OPCODE_CUSTOM_3) return undefined;
  return {
    address,
    word: word >>> 0,
    funct: word >>> 25,
    rs2: (word >>> 20) & 31,
    rs1: (word >>> 15) & 31,
    xd: ((word >>> 14) & 1) === 1,
    xs1: ((word >>> 13) & 1) === 1,
    xs2: ((word >>> 12) & 1) === 1,
    rd: (word >>> 7) & 31,
  };
}

/** Every custom-3 instruction in the executable sections, in address order. */
export function roccInstructions(elf: Elf): RoccInstruction[] {
  if (elf.machine !== EM_RISCV) throw new ElfError(`not a RISC-V ELF file (machine ${elf.machine})`);
  const view = new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength);
  const functions = elf.symbols.filter((s) => s.type === STT_FUNC && s.size > 0).sort((a, b) => (a.value < b.value ? -1 : 1));
  const owner = (address: bigint): string | undefined => {
    let lo = 0;
    let hi = functions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const f = functions[mid];
      if (address < f.value) hi = mid - 1;
      else if (address >= f.value + BigInt(f.size)) lo = mid + 1;
      else return f.name;
    }
    return undefined;
  };
  const found: RoccInstruction[] = [];
  for (const section of elf.sections) {
    if (!(section.flags & SHF_EXECINSTR) || section.type === 8 /* NOBITS */) continue;
    let at = 0;
    while (at + 2 <= section.size) {
      const low = view.getUint16(section.offset + at, true);
      if ((low & 3) !== 3) {
        at += 2;
        continue;
      }
      if (at + 4 > section.size) break;
      const word = view.getUint32(section.offset + at, true);
      const rocc = decodeRocc(word, section.addr + BigInt(at));
      if (rocc) found.push({ ...rocc, function: owner(rocc.address) });
      at += 4;
    }
  }
  return found;
}
