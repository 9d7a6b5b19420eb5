/*
 * The on-disk cache of compiled OpenCL program binaries (binary_cache.c). A file's name is a hash
 * of everything that affects the binary; its contents carry a checksum, so a damaged file is just
 * a miss. Files are written to a temporary name and renamed. The cache is silently off when no
 * directory is usable: ECL_CACHE_DIR, else $XDG_CACHE_HOME/einsumcl, else $HOME/.cache/einsumcl.
 */
#ifndef ECL_BINARY_CACHE_H
#define ECL_BINARY_CACHE_H

#include <stddef.h>

/* Writes the cache file path for the key (nparts strings, then len bytes of data) into path;
 * creates the directory when needed. Returns 0 when the cache is off. */
int ecl_binary_cache_path(const char *const *parts, int nparts, const char *data, size_t len,
                          char *path, size_t cap);

/* Reads a binary stored at path into *binary (malloc'ed). 0 when missing or damaged. */
int ecl_binary_cache_load(const char *path, unsigned char **binary, size_t *size);

/* Stores a binary at path atomically; failures leave the cache as it was. */
void ecl_binary_cache_store(const char *path, const unsigned char *binary, size_t size);

/* Takes the build lock of path's entry (a POSIX record lock on a hidden ".<name>.lock" file
 * beside it), waiting while another process holds it, so that concurrent processes compiling
 * the same program do it once: the second finds the first's binary. Returns a descriptor for
 * ecl_binary_cache_unlock, or -1 (no lock: go on without). Within one process it excludes
 * nothing (record locks belong to processes). */
int ecl_binary_cache_lock(const char *path);
void ecl_binary_cache_unlock(int fd);

#endif /* ECL_BINARY_CACHE_H */
