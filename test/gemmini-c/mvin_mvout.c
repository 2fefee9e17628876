/* mvin/mvout through the scratchpad: DRAM strides, partial rows and columns,
 * block mvins (cols > DIM) with the default and a custom block stride, the
 * three load channels, and a mvin from DRAM address 0 (zeros). */
#include "tc_test.h"

#define SRC_COLS (3 * DIM + 5)
#define DST_COLS (2 * DIM + 3)
#define BLOCK_COLS (MAX_BLOCK_LEN * DIM)
#define POISON 0x5A

static elem_t src[2 * DIM][SRC_COLS];
static elem_t dst[2 * DIM][DST_COLS];
static elem_t wide[DIM][BLOCK_COLS];
static elem_t wide_out[DIM][BLOCK_COLS];

int main(int argc, char **argv) {
  test_seed(argc, argv);
  for (int i = 0; i < 2 * DIM; i++)
    for (int j = 0; j < SRC_COLS; j++) src[i][j] = (elem_t)test_rand_int(-128, 127);

  /* 1. a (DIM-1) x (DIM-2) window from the middle of src, out with another stride */
  memset(dst, POISON, sizeof dst);
  const int rows = DIM > 1 ? DIM - 1 : 1, cols = DIM > 2 ? DIM - 2 : 1;
  gemmini_config_ld(SRC_COLS * sizeof(elem_t));
  gemmini_config_st(DST_COLS * sizeof(elem_t));
  gemmini_extended_mvin(&src[3][5], 7 * DIM, cols, rows);
  gemmini_extended_mvout(&dst[1][2], 7 * DIM, cols, rows);
  gemmini_fence();
  for (int i = 0; i < 2 * DIM; i++)
    for (int j = 0; j < DST_COLS; j++) {
      const int inside = i >= 1 && i < 1 + rows && j >= 2 && j < 2 + cols;
      test_expect(dst[i][j], inside ? src[i - 1 + 3][j - 2 + 5] : (elem_t)POISON, "window dst[%d][%d]", i, j);
    }

  /* 2. block mvin of MAX_BLOCK_LEN blocks; the default block stride is DIM rows */
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < BLOCK_COLS; j++) wide[i][j] = (elem_t)test_rand_int(-128, 127);
  const uint32_t base = 2 * DIM;
  gemmini_config_ld(BLOCK_COLS * sizeof(elem_t));
  gemmini_config_st(BLOCK_COLS * sizeof(elem_t));
  gemmini_block_mvin(wide, base, MAX_BLOCK_LEN);
  memset(wide_out, POISON, sizeof wide_out);
  for (int b = 0; b < MAX_BLOCK_LEN; b++) gemmini_extended_mvout(&wide_out[0][b * DIM], base + b * DIM, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < BLOCK_COLS; j++) test_expect(wide_out[i][j], wide[i][j], "block wide_out[%d][%d]", i, j);

  /* 3. a custom block stride of 2*DIM rows, on load channel 1 (mvin2) */
  const uint32_t base2 = 20 * DIM;
  gemmini_extended4_config_ld(BLOCK_COLS * sizeof(elem_t), MVIN_SCALE_IDENTITY, false, 2 * DIM, 1);
  gemmini_extended_mvin2(wide, base2, BLOCK_COLS, DIM);
  memset(wide_out, POISON, sizeof wide_out);
  for (int b = 0; b < MAX_BLOCK_LEN; b++) gemmini_extended_mvout(&wide_out[0][b * DIM], base2 + b * 2 * DIM, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < BLOCK_COLS; j++) test_expect(wide_out[i][j], wide[i][j], "stride-2 wide_out[%d][%d]", i, j);

  /* 4. mvin3 with its own stride (channel 2); channel 0's stride must be untouched */
  gemmini_extended3_config_ld(SRC_COLS * sizeof(elem_t), MVIN_SCALE_IDENTITY, false, 2);
  gemmini_config_ld(2 * SRC_COLS * sizeof(elem_t)); /* channel 0: every other row */
  gemmini_config_st(DST_COLS * sizeof(elem_t));
  gemmini_extended_mvin3(&src[0][0], 40 * DIM, DIM, DIM);
  gemmini_extended_mvin(&src[0][DIM], 41 * DIM, DIM, DIM);
  memset(dst, POISON, sizeof dst);
  gemmini_extended_mvout(&dst[0][0], 40 * DIM, DIM, DIM);
  gemmini_extended_mvout(&dst[0][DIM], 41 * DIM, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      test_expect(dst[i][j], src[i][j], "mvin3 dst[%d][%d]", i, j);
      test_expect(dst[i][DIM + j], src[2 * i][DIM + j], "mvin stride-2 dst[%d][%d]", i, DIM + j);
    }

  /* 5. a mvin from DRAM address 0 writes zeros */
  gemmini_extended_mvin(NULL, 40 * DIM, DIM, DIM);
  memset(dst, POISON, sizeof dst);
  gemmini_extended_mvout(&dst[0][0], 40 * DIM, DIM, DIM);
  gemmini_fence();
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) test_expect(dst[i][j], 0, "zeros dst[%d][%d]", i, j);

  return test_finish("mvin_mvout");
}
