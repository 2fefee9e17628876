/* The accumulator: acc_t mvins that overwrite and that accumulate (bit 30),
 * full-width mvouts (bit 29), elem_t ("shrunk") mvins into the accumulator,
 * and saturating mvouts of large sums. */
#include "tc_test.h"

#define ACC_ADDR(row) (0x80000000u | (uint32_t)(row))
#define ACCUMULATE 0x40000000u
#define READ_FULL 0x20000000u

static acc_t first[DIM][DIM], second[DIM][DIM], full_out[DIM][DIM];
static elem_t small[DIM][DIM], small_out[DIM][DIM];

int main(int argc, char **argv) {
  test_seed(argc, argv);
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      first[i][j] = test_rand_int(-2000000000, 2000000000);
      second[i][j] = test_rand_int(-2000000000, 2000000000);
      small[i][j] = (elem_t)test_rand_int(-128, 127);
    }

  /* overwrite, then accumulate; the int32 sum wraps */
  gemmini_config_ld(DIM * sizeof(acc_t));
  gemmini_extended_config_st(DIM * sizeof(acc_t), NO_ACTIVATION, ACC_SCALE_IDENTITY);
  gemmini_extended_mvin(first, ACC_ADDR(DIM), DIM, DIM);
  gemmini_extended_mvin(second, ACC_ADDR(DIM) | ACCUMULATE, DIM, DIM);
  gemmini_extended_mvout(full_out, ACC_ADDR(DIM) | READ_FULL, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++)
      test_expect(full_out[i][j], (int32_t)((uint32_t)first[i][j] + (uint32_t)second[i][j]), "sum[%d][%d]", i, j);

  /* the same rows read scaled: saturate to elem_t */
  gemmini_config_st(DIM * sizeof(elem_t));
  gemmini_extended_mvout(small_out, ACC_ADDR(DIM), DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      const int32_t sum = (int32_t)((uint32_t)first[i][j] + (uint32_t)second[i][j]);
      test_expect(small_out[i][j], test_clamp(sum, -128, 127), "saturated[%d][%d]", i, j);
    }

  /* shrunk mvin: elem_t data widened into the accumulator, then accumulated twice */
  gemmini_extended2_config_ld(DIM * sizeof(elem_t), MVIN_SCALE_IDENTITY, true);
  gemmini_extended_mvin(small, ACC_ADDR(3 * DIM), DIM, DIM);
  gemmini_extended_mvin(small, ACC_ADDR(3 * DIM) | ACCUMULATE, DIM, DIM);
  gemmini_extended_mvin(small, ACC_ADDR(3 * DIM) | ACCUMULATE, DIM, DIM);
  gemmini_extended_config_st(DIM * sizeof(acc_t), NO_ACTIVATION, ACC_SCALE_IDENTITY);
  gemmini_extended_mvout(full_out, ACC_ADDR(3 * DIM) | READ_FULL, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) test_expect(full_out[i][j], 3 * small[i][j], "shrunk x3[%d][%d]", i, j);

  /* partial rows/cols into the accumulator leave the rest of the rows alone */
  gemmini_config_ld(DIM * sizeof(acc_t));
  gemmini_extended_mvin(first, ACC_ADDR(5 * DIM), DIM, DIM);
  const int rows = DIM / 2 + 1, cols = DIM - 1;
  gemmini_extended_mvin(second, ACC_ADDR(5 * DIM), cols, rows);
  gemmini_extended_mvout(full_out, ACC_ADDR(5 * DIM) | READ_FULL, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++)
      test_expect(full_out[i][j], (i < rows && j < cols) ? second[i][j] : first[i][j], "partial[%d][%d]", i, j);

  return test_finish("mvin_acc");
}
