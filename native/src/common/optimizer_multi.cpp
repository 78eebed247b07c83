// nf_optimizer_update_multi's argument checks (common/optimizer_multi.h), shared by both engines.
#include "common/optimizer_multi.h"

#include <algorithm>
#include <cstring>

#include "common/error.h"

namespace nf {
namespace {

// One buffer of one tensor as a byte range, for the overlap check.
struct Span {
    uintptr_t begin, end;
    int32_t tensor;
    const char* name;
    bool written;
};

[[noreturn]] void fail_overlap(const char* fn, const Span& a, const Span& b) {
    NF_INVALID("%s: tensors[%d].%s overlaps tensors[%d].%s; the buffers a step writes may not share memory with any "
               "other buffer of the call (the tensors are updated at once, in no order)",
               fn, a.tensor, a.name, b.tensor, b.name);
}

// Sorted by start, a written range overlaps another range when it overlaps the next one(s) that
// start before it ends; read-read overlaps (one gradient for two variables) are allowed.
void check_overlaps(const char* fn, std::vector<Span>& spans) {
    // Stable: of two ranges starting together, the message names the earlier tensor first.
    std::stable_sort(spans.begin(), spans.end(), [](const Span& x, const Span& y) { return x.begin < y.begin; });
    for (size_t i = 0; i < spans.size(); ++i)
        for (size_t j = i + 1; j < spans.size() && spans[j].begin < spans[i].end; ++j)
            if (spans[i].written || spans[j].written) fail_overlap(fn, spans[i], spans[j]);
}

}  // namespace

OptimizerMultiArgs check_optimizer_multi(const char* fn, nf_optimizer kind, nf_dtype dtype,
                                         const nf_optimizer_tensor* tensors, int32_t tensor_count,
                                         const nf_optimizer_params* p, const nf_optimizer_options* o) {
    // The call's own arguments first, as a call without elements would see them.
    OptimizerMultiArgs a{check_optimizer_ex(fn, kind, dtype, nullptr, nullptr, nullptr, nullptr, nullptr, 0, p, o).o, {}, {0}};
    if (tensor_count < 0) NF_INVALID("%s: tensor_count = %d is negative", fn, tensor_count);
    if (tensor_count > 0 && !tensors) NF_INVALID("%s: tensors is NULL but tensor_count = %d", fn, tensor_count);
    const int64_t size = static_cast<int64_t>(dtype_size(dtype));
    std::vector<Span> spans;
    spans.reserve(static_cast<size_t>(tensor_count > 0 ? tensor_count : 0) * 5);
    a.tensors.reserve(static_cast<size_t>(tensor_count > 0 ? tensor_count : 0));
    a.start.reserve(static_cast<size_t>(tensor_count > 0 ? tensor_count : 0) + 1);
    for (int32_t i = 0; i < tensor_count; ++i) {
        const nf_optimizer_tensor& t = tensors[i];
        OptimizerExArgs x;
        try {
            x = check_optimizer_ex(fn, kind, dtype, t.param, t.grad, t.slot0, t.slot1, t.slot2, t.count, p, &a.o);
        } catch (const Error& e) {
            // Every message starts with "fn: "; the tensor's name goes after it (built only on failure:
            // the checks run on every training step).
            throw Error(e.status(), format("%s: tensors[%d]: %s", fn, i, e.what() + std::strlen(fn) + 2));
        }
        if (t.count == 0) continue;
        if (t.count > kMaxElements - a.total())
            NF_INVALID("%s: the tensors hold more than 2^60 elements together (tensors[%d] passes it)", fn, i);
        a.tensors.push_back({t.param, t.grad, x.s0, x.s1, x.s2, t.count});
        a.start.push_back(a.total() + t.count);
        const uintptr_t bytes = static_cast<uintptr_t>(t.count * size);
        const struct {
            const void* ptr;
            const char* name;
            bool written;
        } buffers[] = {{t.param, "param", true}, {t.grad, "grad", false}, {x.s0, "slot0", true}, {x.s1, "slot1", true},
                       {x.s2, "slot2", true}};
        for (const auto& b : buffers)
            if (b.ptr) {
                const uintptr_t begin = reinterpret_cast<uintptr_t>(b.ptr);
                spans.push_back({begin, begin + bytes, i, b.name, b.written});
            }
    }
    check_overlaps(fn, spans);
    return a;
}

}  // namespace nf
