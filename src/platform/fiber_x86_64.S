/*
 * fiber_x86_64.S: the asm fiber backend for x86-64 System V (see fiber.h for the contract).
 *
 * steady__fiber_asm_switch(void **save_sp /rdi/, void *load_sp /rsi/)
 *   Pushes the callee-saved registers rbp, rbx, r12-r15, then MXCSR and the x87 control word
 *   in one 8-byte slot, stores rsp in *save_sp, loads load_sp into rsp and undoes the same
 *   sequence from the other stack, ending in `ret`. Everything else is caller-saved under the
 *   ABI, so the C caller has already spilled what it needs. MXCSR and the x87 CW are saved
 *   because rounding mode and exception masks are per thread in hardware but per fiber for us:
 *   without it one actor's fesetround() leaks into another. On entry rsp = 8 mod 16 (a call
 *   pushed the return address); 6 pushes and an 8-byte slot make every saved sp 16-aligned.
 *
 *   Frame at a saved sp, upwards: +0 MXCSR (4 bytes), +4 x87 CW (2 bytes), +8 r15, +16 r14,
 *   +24 r13, +32 r12, +40 rbx, +48 rbp, +56 return address. fiber.c builds the same frame for a
 *   new fiber (steady__fiber_backend_prepare) with the return address set to the trampoline.
 *
 * steady__fiber_asm_trampoline
 *   Reached by the `ret` of the first switch into a new fiber, with rsp = 0 mod 16, r12 = the
 *   entry function and r13 = its argument. Clears rbp and marks rip undefined so frame-pointer
 *   and CFI unwinders (sanitizer reports, gdb) stop here, calls r12(r13), and traps if it
 *   ever returns (the entry is _Noreturn).
 *
 * No IBT/SHSTK property note: a `ret` that changes stacks cannot work under user shadow stacks.
 */

    .text

    .globl  steady__fiber_asm_switch
    .hidden steady__fiber_asm_switch
    .type   steady__fiber_asm_switch, @function
    .p2align 4
steady__fiber_asm_switch:
    .cfi_startproc
    pushq   %rbp
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbp, 0
    pushq   %rbx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbx, 0
    pushq   %r12
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r12, 0
    pushq   %r13
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r13, 0
    pushq   %r14
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r14, 0
    pushq   %r15
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r15, 0
    subq    $8, %rsp
    .cfi_adjust_cfa_offset 8
    stmxcsr (%rsp)
    fnstcw  4(%rsp)

    movq    %rsp, (%rdi)            /* suspend: publish our sp to the caller's fiber */
    movq    %rsi, %rsp              /* resume: the other stack has the same frame layout */

    ldmxcsr (%rsp)
    fldcw   4(%rsp)
    addq    $8, %rsp
    .cfi_adjust_cfa_offset -8
    popq    %r15
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r15
    popq    %r14
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r14
    popq    %r13
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r13
    popq    %r12
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r12
    popq    %rbx
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbx
    popq    %rbp
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbp
    ret
    .cfi_endproc
    .size   steady__fiber_asm_switch, .-steady__fiber_asm_switch

    .globl  steady__fiber_asm_trampoline
    .hidden steady__fiber_asm_trampoline
    .type   steady__fiber_asm_trampoline, @function
    .p2align 4
steady__fiber_asm_trampoline:
    .cfi_startproc
    .cfi_undefined rip
    xorl    %ebp, %ebp
    movq    %r13, %rdi
    callq   *%r12
    ud2
    .cfi_endproc
    .size   steady__fiber_asm_trampoline, .-steady__fiber_asm_trampoline

    /* int steady__fiber_backend_is_asm(void): here, so the answer names the linked backend. */
    .globl  steady__fiber_backend_is_asm
    .hidden steady__fiber_backend_is_asm
    .type   steady__fiber_backend_is_asm, @function
    .p2align 4
steady__fiber_backend_is_asm:
    .cfi_startproc
    movl    $1, %eax
    ret
    .cfi_endproc
    .size   steady__fiber_backend_is_asm, .-steady__fiber_backend_is_asm

    .section .note.GNU-stack,"",@progbits
