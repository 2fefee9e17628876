/* The mesh keeps partial sums in TC_SPATIAL_OUTPUT_BITS bits (20 in the default
 * configuration, PE.scala/Configs.scala); an output-stationary accumulation
 * over many K tiles of (-128)*(-128) leaves that range and wraps. */
#include "tc_test.h"

#if !TC_HAS_OS
int main(void) {
  printf("spatial_wrap_os: SKIP (no output-stationary dataflow)\n");
  return 0;
}
#else

#define ACC_ADDR(row) (0x80000000u | (uint32_t)(row))
#define READ_FULL 0x20000000u
#define KT 9

static elem_t A[DIM][DIM], B[DIM][DIM];
static acc_t C_full[DIM][DIM];

int main(void) {
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      A[i][j] = -128;
      B[i][j] = (elem_t)(j % 3 == 0 ? -128 : 127);
    }
  gemmini_config_ld(DIM * sizeof(elem_t));
  gemmini_mvin(A, 0);
  gemmini_mvin(B, DIM);
  gemmini_config_ex(OUTPUT_STATIONARY, NO_ACTIVATION, 0);
  for (int k = 0; k < KT; k++) {
    gemmini_preload(GARBAGE_ADDR, k == KT - 1 ? ACC_ADDR(0) : GARBAGE_ADDR);
    if (k == 0) {
      gemmini_compute_preloaded(0, DIM);
    } else {
      gemmini_compute_accumulated(0, DIM);
    }
  }
  gemmini_extended_config_st(DIM * sizeof(acc_t), NO_ACTIVATION, ACC_SCALE_IDENTITY);
  gemmini_extended_mvout(C_full, ACC_ADDR(0) | READ_FULL, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      const int64_t exact = (int64_t)KT * DIM * (-128) * B[0][j];
      test_expect(C_full[i][j], test_wrap(exact, TC_SPATIAL_OUTPUT_BITS), "C[%d][%d] (exact %lld)", i, j,
                  (long long)exact);
    }
  return test_finish("spatial_wrap_os");
}
#endif
