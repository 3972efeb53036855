# guests/guests.mk — the bundled teaching kernel (guests/kernel), its ring-3
# programs (guests/user) and the initrd that carries them. Included by the
# top Makefile.am; built with $(GUEST_CC)/$(GUEST_LD)/$(NASM) in 32-bit
# freestanding mode. Outputs: guests/kernel/kernel.elf, guests/kernel/kernel-pv.elf
# (the same sources built with -DPV: the kernel that runs at ring 1 under
# `ringlab pg vmm --strategy pv`) and guests/initrd.img, installed as
# $(pkgdatadir)/kernel.elf, kernel-pv.elf and initrd.img.

GUEST_KERNEL_HDRS = \
	guests/kernel/defs.h guests/kernel/elf.h guests/kernel/initrd.h \
	guests/kernel/mmu.h guests/kernel/multiboot.h guests/kernel/proc.h \
	guests/kernel/syscall.h guests/kernel/trap.h guests/kernel/x86.h \
	guests/kernel/hypercall.h
GUEST_KERNEL_CSRC = \
	guests/kernel/main.c guests/kernel/seg.c guests/kernel/trap.c \
	guests/kernel/pic.c guests/kernel/timer.c guests/kernel/uart.c \
	guests/kernel/vga.c guests/kernel/console.c guests/kernel/kalloc.c \
	guests/kernel/vm.c guests/kernel/proc.c guests/kernel/exec.c \
	guests/kernel/initrd.c guests/kernel/file.c guests/kernel/syscall.c \
	guests/kernel/ring1.c guests/kernel/ioperm.c guests/kernel/ptrace.c \
	guests/kernel/shm.c
GUEST_KERNEL_ASRC = guests/kernel/entry.asm guests/kernel/trapasm.asm guests/kernel/ring1svc.asm
GUEST_KERNEL_OBJS = $(GUEST_KERNEL_ASRC:.asm=.o) $(GUEST_KERNEL_CSRC:.c=.o) $(GUEST_LIB_OBJS)
# The paravirtual build: every object again, with -DPV, under guests/kernel/pv/.
GUEST_KERNEL_PV_OBJS = $(GUEST_KERNEL_ASRC:guests/kernel/%.asm=guests/kernel/pv/%.o) \
	$(GUEST_KERNEL_CSRC:guests/kernel/%.c=guests/kernel/pv/%.o) $(GUEST_LIB_OBJS)

# The little C library both the kernel and the programs link.
GUEST_LIB_SRC = guests/lib/string.c guests/lib/format.c
GUEST_LIB_OBJS = $(GUEST_LIB_SRC:.c=.o)

GUEST_ULIB_SRC = guests/user/crt0.c guests/user/usys.c guests/user/ulib.c
GUEST_ULIB_OBJS = $(GUEST_ULIB_SRC:.c=.o) $(GUEST_LIB_OBJS)
GUEST_USER_PROGS = init sh ls hello syscalls lazy cow segv kread priv spin pingpong \
	cross ring1 uartd peek shm
GUEST_USER_BINS = $(GUEST_USER_PROGS:%=guests/user/%)
GUEST_USER_OBJS = $(GUEST_USER_PROGS:%=guests/user/%.o)

GUEST_INCLUDES = -I$(srcdir)/guests/lib -I$(srcdir)/guests/kernel -I$(srcdir)/guests/user
# -march=i486 for the kernel and the programs: the kernel needs a 486
# (invlpg, CR0.WP) and nothing newer, so no cmov: it boots on every CPU
# model, "-cpu 486" and "-cpu pentium" too.
BUNDLED_GUEST_FLAGS = -march=i486 -Wno-unused-parameter

# The kernel and the programs are built as data: automake knows nothing of
# 32-bit ELF. The pattern rules carry the guests/ prefix so they apply to
# these files only.
guests/lib/%.o: $(srcdir)/guests/lib/%.c $(srcdir)/guests/lib/lib.h
	@$(MKDIR_P) guests/lib
	$(AM_V_CC)$(GUEST_CC) $(GUEST_CFLAGS) $(BUNDLED_GUEST_FLAGS) $(GUEST_INCLUDES) -c -o $@ $<

