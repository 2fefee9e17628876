/* virt.c — console and exit on QEMU's virt machine: a 16550 UART at
 * 0x10000000 and SiFive's test device at 0x100000 (qemu hw/riscv/virt.c).
 *
 * UART: wait for "transmitter holding register empty" (line status register 5,
 * bit 5), write the transmit register 0. Exit: 0x5555 ends QEMU with status 0;
 * (status << 16) | 0x3333 ends it with that status.
 */
#include <stdint.h>

#include "runtime.h"

#define UART_BASE 0x10000000ul
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define TEST_DEVICE 0x100000ul
#define TEST_PASS 0x5555u
#define TEST_FAIL 0x3333u

void tc_console_write(const char *bytes, size_t count) {
  volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
  for (size_t i = 0; i < count; i++) {
    while (!(uart[UART_LSR] & UART_LSR_THRE)) {
    }
    uart[UART_THR] = (uint8_t)bytes[i];
  }
}

void tc_platform_exit(int status) {
  volatile uint32_t *test = (volatile uint32_t *)TEST_DEVICE;
  const uint32_t code = (uint32_t)status & 0xFFFF;
  for (;;) *test = code == 0 ? TEST_PASS : (code << 16) | TEST_FAIL;
}
