// generate: out[i] = f(i) for i in [0, count), converted through from_double, on the pool.
// What nf_range (fill.cpp) and the random generators (random.cpp) have in common.
#pragma once

#include <cstdint>

#include "common/dtype.h"
#include "cpu/parallel.h"

namespace nf {

template <class Tg, class F>
void generate(void* out, int64_t count, int64_t cost, F&& f) {
    using T = typename Tg::type;
    T* po = static_cast<T*>(out);
    parallel_chunks(count, cost, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) po[i] = from_double<Tg>(f(i));
    });
}

}  // namespace nf
