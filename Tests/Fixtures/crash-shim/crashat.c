/* crashat.c: an LD_PRELOAD shim that kills a process with SIGKILL just before its N-th rename or
 * fsync under a folder, for crash tests (Tests/IntakeTests/CrashEveryStepTests.swift compiles and
 * uses it; its header says how to run one step by hand). A test fixture: SwiftPM builds no target
 * from Tests/Fixtures.
 *
 *   cc -shared -fPIC -o crashat.so crashat.c -ldl
 *   INTAKE_CRASH_ROOT=DIR   count the calls to rename, renameat, renameat2 (either path under DIR),
 *                           fsync and fdatasync (the fd's /proc/self/fd link under DIR)
 *   INTAKE_CRASH_AT=N       SIGKILL before making the N-th counted call (0 or unset: never);
 *                           it says so on stderr first: "crashat: SIGKILL before rename #N PATH"
 *   INTAKE_CRASH_COUNT=FILE the number of counted calls so far, rewritten at each (a run that ends
 *                           normally leaves its total; one killed at N leaves N-1)
 * Only the process that loads it first counts: it unsets INTAKE_CRASH_ROOT for its children. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[PATH_MAX], canon[PATH_MAX]; /* DIR as given, and with links resolved */
static long crash_at, counted;
static int count_fd = -1;

static void record(void) {
    char text[32];
    int len = snprintf(text, sizeof text, "%20ld\n", __atomic_load_n(&counted, __ATOMIC_SEQ_CST));
    if (count_fd >= 0 && pwrite(count_fd, text, len, 0) < 0) { /* a test sees a wrong count */ }
}

__attribute__((constructor)) static void start(void) {
    const char *dir = getenv("INTAKE_CRASH_ROOT"), *at = getenv("INTAKE_CRASH_AT"), *file = getenv("INTAKE_CRASH_COUNT");
    if (!dir || !*dir || strlen(dir) >= PATH_MAX) return;
    strcpy(root, dir);
    if (!realpath(dir, canon)) strcpy(canon, dir);
    crash_at = at ? atol(at) : 0;
    if (file) count_fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    record();
    unsetenv("INTAKE_CRASH_ROOT");
}

__attribute__((destructor)) static void end(void) { record(); } /* the total, whatever order threads wrote in */

static int prefixed(const char *path, const char *dir) {
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    return *dir && strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == 0);
}

/* Whether `path`, relative to `dirfd` (or the working directory), lies under the root. */
static int under(int dirfd, const char *path) {
    char full[2 * PATH_MAX + 2], link[64];
    if (!*root || !path) return 0;
    if (path[0] == '/') {
        snprintf(full, sizeof full, "%s", path);
    } else {
        ssize_t n = 0;
        if (dirfd == AT_FDCWD) { if (getcwd(full, PATH_MAX)) n = (ssize_t)strlen(full); }
        else { snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd); n = readlink(link, full, PATH_MAX); }
        if (n <= 0) return 0;
        snprintf(full + n, sizeof full - (size_t)n, "/%s", path);
    }
    return prefixed(full, root) || prefixed(full, canon);
}

static int fd_under(int fd, char *path) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, PATH_MAX - 1);
    if (n <= 0) return 0;
    path[n] = 0;
    return under(AT_FDCWD, path);
}

/* One counted call: die before it when it is the N-th. */
static void step(const char *call, const char *path) {
    long n = __atomic_add_fetch(&counted, 1, __ATOMIC_SEQ_CST);
    if (n == crash_at) {
        dprintf(2, "crashat: SIGKILL before %s #%ld %s\n", call, n, path);
        kill(getpid(), SIGKILL);
    }
    record();
}

#define REAL(name) static __typeof__(name) *real; if (!real) real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

int rename(const char *from, const char *to) {
    REAL(rename);
    if (under(AT_FDCWD, from) || under(AT_FDCWD, to)) step("rename", to);
    return real(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to) {
    REAL(renameat);
    if (under(fromfd, from) || under(tofd, to)) step("renameat", to);
    return real(fromfd, from, tofd, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags) {
    REAL(renameat2);
    if (under(fromfd, from) || under(tofd, to)) step("renameat2", to);
    return real(fromfd, from, tofd, to, flags);
}

int fsync(int fd) {
    char path[PATH_MAX];
    REAL(fsync);
    if (fd_under(fd, path)) step("fsync", path);
    return real(fd);
}

int fdatasync(int fd) {
    char path[PATH_MAX];
    REAL(fdatasync);
    if (fd_under(fd, path)) step("fdatasync", path);
    return real(fd);
}
