/* Installed-package smoke test: sums a wrapped 2x3 host array through the installed library. */
#include <einsumcl.h>
#include <stdio.h>
int main(void) {
  ecl_context *ctx; if (ecl_context_create(NULL, &ctx)) return 1;
  float a[6] = {1,2,3,4,5,6}; int64_t s[2] = {2,3}; ecl_tensor *t, *r;
  ecl_tensor_wrap_host(ctx, ECL_F32, 2, s, NULL, a, &t);
  const ecl_tensor *in[] = {t};
  if (ecl_einsum_alloc(ctx, "ij->", 1, in, &r)) return 2;
  float v; ecl_tensor_read(r, &v, 4); printf("%g\n", v);
  ecl_tensor_destroy(r); ecl_tensor_destroy(t); ecl_context_destroy(ctx); return v != 21;
}
