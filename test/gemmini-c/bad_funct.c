/* tc-test: expect-exit=3 expect-stderr=instruction #1 (unknown): unknown funct 99
 * An instruction with a funct Gemmini does not have must stop the model. */
#include "tc_test.h"

int main(void) {
  gemmini_config_ld(DIM * sizeof(elem_t));
  ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, 0, 0, 99);
  printf("bad_funct: the model accepted funct 99\n");
  return 1;
}
