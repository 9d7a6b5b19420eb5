/*
 * On-disk cache of compiled program binaries: directory choice and creation, the key hash (two
 * independent 64-bit FNV-1a hashes, 128 bits, as the file name), and files of the form
 * "ECLBIN01" + size + checksum + binary, written through mkstemp + rename so that readers never
 * see a partial file; a build lock per entry. Every failure turns the cache off for that call;
 * nothing is reported.
 */
#include "binary_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "alloc.h"

#define MAGIC "ECLBIN01"
#define HEADER_BYTES 24
#define MAX_BINARY_BYTES ((uint64_t)1 << 30)

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Hashes a length-prefixed field into both halves of the key. */
static void hash_field(uint64_t h[2], const void *data, size_t len)
{
    uint64_t n = len;
    for (int k = 0; k < 2; k++) {
        h[k] = fnv1a(h[k], &n, sizeof n);
        h[k] = fnv1a(h[k], data, len);
    }
}

/* mkdir -p with private permissions; 0 when dir exists (or was made) and is writable. */
static int make_directory(const char *dir)
{
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, dir, n + 1);
    for (char *c = buf + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *c = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return -1;
    return access(buf, W_OK | X_OK);
}

static int cache_directory(char *dir, size_t cap)
{
    const char *env = getenv("ECL_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (env && *env)
        n = snprintf(dir, cap, "%s", env);
    else if (xdg && xdg[0] == '/')
        n = snprintf(dir, cap, "%s/einsumcl", xdg);
    else if (home && home[0] == '/')
        n = snprintf(dir, cap, "%s/.cache/einsumcl", home);
    else
        return 0;
    return n > 0 && (size_t)n < cap && make_directory(dir) == 0;
}

int ecl_binary_cache_path(const char *const *parts, int nparts, const char *data, size_t len,
                          char *path, size_t cap)
{
    char dir[4096];
    if (!cache_directory(dir, sizeof dir))
        return 0;
    uint64_t h[2] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
    for (int i = 0; i < nparts; i++)
        hash_field(h, parts[i], strlen(parts[i]));
    hash_field(h, data, len);
    int n = snprintf(path, cap, "%s/%016llx%016llx.bin", dir, (unsigned long long)h[0],
                     (unsigned long long)h[1]);
    return n > 0 && (size_t)n < cap;
}

int ecl_binary_cache_load(const char *path, unsigned char **binary, size_t *size)
{
    *binary = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char header[HEADER_BYTES];
    uint64_t n = 0, sum = 0;
    unsigned char *data = NULL;
    int ok = fread(header, 1, sizeof header, f) == sizeof header &&
             memcmp(header, MAGIC, 8) == 0;
    if (ok) {
        memcpy(&n, header + 8, 8);
        memcpy(&sum, header + 16, 8);
        ok = n > 0 && n <= MAX_BINARY_BYTES && (data = ecl_malloc((size_t)n)) != NULL;
    }
    if (ok) {
        int extra = 0;
        ok = fread(data, 1, (size_t)n, f) == n && fread(&extra, 1, 1, f) == 0 &&
             fnv1a(0xcbf29ce484222325ULL, data, (size_t)n) == sum;
    }
    fclose(f);
    if (!ok) {
        ecl_free(data);
        return 0;
    }
    *binary = data;
    *size = (size_t)n;
    return 1;
}

void ecl_binary_cache_store(const char *path, const unsigned char *binary, size_t size)
{
    if (!binary || size == 0 || (uint64_t)size > MAX_BINARY_BYTES)
        return;
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
        return;
    int fd = mkstemp(tmp);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(tmp);
        return;
    }
    unsigned char header[HEADER_BYTES];
    uint64_t n = size, sum = fnv1a(0xcbf29ce484222325ULL, binary, size);
    memcpy(header, MAGIC, 8);
    memcpy(header + 8, &n, 8);
    memcpy(header + 16, &sum, 8);
    int ok = fwrite(header, 1, sizeof header, f) == sizeof header &&
             fwrite(binary, 1, size, f) == size;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}

int ecl_binary_cache_lock(const char *path)
{
    char lock[4200];
    const char *slash = strrchr(path, '/');
    const int dir_len = slash ? (int)(slash - path + 1) : 0;
    if (snprintf(lock, sizeof lock, "%.*s.%s.lock", dir_len, path, path + dir_len) >=
        (int)sizeof lock)
        return -1;
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    int rc;
    while ((rc = fcntl(fd, F_SETLKW, &fl)) != 0 && errno == EINTR)
        ;
    if (rc != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void ecl_binary_cache_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the lock */
}
