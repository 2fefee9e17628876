/* tc-test: expect-exit=3 expect-stderr=(compute_preloaded): A is
 * A compute with more rows than the array has must stop the model. */
#include "tc_test.h"

int main(void) {
  gemmini_config_ex(WEIGHT_STATIONARY, NO_ACTIVATION, 0);
  gemmini_preload(GARBAGE_ADDR, GARBAGE_ADDR);
  gemmini_extended_compute_preloaded(0, GARBAGE_ADDR, DIM, DIM + 1, DIM, DIM);
  gemmini_fence();
  printf("bad_compute_rows: the model accepted DIM+1 rows\n");
  return 1;
}
