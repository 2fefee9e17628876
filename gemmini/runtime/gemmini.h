/* gemmini.h — tc's Gemmini intrinsics header.
 *
 * The public names, argument lists and rs1/rs2 bit packing are those of the
 * standard Gemmini C API (ucb-bar/gemmini-rocc-tests include/gemmini.h and the
 * ISA section of ucb-bar/gemmini README.md; field layouts cross-checked with
 * src/main/scala/gemmini/GemminiISA.scala). The text is tc's own.
 *
 * On RISC-V every instruction is a real RoCC custom-3 R-type instruction.
 * Anywhere else every instruction becomes a call to gemmini_rocc(funct, rs1, rs2),
 * the single entry point of tc's host model (gemmini_model.c), so C written
 * against the standard API runs unchanged on the model.
 *
 * Per-configuration facts come only from gemmini_params.h (contract: PARAMS.md).
 * Only the instruction macros live here; Gemmini's software library (tiled_matmul
 * and friends) is not part of this header.
 */
#ifndef TC_GEMMINI_H
#define TC_GEMMINI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gemmini_params.h"

/* ---- funct7 values (GemminiISA.scala) ------------------------------------ */
#define k_CONFIG 0
#define k_MVIN2 1
#define k_MVIN 2
#define k_MVOUT 3
#define k_COMPUTE_PRELOADED 4
#define k_COMPUTE_ACCUMULATE 5
#define k_PRELOAD 6
#define k_FLUSH 7

#define k_LOOP_WS 8
#define k_LOOP_WS_CONFIG_BOUNDS 9
#define k_LOOP_WS_CONFIG_ADDRS_AB 10
#define k_LOOP_WS_CONFIG_ADDRS_DC 11
#define k_LOOP_WS_CONFIG_STRIDES_AB 12
#define k_LOOP_WS_CONFIG_STRIDES_DC 13

#define k_MVIN3 14

#define k_LOOP_CONV_WS 15
#define k_LOOP_CONV_WS_CONFIG_1 16
#define k_LOOP_CONV_WS_CONFIG_2 17
#define k_LOOP_CONV_WS_CONFIG_3 18
#define k_LOOP_CONV_WS_CONFIG_4 19
#define k_LOOP_CONV_WS_CONFIG_5 20
#define k_LOOP_CONV_WS_CONFIG_6 21

#define k_COUNTER 126

/* rs1[1:0] of a CONFIG instruction picks what is configured. */
#define CONFIG_EX 0
#define CONFIG_LD 1
#define CONFIG_ST 2
#define CONFIG_BERT 3

/* A local address of all ones names no operand: zeros in, nothing out. */
#define GARBAGE_ADDR ((uint32_t)(-1))

#define OUTPUT_STATIONARY 0
#define WEIGHT_STATIONARY 1

#define NO_ACTIVATION 0
#define RELU 1
#define LAYERNORM 2
#define IGELU 3
#define SOFTMAX 4

/* ---- numeric helpers the standard gemmini_params.h provides --------------- *
 * tc's generator (gemmini/params.ts) defines these; the fallbacks below keep
 * the header usable with a minimal hand-written gemmini_params.h. */
#ifndef MVIN_SCALE_IDENTITY
#define MVIN_SCALE_IDENTITY 1.0
#endif
#ifndef ACC_SCALE_IDENTITY
#define ACC_SCALE_IDENTITY 1.0
#endif

/* Round to nearest, ties to even, in the type of x (float or double). */
static inline float tc_round_near_even_f32(float x) {
  const float two_pow_23 = 8388608.0f; /* from here on every float is an integer */
  const float magnitude = x < 0 ? -x : x;
  if (!(magnitude < two_pow_23)) return x; /* large, infinite or NaN */
  const float rounded = (magnitude + two_pow_23) - two_pow_23; /* uses the FPU's ties-to-even */
  return x < 0 ? -rounded : rounded;
}
static inline double tc_round_near_even_f64(double x) {
  const double two_pow_52 = 4503599627370496.0;
  const double magnitude = x < 0 ? -x : x;
  if (!(magnitude < two_pow_52)) return x;
  const double rounded = (magnitude + two_pow_52) - two_pow_52;
  return x < 0 ? -rounded : rounded;
}
#ifndef ROUND_NEAR_EVEN
#define ROUND_NEAR_EVEN(x) \
  _Generic((x), float: tc_round_near_even_f32, default: tc_round_near_even_f64)(x)
