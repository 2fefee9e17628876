/* emulate.c — Gemmini on a RISC-V machine that has none (QEMU): the trap
 * handler (runtime.c) hands every illegal instruction here; a RoCC custom-3
 * instruction is decoded, its rs1/rs2 values are read from the interrupted
 * program's saved registers and given to tc's model of Gemmini
 * (gemmini/runtime/gemmini_model.c compiled for RISC-V with TC_MODEL_EMULATOR),
 * which moves the program's data and keeps its timing. The results are
 * bit-exact with the host model; the cycles the program reads with rdcycle
 * are the emulator's, while the model's report (printed at exit) counts
 * Gemmini's cycles.
 *
 * A fence is no trap: programs built with TC_GEMMINI_FENCE_HOOK call
 * tc_gemmini_fence_hook() after each one, so the model's timing sees it too.
 */
#include <stdint.h>

#include "gemmini_model.h"
#include "runtime.h"

#define OPCODE_CUSTOM_3 0x7B
#define TC_HOST_FUNCT_FENCE 0x1000u /* gemmini.h: the model's fence */

int tc_emulate_instruction(uint64_t regs[32], uint32_t instruction) {
  if ((instruction & 0x7F) != OPCODE_CUSTOM_3) return 0;
  /* R-type: funct7 [31:25], rs2 [24:20], rs1 [19:15], xd/xs1/xs2 = funct3 [14:12], rd [11:7] */
  const unsigned funct = instruction >> 25;
  const unsigned rs2 = (instruction >> 20) & 31, rs1 = (instruction >> 15) & 31, rd = (instruction >> 7) & 31;
  const unsigned xd = (instruction >> 14) & 1, xs1 = (instruction >> 13) & 1, xs2 = (instruction >> 12) & 1;
  gemmini_rocc(funct, xs1 ? regs[rs1] : 0, xs2 ? regs[rs2] : 0);
  if (xd && rd != 0) regs[rd] = gemmini_rocc_result();
  return 1;
}

void tc_gemmini_fence_hook(void) { gemmini_rocc(TC_HOST_FUNCT_FENCE, 0, 0); }
