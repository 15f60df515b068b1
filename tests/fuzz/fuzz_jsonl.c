/* fuzz_jsonl.c — JSON Lines store load (slots_store_load_jsonl); see fuzz_load.h. */
#include "fuzz_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_load(data, size, slots_store_load_jsonl, slots_store_dump_jsonl);
    return 0;
}