#endif

#ifndef ROUNDING_RIGHT_SHIFT
/* x / 2^shift rounded to nearest, ties to even (RISC-V vector "rne" rounding,
 * as Arithmetic.scala's >> on SInt). */
#define ROUNDING_RIGHT_SHIFT(x, shift)                                                     \
  ((shift) > 0 ? (((x) >> (shift)) + ((((x) >> ((shift) - 1)) & 1) &                      \
                                      ((((x) & ((1LL << ((shift) - 1)) - 1)) != 0) |      \
                                       (((x) >> (shift)) & 1))))                           \
               : ((x) << (-(shift))))
#endif

#ifndef ELEM_T_IS_FLOAT
/* float32 multiply, round half to even, saturate to elem_t (Configs.scala acc_scale_args). */
static inline acc_t tc_scale_to_elem(acc_t x, float scale) {
  const float y = tc_round_near_even_f32((float)x * scale);
  if (y != y) return elem_t_max; /* hardfloat RecFNToIN: NaN converts to the largest value */
  if (y >= (float)elem_t_max + 1.0f) return elem_t_max;
  if (y < (float)elem_t_min) return elem_t_min;
  return (acc_t)y;
}
#ifndef ACC_SCALE
#define ACC_SCALE(x, scale) tc_scale_to_elem((x), (scale))
#endif
#ifndef MVIN_SCALE
#define MVIN_SCALE(x, scale) ((elem_t)tc_scale_to_elem((x), (scale)))
#endif
#endif

/* ---- float <-> raw bits, as the standard header names them --------------- */
static inline uint32_t tc_float_bits(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bits;
}
static inline float tc_bits_float(uint32_t bits) {
  float value;
  memcpy(&value, &bits, sizeof value);
  return value;
}
static inline uint32_t acc_scale_t_to_acc_scale_t_bits(acc_scale_t x) { return tc_float_bits((float)x); }
static inline acc_scale_t acc_scale_t_bits_to_acc_scale_t(uint32_t x) { return (acc_scale_t)tc_bits_float(x); }
#ifdef HAS_MVIN_SCALE
static inline uint32_t scale_t_to_scale_t_bits(scale_t x) { return tc_float_bits((float)x); }
static inline scale_t scale_t_bits_to_scale_t(uint32_t x) { return (scale_t)tc_bits_float(x); }
#else
#define scale_t_to_scale_t_bits(x) 0
#endif

/* ---- issuing one instruction ---------------------------------------------- */
/* A host-only pseudo-funct outside the 7-bit funct7 range: the model's fence. */
#define TC_HOST_FUNCT_FENCE 0x1000u

#ifdef __riscv
#define TC_STR_(x) #x
#define TC_STR(x) TC_STR_(x)
/* R-type custom-3, funct3 = 3 (xs1, xs2, no rd): the RoCC command format. */
#define TC_ROCC_ISSUE(funct, rs1, rs2)                                                    \
  do {                                                                                    \
    uint64_t tc_rs1_ = (uint64_t)(rs1), tc_rs2_ = (uint64_t)(rs2);                        \
    __asm__ volatile(".insn r CUSTOM_3, 3, " TC_STR(funct) ", x0, %0, %1"                 \
                     :                                                                    \
                     : "r"(tc_rs1_), "r"(tc_rs2_)                                         \
                     : "memory");                                                         \
  } while (0)
/* funct3 = 7: rd, rs1 and rs2 (only the counter instruction writes rd). */
#define TC_ROCC_ISSUE_RD(rd, funct, rs1, rs2)                                             \
  do {                                                                                    \
    uint64_t tc_rs1_ = (uint64_t)(rs1), tc_rs2_ = (uint64_t)(rs2), tc_rd_;                \
    __asm__ volatile(".insn r CUSTOM_3, 7, " TC_STR(funct) ", %0, %1, %2"                 \
                     : "=r"(tc_rd_)                                                       \
                     : "r"(tc_rs1_), "r"(tc_rs2_)                                         \
                     : "memory");                                                         \
    (rd) = tc_rd_;                                                                        \
  } while (0)
#ifdef TC_GEMMINI_FENCE_HOOK
/* A fence traps to nobody: an emulator of Gemmini (tc's QEMU runtime,
 * spike/runtime/emulate.c) learns of it through this call. */
