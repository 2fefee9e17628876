/* Helpers shared by the Gemmini C test programs: deterministic random data,
 * plain-C reference arithmetic and mismatch reporting. The references here are
 * written independently of the host model so that the two can disagree. */
#ifndef TC_TEST_H
#define TC_TEST_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemmini.h"

#ifndef TC_SPATIAL_OUTPUT_BITS
#define TC_SPATIAL_OUTPUT_BITS 20
#endif

static uint32_t test_rng_state = 12345u;

static inline int test_rand_int(int lo, int hi) { /* inclusive */
  test_rng_state = test_rng_state * 1664525u + 1013904223u;
  return lo + (int)((test_rng_state >> 8) % (uint32_t)(hi - lo + 1));
}

static inline void test_seed(int argc, char **argv) {
  if (argc > 1) test_rng_state = (uint32_t)strtoul(argv[1], NULL, 10);
}

/* Two's-complement wrap of x to `bits` bits (the mesh's partial-sum width). */
static inline int64_t test_wrap(int64_t x, int bits) {
  if (bits >= 64) return x;
  const int64_t modulus = (int64_t)1 << bits;
  int64_t r = x % modulus;
  if (r < 0) r += modulus;
  if (r >= modulus / 2) r -= modulus;
  return r;
}

static inline int64_t test_clamp(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : x > hi ? hi : x; }

/* Round half to even of a float, written with integer arithmetic only. */
static inline int64_t test_round_half_even(float y) {
  const double v = (double)y; /* exact */
  int64_t floor_v = (int64_t)v;
  if ((double)floor_v > v) floor_v -= 1;
  const double frac = v - (double)floor_v;
  if (frac > 0.5) return floor_v + 1;
  if (frac < 0.5) return floor_v;
  return (floor_v % 2 == 0) ? floor_v : floor_v + 1;
}

/* Gemmini's float32 scaling: float32(x) * scale in float32, round half to even, saturate. */
static inline int64_t test_scale(int32_t x, float scale, int64_t lo, int64_t hi) {
  volatile float product = (float)x * scale; /* volatile: one float32 rounding, no contraction */
  return test_clamp(test_round_half_even(product), lo, hi);
}

/* x / 2^shift rounded to nearest, ties to even. */
static inline int64_t test_round_shift(int64_t x, unsigned shift) {
  if (shift == 0) return x;
  const int64_t divisor = (int64_t)1 << shift;
  int64_t q = x / divisor, r = x % divisor;
  if (r < 0) { q -= 1; r += divisor; } /* floor division */
  if (2 * r > divisor) return q + 1;
  if (2 * r < divisor) return q;
  return (q % 2 == 0) ? q : q + 1;
}

static int test_failures;

/* Counts a mismatch; prints the first one, naming the element by `format`. */
static void test_expect(long long got, long long want, const char *format, ...)
    __attribute__((format(printf, 3, 4), unused));
static void test_expect(long long got, long long want, const char *format, ...) {
  if (got == want) return;
  if (test_failures++ == 0) {
    va_list args;
    va_start(args, format);
    printf("first mismatch: ");
    vprintf(format, args);
    va_end(args);
    printf(": got %lld, want %lld\n", got, want);
  }
}

static inline int test_finish(const char *name) {
  if (test_failures) {
    printf("%s: FAIL (%d mismatches)\n", name, test_failures);
    return 1;
  }
  printf("%s: PASS\n", name);
  return 0;
}

#endif
