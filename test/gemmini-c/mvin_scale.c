/* mvin scaling: float32 x * scale, rounded half to even, saturated to elem_t,
 * into the scratchpad and (shrunk) into the accumulator. Values are chosen so
 * that many products land exactly on .5. */
#include "tc_test.h"

#define ACC_ADDR(row) (0x80000000u | (uint32_t)(row))

static elem_t in[DIM][DIM], out[DIM][DIM];
static acc_t acc_out[DIM][DIM];

int main(int argc, char **argv) {
  test_seed(argc, argv);
#ifndef HAS_MVIN_SCALE
  printf("mvin_scale: SKIP (no mvin scaling in this configuration)\n");
  return 0;
#else
  const float scales[] = {0.5f, 1.5f, -0.75f, 2.5f, 0.1f, 3.0f, 0.0f};
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) in[i][j] = (elem_t)test_rand_int(-128, 127);
  in[0][0] = 1; in[0][DIM - 1] = 3; /* 0.5 and 1.5 at scale 0.5: ties */
  if (DIM > 1) { in[1][0] = -1; in[1][1] = 5; }

  for (unsigned s = 0; s < sizeof scales / sizeof scales[0]; s++) {
    const float scale = scales[s];
    gemmini_extended_config_ld(DIM * sizeof(elem_t), scale);
    gemmini_config_st(DIM * sizeof(elem_t));
    gemmini_mvin(in, 2 * DIM);
    gemmini_mvout(out, 2 * DIM);
    gemmini_fence();
    for (int i = 0; i < DIM; i++)
      for (int j = 0; j < DIM; j++)
        test_expect(out[i][j], test_scale(in[i][j], scale, -128, 127), "scale %g out[%d][%d]", (double)scale, i, j);

    /* shrunk into the accumulator: the scaled elem_t is widened */
    gemmini_extended2_config_ld(DIM * sizeof(elem_t), scale, true);
    gemmini_extended_mvin(in, ACC_ADDR(0), DIM, DIM);
    gemmini_extended_config_st(DIM * sizeof(acc_t), NO_ACTIVATION, ACC_SCALE_IDENTITY);
    gemmini_extended_mvout(acc_out, ACC_ADDR(0) | 0x20000000u, DIM, DIM);
    gemmini_fence();
    for (int i = 0; i < DIM; i++)
      for (int j = 0; j < DIM; j++)
        test_expect(acc_out[i][j], test_scale(in[i][j], scale, -128, 127), "shrunk scale %g acc[%d][%d]",
                    (double)scale, i, j);
  }
  return test_finish("mvin_scale");
#endif
}