void tc_gemmini_fence_hook(void);
#define gemmini_fence()                    \
  do {                                     \
    __asm__ volatile("fence" ::: "memory"); \
    tc_gemmini_fence_hook();               \
  } while (0)
#else
#define gemmini_fence() __asm__ volatile("fence" ::: "memory")
#endif
#else
#ifdef __cplusplus
extern "C" {
#endif
/* The host model's entry points (gemmini_model.c). gemmini_rocc takes every
 * instruction; gemmini_rocc_result returns the rd of the last one that has it. */
void gemmini_rocc(uint64_t funct, uint64_t rs1, uint64_t rs2);
uint64_t gemmini_rocc_result(void);
#ifdef __cplusplus
}
#endif
#define TC_ROCC_ISSUE(funct, rs1, rs2) gemmini_rocc((funct), (uint64_t)(rs1), (uint64_t)(rs2))
#define TC_ROCC_ISSUE_RD(rd, funct, rs1, rs2)                                             \
  do {                                                                                    \
    gemmini_rocc((funct), (uint64_t)(rs1), (uint64_t)(rs2));                              \
    (rd) = gemmini_rocc_result();                                                         \
  } while (0)
#define gemmini_fence() gemmini_rocc(TC_HOST_FUNCT_FENCE, 0, 0)
#endif

/* The standard header's name for issuing one instruction (xcustom.h style). */
#define ROCC_INSTRUCTION_RS1_RS2(x, rs1, rs2, funct) \
  { TC_ROCC_ISSUE(funct, rs1, rs2); }

/* rs = rows [63:48] | cols [47:32] | local address [31:0] (GemminiISA.scala MvinRs2 etc.) */
#define TC_LOCAL_OPERAND(addr, cols, rows) \
  (((uint64_t)(rows) << (ADDR_LEN + 16)) | ((uint64_t)(cols) << ADDR_LEN) | (uint64_t)(uint32_t)(addr))

/* ---- data movement --------------------------------------------------------- */
#define gemmini_extended_mvin(dram_addr, spad_addr, cols, rows) \
  ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, (uintptr_t)(dram_addr), TC_LOCAL_OPERAND(spad_addr, cols, rows), k_MVIN)
#define gemmini_extended_mvin2(dram_addr, spad_addr, cols, rows) \
  ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, (uintptr_t)(dram_addr), TC_LOCAL_OPERAND(spad_addr, cols, rows), k_MVIN2)
#define gemmini_extended_mvin3(dram_addr, spad_addr, cols, rows) \
  ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, (uintptr_t)(dram_addr), TC_LOCAL_OPERAND(spad_addr, cols, rows), k_MVIN3)
#define gemmini_block_mvin(dram_addr, spad_addr, len) \
  gemmini_extended_mvin(dram_addr, spad_addr, (len) * DIM, DIM)
#define gemmini_mvin(dram_addr, spad_addr) gemmini_extended_mvin(dram_addr, spad_addr, DIM, DIM)

#define gemmini_extended_mvout(dram_addr, spad_addr, cols, rows) \
  ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, (uintptr_t)(dram_addr), TC_LOCAL_OPERAND(spad_addr, cols, rows), k_MVOUT)
#define gemmini_mvout(dram_addr, spad_addr) gemmini_extended_mvout(dram_addr, spad_addr, DIM, DIM)

/* ---- compute ---------------------------------------------------------------- */
#define gemmini_extended_compute_preloaded(A, BD, A_cols, A_rows, BD_cols, BD_rows)        \
  ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, TC_LOCAL_OPERAND(A, A_cols, A_rows),               \
                           TC_LOCAL_OPERAND(BD, BD_cols, BD_rows), k_COMPUTE_PRELOADED)
#define gemmini_extended_compute_accumulated(A, BD, A_cols, A_rows, BD_cols, BD_rows)      \
  ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, TC_LOCAL_OPERAND(A, A_cols, A_rows),               \
                           TC_LOCAL_OPERAND(BD, BD_cols, BD_rows), k_COMPUTE_ACCUMULATE)
#define gemmini_compute_preloaded(A, BD) gemmini_extended_compute_preloaded(A, BD, DIM, DIM, DIM, DIM)
#define gemmini_compute_accumulated(A, BD) gemmini_extended_compute_accumulated(A, BD, DIM, DIM, DIM, DIM)

