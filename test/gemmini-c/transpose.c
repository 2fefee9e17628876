/* Transposed operands: WS with A transposed, WS with B transposed, OS with A
 * transposed and OS with both transposed (the combinations Gemmini permits). */
#include "tc_test.h"

#define ACC_ADDR(row) (0x80000000u | (uint32_t)(row))
#define READ_FULL 0x20000000u

static elem_t A[DIM][DIM], B[DIM][DIM];
static acc_t C[DIM][DIM];

/* C = op(A) * op(B) where op transposes when asked; the stored matrices are A and B */
static int64_t ref(int i, int j, int a_t, int b_t) {
  int64_t sum = 0;
  for (int k = 0; k < DIM; k++) sum += (int64_t)(a_t ? A[k][i] : A[i][k]) * (b_t ? B[j][k] : B[k][j]);
  return test_wrap(sum, TC_SPATIAL_OUTPUT_BITS);
}

static void run(int dataflow, int a_t, int b_t, uint32_t c_row) {
  gemmini_extended_config_ex(dataflow, NO_ACTIVATION, 0, 1, a_t, b_t);
  if (dataflow == WEIGHT_STATIONARY) {
    gemmini_preload(DIM, ACC_ADDR(c_row));
    gemmini_compute_preloaded(0, GARBAGE_ADDR);
  } else {
    gemmini_preload(GARBAGE_ADDR, ACC_ADDR(c_row));
    gemmini_compute_preloaded(0, DIM);
  }
  gemmini_extended_mvout(C, ACC_ADDR(c_row) | READ_FULL, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++)
      test_expect(C[i][j], ref(i, j, a_t, b_t), "%s A^T=%d B^T=%d C[%d][%d]",
                  dataflow == WEIGHT_STATIONARY ? "WS" : "OS", a_t, b_t, i, j);
}

int main(int argc, char **argv) {
  test_seed(argc, argv);
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      A[i][j] = (elem_t)test_rand_int(-128, 127);
      B[i][j] = (elem_t)test_rand_int(-128, 127);
    }
  gemmini_config_ld(DIM * sizeof(elem_t));
  gemmini_mvin(A, 0);
  gemmini_mvin(B, DIM);
  gemmini_extended_config_st(DIM * sizeof(acc_t), NO_ACTIVATION, ACC_SCALE_IDENTITY);
#if TC_HAS_WS
  run(WEIGHT_STATIONARY, 0, 0, 0);
  run(WEIGHT_STATIONARY, 1, 0, DIM);
  run(WEIGHT_STATIONARY, 0, 1, 2 * DIM);
#endif
#if TC_HAS_OS
  run(OUTPUT_STATIONARY, 0, 0, 3 * DIM);
  run(OUTPUT_STATIONARY, 1, 0, 4 * DIM);
  run(OUTPUT_STATIONARY, 1, 1, 5 * DIM);
#endif
  return test_finish("transpose");
}
