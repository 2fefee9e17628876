/* Output-stationary matmuls: D preloaded into the PEs, K tiles accumulated in
 * the array (compute_preloaded then compute_accumulated), results shifted right
 * with round-half-even on the way out, into the scratchpad (saturate + ReLU)
 * and into the accumulator. */
#include "tc_test.h"

#if !TC_HAS_OS
int main(void) {
  printf("matmul_os: SKIP (no output-stationary dataflow)\n");
  return 0;
}
#else

#define ACC_ADDR(row) (0x80000000u | (uint32_t)(row))
#define READ_FULL 0x20000000u
#define KT 3

static elem_t A[DIM][KT * DIM], B[KT * DIM][DIM], D[DIM][DIM], C_small[DIM][DIM];
static acc_t C_full[DIM][DIM];

static int64_t ref_raw(int i, int j, int use_d) {
  int64_t sum = use_d ? D[i][j] : 0;
  for (int k = 0; k < KT * DIM; k++) sum += (int64_t)A[i][k] * B[k][j];
  return test_wrap(sum, TC_SPATIAL_OUTPUT_BITS);
}

int main(int argc, char **argv) {
  test_seed(argc, argv);
  for (int i = 0; i < DIM; i++)
    for (int k = 0; k < KT * DIM; k++) A[i][k] = (elem_t)test_rand_int(-128, 127);
  for (int k = 0; k < KT * DIM; k++)
    for (int j = 0; j < DIM; j++) B[k][j] = (elem_t)test_rand_int(-128, 127);
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) D[i][j] = (elem_t)test_rand_int(-128, 127);

  gemmini_config_ld(KT * DIM * sizeof(elem_t));
  for (int k = 0; k < KT; k++) gemmini_extended_mvin(&A[0][k * DIM], k * DIM, DIM, DIM);
  gemmini_config_ld(DIM * sizeof(elem_t));
  for (int k = 0; k < KT; k++) gemmini_mvin(&B[k * DIM][0], (KT + k) * DIM);
  gemmini_mvin(D, 2 * KT * DIM);
  const uint32_t C_SP = (2 * KT + 1) * DIM;

  const unsigned shifts[] = {0, 3, 9};
  for (unsigned s = 0; s < 3; s++) {
    const unsigned shift = shifts[s];
    /* to the scratchpad with ReLU */
    gemmini_config_ex(OUTPUT_STATIONARY, RELU, shift);
    for (int k = 0; k < KT; k++) {
      gemmini_preload(k == 0 ? 2 * KT * DIM : GARBAGE_ADDR, k == KT - 1 ? C_SP : GARBAGE_ADDR);
      if (k == 0) {
        gemmini_compute_preloaded(k * DIM, (KT + k) * DIM);
      } else {
        gemmini_compute_accumulated(k * DIM, (KT + k) * DIM);
      }
    }
    gemmini_config_st(DIM * sizeof(elem_t));
    gemmini_mvout(C_small, C_SP);
    gemmini_fence();
    for (int i = 0; i < DIM; i++)
      for (int j = 0; j < DIM; j++) {
        int64_t want = test_clamp(test_round_shift(ref_raw(i, j, 1), shift), -128, 127);
        test_expect(C_small[i][j], want < 0 ? 0 : want, "shift %u spad C[%d][%d]", shift, i, j);
      }

    /* to the accumulator: the full (shifted) value, no activation */
    gemmini_config_ex(OUTPUT_STATIONARY, NO_ACTIVATION, shift);
    for (int k = 0; k < KT; k++) {
      gemmini_preload(GARBAGE_ADDR, k == KT - 1 ? ACC_ADDR(0) : GARBAGE_ADDR);
      if (k == 0) {
        gemmini_compute_preloaded(k * DIM, (KT + k) * DIM);
      } else {
        gemmini_compute_accumulated(k * DIM, (KT + k) * DIM);
      }
    }
    gemmini_extended_config_st(DIM * sizeof(acc_t), NO_ACTIVATION, ACC_SCALE_IDENTITY);
    gemmini_extended_mvout(C_full, ACC_ADDR(0) | READ_FULL, DIM, DIM);
    gemmini_fence();
    for (int i = 0; i < DIM; i++)
      for (int j = 0; j < DIM; j++)
        test_expect(C_full[i][j], test_round_shift(ref_raw(i, j, 0), shift), "shift %u acc C[%d][%d]", shift, i, j);
  }
  return test_finish("matmul_os");
}
#endif
