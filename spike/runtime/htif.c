/* htif.c — console and exit over HTIF, the host-target interface of Spike,
 * Chipyard's RTL simulators and FireSim (the front-end server finds the
 * tohost/fromhost symbols in the ELF).
 *
 * Console: by default the proxied write system call (tohost = address of a
 * 64-byte-aligned block {SYS_write = 64, fd, buffer, length}; the host answers
 * in fromhost), as riscv-tests' benchmarks/common/syscalls.c does: one round
 * trip per line. With TC_HTIF_BCD_CONSOLE, one character per round trip on the
 * console device (device 1, command 1), which QEMU's HTIF also implements.
 * Exit: tohost = (status << 1) | 1.
 */
#include <stdint.h>

#include "runtime.h"

volatile uint64_t tohost __attribute__((section(".tohost"), aligned(64)));
volatile uint64_t fromhost __attribute__((section(".tohost"), aligned(64)));

static void htif_round_trip(uint64_t command) {
  __sync_synchronize();
  tohost = command;
  while (fromhost == 0) {
  }
  fromhost = 0;
  __sync_synchronize();
}

#ifdef TC_HTIF_BCD_CONSOLE
void tc_console_write(const char *bytes, size_t count) {
  for (size_t i = 0; i < count; i++) htif_round_trip((1ull << 56) | (1ull << 48) | (uint8_t)bytes[i]);
}
#else
#define SYS_WRITE 64
void tc_console_write(const char *bytes, size_t count) {
  static volatile uint64_t magic[8] __attribute__((aligned(64)));
  magic[0] = SYS_WRITE;
  magic[1] = 1; /* stdout */
  magic[2] = (uint64_t)(uintptr_t)bytes;
  magic[3] = count;
  htif_round_trip((uint64_t)(uintptr_t)magic);
}
#endif

void tc_platform_exit(int status) {
  for (;;) tohost = ((uint64_t)(uint32_t)status << 1) | 1;
}
