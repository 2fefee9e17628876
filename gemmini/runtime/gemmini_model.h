/* gemmini_model.h — the host model of Gemmini (gemmini_model.c).
 *
 * Programs written against gemmini.h need nothing from this header: on a
 * non-RISC-V host every instruction already reaches gemmini_rocc(). Harnesses
 * include it to read the model's figures, print its report or write a trace.
 */
#ifndef TC_GEMMINI_MODEL_H
#define TC_GEMMINI_MODEL_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The single instruction entry point (also declared by gemmini.h). */
void gemmini_rocc(uint64_t funct, uint64_t rs1, uint64_t rs2);
/* rd of the last instruction that writes one (the counter instruction). */
uint64_t gemmini_rocc_result(void);

/* Cycle at which everything issued so far has finished (the cycles a fence
 * issued now would return at). */
uint64_t gemmini_model_cycles(void);

/* Prints the machine-readable report (format in gemmini_model.c, "Report") to
 * `out`. The report is also printed to stdout once at exit unless a program
 * printed it itself or TC_MODEL_REPORT=0 is set. */
void gemmini_model_print_report_to(FILE *out);
void gemmini_model_print_report(void);

/* Writes the Chrome trace-event JSON of the timeline so far to `path` (also done
 * at exit when the environment variable TC_TRACE=path is set). Returns 0 on
 * success. Tracing must have been enabled before the first instruction, by
 * TC_TRACE or by gemmini_model_enable_trace(). */
void gemmini_model_enable_trace(void);
int gemmini_model_write_trace(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* TC_GEMMINI_MODEL_H */
