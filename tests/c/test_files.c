/*
 * test_files.c — loads from and dumps to paths (fileio.c): dumps replace a file atomically (the
 * old file byte-identical and no temporary left when a dump fails: its own error, a full disk on a
 * small tmpfs, a read-only filesystem, a missing directory), keep the mode of the file they
 * replace and the symbolic link that names it; loads read directories (EISDIR), FIFOs, pipes,
 * /dev/stdin and /proc files to their end; slots_errno() says which OS error it was.
 * The tmpfs cases mount a filesystem and need root: elsewhere they are skipped with a message.
 */
#include "harness.h"
#include "base.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------------------------ */
static char base[64]; /* a fresh directory for the suite's files */

static const char *in_base(const char *name) {
    static char path[4][256];
    static unsigned k;
    char *p = path[k++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", base, name);
    return p;
}

static slots_store *new_store(const char *fields) {
    slots_type *t = NULL;
    slots_store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("F"), fields, NULL, 0, &t), SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    return s;
}

/* A keyed store of n rows of about 60 bytes each. */
static slots_store *filled_store(size_t n) {
    slots_store *s = new_store("id: i64 key, name: str");
    strbuf b = {0};
    for (size_t i = 0; i < n; i++) sb_printf(&b, "{\"id\": %zu, \"name\": \"row %zu of a store that fills a disk\"}\n", i, i);
    CU_ASSERT_FATAL(!b.failed);
    size_t loaded = 0;
    CU_ASSERT_EQUAL_FATAL(slots_store_load_jsonl(s, b.p, b.len, 0, &loaded, NULL), SLOTS_OK);
    CU_ASSERT_EQUAL(loaded, n);
    sb_free(&b);
    return s;
}

static size_t len_of(const slots_store *s) {
    size_t n = 0;
    ASSERT_OK(slots_store_len(s, &n));
    return n;
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    CU_ASSERT_FATAL(fclose(f) == 0);
}

/* The file's content, malloc'd (NULL when unreadable). */
static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    strbuf b = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) sb_put(&b, chunk, got);
    fclose(f);
    char *out = strndup(b.p ? b.p : "", b.len);
    sb_free(&b);
    return out;
}

static void assert_content(const char *path, const char *want) {
    char *got = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
}

/* Entries of dir whose name starts with ".slots-" (the temporaries of a dump). */
static int temporaries(const char *dir) {
    DIR *d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) n += strncmp(e->d_name, ".slots-", 7) == 0;
    closedir(d);
    return n;
}

/* The last failure was SLOTS_EIO for `errnum` on `path`, in Python's words. */
static void assert_os_error(int rc, int errnum, const char *path) {
    CU_ASSERT_EQUAL(rc, SLOTS_EIO);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EIO);
    CU_ASSERT_EQUAL(slots_errno(), errnum);
    char want[512];
    snprintf(want, sizeof want, "[Errno %d] %s: '%s'", errnum, strerror(errnum), path);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), want);
}

static void skip(const char *what, const char *why) {
    printf("\n  SKIPPED %s: %s\n", what, why);
    CU_PASS("skipped");
}

/* ---- dumps -------------------------------------------------------------------------------------- */
static void test_dump_replaces_and_keeps_mode(void) {
    slots_store *s = filled_store(3);
    const char *path = in_base("keep.jsonl");
    write_text(path, "old\n");
    CU_ASSERT_FATAL(chmod(path, 0640) == 0);
    ASSERT_OK(slots_store_dump_jsonl_file(s, path));
    assert_content(path, "{\"id\":0,\"name\":\"row 0 of a store that fills a disk\"}\n"
                         "{\"id\":1,\"name\":\"row 1 of a store that fills a disk\"}\n"
                         "{\"id\":2,\"name\":\"row 2 of a store that fills a disk\"}\n");
    struct stat st;
    CU_ASSERT_FATAL(stat(path, &st) == 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0640);
    CU_ASSERT_EQUAL(temporaries(base), 0);
    unlink(path);
    ASSERT_OK(slots_store_drop(s));
}

static void test_dump_new_file_mode_follows_umask(void) {
    slots_store *s = filled_store(1);
    const char *path = in_base("new.csv");
    unlink(path);
    mode_t old = umask(027);
    int rc = slots_store_dump_csv_file(s, path);
    umask(old);
    ASSERT_OK(rc);
    struct stat st;
    CU_ASSERT_FATAL(stat(path, &st) == 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0640); /* 0666 & ~027 */
    assert_content(path, "id,name\n0,row 0 of a store that fills a disk\n");
    unlink(path);
    ASSERT_OK(slots_store_drop(s));
}

