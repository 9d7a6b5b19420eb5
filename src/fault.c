/*
 * The failure-injection countdowns behind fault.h. Events are counted only while a kind is armed,
 * so the library pays one atomic load per event otherwise.
 */
#include "fault.h"

#include <stdatomic.h>

typedef struct fault_point {
    atomic_long target;  /* 0: disarmed; else the event number that fails */
    atomic_long count;
} fault_point;

static fault_point points[ECL_FAULT_KINDS];

void ecl_fault_arm(ecl_fault_kind kind, long n)
{
    atomic_store(&points[kind].target, 0);
    atomic_store(&points[kind].count, 0);
    atomic_store(&points[kind].target, n > 0 ? n : 0);
}

long ecl_fault_count(ecl_fault_kind kind)
{
    return atomic_load(&points[kind].count);
}

int ecl_fault_fired(ecl_fault_kind kind)
{
    long target = atomic_load(&points[kind].target);
    return target > 0 && atomic_load(&points[kind].count) >= target;
}

int ecl_fault_hit(ecl_fault_kind kind)
{
    long target = atomic_load_explicit(&points[kind].target, memory_order_relaxed);
    if (target <= 0)
        return 0;
    return atomic_fetch_add(&points[kind].count, 1) + 1 == target;
}
