/* The loop_ws instruction (LoopMatmul.scala): C = A * B + D over I x J x K
 * tiles, with partial tiles (padding), an acc_t bias, a scaled ReLU int8 output,
 * a full-width int32 output without bias, and a K split over two loop_ws calls
 * that accumulate (ex_accumulate) with only the second storing C. */
#include "tc_test.h"

#define M (2 * DIM + 1)
#define N (2 * DIM - 3 > 0 ? 2 * DIM - 3 : 1)
#define K (3 * DIM - 1)
#define TILES(x) (((x) + DIM - 1) / DIM)
#define IT TILES(M)
#define JT TILES(N)
#define KT TILES(K)
#define SCALE 0.03125f

static elem_t A[M][K], B[K][N], C8[M][N];
static acc_t D[M][N], C32[M][N];

static int64_t tile_sum(int i, int j, int k_lo, int k_hi) {
  int64_t sum = 0;
  for (int k = k_lo; k < k_hi && k < K; k++) sum += (int64_t)A[i][k] * B[k][j];
  return test_wrap(sum, TC_SPATIAL_OUTPUT_BITS);
}
static int32_t ref(int i, int j, int use_d) {
  uint32_t sum = use_d ? (uint32_t)D[i][j] : 0;
  for (int kt = 0; kt < KT; kt++) sum += (uint32_t)tile_sum(i, j, kt * DIM, kt * DIM + DIM);
  return (int32_t)sum;
}

static void configure_loads(void) {
  gemmini_extended3_config_ld(K * sizeof(elem_t), MVIN_SCALE_IDENTITY, false, 0);
  gemmini_extended3_config_ld(N * sizeof(elem_t), MVIN_SCALE_IDENTITY, false, 1);
  gemmini_extended3_config_ld(N * sizeof(acc_t), MVIN_SCALE_IDENTITY, false, 2);
}

int main(int argc, char **argv) {
  test_seed(argc, argv);
#if !TC_HAS_LOOP_WS || !TC_HAS_WS
  printf("loop_ws: SKIP (no loop_ws)\n");
  return 0;
#else
  for (int i = 0; i < M; i++)
    for (int k = 0; k < K; k++) A[i][k] = (elem_t)test_rand_int(-128, 127);
  for (int k = 0; k < K; k++)
    for (int j = 0; j < N; j++) B[k][j] = (elem_t)test_rand_int(-128, 127);
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) D[i][j] = test_rand_int(-4000, 4000);
  const int pad_i = IT * DIM - M, pad_j = JT * DIM - N, pad_k = KT * DIM - K;

  /* 1. bias, int8 output with scale and ReLU */
  gemmini_config_ex(WEIGHT_STATIONARY, NO_ACTIVATION, 0);
  configure_loads();
  gemmini_extended_config_st(N * sizeof(elem_t), RELU, SCALE);
  memset(C8, 0x55, sizeof C8);
  gemmini_loop_ws(IT, JT, KT, pad_i, pad_j, pad_k, A, B, D, C8, K, N, N, N, false, false, false, false, true,
                  NO_ACTIVATION, 0, 0, false);
  gemmini_fence();
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      int64_t want = test_scale(ref(i, j, 1), SCALE, -128, 127);
      test_expect(C8[i][j], want < 0 ? 0 : want, "int8 C[%d][%d]", i, j);
    }

  /* 2. no bias, full-width output */
  gemmini_extended_config_st(N * sizeof(acc_t), NO_ACTIVATION, ACC_SCALE_IDENTITY);
  memset(C32, 0x55, sizeof C32);
  gemmini_loop_ws(IT, JT, KT, pad_i, pad_j, pad_k, A, B, NULL, C32, K, N, N, N, false, false, true, false, false,
                  NO_ACTIVATION, 0, 0, false);
  gemmini_fence();
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) test_expect(C32[i][j], ref(i, j, 0), "int32 C[%d][%d]", i, j);

  /* 3. K split in two loops: the first (no C) leaves partial sums that the second accumulates on */
  if (KT >= 2) {
    const int k1 = KT / 2, k2 = KT - k1;
    memset(C32, 0x55, sizeof C32);
    gemmini_loop_ws(IT, JT, k1, pad_i, pad_j, 0, A, B, D, NULL, K, N, N, N, false, false, true, false, true,
                    NO_ACTIVATION, 0, 0, false);
    gemmini_loop_ws(IT, JT, k2, pad_i, pad_j, pad_k, &A[0][k1 * DIM], &B[k1 * DIM][0], NULL, C32, K, N, N, N, false,
                    false, true, false, true, NO_ACTIVATION, 0, 0, false);
    gemmini_fence();
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) test_expect(C32[i][j], ref(i, j, 1), "split-K C[%d][%d]", i, j);
  }
  return test_finish("loop_ws");
#endif
}
