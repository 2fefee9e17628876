/* One weight-stationary matmul C = A * B + D: into the accumulator (overwrite
 * and accumulate), into the scratchpad (saturate, then ReLU from config_ex),
 * with partial operands, a zero preload, and a garbage C that writes nothing. */
#include "tc_test.h"

#define ACC_ADDR(row) (0x80000000u | (uint32_t)(row))
#define ACCUMULATE 0x40000000u
#define READ_FULL 0x20000000u
#define A_SP 0
#define B_SP DIM
#define D_SP (2 * DIM)
#define C_SP (3 * DIM)

static elem_t A[DIM][DIM], B[DIM][DIM], D[DIM][DIM], C_small[DIM][DIM];
static acc_t C_full[DIM][DIM];

static int64_t ref(int i, int j, int a_rows, int a_cols, int b_rows, int b_cols, int use_d) {
  int64_t sum = use_d ? D[i][j] : 0;
  for (int k = 0; k < DIM; k++) {
    const int64_t a = (i < a_rows && k < a_cols) ? A[i][k] : 0;
    const int64_t b = (k < b_rows && j < b_cols) ? B[k][j] : 0;
    sum += a * b;
  }
  return test_wrap(sum, TC_SPATIAL_OUTPUT_BITS);
}

int main(int argc, char **argv) {
  test_seed(argc, argv);
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      A[i][j] = (elem_t)test_rand_int(-128, 127);
      B[i][j] = (elem_t)test_rand_int(-128, 127);
      D[i][j] = (elem_t)test_rand_int(-128, 127);
    }
  gemmini_config_ex(WEIGHT_STATIONARY, NO_ACTIVATION, 0);
  gemmini_config_ld(DIM * sizeof(elem_t));
  gemmini_mvin(A, A_SP);
  gemmini_mvin(B, B_SP);
  gemmini_mvin(D, D_SP);

  /* C = A*B + D into the accumulator, then += A*B (no D) */
  gemmini_preload(B_SP, ACC_ADDR(0));
  gemmini_compute_preloaded(A_SP, D_SP);
  gemmini_preload(B_SP, ACC_ADDR(DIM));
  gemmini_compute_preloaded(A_SP, GARBAGE_ADDR);
  gemmini_preload(GARBAGE_ADDR, ACC_ADDR(DIM) | ACCUMULATE); /* keep the weights */
  gemmini_compute_accumulated(A_SP, GARBAGE_ADDR);
  gemmini_extended_config_st(DIM * sizeof(acc_t), NO_ACTIVATION, ACC_SCALE_IDENTITY);
  gemmini_extended_mvout(C_full, ACC_ADDR(0) | READ_FULL, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) test_expect(C_full[i][j], ref(i, j, DIM, DIM, DIM, DIM, 1), "A*B+D [%d][%d]", i, j);
  gemmini_extended_mvout(C_full, ACC_ADDR(DIM) | READ_FULL, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++)
      test_expect(C_full[i][j], 2 * ref(i, j, DIM, DIM, DIM, DIM, 0), "2*A*B [%d][%d]", i, j);

  /* into the scratchpad with ReLU: saturate to int8, then clamp at 0 */
  gemmini_config_ex(WEIGHT_STATIONARY, RELU, 0);
  gemmini_preload(B_SP, C_SP);
  gemmini_compute_preloaded(A_SP, D_SP);
  gemmini_config_st(DIM * sizeof(elem_t));
  gemmini_mvout(C_small, C_SP);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      int64_t want = test_clamp(ref(i, j, DIM, DIM, DIM, DIM, 1), -128, 127);
      test_expect(C_small[i][j], want < 0 ? 0 : want, "relu spad C[%d][%d]", i, j);
    }

  /* partial operands: A is ar x ac, B is br x bc, C written cr x cc */
  gemmini_config_ex(WEIGHT_STATIONARY, NO_ACTIVATION, 0);
  const int ar = DIM - 1 > 0 ? DIM - 1 : 1, ac = DIM / 2 + 1, br = DIM / 2 + 1, bc = DIM > 2 ? DIM - 2 : 1;
  const int cr = ar, cc = bc;
  static acc_t sentinel[DIM][DIM];
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) sentinel[i][j] = 1000000 + i * DIM + j;
  gemmini_config_ld(DIM * sizeof(acc_t));
  gemmini_mvin(sentinel, ACC_ADDR(2 * DIM));
  gemmini_extended_preload(B_SP, ACC_ADDR(2 * DIM), bc, br, cc, cr);
  gemmini_extended_compute_preloaded(A_SP, GARBAGE_ADDR, ac, ar, DIM, DIM);
  /* a garbage C computes but writes nothing */
  gemmini_preload(B_SP, GARBAGE_ADDR);
  gemmini_compute_preloaded(A_SP, D_SP);
  gemmini_extended_config_st(DIM * sizeof(acc_t), NO_ACTIVATION, ACC_SCALE_IDENTITY);
  gemmini_extended_mvout(C_full, ACC_ADDR(2 * DIM) | READ_FULL, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      const int64_t want = (i < cr && j < cc) ? ref(i, j, ar, ac, br, bc, 0) : sentinel[i][j];
      test_expect(C_full[i][j], want, "partial C[%d][%d]", i, j);
    }

  /* preload_zeros: zero weights, so C = D */
  gemmini_preload_zeros(ACC_ADDR(3 * DIM));
  gemmini_compute_preloaded(A_SP, D_SP);
  gemmini_extended_mvout(C_full, ACC_ADDR(3 * DIM) | READ_FULL, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) test_expect(C_full[i][j], D[i][j], "zero weights C[%d][%d]", i, j);

  return test_finish("matmul_ws");
}
