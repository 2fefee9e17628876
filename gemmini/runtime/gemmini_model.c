/* gemmini_model.c — tc's host model of Gemmini: functional (bit-exact) and timing.
 *
 * Compiled together with a program written against gemmini.h on any non-RISC-V
 * host; every Gemmini instruction arrives at gemmini_rocc(funct, rs1, rs2).
 * With TC_MODEL_EMULATOR it also builds for bare-metal RISC-V, where tc's trap
 * handler (spike/runtime/emulate.c) calls gemmini_rocc for each custom-3
 * instruction the program executes; there it writes no trace file.
 * Per-configuration facts come from gemmini_params.h at compile time (PARAMS.md).
 * Build: gcc -O2 -std=c11 -ffp-contract=off -I gemmini/runtime -I <params dir> ...
 * (-ffp-contract=off keeps float32 scaling free of fused multiply-adds).
 *
 * Semantics follow Gemmini's RTL where it and Spike's functional model differ
 * (see README.md "Where Spike and the RTL differ"). Sources are named as
 * "file.scala" (ucb-bar/gemmini src/main/scala/gemmini/), "Spike" (ucb-bar/libgemmini
 * gemmini.cc) and "perf model" (ucb-bar/libgemmini perf/params/config.h, whose
 * constants were measured on RTL simulations of a DIM-16 Gemmini).
 *
 * Report (gemmini_model_print_report): lines on stdout, each
 *   "tc-model: <record> key=value key=value ..."
 * with records, in this order: begin, config, summary, queue (one per queue:
 * load, execute, store), kind (one per instruction kind that occurred), end.
 * Values are decimal integers, except utilization (a decimal fraction) and
 * name (a word without spaces). Unknown keys must be ignored by readers.
 */
#if defined(__riscv) && !defined(TC_MODEL_EMULATOR)
#error "gemmini_model.c models Gemmini on a host; RISC-V builds issue real instructions (TC_MODEL_EMULATOR builds it as the emulator behind tc's bare-metal trap handler, spike/runtime)"
#endif

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemmini.h"
#include "gemmini_model.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
/* With GCC or Clang on x86-64 the MAC kernel also has an AVX2 version, chosen at
 * run time; the build flags stay plain -O2. */
#if defined(__x86_64__) && defined(__GNUC__) && DIM % 8 == 0
#define TC_HAVE_AVX2_KERNEL 1
#include <immintrin.h>
#endif

#ifdef ELEM_T_IS_FLOAT
#error "tc host model: floating-point Gemmini configurations are not modelled yet"
#endif
_Static_assert(sizeof(elem_t) == 1 && sizeof(acc_t) == 4,
               "tc host model: int8 inputs with int32 accumulators only");

/* ---- configuration with defaults (defaults = Configs.scala defaultConfig) ---- */
#ifndef TC_HAS_WS
#define TC_HAS_WS 1
#endif
#ifndef TC_HAS_OS
#define TC_HAS_OS 1
#endif
#ifndef TC_HAS_LOOP_WS
#define TC_HAS_LOOP_WS 1
#endif
#ifndef TC_SPATIAL_OUTPUT_BITS
#define TC_SPATIAL_OUTPUT_BITS 20 /* Configs.scala: spatialArrayOutputType = SInt(20.W) */
#endif
#ifndef TC_SP_SINGLE_PORTED
#define TC_SP_SINGLE_PORTED 1 /* Configs.scala: sp_singleported = true */
#endif
#ifndef TC_DMA_BUS_BYTES
#define TC_DMA_BUS_BYTES 16 /* Configs.scala: dma_buswidth = 128 */
#endif
#ifndef TC_MEM_LATENCY_CYCLES
#define TC_MEM_LATENCY_CYCLES 100 /* tc assumption, as gemmini/presets.ts */
#endif
#ifndef TC_MAX_INFLIGHT_REQS
#define TC_MAX_INFLIGHT_REQS 16 /* Configs.scala: max_in_flight_mem_reqs = 16 */
#endif
#ifndef TC_LD_QUEUE
#define TC_LD_QUEUE 8 /* Configs.scala: reservation_station_entries_ld */
#endif
#ifndef TC_EX_QUEUE
#define TC_EX_QUEUE 16 /* reservation_station_entries_ex */
#endif
#ifndef TC_ST_QUEUE
#define TC_ST_QUEUE 4 /* reservation_station_entries_st */
#endif
#ifndef TC_CONFIG_NAME
#define TC_CONFIG_NAME "unnamed"
#endif

/* Timing constants. The perf-model values were measured at DIM 16; where a
 * latency is a trip through the mesh, tc scales it with DIM. */
#ifndef TC_HOST_CYCLES_PER_ROCC
#define TC_HOST_CYCLES_PER_ROCC 4 /* tc assumption: address arithmetic + the custom instruction on an in-order core */
#endif
#define RS_ISSUE_CYCLES 1                   /* tc assumption: reservation station to controller */
#define LOOP_UNROLLER_CYCLES_PER_CMD 1      /* LoopMatmul.scala: one arbiter output per cycle */
#define MESH_ISSUE_LATENCY_CYCLES 3         /* perf model mesh.issue_latency: compute issue -> first row in */
#define MESH_COMMIT_LATENCY_CYCLES (3 * DIM + 3) /* perf model mesh.commit_latency = 51 at DIM 16 */
#define MESH_MIN_ROWS 4                     /* perf model mesh.min_rows (ExecuteController.scala acc write spacing) */
#define OS_TRANSPOSER_LATENCY_CYCLES (2 * DIM) /* README: transposer shifts DIM cycles in, DIM cycles out */
#define CONFIG_EX_DRAIN_CYCLES 2            /* perf model mesh.drain_extra: config_ex after the mesh drains */
#define LD_COMPLETION_LAG_CYCLES 2          /* perf model ld.completion_lag */
#define ST_PIPE_LATENCY_CYCLES 12           /* perf model st.pipe_latency: mvout issue -> first write request */
#define ST_COMPLETION_LAG_CYCLES 2          /* perf model st.completion_lag: stores retire once read */
#define DMA_REQUESTS_PER_CYCLE 1            /* perf model dma.gets_per_cycle */
#define LOCAL_ROWS_PER_CYCLE 1              /* perf model dma.spad_write_bytes_per_cycle = one row */
#define FENCE_CYCLES 2                      /* perf model host.fence_cycles */
#define COUNTER_RESPONSE_CYCLES 4           /* perf model host.rocc_resp_cycles */

#define SP_ROWS ((uint32_t)BANK_NUM * (uint32_t)BANK_ROWS)
#define BLOCKS_SP (MAX_BLOCK_LEN < 1 ? 1 : MAX_BLOCK_LEN)
#define BLOCKS_ACC (MAX_BLOCK_LEN_ACC < 1 ? 1 : MAX_BLOCK_LEN_ACC)
#define MAX_RS_ENTRIES 64

/* Local address bits (README "Memory Addressing Scheme", LocalAddr.scala). */
#define ADDR_ACC_BIT 0x80000000u
#define ADDR_ACCUMULATE_BIT 0x40000000u
#define ADDR_READ_FULL_BIT 0x20000000u
#define ADDR_ROW_MASK 0x1FFFFFFFu

/* ====================================================================== kinds */
enum kind {
  KIND_CONFIG_EX,
  KIND_CONFIG_LD,
  KIND_CONFIG_ST,
  KIND_MVIN,
  KIND_MVIN2,
  KIND_MVIN3,
  KIND_MVOUT,
  KIND_PRELOAD,
  KIND_COMPUTE_PRELOADED,
  KIND_COMPUTE_ACCUMULATED,
  KIND_FLUSH,
  KIND_LOOP_WS_CONFIG,
  KIND_LOOP_WS,
  KIND_LOOP_CONV_WS,
  KIND_COUNTER,
  KIND_FENCE,
  KIND_CONFIG,
  KIND_UNKNOWN,
  KIND_COUNT
};
static const char *const KIND_NAMES[KIND_COUNT] = {
    "config_ex", "config_ld",       "config_st",         "mvin",     "mvin2",  "mvin3",
    "mvout",     "preload",         "compute_preloaded", "compute_accumulated", "flush",
    "loop_ws_config", "loop_ws",    "loop_conv_ws",      "counter",  "fence",  "config",
    "unknown"};

enum queue_id { Q_LD, Q_EX, Q_ST, Q_COUNT };
static const char *const QUEUE_NAMES[Q_COUNT] = {"load", "execute", "store"};

/* ====================================================================== state */
static elem_t spad[SP_ROWS][DIM];
static acc_t accumulator[ACC_ROWS][DIM];

typedef struct {
  uint64_t dram_stride_bytes;
  float scale;
  uint32_t block_stride_rows;
  bool shrunk; /* elem_t data moved into the accumulator */
} load_channel_t;
static load_channel_t load_channels[3];

static struct {
  int dataflow; /* OUTPUT_STATIONARY or WEIGHT_STATIONARY */
  int activation;
  uint32_t shift;
  uint32_t a_stride_rows, c_stride_rows;
  bool a_transpose, b_transpose;
} ex_config;

static struct {
  uint64_t dram_stride_bytes;
  int activation;
  float acc_scale;
} st_config;

/* The operands the last preload named (GemminiISA.scala PreloadRs). */
static struct {
  uint32_t bd_addr, c_addr;
  uint32_t bd_rows, bd_cols, c_rows, c_cols;
} preload_state;

/* Matrices in the mesh are kept as int16 pairs of consecutive k: pairs[k/2][j]
 * = {m[k][j], m[k+1][j]}, the layout a multiply-add of int16 pairs (SSE2
 * pmaddwd) consumes; int8 x int8 products and their pairwise sums fit. */
#define K_PAIRS ((DIM + 1) / 2)
typedef struct {
  int16_t pairs[K_PAIRS][DIM][2];
} paired_matrix_t;
static paired_matrix_t mesh_weights;    /* WS: the preloaded B */
static uint32_t mesh_weight_cols;       /* its columns, for counting MACs */
static int32_t mesh_partials[DIM][DIM]; /* OS: the PEs' accumulators */

/* Loop-instruction configuration words (LoopMatmul.scala LoopMatmulState). */
static struct {
  uint32_t max_i, max_j, max_k, pad_i, pad_j, pad_k;
  uint64_t a_dram, b_dram, d_dram, c_dram;
  uint64_t a_stride, b_stride, d_stride, c_stride; /* in elements */
} loop_ws_config;
static unsigned loop_slot;          /* LoopMatmul.scala: two concurrent loops alternate halves */
static uint32_t loop_acc_half_base; /* accumulator half the next loop's C uses */

