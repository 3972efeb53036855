/* Check suite for the fw_cfg device (src/devices/fw_cfg.c), driven through
 * ports 0x510/0x511 as firmware drives it, against the layout of QEMU's
 * docs/specs/fw_cfg.rst and the values QEMU 7.2 gives a PC with 512 MiB
 * and two CPUs (read there with a boot sector). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/bus.h"
#include "devices/fw_cfg.h"

static struct bus bus;
static struct fw_cfg fw;

static const struct e820_range map[] = {
    {0, 0x20000000, 1},
    {0xFEFFC000, 0x4000, 2},
};

static void setup(void)
{
    bus_init(&bus);
    fw_cfg_init(&fw);
    ck_assert(fw_cfg_register(&fw, &bus));
    ck_assert(fw_cfg_pc_setup(&fw, 0x20000000, 2, false, map, 1));
}

static void teardown(void) { fw_cfg_free(&fw); }

static void select_key(uint16_t key) { bus_out(&bus, FW_CFG_PORT_SELECTOR, key, 2); }
static uint8_t data(void) { return (uint8_t)bus_in(&bus, FW_CFG_PORT_DATA, 1); }

static uint64_t read_le(int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)data() << (8 * i);
    return v;
}

static uint32_t read_be32(void)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | data();
    return v;
}

START_TEST(test_signature_and_id)
{
    select_key(FW_CFG_SIGNATURE);
    char sig[5] = {0};
    for (int i = 0; i < 4; i++)
        sig[i] = (char)data();
    ck_assert_str_eq(sig, "QEMU");
    /* Past the end: zeros. */
    for (int i = 0; i < 8; i++)
        ck_assert_uint_eq(data(), 0);
    /* Selecting again rewinds. */
    select_key(FW_CFG_SIGNATURE);
    ck_assert_uint_eq(data(), 'Q');
    select_key(FW_CFG_ID);
    ck_assert_uint_eq(read_le(4), 1); /* traditional interface, no DMA */
}
END_TEST

START_TEST(test_pc_items)
{
    /* The values QEMU 7.2 gave for -m 512 -smp 2. */
    select_key(FW_CFG_RAM_SIZE);
    ck_assert_uint_eq(read_le(8), 0x20000000);
    select_key(FW_CFG_NB_CPUS);
    ck_assert_uint_eq(read_le(2), 2);
    select_key(FW_CFG_MAX_CPUS);
    ck_assert_uint_eq(read_le(2), 2);
    select_key(FW_CFG_NOGRAPHIC);
    ck_assert_uint_eq(read_le(2), 0);
    select_key(FW_CFG_IRQ0_OVERRIDE);
    ck_assert_uint_eq(read_le(4), 1);
    select_key(FW_CFG_UUID);
    ck_assert_uint_eq(read_le(8) | read_le(8), 0);
    /* The legacy table holds only reservations: none here. */
    select_key(FW_CFG_E820_TABLE);
    ck_assert_uint_eq(read_le(4), 0);
}
END_TEST

/* Finds `name` in the directory: its size and key. */
static bool find_file(const char *name, uint32_t *size, uint16_t *key)
{
    select_key(FW_CFG_FILE_DIR);
    uint32_t n = read_be32();
    bool found = false;
    char prev[56] = "";
    for (uint32_t i = 0; i < n; i++) {
        uint32_t sz = read_be32();
        uint16_t k = (uint16_t)(data() << 8);
        k |= data();
        ck_assert_uint_eq(read_le(2), 0); /* reserved */
        char nm[56];
        for (int j = 0; j < 56; j++)
            nm[j] = (char)data();
        ck_assert(memchr(nm, 0, 56) != NULL);
        /* Sorted by name, keys from 0x20 in that order. */
        ck_assert_int_lt(strcmp(prev, nm), 0);
        ck_assert_uint_eq(k, FW_CFG_FILE_FIRST + i);
        strcpy(prev, nm);
        if (strcmp(nm, name) == 0) {
            *size = sz;
            *key = k;
            found = true;
        }
    }
    return found;
}

START_TEST(test_e820_file)
{
    uint32_t size = 0;
    uint16_t key = 0;
    ck_assert(find_file("etc/e820", &size, &key));
    ck_assert_uint_eq(size, 20);
    select_key(key);
    ck_assert_uint_eq(read_le(8), 0);
    ck_assert_uint_eq(read_le(8), 0x20000000);
    ck_assert_uint_eq(read_le(4), 1);
    ck_assert_uint_eq(data(), 0);
}
END_TEST