#define gemmini_extended_preload(BD, C, BD_cols, BD_rows, C_cols, C_rows)                  \
  ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, TC_LOCAL_OPERAND(BD, BD_cols, BD_rows),            \
                           TC_LOCAL_OPERAND(C, C_cols, C_rows), k_PRELOAD)
#define gemmini_preload(BD, C) gemmini_extended_preload(BD, C, DIM, DIM, DIM, DIM)
#define gemmini_preload_zeros(C) gemmini_preload(GARBAGE_ADDR, C)

/* ---- configuration ---------------------------------------------------------- */
/* CONFIG_EX rs1: [63:32] acc scale for execute-side accumulator reads, [31:16] A
 * stride, [9] B transpose, [8] A transpose, [7] set only strides, [4:3] activation,
 * [2] dataflow; rs2: [63:48] C stride, [31:0] shift (GemminiISA.scala ConfigExRs1/2). */
#define gemmini_extended3_config_ex(dataflow, sys_act, sys_shift, sys_acc_scale, C_stride, A_stride, \
                                    A_transpose, B_transpose, set_only_strides)                      \
  ROCC_INSTRUCTION_RS1_RS2(                                                                          \
      XCUSTOM_ACC,                                                                                   \
      ((uint64_t)acc_scale_t_to_acc_scale_t_bits((acc_scale_t)(sys_acc_scale)) << 32) |              \
          ((uint64_t)(A_stride) << 16) | ((uint64_t)(B_transpose) << 9) |                            \
          ((uint64_t)(A_transpose) << 8) | ((uint64_t)(set_only_strides) << 7) |                     \
          ((uint64_t)(sys_act) << 3) | ((uint64_t)(dataflow) << 2) | CONFIG_EX,                      \
      ((uint64_t)(C_stride) << 48) | (uint64_t)(uint32_t)(sys_shift), k_CONFIG)
#define gemmini_extended2_config_ex(dataflow, sys_act, sys_shift, A_stride, A_transpose, B_transpose) \
  gemmini_extended3_config_ex(dataflow, sys_act, sys_shift, ACC_SCALE_IDENTITY, 1, A_stride,         \
                              A_transpose, B_transpose, false)
#define gemmini_extended_config_ex(dataflow, sys_act, sys_shift, A_stride, A_transpose, B_transpose) \
  gemmini_extended2_config_ex(dataflow, sys_act, sys_shift, A_stride, A_transpose, B_transpose)
#define gemmini_config_ex(dataflow, sys_act, sys_shift) \
  gemmini_extended_config_ex(dataflow, sys_act, sys_shift, 1, 0, 0)

/* CONFIG_LD rs1: [63:32] mvin scale, [31:16] block-mvin stride (rows between the
 * DIM-wide blocks of one mvin), [15:8] pixel repeats, [4:3] load channel (mvin,
 * mvin2, mvin3), [2] shrunk (elem_t data into the accumulator); rs2: DRAM stride
 * in bytes (GemminiISA.scala ConfigMvinRs1). */
#define gemmini_extended5_config_ld(stride, scale, shrunk, block_mvin_stride, pixel_repeats, id)     \
  ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC,                                                              \
                           ((uint64_t)(scale_t_to_scale_t_bits(scale)) << 32) |                      \
                               ((uint64_t)(block_mvin_stride) << 16) |                               \
                               ((uint64_t)(pixel_repeats) << 8) | ((uint64_t)(id) << 3) |            \
                               ((uint64_t)(shrunk) << 2) | CONFIG_LD,                                \
                           (uint64_t)(stride), k_CONFIG)
#define gemmini_extended4_config_ld(stride, scale, shrunk, block_mvin_stride, id) \
  gemmini_extended5_config_ld(stride, scale, shrunk, block_mvin_stride, 1, id)
#define gemmini_extended3_config_ld(stride, scale, shrunk, id) \
  gemmini_extended4_config_ld(stride, scale, shrunk, DIM, id)
#define gemmini_extended2_config_ld(stride, scale, shrunk) gemmini_extended3_config_ld(stride, scale, shrunk, 0)
#define gemmini_extended_config_ld(stride, scale) gemmini_extended2_config_ld(stride, scale, false)
#define gemmini_config_ld(stride) gemmini_extended_config_ld(stride, MVIN_SCALE_IDENTITY)

