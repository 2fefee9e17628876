/* A tiled weight-stationary GEMM in the style of Gemmini's tiled_matmul: sizes
 * that are not multiples of DIM (partial tiles), weights reused across row tiles
 * with compute_accumulated, a bias mvin'd into the accumulator, K accumulated
 * with the accumulate bit, and a scaled ReLU mvout to int8. */
#include "tc_test.h"

#define ACC_ADDR(row) (0x80000000u | (uint32_t)(row))
#define ACCUMULATE 0x40000000u
#define M (2 * DIM + 3)
#define N (DIM + 5)
#define K (3 * DIM - 2)
#define TILES(x) (((x) + DIM - 1) / DIM)
#define IT TILES(M)
#define JT TILES(N)
#define KT TILES(K)
#define SCALE 0.015625f /* 1/64: many products end in exactly .5 */

static elem_t A[M][K], B[K][N], C[M][N];
static acc_t bias[M][N];

static int extent(int total, int tile) { return total - tile * DIM < DIM ? total - tile * DIM : DIM; }

int main(int argc, char **argv) {
  test_seed(argc, argv);
  for (int i = 0; i < M; i++)
    for (int k = 0; k < K; k++) A[i][k] = (elem_t)test_rand_int(-128, 127);
  for (int k = 0; k < K; k++)
    for (int j = 0; j < N; j++) B[k][j] = (elem_t)test_rand_int(-128, 127);
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) bias[i][j] = test_rand_int(-5000, 5000);

  const uint32_t b_base = IT * KT * DIM;
  gemmini_extended_config_ex(WEIGHT_STATIONARY, NO_ACTIVATION, 0, 1, 0, 0);
  gemmini_extended3_config_ld(K * sizeof(elem_t), MVIN_SCALE_IDENTITY, false, 0);
  gemmini_extended3_config_ld(N * sizeof(elem_t), MVIN_SCALE_IDENTITY, false, 1);
  gemmini_extended3_config_ld(N * sizeof(acc_t), MVIN_SCALE_IDENTITY, false, 2);
  for (int i = 0; i < IT; i++)
    for (int k = 0; k < KT; k++)
      gemmini_extended_mvin(&A[i * DIM][k * DIM], (i * KT + k) * DIM, extent(K, k), extent(M, i));
  for (int k = 0; k < KT; k++)
    for (int j = 0; j < JT; j++)
      gemmini_extended_mvin2(&B[k * DIM][j * DIM], b_base + (k * JT + j) * DIM, extent(N, j), extent(K, k));
  for (int i = 0; i < IT; i++)
    for (int j = 0; j < JT; j++)
      gemmini_extended_mvin3(&bias[i * DIM][j * DIM], ACC_ADDR((i * JT + j) * DIM), extent(N, j), extent(M, i));

  for (int j = 0; j < JT; j++)
    for (int k = 0; k < KT; k++)
      for (int i = 0; i < IT; i++) {
        const uint32_t c = ACC_ADDR((i * JT + j) * DIM) | ACCUMULATE;
        const uint32_t b = i == 0 ? b_base + (k * JT + j) * DIM : GARBAGE_ADDR;
        gemmini_extended_preload(b, c, extent(N, j), extent(K, k), extent(N, j), extent(M, i));
        if (i == 0) {
          gemmini_extended_compute_preloaded((i * KT + k) * DIM, GARBAGE_ADDR, extent(K, k), extent(M, i), DIM, DIM);
        } else {
          gemmini_extended_compute_accumulated((i * KT + k) * DIM, GARBAGE_ADDR, extent(K, k), extent(M, i), DIM, DIM);
        }
      }

  memset(C, 0x7F, sizeof C);
  gemmini_extended_config_st(N * sizeof(elem_t), RELU, SCALE);
  for (int i = 0; i < IT; i++)
    for (int j = 0; j < JT; j++)
      gemmini_extended_mvout(&C[i * DIM][j * DIM], ACC_ADDR((i * JT + j) * DIM), extent(N, j), extent(M, i));
  gemmini_fence();

  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      int64_t sum = bias[i][j];
      for (int kt = 0; kt < KT; kt++) { /* each tile's partial sum passes through the mesh */
        int64_t tile = 0;
        for (int k = kt * DIM; k < kt * DIM + extent(K, kt); k++) tile += (int64_t)A[i][k] * B[k][j];
        sum = (int32_t)(uint32_t)(sum + test_wrap(tile, TC_SPATIAL_OUTPUT_BITS));
      }
      int64_t want = test_scale((int32_t)sum, SCALE, -128, 127);
      test_expect(C[i][j], want < 0 ? 0 : want, "C[%d][%d]", i, j);
    }
  return test_finish("tiled_matmul_ws");
}