START_TEST(test_reserved_ranges_in_both_tables)
{
    fw_cfg_free(&fw);
    fw_cfg_init(&fw);
    ck_assert(fw_cfg_pc_setup(&fw, 0x20000000, 1, true, map, 2));
    select_key(FW_CFG_E820_TABLE);
    ck_assert_uint_eq(read_le(4), 1);
    ck_assert_uint_eq(read_le(8), 0xFEFFC000);
    ck_assert_uint_eq(read_le(8), 0x4000);
    ck_assert_uint_eq(read_le(4), 2);
    uint32_t size;
    uint16_t key;
    ck_assert(find_file("etc/e820", &size, &key));
    ck_assert_uint_eq(size, 40);
    select_key(FW_CFG_NOGRAPHIC);
    ck_assert_uint_eq(read_le(2), 1);
}
END_TEST

START_TEST(test_files_sorted_by_name)
{
    ck_assert(fw_cfg_add_file(&fw, "opt/org.ringlab/b", "bee", 3));
    ck_assert(fw_cfg_add_file(&fw, "bootorder", "", 0));
    ck_assert(fw_cfg_add_file(&fw, "opt/org.ringlab/a", "ay", 2));
    uint32_t size;
    uint16_t key;
    ck_assert(find_file("bootorder", &size, &key));
    ck_assert_uint_eq(key, 0x20);
    ck_assert_uint_eq(size, 0);
    ck_assert(find_file("etc/e820", &size, &key));
    ck_assert_uint_eq(key, 0x21);
    ck_assert(find_file("opt/org.ringlab/b", &size, &key));
    ck_assert_uint_eq(key, 0x23);
    ck_assert_uint_eq(fw_cfg_file_key(&fw, "opt/org.ringlab/a"), 0x22);
    select_key(key);
    ck_assert_uint_eq(data(), 'b');
    /* Replacing a file keeps one entry. */
    ck_assert(fw_cfg_add_file(&fw, "opt/org.ringlab/b", "bees", 4));
    ck_assert(find_file("opt/org.ringlab/b", &size, &key));
    ck_assert_uint_eq(size, 4);
    select_key(FW_CFG_FILE_DIR);
    ck_assert_uint_eq(read_be32(), 4);
    /* Names must fit the directory's 56 bytes with their NUL. */
    char longname[80];
    memset(longname, 'x', sizeof longname);
    longname[56] = '\0';
    ck_assert(!fw_cfg_add_file(&fw, longname, "", 0));
    longname[55] = '\0';
    ck_assert(fw_cfg_add_file(&fw, longname, "", 0));
    ck_assert(!fw_cfg_add_file(&fw, "", "", 0));
}
END_TEST

START_TEST(test_hostile_accesses)
{
    select_key(FW_CFG_SIGNATURE);
    ck_assert_uint_eq(data(), 'Q');
    /* A byte write to the selector is not a selection (QEMU takes 16 bits). */
    bus_out(&bus, FW_CFG_PORT_SELECTOR, FW_CFG_ID, 1);
    ck_assert_uint_eq(data(), 'E');
    /* Data writes are ignored, even through the write channel. */
    bus_out(&bus, FW_CFG_PORT_DATA, 'X', 1);
    select_key(FW_CFG_WRITE_CHANNEL | FW_CFG_SIGNATURE);
    bus_out(&bus, FW_CFG_PORT_DATA, 'X', 1);
    ck_assert_uint_eq(data(), 'Q'); /* the write channel bit reads the same item */
    select_key(FW_CFG_SIGNATURE);
    ck_assert_uint_eq(data(), 'Q');
    /* Wide reads, and reads of the selector: all ones, nothing moves. */
    ck_assert_uint_eq(bus_in(&bus, FW_CFG_PORT_DATA, 2), 0xFFFF);
    ck_assert_uint_eq(bus_in(&bus, FW_CFG_PORT_SELECTOR, 1), 0xFF);
    ck_assert_uint_eq(bus_in(&bus, FW_CFG_PORT_SELECTOR, 4), 0xFFFFFFFF);
    ck_assert_uint_eq(data(), 'E');
    /* Keys nobody has, generic or arch: zeros. */
    select_key(0x1234);
    ck_assert_uint_eq(data(), 0);
    select_key(0xFFFF);
    ck_assert_uint_eq(data(), 0);
    select_key(FW_CFG_ARCH_LOCAL | FW_CFG_RAM_SIZE);
    ck_assert_uint_eq(data(), 0);
    /* A long read far past the end of an item stays at zero. */
    select_key(FW_CFG_ID);
    for (int i = 0; i < 100000; i++) {
        uint8_t b = data();
        if (i > 0 && b != 0)
            ck_abort_msg("byte %d past the ID reads %#x", i, b);
    }
}
END_TEST

static Suite *fw_cfg_suite(void)
{
    Suite *s = suite_create("fw_cfg");
    TCase *tc = tcase_create("fw_cfg");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_signature_and_id);
    tcase_add_test(tc, test_pc_items);
    tcase_add_test(tc, test_e820_file);
    tcase_add_test(tc, test_reserved_ranges_in_both_tables);
    tcase_add_test(tc, test_files_sorted_by_name);
    tcase_add_test(tc, test_hostile_accesses);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fw_cfg_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