static void test_dump_through_symlink_keeps_link(void) {
    slots_store *s = filled_store(1);
    const char *real = in_base("real.csv"), *link = in_base("link.csv");
    write_text(real, "old\n");
    unlink(link);
    CU_ASSERT_FATAL(symlink("real.csv", link) == 0);
    ASSERT_OK(slots_store_dump_csv_file(s, link));
    struct stat st;
    CU_ASSERT_FATAL(lstat(link, &st) == 0);
    CU_ASSERT_TRUE(S_ISLNK(st.st_mode));
    assert_content(real, "id,name\n0,row 0 of a store that fills a disk\n");
    CU_ASSERT_EQUAL(temporaries(base), 0);
    unlink(link);
    unlink(real);
    ASSERT_OK(slots_store_drop(s));
}

/* The dump's own error (a NaN has no JSON spelling) comes before any file is touched. */
static void test_dump_error_leaves_file(void) {
    slots_store *s = new_store("id: i64, x: f64");
    ASSERT_OK(slots_store_load_csv(s, "id,x\n1,2.5\n2,nan\n", 17, 0, NULL, NULL));
    const char *path = in_base("nan.jsonl");
    write_text(path, "precious\n");
    ASSERT_STATUS(slots_store_dump_jsonl_file(s, path), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(slots_errno(), 0);
    assert_content(path, "precious\n");
    CU_ASSERT_EQUAL(temporaries(base), 0);
    unlink(path);
    ASSERT_OK(slots_store_drop(s));
}

static void test_dump_into_missing_directory(void) {
    slots_store *s = filled_store(1);
    const char *path = in_base("no/such/dir/x.csv");
    assert_os_error(slots_store_dump_csv_file(s, path), ENOENT, path);
    assert_os_error(slots_store_dump_jsonl_file(s, ""), ENOENT, "");
    const char *file = in_base("plain"), *under = in_base("plain/x.csv");
    write_text(file, "x");
    assert_os_error(slots_store_dump_csv_file(s, under), ENOTDIR, under);
    unlink(file);
    CU_ASSERT_EQUAL(temporaries(base), 0);
    ASSERT_STATUS(slots_store_dump_csv_file(s, NULL), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(slots_errno(), 0);
    ASSERT_OK(slots_store_drop(s));
}

static void test_dump_onto_directory(void) {
    slots_store *s = filled_store(1);
    const char *dir = in_base("adir");
    CU_ASSERT_FATAL(mkdir(dir, 0755) == 0);
    assert_os_error(slots_store_dump_csv_file(s, dir), EISDIR, dir);
    struct stat st;
    CU_ASSERT_TRUE(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
    rmdir(dir);
    ASSERT_OK(slots_store_drop(s));
}

/* A device is written in place: /dev/null takes everything, /dev/full says the disk is full. */
static void test_dump_to_devices(void) {
    slots_store *s = filled_store(10);
    ASSERT_OK(slots_store_dump_csv_file(s, "/dev/null"));
    if (access("/dev/full", W_OK) != 0) {
        skip("/dev/full", "not present or not writable");
    } else {
        assert_os_error(slots_store_dump_jsonl_file(s, "/dev/full"), ENOSPC, "/dev/full");
        struct stat st;
        CU_ASSERT_TRUE(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode)); /* still the device */
    }
    ASSERT_OK(slots_store_drop(s));
}

/* Mounts a 64 KiB tmpfs on a fresh directory; false (with a message) when that is not possible. */
static bool mount_small_tmpfs(const char *dir, const char *what) {
    if (geteuid() != 0) return skip(what, "needs root to mount a 64k tmpfs"), false;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return skip(what, strerror(errno)), false;
    if (mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0) {
        char why[128];
        snprintf(why, sizeof why, "mount -t tmpfs -o size=64k failed: %s", strerror(errno));
        rmdir(dir);
        return skip(what, why), false;
    }
    return true;
}

static void unmount_small_tmpfs(const char *dir) {
    CU_ASSERT_EQUAL(umount(dir), 0);
    rmdir(dir);
}

/* Fills the filesystem of dir to the last byte with a file named `filler`. */
static void fill_up(const char *filler) {
    int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CU_ASSERT_FATAL(fd >= 0);
    char block[4096];
    memset(block, 'f', sizeof block);
    size_t n = sizeof block;
    while (n) { /* whole blocks, then single bytes, until nothing more fits */
        ssize_t put = write(fd, block, n);
        if (put < 0) n = n > 1 ? n / 2 : 0;
    }
    close(fd);
}

/* The case: a dump onto an existing file that fails midway with a full disk. */
static void test_disk_full_leaves_old_file(void) {
    const char *dir = in_base("tmpfs-full");
    if (!mount_small_tmpfs(dir, "disk-full dump")) return;
    char path[300], filler[300];
    snprintf(path, sizeof path, "%s/data.csv", dir);
    snprintf(filler, sizeof filler, "%s/filler", dir);
    write_text(path, "id,name\n1,the old data\n");
    slots_store *s = filled_store(2000); /* about 120 KB of CSV: more than the whole filesystem */
    /* without the filler: the temporary fills the disk midway */
    assert_os_error(slots_store_dump_csv_file(s, path), ENOSPC, path);
    assert_content(path, "id,name\n1,the old data\n");
    CU_ASSERT_EQUAL(temporaries(dir), 0);
    /* with the disk full to the last byte: even a small dump fails before it starts */
    fill_up(filler);
    slots_store *small = filled_store(1);
    assert_os_error(slots_store_dump_jsonl_file(small, path), ENOSPC, path);
    assert_content(path, "id,name\n1,the old data\n");
    CU_ASSERT_EQUAL(temporaries(dir), 0);
    /* room again: the same dump replaces the file */
    unlink(filler);
    ASSERT_OK(slots_store_dump_jsonl_file(small, path));
    assert_content(path, "{\"id\":0,\"name\":\"row 0 of a store that fills a disk\"}\n");
    CU_ASSERT_EQUAL(temporaries(dir), 0);
    ASSERT_OK(slots_store_drop(s));
    ASSERT_OK(slots_store_drop(small));
    unlink(path);
    unmount_small_tmpfs(dir);
}

static void test_read_only_filesystem_leaves_old_file(void) {
    const char *dir = in_base("tmpfs-ro");
    if (!mount_small_tmpfs(dir, "read-only filesystem dump")) return;
    char path[300];
    snprintf(path, sizeof path, "%s/data.csv", dir);
    write_text(path, "id,name\n1,kept\n");
    if (mount("tmpfs", dir, "tmpfs", MS_REMOUNT | MS_RDONLY, "size=64k") != 0) {
        skip("read-only filesystem dump", "remount read-only failed");
    } else {
        slots_store *s = filled_store(1);
        assert_os_error(slots_store_dump_csv_file(s, path), EROFS, path);
        assert_content(path, "id,name\n1,kept\n");
        ASSERT_OK(slots_store_drop(s));
    }
    unmount_small_tmpfs(dir);
}

/* ---- loads -------------------------------------------------------------------------------------- */
static void test_load_directory_and_missing(void) {
    slots_store *s = filled_store(2);
    assert_os_error(slots_store_load_csv_file(s, base, 0, NULL, NULL), EISDIR, base);
    const char *missing = in_base("missing.jsonl");
    assert_os_error(slots_store_load_jsonl_file(s, missing, 0, NULL, NULL), ENOENT, missing);
    assert_os_error(slots_store_load_jsonl_file(s, "", 0, NULL, NULL), ENOENT, "");
    CU_ASSERT_EQUAL(len_of(s), 2);
    /* a failure of another kind clears the OS error */
    ASSERT_STATUS(slots_store_load_jsonl(s, "{\"id\": \"x\"}", 11, 0, NULL, NULL), SLOTS_ETYPE);
    CU_ASSERT_EQUAL(slots_errno(), 0);
    ASSERT_OK(slots_store_drop(s));
}

/* A writer on another thread: opens `path` (when set) or writes to `fd`, then closes it. */
typedef struct writer {
    const char *path;
    int fd;
    size_t rows;
    pthread_t thread;
} writer;

static void *write_rows(void *arg) {
    writer *w = arg;
    int fd = w->path ? open(w->path, O_WRONLY) : w->fd;
    if (fd < 0) return NULL;
    char line[96];
    for (size_t i = 0; i < w->rows; i++) {
        int n = snprintf(line, sizeof line, "{\"id\": %zu, \"name\": \"streamed row number %zu\"}\n", i, i);
        if (write(fd, line, (size_t)n) != n) break;
    }
    close(fd);
    return NULL;
}

static void start_writer(writer *w) { CU_ASSERT_EQUAL_FATAL(pthread_create(&w->thread, NULL, write_rows, w), 0); }

/* Loads rows from `path` while a writer feeds it; expects all `rows`. */
static void load_streamed(const char *path, writer *w) {
    slots_store *s = new_store("id: i64 key, name: str");
    start_writer(w);
    size_t loaded = 0;
    int rc = slots_store_load_jsonl_file(s, path, 0, &loaded, NULL);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  load %s: %d %s\n", path, rc, slots_errmsg());
    pthread_join(w->thread, NULL);
    ASSERT_OK(rc);
    CU_ASSERT_EQUAL(loaded, w->rows);
    CU_ASSERT_EQUAL(len_of(s), w->rows);
    ASSERT_OK(slots_store_drop(s));
}

static void test_load_fifo(void) {
    const char *path = in_base("fifo");
    CU_ASSERT_FATAL(mkfifo(path, 0600) == 0);
    writer w = {.path = path, .rows = 5000}; /* about 240 KB: many reads, the buffer grows */
    load_streamed(path, &w);
    unlink(path);
}

static void test_load_pipe(void) {
    int fds[2];
    CU_ASSERT_FATAL(pipe(fds) == 0);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    writer w = {.fd = fds[1], .rows = 3000};
    load_streamed(path, &w);
    close(fds[0]);
}

static void test_load_stdin(void) {
    int fds[2], saved = dup(0);
    CU_ASSERT_FATAL(saved >= 0 && pipe(fds) == 0);
    CU_ASSERT_FATAL(dup2(fds[0], 0) == 0);
    close(fds[0]);
    writer w = {.fd = fds[1], .rows = 10};
    load_streamed("/dev/stdin", &w);
    dup2(saved, 0);
    close(saved);
}

/* A /proc file says its size is 0 and still has content: the thread's name, which the thread
 * sets itself, is a line of JSON. */
static void test_load_proc_file(void) {
    char old[16] = {0};
    CU_ASSERT_FATAL(prctl(PR_GET_NAME, old) == 0);
    CU_ASSERT_FATAL(prctl(PR_SET_NAME, "{\"id\":7}") == 0);
    const char *path = "/proc/thread-self/comm";
    struct stat st;
    CU_ASSERT_FATAL(stat(path, &st) == 0);
    CU_ASSERT_EQUAL(st.st_size, 0); /* what makes a read by size read nothing */
    slots_store *s = new_store("id: i64");
    size_t loaded = 0;
    int rc = slots_store_load_jsonl_file(s, path, 0, &loaded, NULL);
    prctl(PR_SET_NAME, old);
    ASSERT_OK(rc);
    CU_ASSERT_EQUAL(loaded, 1);
    int64_t id = 0;
    slots_obj o = 0;
    ASSERT_OK(slots_store_at(s, 0, &o));
    ASSERT_OK(slots_get_i64(o, 0, &id));
    CU_ASSERT_EQUAL(id, 7);
    ASSERT_OK(slots_store_drop(s));
}

/* A load from a pipe fed by a writer thread, with the k-th allocation from now failing (0: none). */
static int load_pipe_failing_at(slots_store *s, long k) {
    int fds[2];
    CU_ASSERT_FATAL(pipe(fds) == 0);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    writer w = {.fd = fds[1], .rows = 3000};
    start_writer(&w);
    mem_fail_at(k);
    int rc = slots_store_load_jsonl_file(s, path, 0, NULL, NULL);
    mem_fail_at(0);
    close(fds[0]);
    pthread_join(w.thread, NULL);
    return rc;
}

/* Each allocation of a streamed read (the buffer grows as a pipe delivers 130 KB, then gives back
 * its slack) can fail: the load says ENOMEM, changes nothing and leaks nothing (ASan). Later
 * allocations are the load's own, swept by tests/hardening. */
static void test_load_pipe_out_of_memory(void) {
    signal(SIGPIPE, SIG_IGN); /* a load that fails early closes the pipe on its writer */
    slots_store *s = new_store("id: i64 key, name: str");
    for (long k = 1; k <= 4; k++) {
        ASSERT_STATUS(load_pipe_failing_at(s, k), SLOTS_ENOMEM);
        CU_ASSERT_EQUAL(len_of(s), 0);
    }
    ASSERT_OK(load_pipe_failing_at(s, 0));
    CU_ASSERT_EQUAL(len_of(s), 3000);
    ASSERT_OK(slots_store_drop(s));
}

static CU_TestInfo tests[] = {
    {"dump replaces a file and keeps its mode", test_dump_replaces_and_keeps_mode},
    {"dump creates a new file 0666 less the umask", test_dump_new_file_mode_follows_umask},
    {"dump through a symbolic link keeps the link", test_dump_through_symlink_keeps_link},
    {"a dump's own error leaves the file", test_dump_error_leaves_file},
    {"dump into a missing directory", test_dump_into_missing_directory},
    {"dump onto a directory", test_dump_onto_directory},
    {"dump to /dev/null and /dev/full", test_dump_to_devices},
    {"disk full midway: old file intact, no temporary", test_disk_full_leaves_old_file},
    {"read-only filesystem: old file intact", test_read_only_filesystem_leaves_old_file},
    {"load a directory or a missing file", test_load_directory_and_missing},
    {"load from a FIFO", test_load_fifo},
    {"load from a pipe", test_load_pipe},
    {"load from /dev/stdin", test_load_stdin},
    {"load from a /proc file", test_load_proc_file},
    {"streamed read out of memory", test_load_pipe_out_of_memory},
    CU_TEST_INFO_NULL,
};

int main(void) {
    snprintf(base, sizeof base, "/tmp/slots_files_XXXXXX");
    if (!mkdtemp(base)) return perror("mkdtemp"), 2;
    int rc = run_suite("files", tests);
    rmdir(base);
    return rc;
}
