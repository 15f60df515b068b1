/*
 * fileio.c — files in and out. Reads open a path for a streaming load, which takes whatever it
 * gives, to its end (a /proc file says it is empty, a FIFO or pipe cannot seek). Writes never leave a half-written file behind:
 * the new text goes to a temporary beside the target, reaches the disk, then replaces the target
 * in one rename, so a full disk or an I/O error midway leaves the old file as it was.
 */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reading: a path opened for a streaming load (loader.c reads it piece by piece) ------------- */
int file_open_read(const char *path, int *fd) {
    if (!path) return err_set(SLOTS_EINVAL, "path must not be NULL");
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) return err_os(errno, path);
    struct stat st;
    int rc = fstat(*fd, &st) == 0 ? SLOTS_OK : err_os(errno, path);
    if (rc == SLOTS_OK && S_ISDIR(st.st_mode)) rc = err_os(EISDIR, path);
    if (rc != SLOTS_OK) close(*fd);
    return rc;
}

/* ---- writing ------------------------------------------------------------------------------------ */

static int write_all(int fd, const char *buf, size_t len) {
    while (len) {
        ssize_t put = write(fd, buf, len);
        if (put < 0 && errno == EINTR) continue;
        if (put <= 0) return put < 0 ? errno : EIO;
        buf += put, len -= (size_t)put;
    }
    return 0;
}

/* Writes a device, FIFO or other non-regular file in place: it cannot be replaced by a rename, and
 * what it does with bytes (/dev/null, a reader at the other end) is its own business. */
static int write_in_place(const char *path, const char *buf, size_t len) {
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return err_os(errno, path);
    int e = write_all(fd, buf, len);
    if (close(fd) != 0 && !e && errno != EINTR) e = errno;
    return e ? err_os(e, path) : SLOTS_OK;
}

/* The directory part of path ("." when it has none) into dir[PATH_MAX]; false when too long. */
static bool dir_of(const char *path, char *dir) {
    const char *slash = strrchr(path, '/');
    size_t n = !slash ? 0 : slash == path ? 1 : (size_t)(slash - path);
    if (n >= PATH_MAX) return false;
    if (n) memcpy(dir, path, n);
    else dir[n++] = '.';
    dir[n] = '\0';
    return true;
}

/* Creates a new file in dir that no one else has (O_EXCL), named into tmp[PATH_MAX]. The name is
 * short and fixed-length, so a target name near NAME_MAX still leaves room for it. */
static int create_temp(const char *dir, mode_t mode, char *tmp) {
    static atomic_uint counter;
    for (int tries = 0; tries < 100; tries++) {
        unsigned k = atomic_fetch_add(&counter, 1);
        if (snprintf(tmp, PATH_MAX, "%s/.slots-%ld-%u.tmp", dir, (long)getpid(), k) >= PATH_MAX) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1; /* errno is EEXIST */
}

/* Makes the rename durable: the directory entry reaches the disk too. Filesystems that cannot
 * sync a directory say EINVAL; there is nothing more to do on those. */
static int sync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int e = fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
    close(fd);
    return e;
}

/* Fills the fresh temporary fd with buf, gives it the target's permissions and syncs it. */
static int fill_temp(int fd, const struct stat *old, const char *buf, size_t len) {
    /* An existing target keeps its mode exactly (open applied the umask to it); a new file gets
     * 0666 less the umask, from open, like any file a program creates. */
    if (old && fchmod(fd, old->st_mode & 07777) != 0) return errno;
    int e = write_all(fd, buf, len);
    if (!e && fsync(fd) != 0) e = errno;
    return e;
}

/* The atomic replace of a regular (or missing) file `target`; `path` is the caller's name for it,
 * used in messages. `old` is the target's stat, NULL when it does not exist. */
static int replace_file(const char *path, const char *target, const struct stat *old, const char *buf, size_t len) {
    char dir[PATH_MAX], tmp[PATH_MAX];
    if (!dir_of(target, dir)) return err_os(ENAMETOOLONG, path);
    int fd = create_temp(dir, old ? old->st_mode & 07777 : 0666, tmp);
    if (fd < 0) return err_os(errno, path);
    int e = fill_temp(fd, old, buf, len);
    if (close(fd) != 0 && !e && errno != EINTR) e = errno;
    if (!e && rename(tmp, target) != 0) e = errno;
    if (e) {
        unlink(tmp);
        return err_os(e, path);
    }
    e = sync_dir(dir);
    return e ? err_os(e, path) : SLOTS_OK;
}

int file_write(const char *path, const char *buf, size_t len) {
    if (!path) return err_set(SLOTS_EINVAL, "path must not be NULL");
    if (!*path) return err_os(ENOENT, path);
    struct stat st;
    if (stat(path, &st) != 0) return errno == ENOENT ? replace_file(path, path, NULL, buf, len) : err_os(errno, path);
    if (!S_ISREG(st.st_mode)) return write_in_place(path, buf, len); /* a directory fails there: EISDIR */
    /* A file the caller could not open for writing stays unwritable, as with open(path, "w"). */
    if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0) return err_os(errno, path);
    /* Through a symbolic link, the file it names is replaced and the link stays. */
    char *real = realpath(path, NULL);
    if (!real) return err_os(errno, path);
    int rc = replace_file(path, real, &st, buf, len);
    free(real);
    return rc;
}
