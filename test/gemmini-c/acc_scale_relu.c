/* mvout from the accumulator with a float32 scale: x * scale rounded half to
 * even, saturated to int8, then ReLU; ties, saturation, negative and tiny scales,
 * and values above 2^24 that lose precision in the int -> float32 conversion. */
#include "tc_test.h"

#define ACC_ADDR(row) (0x80000000u | (uint32_t)(row))

static acc_t in[DIM][DIM];
static elem_t out[DIM][DIM];

int main(int argc, char **argv) {
  test_seed(argc, argv);
  const float scales[] = {0.5f, 0.25f, 0.1f, 1.0f, -0.5f, 3.0e-5f, 0.0078125f};
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      const int pick = (i * DIM + j) % 4;
      in[i][j] = pick == 0   ? test_rand_int(-300, 300)                    /* around the int8 range */
                 : pick == 1 ? 2 * test_rand_int(-200, 200) + 1            /* odd: ties at scale 0.5 */
                 : pick == 2 ? test_rand_int(-2147483647, 2147483647)      /* far out: saturates */
                             : 16777217 + test_rand_int(0, 1000) * 3;      /* > 2^24 */
    }
  gemmini_config_ld(DIM * sizeof(acc_t));
  gemmini_extended_mvin(in, ACC_ADDR(0), DIM, DIM);
  for (unsigned s = 0; s < sizeof scales / sizeof scales[0]; s++)
    for (int act = 0; act <= 1; act++) {
      gemmini_extended_config_st(DIM * sizeof(elem_t), act ? RELU : NO_ACTIVATION, scales[s]);
      gemmini_extended_mvout(out, ACC_ADDR(0), DIM, DIM);
      gemmini_fence();
      for (int i = 0; i < DIM; i++)
        for (int j = 0; j < DIM; j++) {
          int64_t want = test_scale(in[i][j], scales[s], -128, 127);
          if (act && want < 0) want = 0;
          test_expect(out[i][j], want, "scale %g act %d out[%d][%d] (x=%d)", (double)scales[s], act, i, j, in[i][j]);
        }
    }
  return test_finish("acc_scale_relu");
}
