# Benchmarks (not tests): `make bench` times the workloads under ringlab,
# qemu-system-i386 and bare Unicorn and prints the ratios (bench/README.md);
# `make bench BENCH_FORMAT=json` prints them as JSON, BENCH_RUNS=N sets how
# many alternating runs each median is taken over.  The results are also
# left in bench/results.text or bench/results.json (what make printed while
# building the guests is not in them).
BENCH_GUESTS = bench/compute-small.elf bench/compute-big.elf \
	bench/stores-small.elf bench/stores-big.elf \
	bench/compute-limited-small.elf bench/compute-limited-big.elf \
	bench/syscall-small.elf bench/syscall-big.elf \
	bench/sysenter-small.elf bench/sysenter-big.elf
EXTRA_DIST += bench/compute.asm bench/syscall.asm bench/guest.ld bench/run bench/raw_unicorn.c \
	bench/drive.c bench/README.md
EXTRA_PROGRAMS += bench/raw_unicorn bench/drive
bench_raw_unicorn_SOURCES = bench/raw_unicorn.c
bench_raw_unicorn_CFLAGS = $(AM_CFLAGS) $(UNICORN_CFLAGS)
bench_raw_unicorn_LDADD = $(UNICORN_LIBS)
bench_drive_SOURCES = bench/drive.c
CLEANFILES += $(BENCH_GUESTS) bench/raw_unicorn bench/drive bench/*.o bench/results.*
BENCH_FORMAT = text
BENCH_RUNS = 5

# bench_guest SOURCE, ITERATIONS, extra nasm flags
bench_guest = $(MKDIR_P) bench && \
	$(NASM) -f elf32 -DITERATIONS=$(2) $(3) -o $@.o $(srcdir)/bench/$(1) && \
	$(GUEST_LD) -m elf_i386 -T $(srcdir)/bench/guest.ld -o $@ $@.o
bench/compute-small.elf: $(srcdir)/bench/compute.asm $(srcdir)/bench/guest.ld
	$(AM_V_GEN)$(call bench_guest,compute.asm,10000000,)
bench/compute-big.elf: $(srcdir)/bench/compute.asm $(srcdir)/bench/guest.ld
	$(AM_V_GEN)$(call bench_guest,compute.asm,200000000,)
bench/stores-small.elf: $(srcdir)/bench/compute.asm $(srcdir)/bench/guest.ld
	$(AM_V_GEN)$(call bench_guest,compute.asm,10000000,-DSTORES)
bench/stores-big.elf: $(srcdir)/bench/compute.asm $(srcdir)/bench/guest.ld
	$(AM_V_GEN)$(call bench_guest,compute.asm,200000000,-DSTORES)
bench/compute-limited-small.elf: $(srcdir)/bench/compute.asm $(srcdir)/bench/guest.ld
	$(AM_V_GEN)$(call bench_guest,compute.asm,100000,-DLIMITED)
bench/compute-limited-big.elf: $(srcdir)/bench/compute.asm $(srcdir)/bench/guest.ld
	$(AM_V_GEN)$(call bench_guest,compute.asm,1000000,-DLIMITED)
bench/syscall-small.elf: $(srcdir)/bench/syscall.asm $(srcdir)/bench/guest.ld
	$(AM_V_GEN)$(call bench_guest,syscall.asm,100000,)
bench/syscall-big.elf: $(srcdir)/bench/syscall.asm $(srcdir)/bench/guest.ld
	$(AM_V_GEN)$(call bench_guest,syscall.asm,1000000,)
bench/sysenter-small.elf: $(srcdir)/bench/syscall.asm $(srcdir)/bench/guest.ld
	$(AM_V_GEN)$(call bench_guest,syscall.asm,100000,-DSYSENTER)
bench/sysenter-big.elf: $(srcdir)/bench/syscall.asm $(srcdir)/bench/guest.ld
	$(AM_V_GEN)$(call bench_guest,syscall.asm,1000000,-DSYSENTER)

# The view's speed is measured when it is built and xvfb-run is there.
if HAVE_VIEW
BENCH_XVFB_RUN = $(XVFB_RUN)
endif
bench: ringlab$(EXEEXT) bench/raw_unicorn$(EXEEXT) bench/drive$(EXEEXT) $(BENCH_GUESTS) \
		guests/kernel/kernel.elf guests/initrd.img
	BENCH_FORMAT=$(BENCH_FORMAT) BENCH_RUNS=$(BENCH_RUNS) \
	$(SHELL) $(srcdir)/bench/run ./ringlab$(EXEEXT) "$(QEMU_I386)" ./bench/raw_unicorn$(EXEEXT) \
		./bench/drive$(EXEEXT) bench guests/kernel/kernel.elf guests/initrd.img "$(BENCH_XVFB_RUN)" \
		>bench/results.$(BENCH_FORMAT).tmp && \
	mv bench/results.$(BENCH_FORMAT).tmp bench/results.$(BENCH_FORMAT) && \
	cat bench/results.$(BENCH_FORMAT)
.PHONY: bench