/* CONFIG_ST rs1: pooling fields ([63:56] ocols, [55:48] orows, [47:40] pocols,
 * [39:32] porows, [31:24] pool out dim, [11:10] lpad, [9:8] upad, [7:6] pool
 * size, [5:4] pool stride), [3:2] activation; rs2: [63:32] acc scale (float
 * bits), [31:0] DRAM stride in bytes (GemminiISA.scala ConfigMvoutRs1/2). */
#define gemmini_extended2_config_st(stride, acc_act, acc_scale, pool_stride, pool_size, pool_out_dim, \
                                    porows, pocols, orows, ocols, upad, lpad)                         \
  ROCC_INSTRUCTION_RS1_RS2(                                                                           \
      XCUSTOM_ACC,                                                                                    \
      ((uint64_t)(ocols) << 56) | ((uint64_t)(orows) << 48) | ((uint64_t)(pocols) << 40) |            \
          ((uint64_t)(porows) << 32) | ((uint64_t)(pool_out_dim) << 24) | ((uint64_t)(lpad) << 10) |  \
          ((uint64_t)(upad) << 8) | ((uint64_t)(pool_size) << 6) | ((uint64_t)(pool_stride) << 4) |   \
          ((uint64_t)(acc_act) << 2) | CONFIG_ST,                                                     \
      ((uint64_t)acc_scale_t_to_acc_scale_t_bits((acc_scale_t)(acc_scale)) << 32) |                   \
          (uint64_t)(uint32_t)(stride),                                                               \
      k_CONFIG)
#define gemmini_extended_config_st(stride, acc_act, acc_scale) \
  gemmini_extended2_config_st(stride, acc_act, acc_scale, 0, 0, 0, 0, 0, 0, 0, 0, 0)
#define gemmini_config_st(stride) gemmini_extended_config_st(stride, NO_ACTIVATION, ACC_SCALE_IDENTITY)

/* ---- control -------------------------------------------------------------------- */
/* rs1[0] = 1 skips the TLB request that faulted, 0 retries it. */
#define gemmini_flush(skip) ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, skip, 0, k_FLUSH)

/* Performance counters: rs1 = config_reg (bit 0 reset all, 1 snapshot reset, 2 take
 * snapshot, 3 change config, [6:4] counter index, [17:12] event code, 31 external);
 * rd = the counter's value (CounterFile.scala). */
#define gemmini_counter_access(rd, config_reg) \
  { TC_ROCC_ISSUE_RD(rd, k_COUNTER, config_reg, 0); }

/* Event codes of the counters the host model implements (gemmini_counter.h names). */
#define MAIN_LD_CYCLES 1
#define MAIN_ST_CYCLES 2
#define MAIN_EX_CYCLES 3
#define EXE_ACTIVE_CYCLE 24

/* ---- loop instructions ------------------------------------------------------- */
/* C = A * B + D for I x J x K tiles of DIM x DIM, unrolled in hardware by
 * LoopMatmul.scala. Strides are in elements; A/B loads use the mvin and mvin2
 * channels and D the mvin3 channel, whose DRAM row strides come from config_ld. */
#define gemmini_loop_ws(I, J, K, pad_I, pad_J, pad_K, A, B, D, C, A_stride, B_stride, D_stride,     \
                        C_stride, A_transpose, B_transpose, full_C, low_D, ex_accumulate, act,        \
                        a_spad_id, b_spad_id, is_resadd)                                              \
  {                                                                                                   \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC,                                                             \
                             ((uint64_t)(pad_K) << 32) | ((uint64_t)(pad_J) << 16) | (uint64_t)(pad_I), \
                             ((uint64_t)(K) << 32) | ((uint64_t)(J) << 16) | (uint64_t)(I),           \
                             k_LOOP_WS_CONFIG_BOUNDS)                                                 \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, (uintptr_t)(A), (uintptr_t)(B), k_LOOP_WS_CONFIG_ADDRS_AB) \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, (uintptr_t)(D), (uintptr_t)(C), k_LOOP_WS_CONFIG_ADDRS_DC) \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, A_stride, B_stride, k_LOOP_WS_CONFIG_STRIDES_AB)            \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, D_stride, C_stride, k_LOOP_WS_CONFIG_STRIDES_DC)            \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC,                                                             \
                             ((uint64_t)(a_spad_id) << 18) | ((uint64_t)(b_spad_id) << 16) |          \
                                 ((uint64_t)(act) << 8) | ((uint64_t)(low_D) << 2) |                  \
                                 ((uint64_t)(full_C) << 1) | (uint64_t)(ex_accumulate),               \
                             ((uint64_t)(is_resadd) << 2) | ((uint64_t)(B_transpose) << 1) |          \
                                 (uint64_t)(A_transpose),                                             \
                             k_LOOP_WS)                                                               \
  }

