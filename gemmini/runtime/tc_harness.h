/* tc_harness.h — what every C program tc generates shares: the seeded input
 * generator (the same streams as ir/random.ts), poisoning, the numerics of
 * CPU-side ops (the same as ir/numerics.ts and ir/interpret.ts), and the
 * report the runners parse.
 *
 * Report lines, on the program's standard output:
 *   tc-output INDEX NAME DTYPE COUNT fnv1a=0xXXXXXXXX
 *   tc-data INDEX HEX...        (the output's bytes, little-endian, in chunks)
 *   tc-cycles N                 (cycles of the kernel: the host model's accelerator
 *                                cycles on the host, the core's rdcycle on RISC-V)
 *   tc-done
 * Generated C must be compiled with -ffp-contract=off (no fused multiply-add),
 * so that float32 results are rounded exactly where the interpreter rounds.
 */
#ifndef TC_HARNESS_H
#define TC_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- the seeded generator (ir/random.ts) --------------------------------- */
static inline uint32_t tc_mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

static inline uint32_t tc_stream_state(uint32_t seed, uint32_t input_index) {
  uint32_t s = tc_mix32(seed * 0x9E3779B9u + (input_index + 1u) * 0x85EBCA6Bu);
  return s == 0 ? 1u : s;
}

static inline uint32_t tc_next(uint32_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 17;
  *x ^= *x << 5;
  return *x;
}

static void tc_fill_i8(int8_t *p, size_t n, uint32_t seed, uint32_t input_index) {
  uint32_t x = tc_stream_state(seed, input_index);
  for (size_t i = 0; i < n; i++) p[i] = (int8_t)(uint8_t)(tc_next(&x) >> 24);
}

static void tc_fill_i32(int32_t *p, size_t n, uint32_t seed, uint32_t input_index) {
  uint32_t x = tc_stream_state(seed, input_index);
  for (size_t i = 0; i < n; i++) p[i] = (int32_t)(tc_next(&x) >> 16) - 32768;
}

static void tc_fill_f32(float *p, size_t n, uint32_t seed, uint32_t input_index) {
  uint32_t x = tc_stream_state(seed, input_index);
  for (size_t i = 0; i < n; i++) p[i] = (float)((int32_t)(tc_next(&x) >> 8) - 8388608) / 8388608.0f;
}

/* Outputs and temporaries start as garbage, so a kernel that skips work fails. */
static void tc_poison(void *p, size_t bytes) { memset(p, 0xA5, bytes); }

/* ---- numerics (ir/numerics.ts) ------------------------------------------- */

/* Round half to even of a finite float already clamped to +-2^31. */
static inline int64_t tc_round_half_even(float x) {
  int64_t t = (int64_t)x; /* toward zero */
  float frac = x - (float)t; /* exact: |x| < 2^24 or x is integral */
  if (frac > 0.5f || (frac == 0.5f && (t & 1))) return t + 1;
  if (frac < -0.5f || (frac == -0.5f && (t & 1))) return t - 1;
  return t;
}

static inline int64_t tc_saturating_round(float x, int64_t lo, int64_t hi) {
  if (x != x) return 0;
  if (x <= (float)lo) return lo;
  if (x >= (float)hi) return hi;
  int64_t r = tc_round_half_even(x);
  return r < lo ? lo : r > hi ? hi : r;
}

/* Gemmini's scaling on the way out of the accumulator: float32(x) * scale,
 * round half to even, saturate. */
static inline int8_t tc_requant(float x, float scale) {
  float y = x * scale;
  return (int8_t)tc_saturating_round(y, -128, 127);
}

static inline int32_t tc_wrap_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t tc_wrap_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
static inline int32_t tc_wrap_mul(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }
static inline int64_t tc_min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t tc_max64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t tc_mod64(int64_t a, int64_t b) { return a % b; }
static inline int64_t tc_div64(int64_t a, int64_t b) { return a / b; }

#ifdef __riscv
/* The core's cycle counter (Zicntr rdcycle). Hardware cycles on RTL (Verilator,
 * FireSim); on Spike one per instruction, on QEMU its own clock. */
static inline uint64_t tc_rdcycle(void) {
  uint64_t cycles;
  __asm__ volatile("rdcycle %0" : "=r"(cycles));
  return cycles;
}
#endif

/* ---- the report ----------------------------------------------------------- */
static uint32_t tc_fnv1a(const void *p, size_t bytes) {
  const uint8_t *b = (const uint8_t *)p;
  uint32_t h = 0x811C9DC5u;
  for (size_t i = 0; i < bytes; i++) {
    h ^= b[i];
    h *= 0x01000193u;
  }
  return h;
}

static void tc_report_output(int index, const char *name, const char *dtype, const void *p, size_t count, size_t bytes) {
  static const char hex[] = "0123456789abcdef";
  char line[2 * 512 + 1];
  const uint8_t *b = (const uint8_t *)p;
  printf("tc-output %d %s %s %lu fnv1a=0x%08lx\n", index, name, dtype, (unsigned long)count, (unsigned long)tc_fnv1a(p, bytes));
  for (size_t i = 0; i < bytes; i += 512) {
    size_t n = bytes - i < 512 ? bytes - i : 512;
    for (size_t j = 0; j < n; j++) {
      line[2 * j] = hex[b[i + j] >> 4];
      line[2 * j + 1] = hex[b[i + j] & 15];
    }
    line[2 * n] = 0;
    printf("tc-data %d %s\n", index, line);
  }
}

#endif /* TC_HARNESS_H */
