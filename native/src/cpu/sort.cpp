// nf_sort: a stable sort of every line along one axis, lines in parallel. Each line sorts an
// index array by common/scan_sort.h's order (NaN last ascending, first descending), which the
// CUDA engine's merge sort shares: a stable sort by one strict weak order has one result, so
// both engines agree bit for bit.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/scan_sort.h"
#include "cpu/parallel.h"

namespace nf {
namespace {

template <class T>
void sort_lines(const T* x, const Lines& s, bool descending, T* values, nf_dtype index_dtype, void* indices) {
    const nf_layout* ls[2] = {&s.x, &s.out};
    const Plan<2> p = make_plan(ls);
    const int64_t sx = p.inner(0), so = p.inner(1), len = s.len;
    int64_t log_len = 1;
    while ((int64_t{1} << log_len) < len) ++log_len;
    // One index buffer per worker slot, allocated here where a failure is still a status
    // (a worker must not throw).
    const int nt = threads();
    std::vector<std::vector<int64_t>> orders(static_cast<size_t>(nt), std::vector<int64_t>(static_cast<size_t>(len)));
    parallel_chunks_tid(p.numel, len * log_len + 1, [&](int slot, int64_t begin, int64_t end) {
        std::vector<int64_t>& order = orders[static_cast<size_t>(slot)];
        for_runs(p, begin, end, [&](const int64_t* off, int64_t n) {
            for (int64_t i = 0; i < n; ++i) {
                const T* xi = x + off[0] + i * sx;
                const int64_t o = off[1] + i * so;
                for (int64_t j = 0; j < len; ++j) order[j] = j;
                std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
                    return sorts_before(xi[a * s.x_step], xi[b * s.x_step], descending);
                });
                for (int64_t j = 0; j < len; ++j) {
                    const int64_t at = o + j * s.out_step;
                    if (values) values[at] = xi[order[j] * s.x_step];
                    if (!indices) continue;
                    if (index_dtype == NF_INT32) static_cast<int32_t*>(indices)[at] = static_cast<int32_t>(order[j]);
                    else static_cast<int64_t*>(indices)[at] = order[j];
                }
            }
        });
    }, nt);
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_sort(nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                                    int32_t descending, void* values_out, nf_dtype index_dtype, void* indices_out) {
    static const char* fn = "nf_sort";
    return nf::guard(fn, [&] {
        nf::sort_entry(fn, dtype, x, x_layout, axis, values_out, index_dtype, indices_out,
                       [&](auto px, auto pv, const nf::Lines& s) {
                           nf::sort_lines(px, s, descending != 0, pv, index_dtype, indices_out);
                       });
    });
}
