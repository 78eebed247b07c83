// nf_optimizer_update_multi (issue 17, multi-tensor apply) for both engines: the argument checks
// and the one split of a call's elements into per-tensor pieces. Each engine adds its loop over
// the pieces (cpu/optimizer.cpp: a parallel pass; cuda/optimizer.cu: one launch per table of
// tensors); the per-element step is common/optimizer_step.h's, so every element gets the bits of
// the per-variable nf_optimizer_update_ex call.
#pragma once

#include <cstdint>
#include <vector>

#include "common/checks.h"
#include "common/error.h"
#include "neuralflow.h"

namespace nf {

// A checked call: the options (all zeros for NULL) and the tensors that hold elements, each with
// the slots its kind does not use set to NULL (as check_optimizer_ex does), and the element
// count before each (start[i]; start.back() is the total).
struct OptimizerMultiArgs {
    nf_optimizer_options o;
    std::vector<nf_optimizer_tensor> tensors;
    std::vector<int64_t> start;
    int64_t total() const { return start.back(); }
};

// Every check of nf_optimizer_update_ex per tensor (messages name "tensors[i]"), plus: a
// non-negative tensor_count, tensors not NULL when it is positive, a total count within
// kMaxElements, and no written buffer (param, a used slot) overlapping another tensor's buffers
// or its own grad. Overlaps are found from the byte ranges, so device pointers are checked
// without being read.
OptimizerMultiArgs check_optimizer_multi(const char* fn, nf_optimizer kind, nf_dtype dtype,
                                         const nf_optimizer_tensor* tensors, int32_t tensor_count,
                                         const nf_optimizer_params* p, const nf_optimizer_options* o);

// Calls f(tensor, begin, end) for each tensor's piece of the elements [b, e) of the
// concatenation of a checked call's tensors (begin/end index into that tensor), in order.
template <class F>
void for_each_piece(const OptimizerMultiArgs& a, int64_t b, int64_t e, F&& f) {
    // The last tensor starting at or before b (start[] is sorted; tensors hold at least one element).
    size_t lo = 0, hi = a.tensors.size();
    while (hi - lo > 1) {
        const size_t mid = (lo + hi) / 2;
        if (a.start[mid] <= b) lo = mid;
        else hi = mid;
    }
    for (size_t t = lo; t < a.tensors.size() && a.start[t] < e; ++t) {
        const int64_t from = b > a.start[t] ? b - a.start[t] : 0;
        const int64_t to = (e < a.start[t + 1] ? e : a.start[t + 1]) - a.start[t];
        f(a.tensors[t], from, to);
    }
}

// Both engines' entry point: the checks, then body(T(), args) with T the dtype's type.
template <class F>
nf_status optimizer_multi_entry(const char* fn, nf_optimizer kind, nf_dtype dtype, const nf_optimizer_tensor* tensors,
                                int32_t tensor_count, const nf_optimizer_params* p, const nf_optimizer_options* o, F&& body) {
    return guard(fn, [&] {
        const OptimizerMultiArgs a = check_optimizer_multi(fn, kind, dtype, tensors, tensor_count, p, o);
        if (dtype == NF_FLOAT32) body(float(), a);
        else body(double(), a);
    });
}

}  // namespace nf
