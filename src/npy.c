/*
 * ecl_npy_load and ecl_npy_save: .npy files to and from tensors of a context, through the public
 * tensor calls and a host buffer. Loading checks the file size against the header before
 * allocating, reads the data in one fread and reorders Fortran-order data on the host. Saving is
 * atomic: header and data go to a fresh temporary file next to the target, which is then renamed
 * over it; on any failure the temporary file is removed and the target is left untouched.
 */
#include "npy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "tensor.h"
#include "alloc.h"

/* Puts "'path': " in front of the message already in err. */
static ecl_status in_file(ecl_error *err, const char *path, ecl_status status)
{
    char message[ECL_ERROR_MESSAGE_MAX];
    snprintf(message, sizeof message, "%s", err->message);
    return ecl_fail(err, status, "'%s': %s", path, message);
}

/* For regular files: fails unless the file holds all the data the header promises. */
static ecl_status check_file_size(FILE *file, const char *path, const ecl_npy_header *h,
                                  ecl_error *err)
{
    struct stat info;
    if (fstat(fileno(file), &info) != 0)
        return ecl_fail(err, ECL_ERROR_IO, "cannot stat '%s': %s", path, strerror(errno));
    if (!S_ISREG(info.st_mode))
        return ECL_SUCCESS; /* a pipe or device: the read itself finds out */
    uint64_t size = (uint64_t)info.st_size;
    uint64_t available = size > h->data_offset ? size - h->data_offset : 0;
    ecl_status st = ecl_npy_check_data_size(h, available, err);
    return st == ECL_SUCCESS ? st : in_file(err, path, st);
}

static ecl_status read_data(FILE *file, const char *path, const ecl_npy_header *h, void **out,
                            ecl_error *err)
{
    *out = NULL;
    if (h->data_bytes > SIZE_MAX)
        return ecl_fail(err, ECL_ERROR_OVERFLOW, "'%s': %llu bytes of data do not fit in memory",
                        path, (unsigned long long)h->data_bytes);
    size_t bytes = (size_t)h->data_bytes;
    void *data = ecl_malloc(bytes > 0 ? bytes : 1);
    if (!data)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "'%s': cannot allocate %zu bytes for the data",
                        path, bytes);
    size_t got = fread(data, 1, bytes, file);
    if (got < bytes) {
        ecl_status st = ferror(file)
                            ? ecl_fail(err, ECL_ERROR_IO, "cannot read '%s': %s", path, strerror(errno))
                            : in_file(err, path, ecl_npy_check_data_size(h, got, err));
        ecl_free(data);
        return st;
    }
    *out = data;
    return ECL_SUCCESS;
}

/* Byte order and Fortran order fix-ups; may replace *data with a reordered copy. */
static ecl_status to_host_c_order(const char *path, const ecl_npy_header *h, void **data,
                                  ecl_error *err)
{
    size_t elem_size = ecl_dtype_size(h->dtype);
    if (!ecl_npy_host_is_little_endian())
        ecl_npy_swap_bytes(*data, (size_t)h->numel, elem_size);
    if (!h->fortran_order || h->ndim < 2 || h->numel == 0)
        return ECL_SUCCESS;
    void *c_order = ecl_malloc((size_t)h->data_bytes);
    if (!c_order)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY,
                        "'%s': cannot allocate %llu bytes to reorder Fortran-order data", path,
                        (unsigned long long)h->data_bytes);
    ecl_npy_fortran_to_c(*data, c_order, elem_size, h->ndim, h->shape);
    ecl_free(*data);
    *data = c_order;
    return ECL_SUCCESS;
}

static ecl_status read_file(const char *path, ecl_npy_header *h, void **data, ecl_error *err)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return ecl_fail(err, ECL_ERROR_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat info;
    ecl_status st = ECL_SUCCESS;
    if (fstat(fileno(file), &info) == 0 && S_ISDIR(info.st_mode))
        st = ecl_fail(err, ECL_ERROR_IO, "cannot read '%s': %s", path, strerror(EISDIR));
    if (st == ECL_SUCCESS) {
        st = ecl_npy_read_header(file, h, err);
        if (st != ECL_SUCCESS)
            in_file(err, path, st);
    }
    if (st == ECL_SUCCESS)
        st = check_file_size(file, path, h, err);
    if (st == ECL_SUCCESS)
        st = read_data(file, path, h, data, err);
    fclose(file);
    return st;
}

ecl_status ecl_npy_load(ecl_context *ctx, const char *path, ecl_tensor **out)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error *err = ecl_context_error(ctx);
    ecl_error_clear(err);
    if (!path || !out)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_npy_load: %s is NULL",
                        !path ? "path" : "out");

    ecl_npy_header h;
    void *data = NULL;
    ecl_status st = read_file(path, &h, &data, err);
    if (st == ECL_SUCCESS)
        st = to_host_c_order(path, &h, &data, err);
    ecl_tensor *tensor = NULL;
    if (st == ECL_SUCCESS) {
        st = ecl_tensor_create(ctx, h.dtype, h.ndim, h.shape, &tensor);
        if (st != ECL_SUCCESS)
            in_file(err, path, st);
    }
    if (st == ECL_SUCCESS) {
        st = ecl_tensor_write(tensor, data, (size_t)h.data_bytes);
        if (st != ECL_SUCCESS)
            in_file(err, path, st);
    }
    ecl_free(data);
    if (st != ECL_SUCCESS) {
        ecl_tensor_destroy(tensor);
        return st;
    }
    *out = tensor;
    return ECL_SUCCESS;
}

