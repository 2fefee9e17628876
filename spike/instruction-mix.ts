// Which Gemmini instructions a program issues: from the Program IR the
// compiler emitted (static: which functs occur; dynamic: how many times each
// runs) and from a built RISC-V binary (the custom-3 instructions in it).
// A test checks that the two agree, so the binary is what the IR says.

import { evalI } from '../ir/iexpr.js';
import type { Inst, ProgramFunc, ProgramStmt } from '../ir/program-ir.js';
import type { RoccInstruction } from './elf.js';

/** funct7 values (gemmini/runtime/gemmini.h, from GemminiISA.scala). */
export const FUNCT = {
  config: 0,
  mvin2: 1,
  mvin: 2,
  mvout: 3,
  compute_preloaded: 4,
  compute_accumulated: 5,
  preload: 6,
  flush: 7,
  loop_ws: 8,
  loop_ws_config_bounds: 9,
  loop_ws_config_addrs_ab: 10,
  loop_ws_config_addrs_dc: 11,
  loop_ws_config_strides_ab: 12,
  loop_ws_config_strides_dc: 13,
  mvin3: 14,
  counter: 126,
} as const;

export const FUNCT_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(FUNCT).map(([name, f]) => [f, name]));

const MVIN_FUNCT = [FUNCT.mvin, FUNCT.mvin2, FUNCT.mvin3];
/** gemmini_loop_ws issues its five config words, then the loop itself. */
const LOOP_WS_FUNCTS = [
  FUNCT.loop_ws_config_bounds,
  FUNCT.loop_ws_config_addrs_ab,
  FUNCT.loop_ws_config_addrs_dc,
  FUNCT.loop_ws_config_strides_ab,
  FUNCT.loop_ws_config_strides_dc,
  FUNCT.loop_ws,
];

/** The RoCC functs one Program IR instruction becomes (a fence is the core's own `fence`). */
export function functsOf(inst: Inst): readonly number[] {
  switch (inst.op) {
    case 'config_ex':
    case 'config_ld':
    case 'config_st':
      return [FUNCT.config];
    case 'mvin':
      return [MVIN_FUNCT[inst.channel]];
    case 'mvout':
      return [FUNCT.mvout];
    case 'preload':
      return [FUNCT.preload];
    case 'compute':
      return [inst.accumulated ? FUNCT.compute_accumulated : FUNCT.compute_preloaded];
    case 'loop_ws':
      return LOOP_WS_FUNCTS;
    case 'fence':
      return [];
  }
}

export interface ProgramMix {
  /** funct -> how many times the program issues it when it runs. */
  readonly issued: ReadonlyMap<number, number>;
  /** Program IR op -> how many times it runs (fences included). */
  readonly ops: ReadonlyMap<Inst['op'], number>;
}

/** Runs the Program IR's loops (extents may depend on outer loops) and counts. */
export function programMix(program: ProgramFunc): ProgramMix {
  const issued = new Map<number, number>();
  const ops = new Map<Inst['op'], number>();
  const walk = (stmts: readonly ProgramStmt[], env: Map<string, number>): void => {
    for (const s of stmts) {
      switch (s.kind) {
        case 'inst':
          ops.set(s.inst.op, (ops.get(s.inst.op) ?? 0) + 1);
          for (const f of functsOf(s.inst)) issued.set(f, (issued.get(f) ?? 0) + 1);
          break;
        case 'for': {
          const extent = evalI(s.extent, env);
          for (let i = 0; i < extent; i++) walk(s.body, new Map(env).set(s.var, i));
          break;
        }
        case 'cpu':
          break;
      }
    }
  };
  walk(program.body, new Map());
  return { issued, ops };
}

/** The functs that occur in a binary, with how many places issue each. */
export function binaryMix(instructions: readonly RoccInstruction[]): Map<number, number> {
  const places = new Map<number, number>();
  for (const i of instructions) places.set(i.funct, (places.get(i.funct) ?? 0) + 1);
  return places;
}

export function functName(funct: number): string {
  return FUNCT_NAMES.get(funct) ?? `funct ${funct}`;
}
