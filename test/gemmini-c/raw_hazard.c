/* Read-after-write and write-after-read on local addresses: a compute reads
 * rows a mvin just wrote, a mvout reads what the compute wrote, and a second
 * mvin overwrites the operand while the first compute may still need it. The
 * reservation station must order them; the results show whether it did, and
 * the vitest harness checks the order in the host model's trace. */
#include "tc_test.h"

#define ACC_ADDR(row) (0x80000000u | (uint32_t)(row))
#define READ_FULL 0x20000000u

static elem_t A1[DIM][DIM], A2[DIM][DIM], B[DIM][DIM];
static acc_t C1[DIM][DIM], C2[DIM][DIM];

static int64_t ref(elem_t a[DIM][DIM], int i, int j) {
  int64_t sum = 0;
  for (int k = 0; k < DIM; k++) sum += (int64_t)a[i][k] * B[k][j];
  return test_wrap(sum, TC_SPATIAL_OUTPUT_BITS);
}

/* mvin A1 -> compute -> mvout C1; mvin A2 -> compute -> mvout C2. With `shared`
 * both use the same scratchpad and accumulator rows (RAW, WAR and WAW hazards). */
static void run(int shared) {
  const uint32_t a2_row = shared ? 0 : 2 * DIM, c2_row = shared ? 0 : DIM;
  memset(C1, 0, sizeof C1);
  memset(C2, 0, sizeof C2);
  gemmini_mvin(A1, 0);
  gemmini_preload(DIM, ACC_ADDR(0));
  gemmini_compute_preloaded(0, GARBAGE_ADDR);
  gemmini_extended_mvout(C1, ACC_ADDR(0) | READ_FULL, DIM, DIM);
  gemmini_mvin(A2, a2_row);
  gemmini_preload(DIM, ACC_ADDR(c2_row));
  gemmini_compute_preloaded(a2_row, GARBAGE_ADDR);
  gemmini_extended_mvout(C2, ACC_ADDR(c2_row) | READ_FULL, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      test_expect(C1[i][j], ref(A1, i, j), "shared=%d C1[%d][%d]", shared, i, j);
      test_expect(C2[i][j], ref(A2, i, j), "shared=%d C2[%d][%d]", shared, i, j);
    }
}

int main(int argc, char **argv) {
  test_seed(argc, argv);
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      A1[i][j] = (elem_t)test_rand_int(-128, 127);
      A2[i][j] = (elem_t)test_rand_int(-128, 127);
      B[i][j] = (elem_t)test_rand_int(-128, 127);
    }
  gemmini_config_ex(WEIGHT_STATIONARY, NO_ACTIVATION, 0);
  gemmini_config_ld(DIM * sizeof(elem_t));
  gemmini_extended_config_st(DIM * sizeof(acc_t), NO_ACTIVATION, ACC_SCALE_IDENTITY);
  gemmini_mvin(B, DIM);
  gemmini_fence();
  run(1); /* instructions #4..#11: the hazards test/gemmini-runtime.test.ts checks in the trace */
  run(0);
  return test_finish("raw_hazard");
}