/* ---- saving ----------------------------------------------------------------------------------- */

static ecl_status write_all(int fd, const unsigned char *buf, size_t len, const char *tmp_path,
                            ecl_error *err)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ecl_fail(err, ECL_ERROR_IO, "cannot write '%s': %s", tmp_path,
                            strerror(n < 0 ? errno : EIO));
        buf += n;
        len -= (size_t)n;
    }
    return ECL_SUCCESS;
}

/* Creates "<path>.tmp.<pid>.<n>" exclusively. Unlike mkstemp (mode 0600), open() applies the
 * umask to 0666, so the saved file gets the permissions any newly created file would. */
static ecl_status create_temp(const char *path, char **tmp_path, int *fd, ecl_error *err)
{
    static atomic_uint counter;
    size_t cap = strlen(path) + 64;
    char *name = ecl_malloc(cap);
    if (!name)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate a temporary file name");
    for (int attempt = 0; attempt < 1000; attempt++) {
        snprintf(name, cap, "%s.tmp.%ld.%u", path, (long)getpid(), atomic_fetch_add(&counter, 1));
        *fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (*fd >= 0) {
            *tmp_path = name;
            return ECL_SUCCESS;
        }
        if (errno != EEXIST)
            break;
    }
    ecl_status st = ecl_fail(err, ECL_ERROR_IO, "cannot create a temporary file '%s' for '%s': %s",
                             name, path, strerror(errno));
    ecl_free(name);
    return st;
}

static ecl_status write_atomically(const char *path, const unsigned char *header,
                                   size_t header_len, const unsigned char *data, size_t data_len,
                                   ecl_error *err)
{
    char *tmp_path = NULL;
    int fd = -1;
    ecl_status st = create_temp(path, &tmp_path, &fd, err);
    if (st != ECL_SUCCESS)
        return st;
    st = write_all(fd, header, header_len, tmp_path, err);
    if (st == ECL_SUCCESS)
        st = write_all(fd, data, data_len, tmp_path, err);
    if (close(fd) != 0 && st == ECL_SUCCESS)
        st = ecl_fail(err, ECL_ERROR_IO, "cannot write '%s': %s", tmp_path, strerror(errno));
    if (st == ECL_SUCCESS && rename(tmp_path, path) != 0)
        st = ecl_fail(err, ECL_ERROR_IO, "cannot rename '%s' to '%s': %s", tmp_path, path,
                      strerror(errno));
    if (st != ECL_SUCCESS)
        unlink(tmp_path);
    ecl_free(tmp_path);
    return st;
}

ecl_status ecl_npy_save(ecl_context *ctx, const char *path, const ecl_tensor *tensor)
{
    if (!ctx)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error *err = ecl_context_error(ctx);
    ecl_error_clear(err);
    if (!path || !tensor)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_npy_save: %s is NULL",
                        !path ? "path" : "tensor");
    if (path[0] == '\0')
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_npy_save: the path is empty");
    if (tensor->ctx != ctx)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "ecl_npy_save: the tensor belongs to another context");

    ecl_dtype dtype = ecl_tensor_dtype(tensor);
    size_t elem_size = ecl_dtype_size(dtype);
    int64_t bytes;
    if (ecl_mul_overflow_i64(ecl_tensor_numel(tensor), (int64_t)elem_size, &bytes) ||
        (uint64_t)bytes > SIZE_MAX)
        return ecl_fail(err, ECL_ERROR_OVERFLOW, "'%s': the tensor's byte size overflows", path);
    unsigned char *header = NULL;
    size_t header_len = 0;
    ecl_status st = ecl_npy_format_header(dtype, ecl_tensor_ndim(tensor), ecl_tensor_shape(tensor),
                                          &header, &header_len, err);
    if (st != ECL_SUCCESS)
        return in_file(err, path, st);
    unsigned char *data = ecl_malloc(bytes > 0 ? (size_t)bytes : 1);
    if (!data) {
        ecl_free(header);
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "'%s': cannot allocate %lld bytes for the data",
                        path, (long long)bytes);
    }
    st = ecl_tensor_read(tensor, data, (size_t)bytes);
    if (st != ECL_SUCCESS) {
        in_file(err, path, st);
    } else {
        if (!ecl_npy_host_is_little_endian())
            ecl_npy_swap_bytes(data, (size_t)ecl_tensor_numel(tensor), elem_size);
        st = write_atomically(path, header, header_len, data, (size_t)bytes, err);
    }
    ecl_free(data);
    ecl_free(header);
    return st;
}
