/* Ring-0 test kernel: multiboot v1 entry, long mode, GDT with a 64-bit TSS
 * (VMX needs a non-zero host TR), IDT stubs for all 256 vectors. The first
 * 1 GiB is identity-mapped, and the 2 MiB at 0xFEE00000 (the local APIC,
 * uncached); nothing else. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-aligned modules, memory info */

  .section .multiboot, "a"
  .balign 4
  .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

  .section .bss
  .balign 4096
pml4: .skip 4096
pdpt: .skip 4096
pd:   .skip 4096
pd_3gib: .skip 4096             /* 3-4 GiB: only the local APIC's 2 MiB */
  .balign 16
stack_bottom: .skip 65536
stack_top:
  .globl boot_magic, boot_info
boot_magic: .skip 4
boot_info: .skip 4

  .section .data
  .balign 16
  .globl gdt, gdt_tss
gdt:
  .quad 0                       /* 0x00 null */
  .quad 0x00af9a000000ffff      /* 0x08 64-bit code */
  .quad 0x00cf92000000ffff      /* 0x10 data */
gdt_tss:
  .quad 0, 0                    /* 0x18 64-bit TSS, filled in by kernel_main */
gdt_end:
gdt_pointer:
  .word gdt_end - gdt - 1
  .quad gdt

  .section .text
  .code32
  .globl _start
_start:
  cli
  mov %eax, boot_magic
  mov %ebx, boot_info
  mov $stack_top, %esp
  /* Identity-map the first 1 GiB with 2 MiB pages. */
  mov $pdpt, %eax
  or $3, %eax
  mov %eax, pml4
  mov $pd, %eax
  or $3, %eax
  mov %eax, pdpt
  xor %ecx, %ecx
1:
  mov %ecx, %eax
  shl $21, %eax
  or $0x83, %eax                /* present, writable, 2 MiB */
  mov %eax, pd(, %ecx, 8)
  inc %ecx
  cmp $512, %ecx
  jne 1b
  /* The local APIC: 0xFEE00000 = 3 GiB + 0x1F7 * 2 MiB; PCD|PWT: uncached. */
  mov $pd_3gib, %eax
  or $3, %eax
  mov %eax, pdpt + 3 * 8
  movl $(0xFEE00000 | 0x9b), pd_3gib + 0x1f7 * 8 /* present, writable, PWT, PCD, 2 MiB */
  mov %cr4, %eax
  or $(1 << 5), %eax            /* PAE */
  mov %eax, %cr4
  mov $pml4, %eax
  mov %eax, %cr3
  mov $0xC0000080, %ecx         /* EFER.LME */
  rdmsr
  or $(1 << 8), %eax
  wrmsr
  mov %cr0, %eax
  or $0x80000021, %eax          /* PG, NE, PE */
  mov %eax, %cr0
  lgdt gdt_pointer
  ljmp $0x08, $long_mode

  .code64
long_mode:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov %ax, %fs
  mov %ax, %gs
  mov $stack_top, %rsp
  mov boot_magic(%rip), %edi
  mov boot_info(%rip), %esi
  call kernel_main
2:
  cli
  hlt
  jmp 2b

/* Exception and interrupt stubs: push a uniform frame and call
 * ring0_trap(frame*). Vectors 32-255 (interrupts) have no error code. */
.macro stub vector, has_error
  .balign 16
stub_\vector:
  .if \has_error == 0
  push $0
  .endif
  push $\vector
  jmp common_stub
.endm

common_stub:
  push %rax
  push %rbx
  push %rcx
  push %rdx
  push %rsi
  push %rdi
  push %rbp
  push %r8
  push %r9
  push %r10
  push %r11
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, %rdi
  cld
  call ring0_trap
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %r11
  pop %r10
  pop %r9
  pop %r8
  pop %rbp
  pop %rdi
  pop %rsi
  pop %rdx
  pop %rcx
  pop %rbx
  pop %rax
  add $16, %rsp
  iretq

  stub 0, 0
  stub 1, 0
  stub 2, 0
  stub 3, 0
  stub 4, 0
  stub 5, 0
  stub 6, 0
  stub 7, 0
  stub 8, 1
  stub 9, 0
  stub 10, 1
  stub 11, 1
  stub 12, 1
  stub 13, 1
  stub 14, 1
  stub 15, 0
  stub 16, 0
  stub 17, 1
  stub 18, 0
  stub 19, 0
  stub 20, 0
  stub 21, 1
  stub 22, 0
  stub 23, 0
  stub 24, 0
  stub 25, 0
  stub 26, 0
  stub 27, 0
  stub 28, 0
  stub 29, 1
  stub 30, 1
  stub 31, 0

  .irp hi, 2,3,4,5,6,7,8,9,10,11,12,13,14,15
  .irp lo, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
  .balign 16
interrupt_stub_\hi\()_\lo:
  push $0
  push $(\hi * 16 + \lo)
  jmp common_stub
  .endr
  .endr

  .section .rodata
  .balign 8
  .globl exception_stubs, interrupt_stubs
exception_stubs:
  .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  .quad stub_\v
  .endr
interrupt_stubs:                /* vectors 32-255 */
  .irp hi, 2,3,4,5,6,7,8,9,10,11,12,13,14,15
  .irp lo, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
  .quad interrupt_stub_\hi\()_\lo
  .endr
  .endr
