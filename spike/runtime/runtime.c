/* runtime.c — C side of tc's bare-metal RISC-V runtime: picolibc's standard
 * streams on the platform console, _exit, and the machine-mode trap handler.
 *
 * An unexpected trap prints one line and stops the program:
 *   tc-trap mcause=0x2 mepc=0x80001234 mtval=0x0000007b
 * and the runner turns it into a clean error naming the cause and the function.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime.h"

/* ---- standard streams: line-buffered, on the console ---------------------- */
static char out_buffer[1024];
static size_t out_length;

static int flush_console(FILE *file) {
  (void)file;
  if (out_length) tc_console_write(out_buffer, out_length);
  out_length = 0;
  return 0;
}

static int put_console(char c, FILE *file) {
  out_buffer[out_length++] = c;
  if (c == '\n' || out_length == sizeof out_buffer) flush_console(file);
  return (unsigned char)c;
}

static int get_none(FILE *file) {
  (void)file;
  return EOF;
}

static FILE console = FDEV_SETUP_STREAM(put_console, get_none, flush_console, _FDEV_SETUP_RW);
FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;

/* ---- exit -------------------------------------------------------------------- */
void _exit(int status) {
  flush_console(&console);
  tc_platform_exit(status);
}

/* Called by crt.S with the stack, TLS and bss ready. */
int main(int argc, char **argv);
void tc_runtime_start(void) __attribute__((noreturn));
void tc_runtime_start(void) {
  static char *argv[] = {"tc", 0};
  exit(main(1, argv));
}

/* ---- traps -------------------------------------------------------------------- */
#define MCAUSE_ILLEGAL_INSTRUCTION 2

static int in_fatal_trap;

static uint32_t instruction_at(uint64_t pc) {
  /* Halfword reads: with the C extension a 32-bit instruction may be 2-aligned. */
  const volatile uint16_t *p = (const volatile uint16_t *)(uintptr_t)pc;
  return (uint32_t)p[0] | ((uint32_t)p[1] << 16);
}

/* Returns where the program resumes (crt.S writes it to mepc). */
uint64_t tc_trap(uint64_t regs[32], uint64_t mcause, uint64_t mepc, uint64_t mtval) {
  if (mcause == MCAUSE_ILLEGAL_INSTRUCTION && tc_emulate_instruction && !in_fatal_trap) {
    /* QEMU puts the instruction in mtval; hardware may leave it 0. */
    uint32_t instruction = mtval ? (uint32_t)mtval : instruction_at(mepc);
    if ((instruction & 3) == 3 && tc_emulate_instruction(regs, instruction)) return mepc + 4;
  }
  if (in_fatal_trap) tc_platform_exit(TC_TRAP_EXIT_STATUS); /* a trap while reporting one */
  in_fatal_trap = 1;
  flush_console(&console);
  printf("\ntc-trap mcause=0x%llx mepc=0x%llx mtval=0x%llx\n", (unsigned long long)mcause,
         (unsigned long long)mepc, (unsigned long long)mtval);
  _exit(TC_TRAP_EXIT_STATUS);
}
