// nf_copy: strided copy of one dtype, and copy_strided (cpu/kernels.h), which nf_cast of one
// dtype to itself and the kernels that pack a strided input share.
#include <algorithm>
#include <cstring>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/layout.h"
#include "cpu/kernels.h"
#include "cpu/parallel.h"

namespace nf {
namespace {

constexpr int64_t kTile = 32;

template <class T>
void copy_run(const T* x, int64_t sx, T* o, int64_t so, int64_t n) {
    if (sx == 1 && so == 1) {
        std::memcpy(o, x, static_cast<size_t>(n) * sizeof(T));
    } else if (sx == 0 && so == 1) {
        const T v = *x;
        for (int64_t i = 0; i < n; ++i) o[i] = v;
    } else {
        for (int64_t i = 0; i < n; ++i) o[i * so] = x[i * sx];
    }
}

template <class T>
void copy_typed(const void* src, const nf_layout& sl, void* dst, const nf_layout& dl) {
    const T* ps = static_cast<const T*>(src) + sl.offset;
    T* pd = static_cast<T*>(dst) + dl.offset;
    const nf_layout* ls[2] = {&sl, &dl};
    const Plan<2> p = make_plan(ls);
    const int64_t ss = p.inner(0), sd = p.inner(1);
    if (p.rank == 2 && sd == 1 && ss != 1 && ss != 0 && p.shape[0] >= kTile && p.shape[1] >= kTile) {
        // 2-D transpose-like copy: walk kTile x kTile tiles so the strided source lines
        // stay in L1 across a tile instead of being refetched for every output row.
        const int64_t R = p.shape[0], C = p.shape[1], sr = p.strides[0][0], dr = p.strides[1][0];
        parallel_chunks((R + kTile - 1) / kTile, kTile * C, [&](int64_t b, int64_t e) {
            for (int64_t r0 = b * kTile; r0 < std::min(R, e * kTile); r0 += kTile)
                for (int64_t c0 = 0; c0 < C; c0 += kTile)
                    for (int64_t i = r0; i < std::min(R, r0 + kTile); ++i)
                        for (int64_t j = c0; j < std::min(C, c0 + kTile); ++j) pd[i * dr + j] = ps[i * sr + j * ss];
        });
        return;
    }
    run_plan(p, 1, [&](const int64_t* off, int64_t n) { copy_run(ps + off[0], ss, pd + off[1], sd, n); });
}

}  // namespace

void copy_strided(int64_t elem_size, const void* src, const nf_layout& sl, void* dst, const nf_layout& dl) {
    switch (elem_size) {
        case 1: return copy_typed<uint8_t>(src, sl, dst, dl);
        case 2: return copy_typed<uint16_t>(src, sl, dst, dl);
        case 4: return copy_typed<uint32_t>(src, sl, dst, dl);
        default: return copy_typed<uint64_t>(src, sl, dst, dl);
    }
}

}  // namespace nf

extern "C" NF_API nf_status nf_copy(nf_dtype dtype, const void* x, const nf_layout* x_layout, void* out,
                                    const nf_layout* out_layout) {
    static const char* fn = "nf_copy";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_copy(fn, dtype, x, x_layout, out, out_layout);
        if (n == 0) return;
        nf::copy_strided(nf::dtype_size(dtype), x, *x_layout, out, *out_layout);
    });
}