/* --- timing state --- */
typedef struct {
  uint32_t lo, hi; /* [lo, hi) in the unified local space; empty when lo == hi */
} span_t;
typedef struct {
  uint64_t end_cycle;
  span_t reads[2];
  span_t write;
  span_t bound; /* covers reads and write: most pairs are rejected by this one test */
} rs_entry_t;
typedef struct {
  rs_entry_t entries[MAX_RS_ENTRIES];
  unsigned head, count, capacity;
  uint64_t next_start_cycle; /* in-order: no instruction of this queue starts earlier */
  uint64_t last_end_cycle;
  uint64_t busy_until_cycle; /* busy intervals may overlap; each cycle counts once */
  uint64_t busy_cycles;
  uint64_t instructions;
} queue_t;
static queue_t queues[Q_COUNT];

static uint64_t host_cycle;        /* when the host issues its next command */
static uint64_t *issuer_cycle = &host_cycle; /* host, or the loop unroller */
static uint64_t issuer_step_cycles = TC_HOST_CYCLES_PER_ROCC;
static uint64_t unroller_free_cycle;
static uint64_t mesh_free_cycle;    /* the mesh can take the next compute's first row */
static uint64_t ex_drained_cycle;   /* every compute so far has committed */
static uint64_t dram_writes_done_cycle;
static uint64_t last_completion_cycle;

/* --- statistics --- */
static uint64_t host_instructions, executed_instructions;
static uint64_t kind_counts[KIND_COUNT];
static uint64_t macs;
static uint64_t dram_bytes_read, dram_bytes_written, dram_read_requests, dram_write_requests;
static uint64_t dram_hazard_warnings;

/* Recent mvouts' DRAM byte ranges, to warn when a mvin reads data a store has
 * not written yet (Gemmini tracks local addresses only; DRAM needs a fence). */
#define RECENT_STORES 16
static struct {
  uint64_t lo, hi, done_cycle;
} recent_stores[RECENT_STORES];
static unsigned recent_store_next;

/* --- the instruction being executed, for errors --- */
static uint64_t current_index;
static enum kind current_kind = KIND_UNKNOWN;
static bool current_from_loop;

/* --- trace --- */
typedef struct {
  uint64_t start, duration, index;
  uint8_t kind, queue, from_loop;
} trace_event_t;
static bool trace_enabled;
static trace_event_t *trace_events;
static size_t trace_count, trace_capacity;
static const char *trace_path;

static bool initialized, report_printed, stopped_on_error;
static uint64_t last_rd_value;

