// nf_cast: dtype conversion into a contiguous output (same dtype: copy.cpp's copy_strided).
#include <type_traits>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/layout.h"
#include "cpu/kernels.h"
#include "cpu/parallel.h"

namespace nf {
namespace {

template <class S, class DTag>
void cast_run(const S* x, int64_t sx, typename DTag::type* o, int64_t n) {
    if (sx == 1) {
        for (int64_t i = 0; i < n; ++i) o[i] = convert<S, DTag>(x[i]);
    } else {
        for (int64_t i = 0; i < n; ++i) o[i] = convert<S, DTag>(x[i * sx]);
    }
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_cast(nf_dtype src, const void* x, const nf_layout* x_layout, nf_dtype dst,
                                    void* out) {
    static const char* fn = "nf_cast";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_cast(fn, src, x, x_layout, dst, out);
        if (n == 0) return;
        const nf_layout ol = nf::contiguous_like(*x_layout);
        if (src == dst) return nf::copy_strided(nf::dtype_size(src), x, *x_layout, out, ol);
        nf::dispatch_storage(src, [&](auto stag) {
            using S = typename decltype(stag)::type;
            nf::dispatch_storage(dst, [&](auto dtag) {
                using DTag = decltype(dtag);
                using D = typename DTag::type;
                const S* px = static_cast<const S*>(x) + x_layout->offset;
                D* po = static_cast<D*>(out);
                const nf_layout* ls[2] = {x_layout, &ol};
                const nf::Plan<2> p = nf::make_plan(ls);
                const int64_t sx = p.inner(0);
                // The output is contiguous, so its offset is the run's linear position.
                nf::run_plan(p, 1, [&](const int64_t* off, int64_t cnt) {
                    nf::cast_run<S, DTag>(px + off[0], sx, po + off[1], cnt);
                });
            });
        });
    });
}
