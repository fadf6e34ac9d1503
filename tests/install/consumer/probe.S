/* Assembled only to see the flags steady::steady adds to an assembly source: none
 * (install_test.sh). */
    .text
    .globl steady_consumer_asm_probe
steady_consumer_asm_probe:
    ret
    .section .note.GNU-stack,"",@progbits
