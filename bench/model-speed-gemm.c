/* A 512 x 512 x 512 int8 GEMM on the host model, issued either tile by tile
 * (mvin / preload / compute / mvout, the way Gemmini's tiled_matmul does it
 * without loop instructions) or with loop_ws. Prints the wall time of the
 * Gemmini work alone; the model's report (instruction counts, cycles) follows
 * at exit. Usage: model-speed-gemm tiles|loop_ws [repeats] */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gemmini.h"

#define SIZE 512
#define ACC_ADDR(row) (0x80000000u | (uint32_t)(row))
#define ACCUMULATE 0x40000000u
#define TILES (SIZE / DIM)

static elem_t A[SIZE][SIZE], B[SIZE][SIZE], C[SIZE][SIZE];

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* C blocks of bi x bj tiles with all of K resident: A block, B block, C in the accumulator. */
static void gemm_tiles(void) {
  const uint32_t acc_tiles = ACC_ROWS / DIM, sp_tiles = BANK_NUM * BANK_ROWS / DIM;
  uint32_t bi = 1, bj = 1;
  while (bi * 2 * bj * 2 <= acc_tiles && (bi * 2 + bj * 2) * TILES <= sp_tiles && bi * 2 <= TILES) {
    bi *= 2;
    bj *= 2;
  }
  const uint32_t a_base = 0, b_base = bi * TILES * DIM;
  const uint32_t blocks = min_u32(MAX_BLOCK_LEN, TILES);
  gemmini_config_ex(WEIGHT_STATIONARY, NO_ACTIVATION, 0);
  gemmini_extended_config_st(SIZE * sizeof(elem_t), NO_ACTIVATION, 1.0f / 1024);
  gemmini_config_ld(SIZE * sizeof(elem_t));
  for (uint32_t i0 = 0; i0 < TILES; i0 += bi)
    for (uint32_t j0 = 0; j0 < TILES; j0 += bj) {
      for (uint32_t i = 0; i < bi; i++)
        for (uint32_t k = 0; k < TILES; k += blocks)
          gemmini_extended_mvin(&A[(i0 + i) * DIM][k * DIM], a_base + (i * TILES + k) * DIM, blocks * DIM, DIM);
      for (uint32_t k = 0; k < TILES; k++)
        for (uint32_t j = 0; j < bj; j += blocks)
          gemmini_extended_mvin(&B[k * DIM][(j0 + j) * DIM], b_base + (k * bj + j) * DIM, min_u32(blocks, bj - j) * DIM, DIM);
      for (uint32_t j = 0; j < bj; j++)
        for (uint32_t k = 0; k < TILES; k++)
          for (uint32_t i = 0; i < bi; i++) {
            const uint32_t c = ACC_ADDR((i * bj + j) * DIM) | (k ? ACCUMULATE : 0);
            gemmini_preload(i == 0 ? b_base + (k * bj + j) * DIM : GARBAGE_ADDR, c);
            if (i == 0) {
              gemmini_compute_preloaded(a_base + (i * TILES + k) * DIM, GARBAGE_ADDR);
            } else {
              gemmini_compute_accumulated(a_base + (i * TILES + k) * DIM, GARBAGE_ADDR);
            }
          }
      for (uint32_t i = 0; i < bi; i++)
        for (uint32_t j = 0; j < bj; j++) gemmini_mvout(&C[(i0 + i) * DIM][(j0 + j) * DIM], ACC_ADDR((i * bj + j) * DIM));
    }
  gemmini_fence();
}

/* loop_ws over C blocks that fit half the scratchpad and half the accumulator. */
static void gemm_loop_ws(void) {
  const uint32_t acc_half_tiles = ACC_ROWS / DIM / 2, sp_half_tiles = BANK_NUM * BANK_ROWS / DIM / 2;
  uint32_t bi = 1, bj = 1;
  while (bi * bj * 2 <= acc_half_tiles && (bi + bj * 2) * TILES <= sp_half_tiles && bj * 2 <= TILES) bj *= 2;
  while (bi * 2 * bj <= acc_half_tiles && (bi * 2 + bj) * TILES <= sp_half_tiles && bi * 2 <= TILES) bi *= 2;
  gemmini_config_ex(WEIGHT_STATIONARY, NO_ACTIVATION, 0);
  gemmini_extended_config_st(SIZE * sizeof(elem_t), NO_ACTIVATION, 1.0f / 1024);
  gemmini_extended3_config_ld(SIZE * sizeof(elem_t), MVIN_SCALE_IDENTITY, false, 0);
  gemmini_extended3_config_ld(SIZE * sizeof(elem_t), MVIN_SCALE_IDENTITY, false, 1);
  gemmini_extended3_config_ld(SIZE * sizeof(acc_t), MVIN_SCALE_IDENTITY, false, 2);
  for (uint32_t i0 = 0; i0 < TILES; i0 += bi)
    for (uint32_t j0 = 0; j0 < TILES; j0 += bj)
      gemmini_loop_ws(bi, bj, TILES, 0, 0, 0, &A[i0 * DIM][0], &B[0][j0 * DIM], NULL, &C[i0 * DIM][j0 * DIM], SIZE,
                      SIZE, SIZE, SIZE, false, false, false, false, false, NO_ACTIVATION, 0, 0, false);
  gemmini_fence();
}

int main(int argc, char **argv) {
  const int loop = argc > 1 && strcmp(argv[1], "loop_ws") == 0;
  uint32_t state = 7;
  for (int i = 0; i < SIZE; i++)
    for (int j = 0; j < SIZE; j++) {
      state = state * 1664525u + 1013904223u;
      A[i][j] = (elem_t)(state >> 24);
      state = state * 1664525u + 1013904223u;
      B[i][j] = (elem_t)(state >> 24);
    }
  const int repeats = argc > 2 ? atoi(argv[2]) : 1;
  const double start = now_seconds();
  for (int r = 0; r < repeats; r++) {
    if (loop) gemm_loop_ws();
    else gemm_tiles();
  }
  const double seconds = (now_seconds() - start) / (repeats > 0 ? repeats : 1);
  /* spot-check C against plain C */
  int bad = 0;
  for (int n = 0; n < 256; n++) {
    state = state * 1664525u + 1013904223u;
    const int i = (int)(state % SIZE), j = (int)((state >> 12) % SIZE);
    int64_t sum = 0;
    for (int k = 0; k < SIZE; k++) sum += (int64_t)A[i][k] * B[k][j];
    if (C[i][j] != (elem_t)ACC_SCALE((acc_t)sum, 1.0f / 1024)) bad++;
  }
  printf("bench mode=%s repeats=%d seconds_per_gemm=%.6f spot_check_mismatches=%d\n", loop ? "loop_ws" : "tiles",
         repeats, seconds, bad);
  return bad != 0;
}
