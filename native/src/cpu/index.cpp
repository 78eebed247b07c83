// nf_gather (take slices along an axis) and nf_one_hot.
#include <cstring>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/layout.h"
#include "cpu/kernels.h"
#include "cpu/parallel.h"

extern "C" NF_API nf_status nf_gather(nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                                      nf_dtype index_dtype, const void* indices, int64_t index_count, void* out) {
    static const char* fn = "nf_gather";
    return nf::guard(fn, [&] {
        const nf::GatherArgs g = nf::check_gather(fn, dtype, x, x_layout, axis, index_dtype, indices, index_count, out);
        const nf_layout& xl = *x_layout;
        const int64_t len = g.len;
        // Validate every index before touching out, so a bad index leaves no partial result
        // and the parallel copy below cannot fail.
        for (int64_t j = 0; j < index_count; ++j) {
            const int64_t v = nf::index_at(index_dtype, indices, j);
            if (v < 0 || v >= len) nf::fail_gather_index(fn, j, v, len, axis, xl);
        }
        const int64_t outer = g.outer;
        // Inner block: the axes after `axis`, copied as one strided sub-tensor per slice.
        nf_layout inner{};
        inner.rank = xl.rank - axis - 1;
        for (int d = 0; d < inner.rank; ++d) {
            inner.shape[d] = xl.shape[axis + 1 + d];
            inner.strides[d] = xl.strides[axis + 1 + d];
        }
        const nf_layout inner_out = nf::contiguous_like(inner);
        const int64_t inner_n = nf::numel_of(inner.shape, inner.rank);
        const int64_t total = g.total;
        if (total == 0) return;
        const int64_t es = nf::dtype_size(dtype);
        const char* px = static_cast<const char*>(x) + xl.offset * es;
        char* po = static_cast<char*>(out);
        const nf::Plan<2> ip = [&] {
            const nf_layout* ls[2] = {&inner, &inner_out};
            return nf::make_plan(ls);
        }();
        nf::parallel_chunks(outer * index_count, inner_n, [&](int64_t b, int64_t e) {
            for (int64_t t = b; t < e; ++t) {
                const int64_t o = t / index_count, j = t % index_count;
                const int64_t src = nf::offset_of(o, xl.shape, xl.strides, axis) +
                                    nf::index_at(index_dtype, indices, j) * xl.strides[axis];
                const char* s = px + src * es;
                char* d = po + t * inner_n * es;
                if (ip.rank == 1 && ip.inner(0) == 1) {
                    std::memcpy(d, s, static_cast<size_t>(inner_n * es));
                    continue;
                }
                nf::for_runs(ip, 0, inner_n, [&](const int64_t* off, int64_t cnt) {
                    const int64_t ss = ip.inner(0);
                    for (int64_t i = 0; i < cnt; ++i)
                        std::memcpy(d + (off[1] + i) * es, s + (off[0] + i * ss) * es, static_cast<size_t>(es));
                });
            }
        });
    });
}

extern "C" NF_API nf_status nf_one_hot(nf_dtype index_dtype, const void* indices, const nf_layout* indices_layout,
                                       int64_t depth, double on_value, double off_value, nf_dtype out_dtype,
                                       void* out) {
    static const char* fn = "nf_one_hot";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_one_hot(fn, index_dtype, indices, indices_layout, depth, out_dtype, out);
        if (n == 0 || depth == 0) return;
        const nf_layout cl = nf::contiguous_like(*indices_layout);
        const nf_layout* ls[2] = {indices_layout, &cl};
        const nf::Plan<2> p = nf::make_plan(ls);
        const int64_t es = nf::dtype_size(index_dtype);
        const char* pi = static_cast<const char*>(indices) + indices_layout->offset * es;
        nf::dispatch(out_dtype, [&](auto tag) {
            using Tg = decltype(tag);
            using T = typename Tg::type;
            const T on = nf::from_double<Tg>(on_value), off = nf::from_double<Tg>(off_value);
            T* po = static_cast<T*>(out);
            const int64_t s = p.inner(0);
            nf::run_plan(p, depth, [&](const int64_t* o, int64_t cnt) {
                for (int64_t i = 0; i < cnt; ++i) {
                    T* row = po + (o[1] + i) * depth;
                    for (int64_t k = 0; k < depth; ++k) row[k] = off;
                    const int64_t v = nf::index_at(index_dtype, pi, (o[0] + i * s));
                    if (v >= 0 && v < depth) row[v] = on;
                }
            });
        });
    });
}