guests/kernel/%.o: $(srcdir)/guests/kernel/%.c $(GUEST_KERNEL_HDRS:%=$(srcdir)/%) $(srcdir)/guests/lib/lib.h
	@$(MKDIR_P) guests/kernel
	$(AM_V_CC)$(GUEST_CC) $(GUEST_CFLAGS) $(BUNDLED_GUEST_FLAGS) $(GUEST_INCLUDES) -c -o $@ $<

guests/kernel/%.o: $(srcdir)/guests/kernel/%.asm
	@$(MKDIR_P) guests/kernel
	$(AM_V_GEN)$(NASM) -f elf32 -g -o $@ $<

guests/kernel/pv/%.o: $(srcdir)/guests/kernel/%.c $(GUEST_KERNEL_HDRS:%=$(srcdir)/%) $(srcdir)/guests/lib/lib.h
	@$(MKDIR_P) guests/kernel/pv
	$(AM_V_CC)$(GUEST_CC) $(GUEST_CFLAGS) $(BUNDLED_GUEST_FLAGS) -DPV $(GUEST_INCLUDES) -c -o $@ $<

guests/kernel/pv/%.o: $(srcdir)/guests/kernel/%.asm
	@$(MKDIR_P) guests/kernel/pv
	$(AM_V_GEN)$(NASM) -f elf32 -g -DPV -o $@ $<

guests/user/%.o: $(srcdir)/guests/user/%.c $(srcdir)/guests/user/user.h $(srcdir)/guests/kernel/syscall.h $(srcdir)/guests/lib/lib.h
	@$(MKDIR_P) guests/user
	$(AM_V_CC)$(GUEST_CC) $(GUEST_CFLAGS) $(BUNDLED_GUEST_FLAGS) $(GUEST_INCLUDES) -c -o $@ $<

guests/kernel/kernel.elf: $(GUEST_KERNEL_OBJS) $(srcdir)/guests/kernel/kernel.ld
	$(AM_V_GEN)$(GUEST_LD) $(GUEST_LINK_FLAGS) -T $(srcdir)/guests/kernel/kernel.ld -o $@ $(GUEST_KERNEL_OBJS)

guests/kernel/kernel-pv.elf: $(GUEST_KERNEL_PV_OBJS) $(srcdir)/guests/kernel/kernel.ld
	$(AM_V_GEN)$(GUEST_LD) $(GUEST_LINK_FLAGS) -T $(srcdir)/guests/kernel/kernel.ld -o $@ $(GUEST_KERNEL_PV_OBJS)

$(GUEST_USER_BINS): %: %.o $(GUEST_ULIB_OBJS) $(srcdir)/guests/user/user.ld
	$(AM_V_GEN)$(GUEST_LD) $(GUEST_LINK_FLAGS) -S -T $(srcdir)/guests/user/user.ld -o $@ $@.o $(GUEST_ULIB_OBJS)

# mkinitrd runs on the build machine, so it is built with $(CC).
guests/mkinitrd$(EXEEXT): $(srcdir)/guests/mkinitrd.c
	@$(MKDIR_P) guests
	$(AM_V_CC)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(srcdir)/guests/mkinitrd.c

guests/initrd.img: guests/mkinitrd$(EXEEXT) $(GUEST_USER_BINS)
	$(AM_V_GEN)guests/mkinitrd$(EXEEXT) $@ $(GUEST_USER_BINS)

guestdir = $(pkgdatadir)
nodist_guest_DATA = guests/kernel/kernel.elf guests/kernel/kernel-pv.elf guests/initrd.img

EXTRA_DIST += guests/README.md guests/guests.mk guests/mkinitrd.c \
	guests/kernel/kernel.ld guests/user/user.ld guests/user/user.h \
	$(GUEST_KERNEL_HDRS) $(GUEST_KERNEL_CSRC) $(GUEST_KERNEL_ASRC) \
	$(GUEST_ULIB_SRC) $(GUEST_USER_PROGS:%=guests/user/%.c) \
	guests/lib/lib.h $(GUEST_LIB_SRC)
