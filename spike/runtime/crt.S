/* crt.S — start-up code and trap vector of tc's bare-metal RISC-V runtime.
 *
 * Entered in machine mode at 0x80000000 (the ELF entry) by Spike, Chipyard's
 * simulators, FireSim and QEMU's virt machine. Hart 0 runs the program; any
 * other hart parks. The trap vector saves every integer and floating-point
 * register, so a trap handler written in C (tc_trap, runtime.c) can read and
 * write the interrupted program's registers, for example to emulate an
 * instruction, and return to it.
 */
#define XLEN_BYTES 8
#define FRAME_X 0                      /* x0..x31 (x0 stored as 0, x2 the sp before the trap) */
#define FRAME_F (32 * XLEN_BYTES)      /* f0..f31 */
#define FRAME_FCSR (64 * XLEN_BYTES)
#define FRAME_SIZE (66 * XLEN_BYTES)   /* 16-byte aligned */

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  csrr t0, mhartid
  bnez t0, park
  la sp, __stack_top
  la tp, __tls_base
  la t0, tc_trap_entry
  csrw mtvec, t0
  /* The floating-point unit and the accelerator interface start off: set
   * mstatus.FS and mstatus.XS (Rocket treats RoCC instructions as illegal
   * while XS is 0, as riscv-tests' crt.S knows); QEMU ignores XS. */
  li t0, (3 << 13) | (3 << 15)
  csrs mstatus, t0
  csrwi fcsr, 0
  la a0, __tbss_start
  la a1, __tbss_end
  call zero_range
  la a0, __bss_start
  la a1, __bss_end
  call zero_range
  call tc_runtime_start             /* runs main and exits; never returns */
park:
  wfi
  j park

zero_range:                         /* [a0, a1), both 8-byte aligned */
  bgeu a0, a1, 2f
1:
  sd zero, 0(a0)
  addi a0, a0, 8
  bltu a0, a1, 1b
2:
  ret

  .text
  .globl tc_trap_entry
  .align 4                          /* mtvec (direct mode) needs 4-byte alignment */
tc_trap_entry:
  addi sp, sp, -FRAME_SIZE
  .irp n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
  sd x\n, (FRAME_X + \n * XLEN_BYTES)(sp)
  .endr
  sd zero, FRAME_X(sp)
  addi t0, sp, FRAME_SIZE
  sd t0, (FRAME_X + 2 * XLEN_BYTES)(sp)
  .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
  fsd f\n, (FRAME_F + \n * XLEN_BYTES)(sp)
  .endr
  frcsr t0
  sd t0, FRAME_FCSR(sp)
  mv a0, sp
  csrr a1, mcause
  csrr a2, mepc
  csrr a3, mtval
  call tc_trap                      /* returns where to resume */
  csrw mepc, a0
  ld t0, FRAME_FCSR(sp)
  fscsr t0
  .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
  fld f\n, (FRAME_F + \n * XLEN_BYTES)(sp)
  .endr
  .irp n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
  ld x\n, (FRAME_X + \n * XLEN_BYTES)(sp)
  .endr
  addi sp, sp, FRAME_SIZE
  mret
