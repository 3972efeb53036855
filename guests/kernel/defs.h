/* defs.h — every function one kernel file offers to the others. */
#ifndef DEFS_H
#define DEFS_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

#include "lib.h" /* memory, strings, vsnprintf: guests/lib */

struct trapframe;
struct proc;
struct file;
struct multiboot_info;
struct context;

/* console.c */
void console_init(void);
void console_putc(int c);
void console_write(const char *s, int n);
int console_read(char *dst, int n);
void console_intr(int c);
int console_route(struct proc *driver, int pid);
int console_take(char *dst, int n);
void console_wait_driver(void);
void console_exit(struct proc *p);
void kprintf(const char *fmt, ...);
void panic(const char *msg) __attribute__((noreturn));

/* uart.c */
void uart_init(void);
void uart_putc(int c);
void uart_intr(void);

/* vga.c */
void vga_init(void);
void vga_putc(int c);

/* pic.c */
void pic_init(void);
void pic_enable(int irq);
void pic_eoi(int irq);
int pic_pending(int irq);

/* timer.c */
extern uint32_t ticks;
void timer_init(void);
void timer_check(void);
void timer_intr(void);
uint32_t timer_usec(void);

/* seg.c */
void seg_init(void);
void tss_set_kstack(uint32_t esp0);
void tss_set_iomap(const uint8_t *map);
void seg_ring1_limit(int below_kernel);
uint32_t seg_limit(uint16_t sel);

/* ring1.c */
void ring1_map(uint32_t *kpgdir);
uint32_t ring1_limit(struct proc *p, int on);
void ring1_explain(struct trapframe *tf, char *buf, int size);

/* ioperm.c */
void ioperm_clear(struct proc *p);
int ioperm_grant(struct proc *p, uint32_t from, uint32_t n);
int ioperm_owns_com1(struct proc *p);
void ioperm_release(struct proc *p);

/* trap.c */
void idt_init(void);
void trap(struct trapframe *tf);

/* kalloc.c */
void kalloc_init(uint32_t start_pa, uint32_t end_pa);
void kalloc_add(uint32_t start_pa, uint32_t end_pa);
void *kalloc(void);
void kfree(void *v);
void kref(uint32_t pa);
int kref_count(uint32_t pa);
uint32_t kalloc_free_pages(void);

/* vm.c */
extern uint32_t phystop;
void kvm_init(uint32_t mem_end);
void kvm_switch(void);
uint32_t *vm_new_pgdir(void);
uint32_t *vm_walk(uint32_t *pgdir, uint32_t va, int create);
int vm_map_page(uint32_t *pgdir, uint32_t va, uint32_t pa, uint32_t flags);
int vm_alloc_range(uint32_t *pgdir, uint32_t start, uint32_t end, uint32_t flags);
void vm_free_range(uint32_t *pgdir, uint32_t start, uint32_t end);
void vm_free(uint32_t *pgdir);
uint32_t *vm_copy_cow(uint32_t *pgdir);
int vm_fault(struct proc *p, uint32_t va, int write);
int vm_user_ok(struct proc *p, uint32_t va, uint32_t len, int write);
int vm_copyout(uint32_t *pgdir, uint32_t va, const void *src, uint32_t len);
uint32_t *vm_user_word(struct proc *p, uint32_t va, int write);

/* ptrace.c */
int ptrace(int req, int pid, uint32_t uword);

/* shm.c */
int shm_map(struct proc *p, int key, uint32_t va);

/* proc.c */
extern struct proc *curproc;
void proc_init(void);
void proc_userinit(void);
void scheduler(void) __attribute__((noreturn));
void sched(void);
void yield(void);
void sleep(void *chan);
void wakeup(void *chan);
int fork(void);
void exit(int status) __attribute__((noreturn));
int wait(int *status);
int kill(int pid);
struct proc *proc_find(int pid);

/* exec.c */
int exec(const char *path, char **argv);

/* initrd.c */
void initrd_init(void *base, uint32_t size);
int initrd_find(const char *name, const uint8_t **data, uint32_t *size);
int initrd_entry(int i, char *name, uint32_t *size);

/* file.c */
struct file *file_console(void);
struct file *file_dup(struct file *f);
void file_close(struct file *f);
int file_read(struct file *f, char *dst, int n);
int file_write(struct file *f, const char *src, int n);
int pipe_alloc(struct file **rf, struct file **wf);

/* syscall.c */
void syscall(struct trapframe *tf);
void sysenter_init(void);
void sysenter_set_kstack(uint32_t esp0);


/* trapasm.asm */
void swtch(struct context **old, struct context *new);
void trapret(void);

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

#endif
