/* fuzz_csv.c — CSV store load (slots_store_load_csv); see fuzz_load.h. */
#include "fuzz_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_load(data, size, slots_store_load_csv, slots_store_dump_csv);
    return 0;
}
