/* runtime.h — what the parts of tc's bare-metal RISC-V runtime share.
 *
 *   crt.S        start-up, trap vector (saves all registers into a frame)
 *   runtime.c    stdio on the console, exit, the trap handler
 *   htif.c       console and exit over HTIF (Spike, Chipyard, FireSim)   } one of
 *   virt.c       console on a 16550 UART, exit by the test device (QEMU)  } these
 *   emulate.c    optional: runs Gemmini's custom-3 instructions on tc's model
 */
#ifndef TC_RUNTIME_H
#define TC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

/* The platform: write bytes to the console; end the program with a status. */
void tc_console_write(const char *bytes, size_t count);
void tc_platform_exit(int status) __attribute__((noreturn));

/* An instruction emulator (emulate.c) when linked: given the saved registers
 * x0..x31 of the interrupted program and the instruction that trapped as
 * illegal, emulates it and returns 1, or returns 0 if it is not its own. */
int tc_emulate_instruction(uint64_t regs[32], uint32_t instruction) __attribute__((weak));

/* Exit status of a program stopped by an unexpected trap (after a tc-trap line). */
#define TC_TRAP_EXIT_STATUS 99

#endif /* TC_RUNTIME_H */
