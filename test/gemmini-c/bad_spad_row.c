/* tc-test: expect-exit=3 expect-stderr=(mvin): scratchpad row
 * A mvin past the end of the scratchpad must stop the model with a clear error. */
#include "tc_test.h"

static elem_t data[DIM][DIM];

int main(void) {
  gemmini_config_ld(DIM * sizeof(elem_t));
  gemmini_mvin(data, 0);
  gemmini_mvin(data, BANK_NUM * BANK_ROWS + 5);
  gemmini_fence();
  printf("bad_spad_row: the model accepted an out-of-range address\n");
  return 1;
}