CLEANFILES += $(nodist_guest_DATA) $(GUEST_KERNEL_OBJS) $(GUEST_KERNEL_PV_OBJS) $(GUEST_ULIB_OBJS) \
	$(GUEST_USER_OBJS) $(GUEST_USER_BINS) guests/mkinitrd$(EXEEXT)

# The scripted shell session and the ring crossings of hello, under
# qemu-system-i386 (or any emulator taking the same options:
# EMU=./ringlab make check).
TESTS += tests/kernel/session.sh tests/kernel/hello-trace.sh
EXTRA_DIST += tests/kernel/session.sh tests/kernel/hello-trace.sh tests/kernel/emulator.sh \
	tests/kernel/shell.sh
CLEANFILES += tests/kernel/session.log tests/kernel/session.transcript \
	tests/kernel/hello-trace.log

# ringlab's own trace of hello, where SYSENTER and SYSEXIT show too.
TESTS += tests/kernel/hello-jsontrace.sh
EXTRA_DIST += tests/kernel/hello-jsontrace.sh
CLEANFILES += tests/kernel/hello-jsontrace.jsonl tests/kernel/hello-jsontrace.out

# "ring1 limit": ring 1 reads the kernel through a segment that ends below
# it. The SDM says #GP(0), and the test expects it of ringlab, explained.
# QEMU's run must show its documented difference: no fault.
TESTS += tests/kernel/ring1-limit.sh
EXTRA_DIST += tests/kernel/ring1-limit.sh
CLEANFILES += tests/kernel/ring1-limit-qemu.log tests/kernel/ring1-limit-qemu.int \
	tests/kernel/ring1-limit-sdm.log tests/kernel/ring1-limit-sdm.int

# cross's times under ringlab's virtual clock: the same in two runs, and a
# system call dearer than a function call.
TESTS += tests/kernel/cross-clock.sh
EXTRA_DIST += tests/kernel/cross-clock.sh
CLEANFILES += tests/kernel/cross-clock.1 tests/kernel/cross-clock.2 \
	tests/kernel/cross-clock.1.lines tests/kernel/cross-clock.2.lines

# docs/tour.md stays true: its commands typed into a fresh boot under
# ./ringlab, its console, -d int and --trace excerpts found in what comes out.
TESTS += tests/kernel/tour.sh
EXTRA_DIST += tests/kernel/tour.sh docs/tour.md
CLEANFILES += tests/kernel/tour.log tests/kernel/tour.transcript \
	tests/kernel/tour.int tests/kernel/tour.jsonl

# The debugger names the bundled kernel's system calls and their arguments.
TESTS += tests/kernel/debugger-syscalls.sh
EXTRA_DIST += tests/kernel/debugger-syscalls.sh

# The same session under qemu-system-i386 and ./ringlab: same transcript,
# same system calls and faults in the same order (skipped until both exist).
TESTS += tests/kernel/compare.sh
EXTRA_DIST += tests/kernel/compare.sh
CLEANFILES += tests/kernel/compare.events.diff \
	tests/kernel/compare-qemu.transcript tests/kernel/compare-qemu.log \
	tests/kernel/compare-qemu.int tests/kernel/compare-qemu.events \
	tests/kernel/compare-ringlab.transcript tests/kernel/compare-ringlab.log \
	tests/kernel/compare-ringlab.int tests/kernel/compare-ringlab.events

# A run cut into pieces by the debugger at every system call and fault tells
# the same story as one run: the same -d int log, JSON trace and console.
TESTS += tests/kernel/split-run.sh
EXTRA_DIST += tests/kernel/split-run.sh

# The text debugger on the bundled kernel (its transcript checked in order),
# and its answers to bad input.
TESTS += tests/debug/session.sh tests/debug/errors.sh tests/debug/terminal.sh
EXTRA_DIST += tests/debug/session.sh tests/debug/errors.sh tests/debug/hello-segv.dbg \
	tests/debug/terminal.sh tests/debug/terminal.py
CLEANFILES += tests/debug/session.transcript

# Stepping onto a segment-limit fault (the guest is one of tests/guests').
TESTS += tests/debug/seg-step.sh
EXTRA_DIST += tests/debug/seg-step.sh
CLEANFILES += tests/debug/seg-step.transcript tests/debug/seg-step.transcript.dbg