/* ====================================================================== errors */
static void model_error(const char *format, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void model_error(const char *format, ...) {
  fflush(stdout);
  if (current_from_loop)
    fprintf(stderr, "gemmini model: error: instruction #%llu (loop_ws, unrolled %s): ",
            (unsigned long long)current_index, KIND_NAMES[current_kind]);
  else
    fprintf(stderr, "gemmini model: error: instruction #%llu (%s): ", (unsigned long long)current_index,
            KIND_NAMES[current_kind]);
  va_list args;
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fputc('\n', stderr);
  stopped_on_error = true;
  exit(3);
}

/* ====================================================================== helpers */
static inline uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static inline uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

typedef struct {
  bool garbage, is_acc, accumulate, read_full;
  uint32_t row;
} local_addr_t;

static local_addr_t decode_local(uint32_t addr) {
  local_addr_t local;
  local.garbage = addr == GARBAGE_ADDR;
  local.is_acc = (addr & ADDR_ACC_BIT) != 0;
  local.accumulate = (addr & ADDR_ACCUMULATE_BIT) != 0;
  local.read_full = (addr & ADDR_READ_FULL_BIT) != 0;
  local.row = addr & ADDR_ROW_MASK; /* bits 29-30 are ignored for the scratchpad (README) */
  return local;
}

static void check_rows(const local_addr_t *local, uint64_t first_row, uint64_t row_count, const char *operand) {
  if (row_count == 0) return;
  const uint64_t limit = local->is_acc ? ACC_ROWS : SP_ROWS;
  const uint64_t last_row = first_row + row_count - 1;
  if (last_row < limit) return;
  const char *memory = local->is_acc ? "accumulator" : "scratchpad";
  if (row_count == 1 || first_row >= limit)
    model_error("%s%s%s row %llu out of range (%llu rows)", operand, *operand ? ": " : "", memory,
                (unsigned long long)(first_row >= limit ? first_row : last_row), (unsigned long long)limit);
  model_error("%s%s%s rows %llu..%llu out of range (%llu rows)", operand, *operand ? ": " : "", memory,
              (unsigned long long)first_row, (unsigned long long)last_row, (unsigned long long)limit);
}

static void check_size(uint64_t value, uint64_t limit, const char *what) {
  if (value > limit)
    model_error("%s %llu exceeds the limit of %llu", what, (unsigned long long)value, (unsigned long long)limit);
}

/* Unified local space for dependency checks: scratchpad rows, then accumulator rows. */
static inline span_t local_span(const local_addr_t *local, uint64_t first_row, uint64_t row_count) {
  span_t span = {0, 0};
  if (local->garbage || row_count == 0) return span;
  const uint32_t base = local->is_acc ? SP_ROWS : 0;
  span.lo = base + (uint32_t)first_row;
  span.hi = span.lo + (uint32_t)row_count;
  return span;
}
static inline bool spans_overlap(span_t a, span_t b) { return a.lo < b.hi && b.lo < a.hi && a.lo != a.hi && b.lo != b.hi; }
static inline span_t span_union(span_t a, span_t b) {
  if (a.lo == a.hi) return b;
  if (b.lo == b.hi) return a;
  span_t u = {a.lo < b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi};
  return u;
}

static inline int32_t wrap_spatial(int32_t value) {
#if TC_SPATIAL_OUTPUT_BITS < 32
  /* PE.scala: the MAC result is assigned to outputType, which truncates (wraps). */
  const unsigned unused_bits = 32 - TC_SPATIAL_OUTPUT_BITS;
  return (int32_t)((uint32_t)value << unused_bits) >> unused_bits;
#else
  return value;
#endif
}

/* One WS pass sums DIM int8 products and an int8 D: at most DIM * 2^14 + 2^7 in
 * magnitude. When that fits the spatial output type, wrapping changes nothing. */
#define WS_SUM_CAN_WRAP \
  (TC_SPATIAL_OUTPUT_BITS < 32 && (int64_t)DIM * 16384 + 128 >= ((int64_t)1 << (TC_SPATIAL_OUTPUT_BITS - 1)))

static inline elem_t clip_to_elem(int64_t value) {
  return (elem_t)(value > elem_t_max ? elem_t_max : value < elem_t_min ? elem_t_min : value);
}

static inline int32_t add_wrapping(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }

/* Configs.scala mvin/acc scale: int -> float32 (round to nearest even), float32
 * multiply (round to nearest even), float -> int (round to nearest even),
 * saturate; NaN saturates to the largest value (hardfloat RecFNToIN). */
static inline int64_t scale_round_saturate(int32_t value, float scale, int64_t low, int64_t high) {
  const float product = (float)value * scale;
  const float rounded = tc_round_near_even_f32(product);
  if (rounded != rounded) return high;
  if (rounded >= (float)high + 1.0f) return high;
  if (rounded < (float)low) return low;
  return (int64_t)rounded;
}

static inline int32_t apply_activation(int32_t value, int activation) {
  return activation == RELU && value < 0 ? 0 : value;
}

/* ====================================================================== timing */
static void retire(queue_t *queue, uint64_t cycle) {
  while (queue->count > 0 && queue->entries[queue->head].end_cycle <= cycle) {
    queue->head = queue->head + 1 == queue->capacity ? 0 : queue->head + 1;
    queue->count--;
  }
}

static unsigned alive_entries(enum queue_id id, uint64_t cycle) {
  retire(&queues[id], cycle);
  return queues[id].count;
}

/* Takes a reservation-station entry of `id`, waiting for one to free up; returns
 * the dispatch cycle and advances the issuer's clock. */
static uint64_t dispatch(enum queue_id id) {
  queue_t *queue = &queues[id];
  uint64_t cycle = *issuer_cycle;
  retire(queue, cycle);
  if (queue->count == queue->capacity) {
    cycle = queue->entries[queue->head].end_cycle;
    retire(queue, cycle);
  }
  *issuer_cycle = cycle + issuer_step_cycles;
  return cycle;
}

/* Earliest cycle the operands allow: after every older instruction still in
 * flight that writes what this one reads (RAW), or, in another queue, reads or
 * writes what this one writes (WAR, WAW) — ReservationStation.scala's checks. */
static uint64_t dependencies_ready(enum queue_id id, uint64_t ready, const span_t reads[2], span_t write) {
  const span_t bound = span_union(span_union(reads[0], reads[1]), write);
  if (bound.lo == bound.hi) return ready;
  for (int q = 0; q < Q_COUNT; q++) {
    const queue_t *queue = &queues[q];
    for (unsigned n = 0, slot = queue->head; n < queue->count; n++, slot = slot + 1 == queue->capacity ? 0 : slot + 1) {
      const rs_entry_t *entry = &queue->entries[slot];
      if (entry->end_cycle <= ready || !spans_overlap(entry->bound, bound)) continue;
      bool conflict = spans_overlap(entry->write, reads[0]) || spans_overlap(entry->write, reads[1]);
      if (q != (int)id)
        conflict = conflict || spans_overlap(entry->write, write) || spans_overlap(entry->reads[0], write) ||
                   spans_overlap(entry->reads[1], write);
      if (conflict) ready = entry->end_cycle;
    }
  }
  return ready;
}

static void record(enum queue_id id, uint64_t start, uint64_t end, uint64_t busy, const span_t reads[2], span_t write) {
  queue_t *queue = &queues[id];
  if (end < queue->last_end_cycle) end = queue->last_end_cycle; /* retire in order */
  queue->last_end_cycle = end;
  const unsigned slot = (queue->head + queue->count) % queue->capacity;
  rs_entry_t *entry = &queue->entries[slot];
  entry->end_cycle = end;
  entry->reads[0] = reads[0];
  entry->reads[1] = reads[1];
  entry->write = write;
  entry->bound = span_union(span_union(reads[0], reads[1]), write);
  queue->count++;
  const uint64_t busy_from = max_u64(start, queue->busy_until_cycle), busy_to = start + busy;
  if (busy_to > busy_from) {
    queue->busy_cycles += busy_to - busy_from;
    queue->busy_until_cycle = busy_to;
  }
  queue->instructions++;
  if (end > last_completion_cycle) last_completion_cycle = end;
  if (trace_enabled) {
    if (trace_count == trace_capacity) {
      trace_capacity = trace_capacity ? trace_capacity * 2 : 4096;
      trace_event_t *grown = realloc(trace_events, trace_capacity * sizeof *grown);
      if (!grown) {
        fprintf(stderr, "gemmini model: warning: out of memory for the trace; tracing stopped\n");
        trace_enabled = false;
        return;
      }
      trace_events = grown;
    }
    trace_event_t *event = &trace_events[trace_count++];
    event->start = start;
    event->duration = end > start ? end - start : 1;
    event->index = current_index;
    event->kind = (uint8_t)current_kind;
    event->queue = (uint8_t)id;
    event->from_loop = current_from_loop;
  }
}

/* The DMA engines (DMA.scala StreamReader/StreamWriter). A transfer is split
 * into one TileLink request per MAX_BYTES-aligned window each row touches
 * (requests are aligned and at most dma_maxbytes); at most TC_MAX_INFLIGHT_REQS
 * requests are outstanding. Reads: one request per cycle, data returns after the
 * memory latency over a bus of TC_DMA_BUS_BYTES per cycle. Writes: a request
 * carries its data, so it holds the bus for its beats; its ack returns after the
 * memory latency. */
#define MAX_INFLIGHT_SLOTS 256
typedef struct {
  uint64_t slot_done[MAX_INFLIGHT_SLOTS]; /* completion of request n at n % window */
  uint64_t requests;
  uint64_t next_issue_cycle;
  uint64_t bus_free_cycle;
} dma_engine_t;
static dma_engine_t dma_reader, dma_writer;
static const unsigned dma_window =
    TC_MAX_INFLIGHT_REQS < 1 ? 1 : TC_MAX_INFLIGHT_REQS > MAX_INFLIGHT_SLOTS ? MAX_INFLIGHT_SLOTS : TC_MAX_INFLIGHT_REQS;

/* Issues one request of `bytes` no earlier than `ready`; returns its completion cycle. */
static uint64_t dma_request(dma_engine_t *engine, bool is_write, uint64_t ready, uint64_t bytes) {
  const uint64_t beats = ceil_div(bytes, TC_DMA_BUS_BYTES);
  uint64_t *slot = &engine->slot_done[engine->requests % dma_window];
  uint64_t issue = max_u64(ready, engine->next_issue_cycle);
  if (engine->requests >= dma_window) issue = max_u64(issue, *slot); /* wait for a free slot */
  uint64_t done;
  if (is_write) {
    engine->next_issue_cycle = issue + beats;
    done = issue + beats + TC_MEM_LATENCY_CYCLES;
  } else {
    engine->next_issue_cycle = issue + 1; /* DMA_REQUESTS_PER_CYCLE */
    const uint64_t arrival = max_u64(issue + TC_MEM_LATENCY_CYCLES, engine->bus_free_cycle);
    engine->bus_free_cycle = arrival + beats;
    done = arrival + beats;
  }
  *slot = done;
  engine->requests++;
  return done;
}

/* Moves `rows` rows of `row_bytes` bytes, `stride` bytes apart; row r is ready at
 * `ready + r * row_interval`. Returns the last completion; `*last_issue` gets the
 * cycle after the last request left. */
static uint64_t dma_transfer(dma_engine_t *engine, bool is_write, uint64_t ready, uint64_t row_interval, uint64_t dram,
                             uint64_t row_bytes, uint64_t stride, uint32_t rows, uint64_t *requests,
                             uint64_t *last_issue) {
  uint64_t done = ready;
  *requests = 0;
  for (uint32_t row = 0; row < rows; row++) {
    uint64_t address = dram + row * stride, remaining = row_bytes;
    while (remaining > 0) {
      const uint64_t window_left = MAX_BYTES - address % MAX_BYTES;
      const uint64_t chunk = remaining < window_left ? remaining : window_left;
      done = max_u64(done, dma_request(engine, is_write, ready + row * row_interval, chunk));
      (*requests)++;
      address += chunk;
      remaining -= chunk;
    }
  }
  *last_issue = engine->next_issue_cycle;
  return done;
}

/* ====================================================================== config */
static void exec_config(uint64_t rs1, uint64_t rs2) {
  const unsigned type = rs1 & 3;
  if (type == CONFIG_EX) {
    current_kind = KIND_CONFIG_EX;
    const int dataflow = (rs1 >> 2) & 1;
    const int activation = (rs1 >> 3) & 3;
    const bool set_only_strides = (rs1 >> 7) & 1;
    const bool a_transpose = (rs1 >> 8) & 1, b_transpose = (rs1 >> 9) & 1;
    const uint32_t shift = (uint32_t)rs2;
    if (!set_only_strides) {
      if (dataflow == OUTPUT_STATIONARY && !TC_HAS_OS) model_error("this configuration has no output-stationary dataflow");
      if (dataflow == WEIGHT_STATIONARY && !TC_HAS_WS) model_error("this configuration has no weight-stationary dataflow");
      if (activation > RELU) model_error("activation %d on the execute path is not modelled (0 none, 1 ReLU)", activation);
      if (shift >= 32) model_error("shift %u must be below 32", shift);
      /* README ISA "config_ex": transposes OS (A no, B yes) and WS (both) are not permitted. */
      if (dataflow == OUTPUT_STATIONARY && !a_transpose && b_transpose)
        model_error("output-stationary with only B transposed is not supported by Gemmini");
      if (dataflow == WEIGHT_STATIONARY && a_transpose && b_transpose)
        model_error("weight-stationary with both A and B transposed is not supported by Gemmini");
      ex_config.dataflow = dataflow;
      ex_config.activation = activation;
      ex_config.shift = shift;
      ex_config.a_transpose = a_transpose;
      ex_config.b_transpose = b_transpose;
    }
    ex_config.a_stride_rows = (rs1 >> 16) & 0xFFFF;
    ex_config.c_stride_rows = (rs2 >> 48) & 0xFFFF;
    const uint64_t dispatched = dispatch(Q_EX);
    const uint64_t start = max_u64(max_u64(dispatched + RS_ISSUE_CYCLES, queues[Q_EX].next_start_cycle), ex_drained_cycle);
    const uint64_t end = start + CONFIG_EX_DRAIN_CYCLES;
    queues[Q_EX].next_start_cycle = end;
    mesh_free_cycle = max_u64(mesh_free_cycle, end);
    const span_t none[2] = {{0, 0}, {0, 0}};
    record(Q_EX, start, end, CONFIG_EX_DRAIN_CYCLES, none, none[0]);
  } else if (type == CONFIG_LD) {
    current_kind = KIND_CONFIG_LD;
    const unsigned channel = (rs1 >> 3) & 3;
    if (channel > 2) model_error("load channel %u does not exist (0 mvin, 1 mvin2, 2 mvin3)", channel);
    const unsigned pixel_repeats = (rs1 >> 8) & 0xFF;
    if (pixel_repeats > 1) model_error("pixel repeats %u (first-layer optimisation) are not modelled", pixel_repeats);
    load_channel_t *load = &load_channels[channel];
    load->dram_stride_bytes = rs2;
    load->block_stride_rows = (rs1 >> 16) & 0xFFFF;
    load->shrunk = (rs1 >> 2) & 1;
#ifdef HAS_MVIN_SCALE
    load->scale = tc_bits_float((uint32_t)(rs1 >> 32));
#else
    load->scale = 1.0f;
#endif
    const uint64_t dispatched = dispatch(Q_LD);
    const uint64_t start = max_u64(dispatched + RS_ISSUE_CYCLES, queues[Q_LD].next_start_cycle);
    queues[Q_LD].next_start_cycle = start + 1;
    const span_t none[2] = {{0, 0}, {0, 0}};
    record(Q_LD, start, start + 1, 1, none, none[0]);
  } else if (type == CONFIG_ST) {
    current_kind = KIND_CONFIG_ST;
    const int activation = (rs1 >> 2) & 3;
    if (activation > RELU) model_error("activation %d on mvout is not modelled (0 none, 1 ReLU)", activation);
    if ((rs1 >> 4) & 3) model_error("max-pooling on mvout (pool stride %u) is not modelled", (unsigned)((rs1 >> 4) & 3));
    st_config.dram_stride_bytes = (uint32_t)rs2;
    st_config.activation = activation;
    st_config.acc_scale = tc_bits_float((uint32_t)(rs2 >> 32));
    const uint64_t dispatched = dispatch(Q_ST);
    const uint64_t start = max_u64(dispatched + RS_ISSUE_CYCLES, queues[Q_ST].next_start_cycle);
    queues[Q_ST].next_start_cycle = start + 1;
    const span_t none[2] = {{0, 0}, {0, 0}};
    record(Q_ST, start, start + 1, 1, none, none[0]);
  } else {
    current_kind = KIND_CONFIG;
    model_error("config type 3 (normalisation statistics) is not modelled");
  }
}

/* ====================================================================== mvin */
static void check_dram_hazard(uint64_t lo, uint64_t hi, uint64_t start) {
  for (unsigned n = 0; n < RECENT_STORES; n++) {
    if (recent_stores[n].hi == 0 || recent_stores[n].done_cycle <= start) continue;
    if (lo < recent_stores[n].hi && recent_stores[n].lo < hi) {
      if (dram_hazard_warnings < 5)
        fprintf(stderr,
                "gemmini model: warning: instruction #%llu (%s) reads DRAM that an earlier mvout is still "
                "writing; Gemmini does not order DRAM accesses, put gemmini_fence() between them\n",
                (unsigned long long)current_index, KIND_NAMES[current_kind]);
      dram_hazard_warnings++;
      return;
    }
  }
}

static void exec_mvin(unsigned channel, uint64_t dram, uint32_t addr, uint32_t cols, uint32_t rows) {
  const load_channel_t *load = &load_channels[channel];
  const local_addr_t local = decode_local(addr);
  if (local.garbage) model_error("mvin to the garbage address");
  check_size(rows, DIM, "rows");
  const bool shrunk = local.is_acc && load->shrunk;
  const uint64_t elem_bytes = local.is_acc && !shrunk ? sizeof(acc_t) : sizeof(elem_t);
  check_size(cols, (uint64_t)(local.is_acc && !shrunk ? BLOCKS_ACC : BLOCKS_SP) * DIM, "cols");
  const uint32_t blocks = (uint32_t)ceil_div(cols, DIM);
  const uint32_t block_stride = load->block_stride_rows;
  const uint64_t rows_spanned = blocks ? (uint64_t)(blocks - 1) * block_stride + rows : 0;
  check_rows(&local, local.row, rows_spanned, "");

  /* functional: Spike gemmini.cc mvin; a DRAM address of 0 moves in zeros (ZeroWriter.scala) */
  const bool zeros = dram == 0;
  const float scale = load->scale;
  const bool scaled = scale != 1.0f; /* x * 1.0f is exact for every int8 and int32 below 2^24 */
  for (uint32_t r = 0; r < rows; r++) {
    const unsigned char *src = zeros ? NULL : (const unsigned char *)(uintptr_t)(dram + r * load->dram_stride_bytes);
    for (uint32_t b = 0; b < blocks; b++) {
      const uint32_t row = local.row + r + b * block_stride;
      const uint32_t first_col = b * DIM;
      const uint32_t ncols = cols - first_col < DIM ? cols - first_col : DIM;
      if (!local.is_acc) {
        elem_t *dst = spad[row];
        if (zeros) memset(dst, 0, ncols * sizeof(elem_t));
        else if (!scaled) memcpy(dst, src + first_col * sizeof(elem_t), ncols * sizeof(elem_t));
        else
          for (uint32_t c = 0; c < ncols; c++)
            dst[c] = (elem_t)scale_round_saturate(((const elem_t *)src)[first_col + c], scale, elem_t_min, elem_t_max);
        continue;
      }
      acc_t *dst = accumulator[row];
      for (uint32_t c = 0; c < ncols; c++) {
        int32_t value = 0;
        if (!zeros && shrunk) {
          elem_t e;
          memcpy(&e, src + (first_col + c) * sizeof(elem_t), sizeof e);
          value = scaled ? (int32_t)scale_round_saturate(e, scale, elem_t_min, elem_t_max) : e;
        } else if (!zeros) {
          acc_t a;
          memcpy(&a, src + (first_col + c) * sizeof(acc_t), sizeof a);
#ifdef HAS_MVIN_ACC_SCALE
          a = scaled ? (acc_t)scale_round_saturate(a, scale, INT32_MIN, INT32_MAX) : a;
#endif
          value = a;
        }
        dst[c] = local.accumulate ? add_wrapping(dst[c], value) : value;
      }
    }
  }

  /* timing */
  const uint64_t row_bytes = cols * elem_bytes;
  const uint64_t local_rows = (uint64_t)rows * blocks;
  const uint64_t dispatched = dispatch(Q_LD);
  span_t reads[2] = {{0, 0}, {0, 0}};
  const span_t write = local_span(&local, local.row, rows_spanned);
  uint64_t start = max_u64(dispatched + RS_ISSUE_CYCLES, queues[Q_LD].next_start_cycle);
  start = dependencies_ready(Q_LD, start, reads, write);
  uint64_t requests = 0, issued_until = start, done = start;
  if (!zeros) done = dma_transfer(&dma_reader, false, start, 0, dram, row_bytes, load->dram_stride_bytes, rows,
                                  &requests, &issued_until);
  /* BeatMerger.scala writes one local row per cycle */
  done = max_u64(done, start + ceil_div(local_rows, LOCAL_ROWS_PER_CYCLE));
  issued_until = max_u64(issued_until, start + 1);
  const uint64_t end = done + LD_COMPLETION_LAG_CYCLES;
  queues[Q_LD].next_start_cycle = issued_until;
  record(Q_LD, start, end, issued_until - start, reads, write);
  if (!zeros) {
    const uint64_t span_bytes = rows ? (rows - 1) * load->dram_stride_bytes + row_bytes : 0;
    check_dram_hazard(dram, dram + span_bytes, start);
  }
  dram_bytes_read += zeros ? 0 : row_bytes * rows;
  dram_read_requests += requests;
}

/* ====================================================================== mvout */
/* The accumulator's scaled read (AccumulatorScale.scala) for 4 elements at a
 * time with SSE2: int32 -> float32, multiply, clamp just outside the int8 range
 * (values there saturate either way), convert rounding to nearest even (the
 * default MXCSR mode), then saturating packs and ReLU. Bit-exact with the scalar
 * path for finite scales whose products cannot overflow; returns false otherwise. */
static bool scale_out_fast(const acc_t *src, elem_t *out, uint32_t ncols, float scale, int activation) {
#if defined(__SSE2__)
  const float magnitude = scale < 0 ? -scale : scale;
  if (!(magnitude < 1e29f) || ncols % 4 != 0 || elem_t_min != -128 || elem_t_max != 127) return false;
  const __m128 scale_v = _mm_set1_ps(scale), low = _mm_set1_ps(-129.0f), high = _mm_set1_ps(128.0f);
  const __m128i zero = _mm_setzero_si128();
  for (uint32_t c = 0; c < ncols; c += 4) {
    const __m128 product = _mm_mul_ps(_mm_cvtepi32_ps(_mm_loadu_si128((const __m128i *)(src + c))), scale_v);
    const __m128i rounded = _mm_cvtps_epi32(_mm_min_ps(_mm_max_ps(product, low), high));
    __m128i halves = _mm_packs_epi32(rounded, rounded);
    if (activation == RELU) halves = _mm_max_epi16(halves, zero);
    const int32_t bytes = _mm_cvtsi128_si32(_mm_packs_epi16(halves, halves));
    memcpy(out + c, &bytes, 4);
  }
  return true;
#else
  (void)src, (void)out, (void)ncols, (void)scale, (void)activation;
  return false;
#endif
}

static void exec_mvout(uint64_t dram, uint32_t addr, uint32_t cols, uint32_t rows) {
  const local_addr_t local = decode_local(addr);
  if (local.garbage) model_error("mvout from the garbage address");
  if (dram == 0) model_error("mvout to DRAM address 0");
  check_size(rows, DIM, "rows");
  const bool full = local.is_acc && local.read_full;
  const uint64_t elem_bytes = full ? sizeof(acc_t) : sizeof(elem_t);
  check_size(cols, (uint64_t)(full ? BLOCKS_ACC : BLOCKS_SP) * DIM, "cols");
  const uint32_t blocks = (uint32_t)ceil_div(cols, DIM);
  /* Spike gemmini.cc mvout: the blocks of one mvout are DIM rows apart */
  const uint64_t rows_spanned = blocks ? (uint64_t)(blocks - 1) * DIM + rows : 0;
  check_rows(&local, local.row, rows_spanned, "");

  const uint64_t stride = st_config.dram_stride_bytes;
  const float scale = st_config.acc_scale;
  const int activation = st_config.activation;
  for (uint32_t r = 0; r < rows; r++) {
    unsigned char *dst = (unsigned char *)(uintptr_t)(dram + r * stride);
    for (uint32_t b = 0; b < blocks; b++) {
      const uint32_t row = local.row + b * DIM + r;
      const uint32_t first_col = b * DIM;
      const uint32_t ncols = cols - first_col < DIM ? cols - first_col : DIM;
      if (!local.is_acc) {
        memcpy(dst + first_col * sizeof(elem_t), spad[row], ncols * sizeof(elem_t));
      } else if (full) {
        memcpy(dst + first_col * sizeof(acc_t), accumulator[row], ncols * sizeof(acc_t));
      } else {
        /* AccumulatorScale.scala: scale, saturate to elem_t, then the activation */
        const acc_t *src = accumulator[row];
        elem_t out[DIM];
        if (scale_out_fast(src, out, ncols, scale, activation)) {
          /* done with SSE2 */
        } else if (scale == 1.0f) {
          for (uint32_t c = 0; c < ncols; c++)
            out[c] = (elem_t)apply_activation(clip_to_elem(src[c]), activation);
        } else {
          for (uint32_t c = 0; c < ncols; c++)
            out[c] = (elem_t)apply_activation((int32_t)scale_round_saturate(src[c], scale, elem_t_min, elem_t_max),
                                              activation);
        }
        memcpy(dst + first_col * sizeof(elem_t), out, ncols * sizeof(elem_t));
      }
    }
  }

  const uint64_t row_bytes = cols * elem_bytes;
  const uint64_t dispatched = dispatch(Q_ST);
  span_t reads[2] = {local_span(&local, local.row, rows_spanned), {0, 0}};
  const span_t none = {0, 0};
  uint64_t start = max_u64(dispatched + RS_ISSUE_CYCLES, queues[Q_ST].next_start_cycle);
  start = dependencies_ready(Q_ST, start, reads, none);
  /* local rows are read one per cycle and reach the writer ST_PIPE_LATENCY later */
  uint64_t requests, issued_until;
  const uint64_t written = dma_transfer(&dma_writer, true, start + ST_PIPE_LATENCY_CYCLES, blocks, dram, row_bytes,
                                        stride, rows, &requests, &issued_until);
  const uint64_t reads_done = start + (uint64_t)rows * blocks;
  const uint64_t end = max_u64(reads_done, issued_until) + ST_COMPLETION_LAG_CYCLES;
  const uint64_t busy = max_u64(reads_done, issued_until) - start;
  queues[Q_ST].next_start_cycle = start + (uint64_t)rows * blocks;
  record(Q_ST, start, end, busy, reads, none);
  dram_writes_done_cycle = max_u64(dram_writes_done_cycle, written);
  recent_stores[recent_store_next].lo = dram;
  recent_stores[recent_store_next].hi = dram + (rows ? (rows - 1) * stride + row_bytes : 0);
  recent_stores[recent_store_next].done_cycle = written;
  recent_store_next = (recent_store_next + 1) % RECENT_STORES;
  dram_bytes_written += row_bytes * rows;
  dram_write_requests += requests;
}

/* ====================================================================== preload / compute */
static void check_operand_dims(uint32_t rows, uint32_t cols, const char *operand) {
  if (rows > DIM || cols > DIM)
    model_error("%s is %u x %u; at most %d x %d", operand, rows, cols, DIM, DIM);
}

static void exec_preload(uint64_t rs1, uint64_t rs2) {
  const uint32_t bd_addr = (uint32_t)rs1, c_addr = (uint32_t)rs2;
  const uint32_t bd_cols = (rs1 >> 32) & 0xFFFF, bd_rows = (rs1 >> 48) & 0xFFFF;
  const uint32_t c_cols = (rs2 >> 32) & 0xFFFF, c_rows = (rs2 >> 48) & 0xFFFF;
  check_operand_dims(bd_rows, bd_cols, "the preloaded B/D");
  check_operand_dims(c_rows, c_cols, "C");
  const local_addr_t bd = decode_local(bd_addr), c = decode_local(c_addr);
  if (!bd.garbage && bd.is_acc) model_error("preloading from the accumulator is not modelled");
  /* WS with B transposed reads B's columns as rows (Spike gemmini.cc compute) */
  const bool transposed = ex_config.dataflow == WEIGHT_STATIONARY && ex_config.b_transpose;
  const uint32_t bd_rows_read = transposed ? bd_cols : bd_rows;
  if (!bd.garbage) check_rows(&bd, bd.row, bd_rows_read, "B/D");
  if (!c.garbage) check_rows(&c, c.row, c_rows ? (uint64_t)(c_rows - 1) * ex_config.c_stride_rows + 1 : 0, "C");
  preload_state.bd_addr = bd_addr;
  preload_state.c_addr = c_addr;
  preload_state.bd_rows = bd_rows;
  preload_state.bd_cols = bd_cols;
  preload_state.c_rows = c_rows;
  preload_state.c_cols = c_cols;

  /* timing: issued together with the compute that follows (ExecuteController.scala);
   * it holds its RS entry until the mesh has it */
  const uint64_t dispatched = dispatch(Q_EX);
  span_t reads[2] = {local_span(&bd, bd.row, bd_rows_read), {0, 0}};
  const span_t none = {0, 0};
  uint64_t start = max_u64(dispatched + RS_ISSUE_CYCLES, queues[Q_EX].next_start_cycle);
  start = dependencies_ready(Q_EX, start, reads, none);
  queues[Q_EX].next_start_cycle = start;
  record(Q_EX, start, start + 1, 0, reads, none);
}

static inline uint32_t bank_of(uint32_t row) { return row / BANK_ROWS; }

/* m[k][j] = the operand at `local` (transposed: its rows are columns), zero
 * outside rows x cols, stored as k pairs. */
static void load_paired(paired_matrix_t *m, local_addr_t local, uint32_t rows, uint32_t cols, bool transposed) {
  memset(m, 0, sizeof *m);
  if (local.garbage) return;
  if (!transposed && cols == DIM) {
    for (uint32_t k = 0; k < rows; k++) {
      const elem_t *src = spad[local.row + k];
      for (uint32_t j = 0; j < DIM; j++) m->pairs[k / 2][j][k % 2] = src[j];
    }
    return;
  }
  for (uint32_t k = 0; k < rows; k++)
    for (uint32_t j = 0; j < cols; j++)
      m->pairs[k / 2][j][k % 2] = transposed ? spad[local.row + j][k] : spad[local.row + k][j];
}

#ifdef TC_HAVE_AVX2_KERNEL
static bool cpu_has_avx2;

__attribute__((target("avx2"))) static void multiply_accumulate_avx2(int32_t out[DIM][DIM],
                                                                      int16_t a[DIM][2 * K_PAIRS], uint32_t rows,
                                                                      uint32_t k_pairs, const paired_matrix_t *m,
                                                                      bool from_zero) {
  for (uint32_t i = 0; i < rows; i++) {
    __m256i sums[DIM / 8];
#pragma GCC unroll 16
    for (int v = 0; v < DIM / 8; v++)
      sums[v] = from_zero ? _mm256_setzero_si256() : _mm256_loadu_si256((const __m256i *)&out[i][8 * v]);
    for (uint32_t kp = 0; kp < k_pairs; kp++) {
      int32_t a_pair;
      memcpy(&a_pair, &a[i][2 * kp], sizeof a_pair);
      const __m256i a_both = _mm256_set1_epi32(a_pair);
      const __m256i *row = (const __m256i *)m->pairs[kp];
#pragma GCC unroll 16
      for (int v = 0; v < DIM / 8; v++)
        sums[v] = _mm256_add_epi32(sums[v], _mm256_madd_epi16(a_both, _mm256_loadu_si256(row + v)));
    }
#pragma GCC unroll 16
    for (int v = 0; v < DIM / 8; v++) _mm256_storeu_si256((__m256i *)&out[i][8 * v], sums[v]);
  }
}
#endif

/* out[i][j] (+)= sum_k a[i][k] * m[k][j] for i < rows, in wrapping int32; with
 * `from_zero` the rows start from zero instead of their contents. */
static void multiply_accumulate(int32_t out[DIM][DIM], int16_t a[DIM][2 * K_PAIRS], uint32_t rows, uint32_t k_pairs,
                                const paired_matrix_t *m, bool from_zero) {
#ifdef TC_HAVE_AVX2_KERNEL
  if (cpu_has_avx2) {
    multiply_accumulate_avx2(out, a, rows, k_pairs, m, from_zero);
    return;
  }
#endif
#if defined(__SSE2__) && DIM % 4 == 0
  /* the row's DIM sums stay in registers: unroll the DIM/4 vectors */
  for (uint32_t i = 0; i < rows; i++) {
    __m128i sums[DIM / 4];
#pragma GCC unroll 16
    for (int v = 0; v < DIM / 4; v++)
      sums[v] = from_zero ? _mm_setzero_si128() : _mm_loadu_si128((const __m128i *)&out[i][4 * v]);
    for (uint32_t kp = 0; kp < k_pairs; kp++) {
      int32_t a_pair;
      memcpy(&a_pair, &a[i][2 * kp], sizeof a_pair);
      const __m128i a_both = _mm_set1_epi32(a_pair);
      const __m128i *row = (const __m128i *)m->pairs[kp];
#pragma GCC unroll 16
      for (int v = 0; v < DIM / 4; v++) sums[v] = _mm_add_epi32(sums[v], _mm_madd_epi16(a_both, _mm_loadu_si128(row + v)));
    }
#pragma GCC unroll 16
    for (int v = 0; v < DIM / 4; v++) _mm_storeu_si128((__m128i *)&out[i][4 * v], sums[v]);
  }
#else
  if (from_zero) memset(out, 0, rows * sizeof out[0]);
  for (uint32_t i = 0; i < rows; i++)
    for (uint32_t kp = 0; kp < k_pairs; kp++) {
      const int32_t a0 = a[i][2 * kp], a1 = a[i][2 * kp + 1];
      if (a0 == 0 && a1 == 0) continue;
      for (uint32_t j = 0; j < DIM; j++)
        out[i][j] = (int32_t)((uint32_t)out[i][j] + (uint32_t)(a0 * m->pairs[kp][j][0] + a1 * m->pairs[kp][j][1]));
    }
#endif
}

static void write_results(int32_t results[DIM][DIM]) {
  const local_addr_t c = decode_local(preload_state.c_addr);
  if (c.garbage) return;
  const uint32_t rows = preload_state.c_rows, cols = preload_state.c_cols, stride = ex_config.c_stride_rows;
  for (uint32_t i = 0; i < rows; i++) {
    const uint32_t row = c.row + i * stride;
    if (c.is_acc) {
      acc_t *dst = accumulator[row];
      if (c.accumulate && cols == DIM) /* a constant trip count lets the compiler vectorise */
        for (uint32_t j = 0; j < DIM; j++) dst[j] = add_wrapping(dst[j], results[i][j]);
      else if (c.accumulate)
        for (uint32_t j = 0; j < cols; j++) dst[j] = add_wrapping(dst[j], results[i][j]);
      else
        memcpy(dst, results[i], cols * sizeof(acc_t));
    } else {
      /* ExecuteController.scala: clip to inputType, then the activation */
      elem_t *dst = spad[row];
      for (uint32_t j = 0; j < cols; j++) dst[j] = (elem_t)apply_activation(clip_to_elem(results[i][j]), ex_config.activation);
    }
  }
}

static void exec_compute(bool preloaded, uint64_t rs1, uint64_t rs2) {
  const uint32_t a_addr = (uint32_t)rs1, bd_addr = (uint32_t)rs2;
  const uint32_t a_cols = (rs1 >> 32) & 0xFFFF, a_rows = (rs1 >> 48) & 0xFFFF;
  const uint32_t bd_cols = (rs2 >> 32) & 0xFFFF, bd_rows = (rs2 >> 48) & 0xFFFF;
  check_operand_dims(a_rows, a_cols, "A");
  check_operand_dims(bd_rows, bd_cols, ex_config.dataflow == WEIGHT_STATIONARY ? "D" : "B");
  const local_addr_t a = decode_local(a_addr), bd = decode_local(bd_addr);
  if ((!a.garbage && a.is_acc) || (!bd.garbage && bd.is_acc))
    model_error("compute operands from the accumulator are not modelled");
  const bool ws = ex_config.dataflow == WEIGHT_STATIONARY;
  const uint32_t a_stride = ex_config.a_stride_rows;
  const bool a_tr = ex_config.a_transpose, b_tr = ex_config.b_transpose;
  const uint32_t a_rows_read = (a_tr ? a_cols : a_rows) ? ((a_tr ? a_cols : a_rows) - 1) * a_stride + 1 : 0;
  const uint32_t bd_rows_read = (!ws && b_tr) ? bd_cols : bd_rows;
  if (!a.garbage) check_rows(&a, a.row, a_rows_read, "A");
  if (!bd.garbage) check_rows(&bd, bd.row, bd_rows_read, ws ? "D" : "B");

  /* A as int16, zero outside the operand (Spike gemmini.cc compute; a garbage A
   * streams zeros here, undefined data in hardware) */
  int16_t a_matrix[DIM][2 * K_PAIRS];
  if (a.garbage || a_tr || a_cols != DIM || a_rows != DIM || DIM % 2) memset(a_matrix, 0, sizeof a_matrix);
  if (!a.garbage && !a_tr && a_cols == DIM) {
    for (uint32_t i = 0; i < a_rows; i++) {
      const elem_t *src = spad[a.row + a_stride * i];
      for (uint32_t k = 0; k < DIM; k++) a_matrix[i][k] = src[k];
    }
  } else if (!a.garbage) {
    for (uint32_t i = 0; i < a_rows; i++)
      for (uint32_t k = 0; k < a_cols; k++)
        a_matrix[i][k] = a_tr ? spad[a.row + a_stride * k][i] : spad[a.row + a_stride * i][k];
  }
  const uint32_t k_pairs_used = (a_cols + 1) / 2;

  int32_t results[DIM][DIM];
  uint32_t out_cols;
  if (ws) {
    if (preloaded) {
      const local_addr_t b = decode_local(preload_state.bd_addr);
      mesh_weight_cols = preload_state.bd_cols;
      load_paired(&mesh_weights, b, preload_state.bd_rows, preload_state.bd_cols, b_tr);
    }
    /* D enters at the top of each column as the initial partial sum (PE.scala) */
    const bool from_zero = bd.garbage;
    if (!from_zero || a_rows < DIM) memset(results, 0, sizeof results);
    if (!bd.garbage)
      for (uint32_t i = 0; i < bd_rows; i++)
        for (uint32_t j = 0; j < bd_cols; j++) results[i][j] = spad[bd.row + i][j];
    multiply_accumulate(results, a_matrix, a_rows, k_pairs_used, &mesh_weights, from_zero);
    if (WS_SUM_CAN_WRAP)
      for (uint32_t i = 0; i < DIM; i++)
        for (uint32_t j = 0; j < DIM; j++) results[i][j] = wrap_spatial(results[i][j]);
    out_cols = mesh_weight_cols;
  } else {
    if (preloaded) {
      const local_addr_t d = decode_local(preload_state.bd_addr);
      for (uint32_t i = 0; i < DIM; i++)
        for (uint32_t j = 0; j < DIM; j++)
          mesh_partials[i][j] =
              (!d.garbage && i < preload_state.bd_rows && j < preload_state.bd_cols) ? spad[d.row + i][j] : 0;
    }
    static paired_matrix_t b_matrix;
    load_paired(&b_matrix, bd, bd_rows, bd_cols, b_tr);
    /* each MAC result is truncated to the spatial output type (PE.scala), so the
     * PE holds the sum modulo 2^bits; int32 sums that wrap agree modulo 2^bits */
    multiply_accumulate(mesh_partials, a_matrix, a_rows, k_pairs_used, &b_matrix, false);
    /* results leave shifted right with rounding (PE.scala, Arithmetic.scala >>) */
    for (uint32_t i = 0; i < DIM; i++)
      for (uint32_t j = 0; j < DIM; j++) {
        mesh_partials[i][j] = wrap_spatial(mesh_partials[i][j]);
        results[i][j] = (int32_t)ROUNDING_RIGHT_SHIFT((int64_t)mesh_partials[i][j], (int64_t)ex_config.shift);
      }
    out_cols = bd_cols;
  }
  write_results(results);
  macs += (uint64_t)a_rows * a_cols * out_cols;

  /* timing: rows stream at one per cycle (MeshWithDelays.scala); operands read
   * from one single-ported bank in the same cycles serialise */
  const local_addr_t pre = decode_local(preload_state.bd_addr);
  const bool new_preload = preloaded && !pre.garbage;
  uint32_t feed = a_rows;
  const uint32_t pre_rows = ws && b_tr ? preload_state.bd_cols : preload_state.bd_rows;
  if (new_preload)
    feed = (TC_SP_SINGLE_PORTED && !a.garbage && bank_of(pre.row) == bank_of(a.row)) ? a_rows + pre_rows
                                                                                      : max_u64(a_rows, pre_rows);
  if (!bd.garbage)
    feed = (TC_SP_SINGLE_PORTED && !a.garbage && bank_of(bd.row) == bank_of(a.row)) ? feed + bd_rows_read
                                                                                     : (uint32_t)max_u64(feed, bd_rows_read);
  if (feed < MESH_MIN_ROWS) feed = MESH_MIN_ROWS;

  const local_addr_t c = decode_local(preload_state.c_addr);
  const uint32_t c_rows = preload_state.c_rows;
  span_t reads[2] = {local_span(&a, a.row, a_rows_read), local_span(&bd, bd.row, bd_rows_read)};
  const span_t write = local_span(&c, c.row, c_rows ? (uint64_t)(c_rows - 1) * ex_config.c_stride_rows + 1 : 0);
  const uint64_t dispatched = dispatch(Q_EX);
  uint64_t start = max_u64(dispatched + RS_ISSUE_CYCLES, queues[Q_EX].next_start_cycle);
  start = dependencies_ready(Q_EX, start, reads, write);
  if (start > mesh_free_cycle) start += MESH_ISSUE_LATENCY_CYCLES; /* the mesh was idle */
  else start = mesh_free_cycle; /* back to back with the previous compute */
  const uint64_t end = start + (feed - (a_rows < MESH_MIN_ROWS ? MESH_MIN_ROWS : a_rows)) + MESH_COMMIT_LATENCY_CYCLES +
                       (ws ? 0 : OS_TRANSPOSER_LATENCY_CYCLES);
  mesh_free_cycle = start + feed;
  queues[Q_EX].next_start_cycle = start;
  ex_drained_cycle = max_u64(ex_drained_cycle, end);
  record(Q_EX, start, end, feed, reads, write);
}

/* ====================================================================== loop_ws */
typedef struct {
  uint32_t i, j, k;
  bool done;
} loop_iter_t;

static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* floorAdd (Util.scala): add and wrap to 0 at `max`; the carry tells the outer iterator to move */
static bool step(uint32_t *value, uint32_t by, uint32_t max) {
  *value += by;
  if (*value >= max) {
    *value = 0;
    return true;
  }
  return false;
}

static void run_loop_ws(uint64_t rs1, uint64_t rs2) {
  const bool ex_accumulate = rs1 & 1, full_c = (rs1 >> 1) & 1, low_d = (rs1 >> 2) & 1;
  const unsigned act = (rs1 >> 8) & 0xFF, a_spad_id = (rs1 >> 18) & 3, b_spad_id = (rs1 >> 16) & 3;
  const bool a_tr = rs2 & 1, b_tr = (rs2 >> 1) & 1, is_resadd = (rs2 >> 2) & 1;
  const uint32_t I = loop_ws_config.max_i, J = loop_ws_config.max_j, K = loop_ws_config.max_k;
  const uint32_t pad_i = loop_ws_config.pad_i, pad_j = loop_ws_config.pad_j, pad_k = loop_ws_config.pad_k;
  if (!TC_HAS_LOOP_WS) model_error("this configuration has no loop_ws unroller");
  if (act > RELU) model_error("loop activation %u (normalisations) is not modelled", act);
  if (a_spad_id || b_spad_id) model_error("a_spad_id/b_spad_id other than 0 are not modelled");
  if (is_resadd) model_error("residual-add loops are not modelled");
  if (a_tr && b_tr) model_error("A and B cannot both be transposed (LoopMatmul.scala assertion)");
  if (I == 0 || J == 0 || K == 0) model_error("bounds I=%u J=%u K=%u must be at least 1", I, J, K);
  if (pad_i >= DIM || pad_j >= DIM || pad_k >= DIM)
    model_error("padding (%u, %u, %u) must be below DIM=%d", pad_i, pad_j, pad_k, DIM);

  /* LoopMatmul.scala: loop slot s uses scratchpad half s, A from its start and B
   * ending at its end; C rows alternate accumulator halves per loop that stores C */
  const uint32_t sp_half = SP_ROWS / 2, acc_half = ACC_ROWS / 2;
  const uint64_t a_rows_needed = (uint64_t)I * K * DIM, b_rows_needed = (uint64_t)K * J * DIM;
  if (a_rows_needed + b_rows_needed > sp_half)
    model_error("A and B need %llu scratchpad rows; a loop may use half the scratchpad (%u rows)",
                (unsigned long long)(a_rows_needed + b_rows_needed), sp_half);
  if ((uint64_t)I * J * DIM > acc_half)
    model_error("C needs %llu accumulator rows; a loop may use half the accumulator (%u rows)",
                (unsigned long long)((uint64_t)I * J * DIM), acc_half);
  const unsigned slot = loop_slot;
  loop_slot ^= 1;
  const uint32_t a_start = slot * sp_half;
  const uint32_t b_start = (slot + 1) * sp_half - (uint32_t)b_rows_needed;
  const uint32_t c_start = loop_acc_half_base;
  if (loop_ws_config.c_dram) loop_acc_half_base = loop_acc_half_base ? 0 : acc_half;

  const uint64_t A = loop_ws_config.a_dram, B = loop_ws_config.b_dram, D = loop_ws_config.d_dram,
                 C = loop_ws_config.c_dram;
  const uint32_t a_max_col = a_tr ? I : K, a_max_row = a_tr ? K : I;
  const uint32_t b_max_col = b_tr ? K : J, b_max_row = b_tr ? J : K;
  const uint32_t a_blocks = min_u32(a_max_col, BLOCKS_SP), b_blocks = min_u32(b_max_col, BLOCKS_SP);
  const uint32_t d_blocks = min_u32(J, low_d ? BLOCKS_SP : BLOCKS_ACC);
  const uint32_t c_blocks = full_c ? 1 : min_u32(J, BLOCKS_SP);

  /* iterators point at the next command each FSM will issue */
  loop_iter_t lda = {0, 0, 0, A == 0}, ldb = {0, 0, 0, B == 0}, ldd = {0, 0, 0, D == 0};
  loop_iter_t ex = {0, 0, 0, false}, stc = {0, 0, 0, C == 0};
  bool ex_preload_sent = false, prefer_a = true;

  uint64_t cycle = max_u64(host_cycle, unroller_free_cycle);
  uint64_t *const saved_issuer = issuer_cycle;
  const uint64_t saved_step = issuer_step_cycles;
  issuer_cycle = &cycle;
  issuer_step_cycles = LOOP_UNROLLER_CYCLES_PER_CMD;
  current_from_loop = true;

  while (!(lda.done && ldb.done && ldd.done && ex.done && stc.done)) {
    /* LoopMatmul.scala: an FSM stops while its queue's RS entries are all taken */
    const bool ld_room = alive_entries(Q_LD, cycle) < queues[Q_LD].capacity;
    const bool ex_room = alive_entries(Q_EX, cycle) < queues[Q_EX].capacity;
    const bool st_room = alive_entries(Q_ST, cycle) < queues[Q_ST].capacity;
    /* execute may go once the loads it needs have been issued (ld_ahead) */
    const bool a_ahead = lda.done || lda.k > ex.k || (lda.k == ex.k && lda.i > ex.i);
    const bool b_ahead = ldb.done || ldb.k > ex.k || (ldb.k == ex.k && ldb.j > ex.j);
    const bool ex_go = !ex.done && a_ahead && b_ahead && ldd.done;
    /* store may go once the computes of its block have been issued (ex_ahead) */
    const uint32_t st_blocks = min_u32(c_blocks, J - stc.j);
    const bool st_go = !stc.done && (ex.done || (ex.k == K - 1 && (ex.j >= stc.j + st_blocks ||
                                                                   (ex.j == stc.j + st_blocks - 1 && ex.i > stc.i))));
    if (st_go && st_room) {
      current_kind = KIND_MVOUT;
      kind_counts[KIND_MVOUT]++;
      const uint32_t cols = st_blocks * DIM - (stc.j + st_blocks >= J ? pad_j : 0);
      const uint32_t rows = DIM - (stc.i == I - 1 ? pad_i : 0);
      const uint64_t dram = C + ((uint64_t)stc.i * loop_ws_config.c_stride + stc.j) * DIM * (full_c ? sizeof(acc_t) : sizeof(elem_t));
      const uint32_t local = ADDR_ACC_BIT | (full_c ? ADDR_READ_FULL_BIT : 0) | (c_start + (stc.i * J + stc.j) * DIM);
      exec_mvout(dram, local, cols, rows);
      if (step(&stc.i, 1, I) && step(&stc.j, c_blocks, J)) stc.done = true;
    } else if (ex_go && ex_room) {
      const uint32_t a_row = a_tr ? ex.k : ex.i, a_col = a_tr ? ex.i : ex.k;
      const uint32_t b_row = b_tr ? ex.j : ex.k, b_col = b_tr ? ex.k : ex.j;
      if (!ex_preload_sent) {
        current_kind = KIND_PRELOAD;
        kind_counts[KIND_PRELOAD]++;
        const uint32_t b_addr = ex.i == 0 ? b_start + (b_row * b_max_col + b_col) * DIM : GARBAGE_ADDR;
        const uint64_t b_rows = DIM - (ex.k == K - 1 ? pad_k : 0), b_cols = DIM - (ex.j == J - 1 ? pad_j : 0);
        const uint32_t c_addr = ADDR_ACC_BIT | (ex_accumulate || ex.k != 0 ? ADDR_ACCUMULATE_BIT : 0) |
                                (c_start + (ex.i * J + ex.j) * DIM);
        const uint64_t c_rows = DIM - (ex.i == I - 1 ? pad_i : 0), c_cols = b_cols;
        exec_preload((b_rows << 48) | (b_cols << 32) | b_addr, (c_rows << 48) | (c_cols << 32) | c_addr);
        ex_preload_sent = true;
      } else {
        const bool first = ex.i == 0;
        current_kind = first ? KIND_COMPUTE_PRELOADED : KIND_COMPUTE_ACCUMULATED;
        kind_counts[current_kind]++;
        const uint32_t a_addr = a_start + (a_row * a_max_col + a_col) * DIM;
        const uint64_t a_rows = DIM - (ex.i == I - 1 ? pad_i : 0), a_cols = DIM - (ex.k == K - 1 ? pad_k : 0);
        exec_compute(first, (a_rows << 48) | (a_cols << 32) | a_addr,
                     ((uint64_t)DIM << 48) | ((uint64_t)DIM << 32) | GARBAGE_ADDR);
        ex_preload_sent = false;
        if (step(&ex.i, 1, I) && step(&ex.j, 1, J) && step(&ex.k, 1, K)) ex.done = true;
      }
    } else if (!ldd.done && ld_room) {
      current_kind = KIND_MVIN3;
      kind_counts[KIND_MVIN3]++;
      const uint32_t blocks = min_u32(d_blocks, J - ldd.j);
      const uint32_t cols = blocks * DIM - (ldd.j + blocks >= J ? pad_j : 0);
      const uint32_t rows = DIM - (ldd.i == I - 1 ? pad_i : 0);
      const uint64_t dram = D + ((uint64_t)ldd.i * loop_ws_config.d_stride + ldd.j) * DIM * (low_d ? sizeof(elem_t) : sizeof(acc_t));
      exec_mvin(2, dram, ADDR_ACC_BIT | (c_start + (ldd.i * J + ldd.j) * DIM), cols, rows);
      if (step(&ldd.i, 1, I) && step(&ldd.j, d_blocks, J)) ldd.done = true;
    } else if ((!lda.done || !ldb.done) && ld_room) {
      /* WeightedArbiter.scala picks between A and B; tc serves the one execute waits
       * for, otherwise alternates */
      bool take_a = !lda.done && (ldb.done || (!a_ahead && b_ahead) || (a_ahead == b_ahead && prefer_a));
      prefer_a = !take_a;
      if (take_a) {
        current_kind = KIND_MVIN;
        kind_counts[KIND_MVIN]++;
        const uint32_t row = a_tr ? lda.k : lda.i, col = a_tr ? lda.i : lda.k;
        const uint32_t blocks = min_u32(a_blocks, a_max_col - col);
        const uint32_t col_pad = a_tr ? pad_i : pad_k, row_pad = a_tr ? pad_k : pad_i;
        const uint32_t cols = blocks * DIM - (col + blocks >= a_max_col ? col_pad : 0);
        const uint32_t rows = DIM - (row == a_max_row - 1 ? row_pad : 0);
        const uint64_t dram = A + ((uint64_t)row * loop_ws_config.a_stride + col) * DIM * sizeof(elem_t);
        exec_mvin(0, dram, a_start + (row * a_max_col + col) * DIM, cols, rows);
        const uint32_t i_step = a_tr ? a_blocks : 1, k_step = a_tr ? 1 : a_blocks;
        if (step(&lda.i, i_step, I) && step(&lda.k, k_step, K)) lda.done = true;
      } else {
        current_kind = KIND_MVIN2;
        kind_counts[KIND_MVIN2]++;
        const uint32_t row = b_tr ? ldb.j : ldb.k, col = b_tr ? ldb.k : ldb.j;
        const uint32_t blocks = min_u32(b_blocks, b_max_col - col);
        const uint32_t col_pad = b_tr ? pad_k : pad_j, row_pad = b_tr ? pad_j : pad_k;
        const uint32_t cols = blocks * DIM - (col + blocks >= b_max_col ? col_pad : 0);
        const uint32_t rows = DIM - (row == b_max_row - 1 ? row_pad : 0);
        const uint64_t dram = B + ((uint64_t)row * loop_ws_config.b_stride + col) * DIM * sizeof(elem_t);
        exec_mvin(1, dram, b_start + (row * b_max_col + col) * DIM, cols, rows);
        const uint32_t j_step = b_tr ? 1 : b_blocks, k_step = b_tr ? b_blocks : 1;
        if (step(&ldb.j, j_step, J) && step(&ldb.k, k_step, K)) ldb.done = true;
      }
    } else {
      /* nothing may go: wait for the next completion in a full queue */
      uint64_t next = UINT64_MAX;
      for (int q = 0; q < Q_COUNT; q++)
        if (queues[q].count > 0 && queues[q].entries[queues[q].head].end_cycle < next)
          next = queues[q].entries[queues[q].head].end_cycle;
      if (next == UINT64_MAX) model_error("internal: loop_ws unroller stalled with nothing in flight");
      cycle = next;
      continue;
    }
    executed_instructions++;
  }

  current_from_loop = false;
  current_kind = KIND_LOOP_WS;
  issuer_cycle = saved_issuer;
  issuer_step_cycles = saved_step;
  unroller_free_cycle = cycle;
  /* LoopMatmul.scala holds other commands back while a loop is configured */
  host_cycle = max_u64(host_cycle, cycle);
}

/* ====================================================================== counters */
#define COUNTERS 8
static struct {
  unsigned event;
  uint64_t base, snapshot;
} counters[COUNTERS];
static bool counter_snapshot_active;

static uint64_t counter_event_value(unsigned event) {
  switch (event) {
    case MAIN_LD_CYCLES: return queues[Q_LD].busy_cycles;
    case MAIN_ST_CYCLES: return queues[Q_ST].busy_cycles;
    case MAIN_EX_CYCLES:
    case EXE_ACTIVE_CYCLE: return queues[Q_EX].busy_cycles;
    default: return 0; /* other events are not modelled; they read as 0 */
  }
}

static uint64_t exec_counter(uint64_t config) {
  const unsigned index = (config >> 4) & 7;
  if (config & 1)
    for (unsigned n = 0; n < COUNTERS; n++) counters[n].base = counter_event_value(counters[n].event);
  if (config & 2) counter_snapshot_active = false;
  if (config & 4) {
    counter_snapshot_active = true;
    for (unsigned n = 0; n < COUNTERS; n++) counters[n].snapshot = counter_event_value(counters[n].event) - counters[n].base;
  }
  if (config & 8) {
    counters[index].event = (config >> 12) & 0x3F;
    counters[index].base = counter_event_value(counters[index].event);
  }
  host_cycle += COUNTER_RESPONSE_CYCLES;
  if (counter_snapshot_active) return counters[index].snapshot;
  return counter_event_value(counters[index].event) - counters[index].base;
}

/* ====================================================================== report / trace */
static uint64_t completion_cycle(void) {
  return max_u64(max_u64(last_completion_cycle, dram_writes_done_cycle), max_u64(host_cycle, unroller_free_cycle));
}

uint64_t gemmini_model_cycles(void) { return completion_cycle(); }

void gemmini_model_print_report_to(FILE *out) {
  const uint64_t cycles = completion_cycle();
  const double ideal = (double)macs / ((double)DIM * DIM);
  fprintf(out, "tc-model: begin version=1\n");
  fprintf(out,
          "tc-model: config name=%s dim=%d spad_rows=%u acc_rows=%u spatial_output_bits=%d dma_bus_bytes=%d "
          "mem_latency_cycles=%d max_inflight_reqs=%d ld_entries=%d ex_entries=%d st_entries=%d "
          "host_cycles_per_rocc=%d\n",
          TC_CONFIG_NAME, DIM, (unsigned)SP_ROWS, (unsigned)ACC_ROWS, TC_SPATIAL_OUTPUT_BITS, TC_DMA_BUS_BYTES,
          TC_MEM_LATENCY_CYCLES, TC_MAX_INFLIGHT_REQS, TC_LD_QUEUE, TC_EX_QUEUE, TC_ST_QUEUE, TC_HOST_CYCLES_PER_ROCC);
  fprintf(out,
          "tc-model: summary cycles=%llu host_instructions=%llu executed_instructions=%llu macs=%llu "
          "ideal_mac_cycles=%llu utilization=%.6f dram_bytes_read=%llu dram_bytes_written=%llu "
          "dram_read_requests=%llu dram_write_requests=%llu dram_hazard_warnings=%llu\n",
          (unsigned long long)cycles, (unsigned long long)host_instructions, (unsigned long long)executed_instructions,
          (unsigned long long)macs, (unsigned long long)ceil_div(macs, (uint64_t)DIM * DIM),
          cycles ? ideal / (double)cycles : 0.0, (unsigned long long)dram_bytes_read,
          (unsigned long long)dram_bytes_written, (unsigned long long)dram_read_requests,
          (unsigned long long)dram_write_requests, (unsigned long long)dram_hazard_warnings);
  for (int q = 0; q < Q_COUNT; q++)
    fprintf(out, "tc-model: queue name=%s busy_cycles=%llu instructions=%llu\n", QUEUE_NAMES[q],
            (unsigned long long)queues[q].busy_cycles, (unsigned long long)queues[q].instructions);
  for (int k = 0; k < KIND_COUNT; k++)
    if (kind_counts[k]) fprintf(out, "tc-model: kind name=%s count=%llu\n", KIND_NAMES[k], (unsigned long long)kind_counts[k]);
  fprintf(out, "tc-model: end\n");
  fflush(out);
}

void gemmini_model_print_report(void) {
  report_printed = true;
  gemmini_model_print_report_to(stdout);
}

void gemmini_model_enable_trace(void) { trace_enabled = true; }

/* Chrome trace-event JSON: one thread per queue, one complete ("X") event per
 * instruction; timestamps are cycles shown as microseconds. */
int gemmini_model_write_trace(const char *path) {
#ifdef TC_MODEL_EMULATOR
  (void)path; /* bare metal: no files */
  return -1;
#else
  FILE *file = fopen(path, "w");
  if (!file) return -1;
  fprintf(file, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
  for (int q = 0; q < Q_COUNT; q++)
    fprintf(file, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"%s\"}},\n", q + 1,
            QUEUE_NAMES[q]);
  fprintf(file, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"gemmini %s\"}}",
          TC_CONFIG_NAME);
  for (size_t n = 0; n < trace_count; n++) {
    const trace_event_t *event = &trace_events[n];
    fprintf(file,
            ",\n{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%llu,\"dur\":%llu,"
            "\"args\":{\"instruction\":%llu,\"from_loop_ws\":%s}}",
            KIND_NAMES[event->kind], QUEUE_NAMES[event->queue], event->queue + 1, (unsigned long long)event->start,
            (unsigned long long)event->duration, (unsigned long long)event->index, event->from_loop ? "true" : "false");
  }
  fprintf(file, "\n]}\n");
  return fclose(file) == 0 ? 0 : -1;
#endif
}

static void at_exit(void) {
  if (stopped_on_error) return;
  if (trace_path && gemmini_model_write_trace(trace_path) != 0)
    fprintf(stderr, "gemmini model: warning: could not write the trace to %s\n", trace_path);
  const char *report = getenv("TC_MODEL_REPORT");
  if (!report_printed && !(report && strcmp(report, "0") == 0)) gemmini_model_print_report();
}

static void initialize(void) {
  initialized = true;
#ifdef TC_HAVE_AVX2_KERNEL
  __builtin_cpu_init();
  cpu_has_avx2 = __builtin_cpu_supports("avx2") && !getenv("TC_MODEL_NO_AVX2");
#endif
  const unsigned capacities[Q_COUNT] = {TC_LD_QUEUE, TC_EX_QUEUE, TC_ST_QUEUE};
  for (int q = 0; q < Q_COUNT; q++) {
    queues[q].capacity = capacities[q] < 1 ? 1 : capacities[q] > MAX_RS_ENTRIES ? MAX_RS_ENTRIES : capacities[q];
  }
  /* Reset values: the RTL leaves most registers undefined; tc picks identities. */
  for (int channel = 0; channel < 3; channel++) {
    load_channels[channel].dram_stride_bytes = DIM * sizeof(elem_t);
    load_channels[channel].scale = 1.0f;
    load_channels[channel].block_stride_rows = DIM;
  }
  st_config.dram_stride_bytes = DIM * sizeof(elem_t);
  st_config.acc_scale = 1.0f;
  ex_config.dataflow = TC_HAS_WS ? WEIGHT_STATIONARY : OUTPUT_STATIONARY;
  ex_config.a_stride_rows = 1;
  ex_config.c_stride_rows = 1;
  preload_state.bd_addr = preload_state.c_addr = GARBAGE_ADDR;
  mesh_weight_cols = DIM;
  const char *path = getenv("TC_TRACE");
  if (path && *path) {
    trace_path = path;
    trace_enabled = true;
  }
  atexit(at_exit);
}

/* ====================================================================== entry */
void gemmini_rocc(uint64_t funct, uint64_t rs1, uint64_t rs2) {
  if (!initialized) initialize();
  current_index = host_instructions++;
  current_from_loop = false;
  switch (funct) {
    case k_CONFIG: exec_config(rs1, rs2); break;
    case k_MVIN:
      current_kind = KIND_MVIN;
      exec_mvin(0, rs1, (uint32_t)rs2, (rs2 >> 32) & 0xFFFF, (rs2 >> 48) & 0xFFFF);
      break;
    case k_MVIN2:
      current_kind = KIND_MVIN2;
      exec_mvin(1, rs1, (uint32_t)rs2, (rs2 >> 32) & 0xFFFF, (rs2 >> 48) & 0xFFFF);
      break;
    case k_MVIN3:
      current_kind = KIND_MVIN3;
      exec_mvin(2, rs1, (uint32_t)rs2, (rs2 >> 32) & 0xFFFF, (rs2 >> 48) & 0xFFFF);
      break;
    case k_MVOUT:
      current_kind = KIND_MVOUT;
      exec_mvout(rs1, (uint32_t)rs2, (rs2 >> 32) & 0xFFFF, (rs2 >> 48) & 0xFFFF);
      break;
    case k_PRELOAD:
      current_kind = KIND_PRELOAD;
      exec_preload(rs1, rs2);
      break;
    case k_COMPUTE_PRELOADED:
      current_kind = KIND_COMPUTE_PRELOADED;
      exec_compute(true, rs1, rs2);
      break;
    case k_COMPUTE_ACCUMULATE:
      current_kind = KIND_COMPUTE_ACCUMULATED;
      exec_compute(false, rs1, rs2);
      break;
    case k_FLUSH:
      /* README: flush acts at once on the TLB; the model has no TLB */
      current_kind = KIND_FLUSH;
      host_cycle += 1;
      break;
    case k_LOOP_WS_CONFIG_BOUNDS:
      current_kind = KIND_LOOP_WS_CONFIG;
      loop_ws_config.max_i = rs2 & 0xFFFF;
      loop_ws_config.max_j = (rs2 >> 16) & 0xFFFF;
      loop_ws_config.max_k = (rs2 >> 32) & 0xFFFF;
      loop_ws_config.pad_i = rs1 & 0xFFFF;
      loop_ws_config.pad_j = (rs1 >> 16) & 0xFFFF;
      loop_ws_config.pad_k = (rs1 >> 32) & 0xFFFF;
      host_cycle += TC_HOST_CYCLES_PER_ROCC;
      break;
    case k_LOOP_WS_CONFIG_ADDRS_AB:
      current_kind = KIND_LOOP_WS_CONFIG;
      loop_ws_config.a_dram = rs1;
      loop_ws_config.b_dram = rs2;
      host_cycle += TC_HOST_CYCLES_PER_ROCC;
      break;
    case k_LOOP_WS_CONFIG_ADDRS_DC:
      current_kind = KIND_LOOP_WS_CONFIG;
      loop_ws_config.d_dram = rs1;
      loop_ws_config.c_dram = rs2;
      host_cycle += TC_HOST_CYCLES_PER_ROCC;
      break;
    case k_LOOP_WS_CONFIG_STRIDES_AB:
      current_kind = KIND_LOOP_WS_CONFIG;
      loop_ws_config.a_stride = rs1;
      loop_ws_config.b_stride = rs2;
      host_cycle += TC_HOST_CYCLES_PER_ROCC;
      break;
    case k_LOOP_WS_CONFIG_STRIDES_DC:
      current_kind = KIND_LOOP_WS_CONFIG;
      loop_ws_config.d_stride = rs1;
      loop_ws_config.c_stride = rs2;
      host_cycle += TC_HOST_CYCLES_PER_ROCC;
      break;
    case k_LOOP_WS:
      current_kind = KIND_LOOP_WS;
      host_cycle += TC_HOST_CYCLES_PER_ROCC;
      run_loop_ws(rs1, rs2);
      break;
    case k_LOOP_CONV_WS:
    case k_LOOP_CONV_WS_CONFIG_1:
    case k_LOOP_CONV_WS_CONFIG_2:
    case k_LOOP_CONV_WS_CONFIG_3:
    case k_LOOP_CONV_WS_CONFIG_4:
    case k_LOOP_CONV_WS_CONFIG_5:
    case k_LOOP_CONV_WS_CONFIG_6:
      current_kind = KIND_LOOP_CONV_WS;
      model_error("loop_conv_ws (funct %llu) is not implemented by the host model; tile the convolution "
                  "with mvin/preload/compute/mvout or loop_ws",
                  (unsigned long long)funct);
    case k_COUNTER:
      current_kind = KIND_COUNTER;
      last_rd_value = exec_counter(rs1);
      break;
    case TC_HOST_FUNCT_FENCE:
      current_kind = KIND_FENCE;
      host_instructions--; /* a fence is a host instruction, not a Gemmini one */
      host_cycle = completion_cycle() + FENCE_CYCLES;
      for (unsigned n = 0; n < RECENT_STORES; n++) recent_stores[n].hi = 0;
      break;
    default:
      current_kind = KIND_UNKNOWN;
      model_error("unknown funct %llu (rs1=0x%llx, rs2=0x%llx)", (unsigned long long)funct, (unsigned long long)rs1,
                  (unsigned long long)rs2);
  }
  kind_counts[current_kind]++;
  if (current_kind != KIND_FENCE) executed_instructions++;
}

uint64_t gemmini_rocc_result(void) { return last_rd_value; }