/* The convolution loop (LoopConv.scala). The encoding is the standard one; the
 * host model does not implement this instruction and stops with an error. */
#define gemmini_loop_conv_ws(batch_size, in_dim, in_channels, out_channels, out_dim, pool_out_dim,    \
                             stride, padding, kernel_dim, kernel_dilation, pool_size, pool_stride,    \
                             pool_padding, batches, porows, pocols, pochs, krows, kcols, kchs, lpad,  \
                             rpad, upad, dpad, plpad, prpad, pupad, pdpad, orows, ocols, weights,     \
                             output, bias, input, no_bias, no_pool, downsample, wrot180,              \
                             input_dilated, activation, trans_output_1203, trans_weight_1203,         \
                             trans_weight_0132, trans_input_3120, max_pixels_per_row, dw)             \
  {                                                                                                   \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC,                                                             \
                             ((uint64_t)(out_channels) << 48) | ((uint64_t)(in_channels) << 32) |     \
                                 ((uint64_t)(in_dim) << 16) | (uint64_t)(batch_size),                 \
                             ((uint64_t)(padding) << 48) | ((uint64_t)(stride) << 32) |               \
                                 ((uint64_t)(pool_out_dim) << 16) | (uint64_t)(out_dim),              \
                             k_LOOP_CONV_WS_CONFIG_1)                                                 \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC,                                                             \
                             ((uint64_t)(kernel_dim) << 48) | ((uint64_t)(pool_size) << 32) |         \
                                 ((uint64_t)(pool_stride) << 16) | (uint64_t)(pool_padding),          \
                             ((uint64_t)(batches) << 48) | ((uint64_t)(porows) << 32) |               \
                                 ((uint64_t)(pocols) << 16) | (uint64_t)(pochs),                      \
                             k_LOOP_CONV_WS_CONFIG_2)                                                 \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC,                                                             \
                             ((uint64_t)(krows) << 48) | ((uint64_t)(kcols) << 32) |                  \
                                 ((uint64_t)(kchs) << 16) | (uint64_t)(lpad),                         \
                             ((uint64_t)(rpad) << 48) | ((uint64_t)(upad) << 32) |                    \
                                 ((uint64_t)(dpad) << 16) | (uint64_t)(plpad),                        \
                             k_LOOP_CONV_WS_CONFIG_3)                                                 \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC,                                                             \
                             ((uint64_t)(orows) << 48) | ((uint64_t)(prpad) << 32) |                  \
                                 ((uint64_t)(pupad) << 16) | (uint64_t)(pdpad),                       \
                             ((uint64_t)(kernel_dilation) << 16) | (uint64_t)(ocols),                 \
                             k_LOOP_CONV_WS_CONFIG_4)                                                 \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, (uintptr_t)(weights), (uintptr_t)(output),                 \
                             k_LOOP_CONV_WS_CONFIG_5)                                                 \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC, (uintptr_t)(bias), (uintptr_t)(input), k_LOOP_CONV_WS_CONFIG_6) \
    ROCC_INSTRUCTION_RS1_RS2(XCUSTOM_ACC,                                                             \
                             ((uint64_t)(max_pixels_per_row) << 8) | ((uint64_t)(dw) << 6) |          \
                                 ((uint64_t)(trans_input_3120) << 5) |                                \
                                 ((uint64_t)(trans_weight_0132) << 4) |                               \
                                 ((uint64_t)(trans_weight_1203) << 3) |                               \
                                 ((uint64_t)(trans_output_1203) << 2) | ((uint64_t)(wrot180) << 1) |  \
                                 (uint64_t)(no_bias),                                                 \
                             ((uint64_t)(activation) << 3) | ((uint64_t)(input_dilated) << 2) |       \
                                 ((uint64_t)(downsample) << 1) | (uint64_t)(no_pool),                 \
                             k_LOOP_CONV_WS)                                                          \
  }

#endif /* TC_GEMMINI_H */
