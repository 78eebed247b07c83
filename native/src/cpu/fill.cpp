// nf_fill and nf_range: constant and arithmetic-sequence outputs.
#include <cstdint>

#include "common/checks.h"
#include "common/dtype.h"
#include "cpu/generate.h"
#include "cpu/parallel.h"

extern "C" NF_API nf_status nf_fill(nf_dtype dtype, void* out, int64_t count, double value) {
    return nf::guard("nf_fill", [&] {
        nf::check_fill_storage("nf_fill", dtype, out, count);
        nf::dispatch_storage(dtype, [&](auto tag) {
            using Tg = decltype(tag);
            const typename Tg::type v = nf::from_double<Tg>(value);
            typename Tg::type* po = static_cast<typename Tg::type*>(out);
            nf::parallel_chunks(count, 1, [&](int64_t b, int64_t e) {
                for (int64_t i = b; i < e; ++i) po[i] = v;
            });
        });
    });
}

extern "C" NF_API nf_status nf_range(nf_dtype dtype, void* out, int64_t count, double start, double delta) {
    return nf::guard("nf_range", [&] {
        nf::check_fill("nf_range", dtype, out, count);
        nf::dispatch(dtype, [&](auto tag) {
            nf::generate<decltype(tag)>(out, count, 2,
                                        [&](int64_t i) { return start + static_cast<double>(i) * delta; });
        });
    });
}
