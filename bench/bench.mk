# Benchmarks (not tests): `make bench` times the workloads under ringlab,
# qemu-system-i386 and bare Unicorn and prints the ratios.
BENCH_GUESTS = bench/compute-small.elf bench/compute-big.elf \
	bench/compute-limited-small.elf bench/compute-limited-big.elf \
	bench/syscall-small.elf bench/syscall-big.elf
EXTRA_DIST += bench/compute.asm bench/syscall.asm bench/guest.ld bench/run bench/raw_unicorn.c
EXTRA_PROGRAMS += bench/raw_unicorn
bench_raw_unicorn_SOURCES = bench/raw_unicorn.c
bench_raw_unicorn_CFLAGS = $(AM_CFLAGS) $(UNICORN_CFLAGS)
bench_raw_unicorn_LDADD = $(UNICORN_LIBS)
CLEANFILES += $(BENCH_GUESTS) bench/raw_unicorn bench/*.o

bench/compute-small.elf: $(srcdir)/bench/compute.asm $(srcdir)/bench/guest.ld
	@mkdir -p bench
	$(AM_V_GEN)$(NASM) -f elf32 -DITERATIONS=10000000 -o $@.o $(srcdir)/bench/compute.asm && \
	$(GUEST_LD) -m elf_i386 -T $(srcdir)/bench/guest.ld -o $@ $@.o
bench/compute-big.elf: $(srcdir)/bench/compute.asm $(srcdir)/bench/guest.ld
	@mkdir -p bench
	$(AM_V_GEN)$(NASM) -f elf32 -DITERATIONS=200000000 -o $@.o $(srcdir)/bench/compute.asm && \
	$(GUEST_LD) -m elf_i386 -T $(srcdir)/bench/guest.ld -o $@ $@.o
bench/compute-limited-small.elf: $(srcdir)/bench/compute.asm $(srcdir)/bench/guest.ld
	@mkdir -p bench
	$(AM_V_GEN)$(NASM) -f elf32 -DLIMITED -DITERATIONS=100000 -o $@.o $(srcdir)/bench/compute.asm && \
	$(GUEST_LD) -m elf_i386 -T $(srcdir)/bench/guest.ld -o $@ $@.o
bench/compute-limited-big.elf: $(srcdir)/bench/compute.asm $(srcdir)/bench/guest.ld
	@mkdir -p bench
	$(AM_V_GEN)$(NASM) -f elf32 -DLIMITED -DITERATIONS=1000000 -o $@.o $(srcdir)/bench/compute.asm && \
	$(GUEST_LD) -m elf_i386 -T $(srcdir)/bench/guest.ld -o $@ $@.o
bench/syscall-small.elf: $(srcdir)/bench/syscall.asm $(srcdir)/bench/guest.ld
	@mkdir -p bench
	$(AM_V_GEN)$(NASM) -f elf32 -DITERATIONS=100000 -o $@.o $(srcdir)/bench/syscall.asm && \
	$(GUEST_LD) -m elf_i386 -T $(srcdir)/bench/guest.ld -o $@ $@.o
bench/syscall-big.elf: $(srcdir)/bench/syscall.asm $(srcdir)/bench/guest.ld
	@mkdir -p bench
	$(AM_V_GEN)$(NASM) -f elf32 -DITERATIONS=1000000 -o $@.o $(srcdir)/bench/syscall.asm && \
	$(GUEST_LD) -m elf_i386 -T $(srcdir)/bench/guest.ld -o $@ $@.o

# The view's speed is measured when it is built and xvfb-run is there.
if HAVE_VIEW
BENCH_XVFB_RUN = $(XVFB_RUN)
endif
bench: ringlab$(EXEEXT) bench/raw_unicorn$(EXEEXT) $(BENCH_GUESTS)
	$(SHELL) $(srcdir)/bench/run ./ringlab$(EXEEXT) "$(QEMU_I386)" ./bench/raw_unicorn$(EXEEXT) bench \
		"$(BENCH_XVFB_RUN)"
.PHONY: bench
