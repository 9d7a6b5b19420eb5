/*
 * Failure injection for tests (SQLite's malloc tests are the model): a countdown per kind of
 * fallible event — host allocation, device buffer allocation, OpenCL enqueue — that makes exactly
 * the Nth event after arming fail. Compiled into every build but reachable only through this
 * internal header (the symbols are hidden in the shared library); disarmed, a check costs one
 * relaxed atomic load. OpenCL events are intercepted in the loaded entry points (opencl_loader.c),
 * so CLBlast's own enqueues, which go straight to the ICD loader, are not covered.
 */
#ifndef ECL_FAULT_H
#define ECL_FAULT_H

typedef enum ecl_fault_kind {
    ECL_FAULT_HOST_ALLOC,    /* ecl_malloc, ecl_calloc, ecl_realloc, ecl_strdup */
    ECL_FAULT_DEVICE_ALLOC,  /* CPU backend buffers, clCreateBuffer */
    ECL_FAULT_ENQUEUE,       /* clEnqueue* through the library's loader */
    ECL_FAULT_KINDS
} ecl_fault_kind;

/* Makes the nth event of kind from now on fail (n >= 1), once; n == 0 disarms. Resets the count. */
void ecl_fault_arm(ecl_fault_kind kind, long n);
/* Events of kind seen since the last ecl_fault_arm. */
long ecl_fault_count(ecl_fault_kind kind);
/* Whether the armed failure has happened. */
int ecl_fault_fired(ecl_fault_kind kind);
/* Called at each event: counts it and returns 1 when it must fail. */
int ecl_fault_hit(ecl_fault_kind kind);

#endif /* ECL_FAULT_H */
