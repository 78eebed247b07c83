#include "common/checks.h"

#include <climits>
#include <cmath>
#include <string>

#include "common/elementwise_list.h"
#include "common/intmath.h"

namespace nf {
namespace {

// Name and dtype rule of each op, from common/elementwise_list.h; NULL name: not a valid op.
struct OpInfo {
    const char* name;
    int flag;  // the list's dtype flag (common/elementwise_list.h)
};

OpInfo binary_op_info(nf_binary_op op) {
    switch (op) {
#define NF_INFO(E, Op, name, flag, cost) \
        case E: return {name, flag};
        NF_BINARY_OPS(NF_INFO)
#undef NF_INFO
    }
    return {nullptr, 0};
}

OpInfo unary_op_info(nf_unary_op op) {
    switch (op) {
#define NF_INFO(E, Op, name, flag, cost) \
        case E: return {name, flag};
        NF_UNARY_OPS(NF_INFO)
#undef NF_INFO
    }
    return {nullptr, 0};
}

const char* optimizer_name(nf_optimizer kind) {
    switch (kind) {
        case NF_OPTIMIZER_SGD: return "sgd";
        case NF_OPTIMIZER_ADAM: return "adam";
        case NF_OPTIMIZER_RMSPROP: return "rmsprop";
        case NF_OPTIMIZER_ADAGRAD: return "adagrad";
        case NF_OPTIMIZER_NADAM: return "nadam";
        case NF_OPTIMIZER_ADAMAX: return "adamax";
        case NF_OPTIMIZER_ADADELTA: return "adadelta";
        case NF_OPTIMIZER_FTRL: return "ftrl";
    }
    return "invalid";
}

void require_float(const char* fn, nf_dtype dtype) {
    check_dtype(fn, "dtype", dtype);
    if (!dtype_is_float(dtype))
        NF_UNSUPPORTED("%s: dtype %s is not supported (float32/float64 only)", fn, dtype_name(dtype));
}

void check_count(const char* fn, int64_t count) {
    if (count < 0) NF_INVALID("%s: count = %lld is negative", fn, (long long)count);
    // Bounded like a layout's element count, so count * element size (and the work estimate
    // count * cost) cannot overflow.
    if (count > kMaxElements) NF_INVALID("%s: count = %lld is more than 2^60 elements", fn, (long long)count);
}

[[noreturn]] void missing_slot(const char* fn, nf_optimizer kind, int slot, double momentum) {
    static const char* names[8][3] = {{"velocity", "", ""},
                                      {"m", "v", "v_hat (amsgrad)"},
                                      {"mean square", "momentum buffer", "mean gradient (centered)"},
                                      {"accumulator", "", ""},
                                      {"m", "v", ""},
                                      {"m", "u", ""},
                                      {"accumulated gradient", "accumulated update", ""},
                                      {"accumulator", "linear", ""}};
    const bool uses_momentum = kind == NF_OPTIMIZER_SGD || kind == NF_OPTIMIZER_RMSPROP;
    const std::string why = uses_momentum ? format(" with momentum = %g", momentum) : std::string();
    NF_INVALID("%s: slot%d (%s) is NULL but %s%s needs it", fn, slot, names[kind][slot], optimizer_name(kind),
               why.c_str());
}

}  // namespace

int64_t check_binary(const char* fn, nf_binary_op op, nf_dtype dtype, const void* a, const nf_layout* a_layout,
                     const void* b, const nf_layout* b_layout, const void* out, const nf_layout* out_layout) {
    const OpInfo info = binary_op_info(op);
    if (!info.name) NF_INVALID("%s: op = %d is not a valid nf_binary_op", fn, static_cast<int>(op));
    check_dtype(fn, "dtype", dtype);
    const int64_t n = check_x_out(fn, a, a_layout, out, out_layout, "a", "a_layout");
    check_layout(fn, "b_layout", b_layout);
    check_same_shape(fn, "a_layout", *a_layout, "b_layout", *b_layout);
    check_buffer(fn, "b", b, n);
    if ((dtype == NF_BOOL && !binary_takes_bool(info.flag)) || (dtype_is_float(dtype) && !binary_takes_floats(info.flag)))
        NF_UNSUPPORTED("%s: op %s is not supported for dtype %s", fn, info.name, dtype_name(dtype));
    return n;
}

int64_t check_unary(const char* fn, nf_unary_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                    const void* out, const nf_layout* out_layout) {
    const OpInfo info = unary_op_info(op);
    if (!info.name) NF_INVALID("%s: op = %d is not a valid nf_unary_op", fn, static_cast<int>(op));
    check_dtype(fn, "dtype", dtype);
    const int64_t n = check_x_out(fn, x, x_layout, out, out_layout);
    if (dtype == NF_BOOL || (!info.flag && !dtype_is_float(dtype)))
        NF_UNSUPPORTED("%s: op %s is not supported for dtype %s", fn, info.name, dtype_name(dtype));
    return n;
}

const char* reduce_op_name(nf_reduce_op op) {
    static const char* names[] = {"sum", "mean", "max", "min", "prod", "argmax", "argmin"};
    return names[op];
}

ReduceArgs check_reduce(const char* fn, nf_reduce_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                        uint32_t axes_mask, const void* out, nf_dtype out_dtype) {
    if (op < NF_REDUCE_SUM || op > NF_REDUCE_ARGMIN)
        NF_INVALID("%s: op = %d is not a valid nf_reduce_op", fn, static_cast<int>(op));
    check_dtype(fn, "dtype", dtype);
    check_dtype(fn, "out_dtype", out_dtype);
    const int64_t n = check_layout(fn, "x_layout", x_layout);
    const nf_layout& xl = *x_layout;
    for (int bit = xl.rank; bit < 32; ++bit)
        if ((axes_mask >> bit) & 1u)
            NF_INVALID("%s: axes_mask has bit %d set but x has rank %d", fn, bit, xl.rank);
    check_buffer(fn, "x", x, n);
    ReduceArgs r{1, 1, op == NF_REDUCE_ARGMAX || op == NF_REDUCE_ARGMIN, 0};
    for (int d = 0; d < xl.rank; ++d) ((axes_mask >> d) & 1u ? r.nred : r.nout) *= xl.shape[d];
    check_buffer(fn, "out", out, r.nout);
    if (r.arg) {
        if (__builtin_popcount(axes_mask) != 1)
            NF_INVALID("%s: %s needs exactly one axis but axes_mask = 0x%x", fn, reduce_op_name(op), axes_mask);
        if (out_dtype != NF_INT64 && out_dtype != NF_INT32)
            NF_INVALID("%s: out_dtype = %s for %s must be int64 or int32", fn, dtype_name(out_dtype),
                       reduce_op_name(op));
        r.axis = __builtin_ctz(axes_mask);
    } else if (out_dtype != dtype) {
        NF_INVALID("%s: out_dtype = %s must equal dtype = %s for %s", fn, dtype_name(out_dtype), dtype_name(dtype),
                   reduce_op_name(op));
    }
    if (dtype == NF_BOOL && (op == NF_REDUCE_SUM || op == NF_REDUCE_MEAN || op == NF_REDUCE_PROD))
        NF_UNSUPPORTED("%s: op %s is not supported for dtype bool", fn, reduce_op_name(op));
    if (r.nred == 0 && (op == NF_REDUCE_MAX || op == NF_REDUCE_MIN || r.arg))
        NF_INVALID("%s: %s over an empty axis (x shape %s, axes_mask 0x%x) has no result", fn, reduce_op_name(op),
                   shape_str(xl.shape, xl.rank).c_str(), axes_mask);
    if (r.arg && out_dtype == NF_INT32 && xl.shape[r.axis] > INT32_MAX)
        NF_INVALID("%s: axis %d has %lld elements, too many for int32 indices", fn, r.axis,
                   (long long)xl.shape[r.axis]);
    return r;
}

int64_t check_softmax(const char* fn, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                      const void* out) {
    require_float(fn, dtype);
    const int64_t n = check_layout(fn, "x_layout", x_layout);
    const nf_layout& xl = *x_layout;
    if (axis < 0 || axis >= xl.rank)
        NF_INVALID("%s: axis = %d is outside [0, %d) for x of rank %d", fn, axis, xl.rank, xl.rank);
    check_buffer(fn, "x", x, n);
    check_buffer(fn, "out", out, n);
    return n;
}

MatmulArgs check_matmul(const char* fn, nf_dtype dtype, const void* a, const nf_layout* a_layout,
                        const void* b, const nf_layout* b_layout, const void* out,
                        const nf_layout* out_layout) {
    require_float(fn, dtype);
    const int64_t na = check_layout(fn, "a_layout", a_layout);
    const int64_t nb = check_layout(fn, "b_layout", b_layout);
    const int64_t no = check_layout(fn, "out_layout", out_layout);
    const nf_layout &al = *a_layout, &bl = *b_layout, &ol = *out_layout;
    if (ol.rank < 2) NF_INVALID("%s: out_layout.rank = %d must be >= 2", fn, ol.rank);
    if (al.rank != ol.rank || bl.rank != ol.rank)
        NF_INVALID("%s: a_layout.rank = %d, b_layout.rank = %d and out_layout.rank = %d must be equal", fn, al.rank,
                   bl.rank, ol.rank);
    MatmulArgs m{};
    m.batch = 1;
    for (int d = 0; d < ol.rank - 2; ++d) {
        if (al.shape[d] != ol.shape[d] && al.shape[d] != 1)
            NF_INVALID("%s: batch axis %d: a_layout has %lld but out_layout has %lld", fn, d, (long long)al.shape[d],
                       (long long)ol.shape[d]);
        if (bl.shape[d] != ol.shape[d] && bl.shape[d] != 1)
            NF_INVALID("%s: batch axis %d: b_layout has %lld but out_layout has %lld", fn, d, (long long)bl.shape[d],
                       (long long)ol.shape[d]);
        m.batch *= ol.shape[d];
    }
    const int r = ol.rank;
    const int64_t a_rows = al.shape[r - 2], a_cols = al.shape[r - 1];
    const int64_t b_rows = bl.shape[r - 2], b_cols = bl.shape[r - 1];
    if (a_cols != b_rows)
        NF_INVALID("%s: inner dimensions differ: a is [%lld, %lld] but b is [%lld, %lld]", fn,
                   (long long)a_rows, (long long)a_cols, (long long)b_rows, (long long)b_cols);
    if (ol.shape[r - 2] != a_rows || ol.shape[r - 1] != b_cols)
        NF_INVALID("%s: out_layout is %s but a @ b gives [..., %lld, %lld]", fn,
                   shape_str(ol.shape, ol.rank).c_str(), (long long)a_rows, (long long)b_cols);
    if (!is_contiguous(ol)) NF_INVALID("%s: out_layout must be contiguous", fn);
    if (a_rows > INT_MAX || a_cols > INT_MAX || b_cols > INT_MAX)
        NF_UNSUPPORTED("%s: matrix dimensions above 2^31-1 are not supported", fn);
    check_buffer(fn, "a", a, na);
    check_buffer(fn, "b", b, nb);
    check_buffer(fn, "out", out, no);
    m.m = a_rows;
    m.k = a_cols;
    m.n = b_cols;
    m.out_numel = no;
    return m;
}

int64_t check_cast(const char* fn, nf_dtype src, const void* x, const nf_layout* x_layout, nf_dtype dst,
                   const void* out) {
    check_storage_dtype(fn, "src", src);
    check_storage_dtype(fn, "dst", dst);
    const int64_t n = check_layout(fn, "x_layout", x_layout);
    check_buffer(fn, "x", x, n);
    check_buffer(fn, "out", out, n);
    return n;
}

int64_t check_copy(const char* fn, nf_dtype dtype, const void* x, const nf_layout* x_layout, const void* out,
                   const nf_layout* out_layout) {
    check_storage_dtype(fn, "dtype", dtype);
    return check_x_out(fn, x, x_layout, out, out_layout);
}

void check_index_dtype(const char* fn, nf_dtype dt) {
    check_dtype(fn, "index_dtype", dt);
    if (dt != NF_INT32 && dt != NF_INT64 && dt != NF_UINT8)
        NF_INVALID("%s: index_dtype = %s must be int32, int64 or uint8", fn, dtype_name(dt));
}

namespace {

// What gather and scatter_add check alike: the dtypes, the sliced tensor's layout (named `name`)
// and the axis. Returns that tensor's element count.
int64_t check_indexed(const char* fn, nf_dtype dtype, nf_dtype index_dtype, const char* name, const nf_layout* layout,
                      int32_t axis) {
    check_dtype(fn, "dtype", dtype);
    check_index_dtype(fn, index_dtype);
    const int64_t n = check_layout(fn, (std::string(name) + "_layout").c_str(), layout);
    if (axis < 0 || axis >= layout->rank)
        NF_INVALID("%s: axis = %d is outside [0, %d) for %s of rank %d", fn, axis, layout->rank, name, layout->rank);
    return n;
}

}  // namespace

GatherArgs check_gather(const char* fn, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                        nf_dtype index_dtype, const void* indices, int64_t index_count, const void* out) {
    const int64_t n = check_indexed(fn, dtype, index_dtype, "x", x_layout, axis);
    const nf_layout& xl = *x_layout;
    if (index_count < 0 || index_count > kMaxElements)
        NF_INVALID("%s: index_count = %lld is outside [0, 2^60]", fn, (long long)index_count);
    check_buffer(fn, "x", x, n);
    check_buffer(fn, "indices", indices, index_count);
    GatherArgs g{xl.shape[axis], 1, 1, 0};
    for (int d = 0; d < axis; ++d) g.outer *= xl.shape[d];
    for (int d = axis + 1; d < xl.rank; ++d) g.inner_n *= xl.shape[d];
    // outer * inner_n is a partial product of x's shape (bounded by check_layout); index_count is not.
    g.total = size_mul(fn, "output elements (outer axes x index_count x inner axes)",
                       size_mul(fn, "outer axes x index_count", g.outer, index_count), g.inner_n);
    check_buffer(fn, "out", out, g.total);
    return g;
}

void fail_gather_index(const char* fn, int64_t j, int64_t value, int64_t len, int axis, const nf_layout& xl) {
    NF_INVALID("%s: indices[%lld] = %lld is out of range [0, %lld) for axis %d of x with shape %s", fn, (long long)j,
               (long long)value, (long long)len, axis, shape_str(xl.shape, xl.rank).c_str());
}

ScatterArgs check_scatter_add(const char* fn, nf_dtype dtype, const void* src, const nf_layout* src_layout,
                              int32_t axis, nf_dtype index_dtype, const void* indices, int64_t rows, const void* out) {
    const int64_t n = check_indexed(fn, dtype, index_dtype, "src", src_layout, axis);
    const nf_layout& sl = *src_layout;
    if (rows < 0 || rows > kMaxElements) NF_INVALID("%s: rows = %lld is outside [0, 2^60]", fn, (long long)rows);
    // Sums need an addition: no bool, and no uint8 (a device has no byte-wide atomic add).
    if (dtype != NF_FLOAT32 && dtype != NF_FLOAT64 && dtype != NF_INT32 && dtype != NF_INT64)
        NF_UNSUPPORTED("%s: dtype %s is not supported (float32, float64, int32, int64)", fn, dtype_name(dtype));
    ScatterArgs s{rows, sl.shape[axis], 1, 1, n, {}};
    for (int d = 0; d < axis; ++d) s.outer *= sl.shape[d];
    for (int d = axis + 1; d < sl.rank; ++d) s.inner_n *= sl.shape[d];
    check_buffer(fn, "src", src, n);
    check_buffer(fn, "indices", indices, s.count);
    nf_layout ol{};
    ol.rank = sl.rank;
    for (int d = 0; d < sl.rank; ++d) ol.shape[d] = d == axis ? rows : sl.shape[d];
    s.out = contiguous_like(ol);
    // outer * inner_n is a partial product of src's shape (bounded by check_layout); rows is not.
    check_buffer(fn, "out", out, size_mul(fn, "output elements (outer axes x rows x inner axes)",
                                          size_mul(fn, "outer axes x rows", s.outer, rows), s.inner_n));
    return s;
}

void fail_scatter_index(const char* fn, int64_t j, int64_t value, const ScatterArgs& s, int axis) {
    NF_INVALID("%s: indices[%lld] = %lld is out of range [0, %lld) for axis %d of out with shape %s", fn, (long long)j,
               (long long)value, (long long)s.rows, axis, shape_str(s.out.shape, s.out.rank).c_str());
}

int64_t check_one_hot(const char* fn, nf_dtype index_dtype, const void* indices, const nf_layout* indices_layout,
                      int64_t depth, nf_dtype out_dtype, const void* out) {
    check_index_dtype(fn, index_dtype);
    check_dtype(fn, "out_dtype", out_dtype);
    const int64_t n = check_layout(fn, "indices_layout", indices_layout);
    if (depth < 0) NF_INVALID("%s: depth = %lld is negative", fn, (long long)depth);
    check_buffer(fn, "indices", indices, n);
    check_buffer(fn, "out", out, size_mul(fn, "output elements (indices x depth)", n, depth));
    return n;
}

void check_fill(const char* fn, nf_dtype dtype, const void* out, int64_t count) {
    check_dtype(fn, "dtype", dtype);
    check_fill_storage(fn, dtype, out, count);
}

void check_fill_storage(const char* fn, nf_dtype dtype, const void* out, int64_t count) {
    check_storage_dtype(fn, "dtype", dtype);
    check_count(fn, count);
    if (!out && count > 0) NF_INVALID("%s: out is NULL but count = %lld", fn, (long long)count);
}

void check_random_uniform(const char* fn, nf_dtype dtype, const void* out, int64_t count, double low, double high) {
    check_fill(fn, dtype, out, count);
    if (dtype == NF_UINT8 || dtype == NF_BOOL)
        NF_UNSUPPORTED("%s: dtype %s is not supported (float32, float64, int32, int64)", fn, dtype_name(dtype));
    if (!std::isfinite(low) || !std::isfinite(high))
        NF_INVALID("%s: low = %g and high = %g must be finite", fn, low, high);
}

void check_random_normal(const char* fn, nf_dtype dtype, const void* out, int64_t count) {
    check_fill(fn, dtype, out, count);
    if (!dtype_is_float(dtype))
        NF_UNSUPPORTED("%s: dtype %s is not supported (float32/float64 only)", fn, dtype_name(dtype));
}

OptimizerSlots check_optimizer(const char* fn, nf_optimizer kind, nf_dtype dtype, const void* param,
                               const void* grad, const void* slot0, const void* slot1, int64_t count,
                               const nf_optimizer_params* p, const void* slot2, const nf_optimizer_options* o) {
    const int k = static_cast<int>(kind);
    if (k < NF_OPTIMIZER_SGD || k > NF_OPTIMIZER_FTRL)
        NF_INVALID("%s: kind = %d is not a valid nf_optimizer", fn, k);
    require_float(fn, dtype);
    check_count(fn, count);
    if (!p) NF_INVALID("%s: p is NULL", fn);
    if (p->reserved != 0) NF_INVALID("%s: p->reserved = %d must be 0", fn, p->reserved);
    if (p->step < 1) NF_INVALID("%s: p->step = %lld must be at least 1", fn, (long long)p->step);
    check_buffer(fn, "param", param, count);
    check_buffer(fn, "grad", grad, count);
    const nf_optimizer_options opt = o ? *o : nf_optimizer_options{};
    if (std::isnan(opt.weight_decay) || std::isnan(opt.grad_mul) || std::isnan(opt.grad_div) || std::isnan(opt.clip_value))
        NF_INVALID("%s: an option is NaN (weight_decay %g, grad_mul %g, grad_div %g, clip_value %g)", fn,
                   opt.weight_decay, opt.grad_mul, opt.grad_div, opt.clip_value);
    if (kind == NF_OPTIMIZER_FTRL && (std::isnan(opt.lr_power) || std::isnan(opt.l1) || std::isnan(opt.l2) ||
                                      std::isnan(opt.l2_shrinkage) || std::isnan(opt.beta)))
        NF_INVALID("%s: an Ftrl option is NaN (lr_power %g, l1 %g, l2 %g, l2_shrinkage %g, beta %g)", fn, opt.lr_power,
                   opt.l1, opt.l2, opt.l2_shrinkage, opt.beta);
    const OptimizerSlots s = optimizer_slots(kind, p->momentum, opt);
    if (count > 0) {
        if (s.need0 && !slot0) missing_slot(fn, kind, 0, p->momentum);
        if (s.need1 && !slot1) missing_slot(fn, kind, 1, p->momentum);
        if (s.need2 && !slot2) missing_slot(fn, kind, 2, p->momentum);
    }
    return s;
}

OptimizerExArgs check_optimizer_ex(const char* fn, nf_optimizer kind, nf_dtype dtype, const void* param, const void* grad,
                                   void* slot0, void* slot1, void* slot2, int64_t count, const nf_optimizer_params* p,
                                   const nf_optimizer_options* o) {
    const nf_optimizer_options opt = o ? *o : nf_optimizer_options{};
    const OptimizerSlots sl = check_optimizer(fn, kind, dtype, param, grad, slot0, slot1, count, p, slot2, &opt);
    return {opt, sl.need0 ? slot0 : nullptr, sl.need1 ? slot1 : nullptr, sl.need2 ? slot2 : nullptr};
}

CrossEntropyArgs check_cross_entropy(const char* fn, nf_dtype dtype, const void* logits,
                                     const nf_layout* logits_layout, nf_dtype label_dtype, const void* labels,
                                     int32_t sparse, const void* loss_out) {
    require_float(fn, dtype);
    const int64_t total = check_layout(fn, "logits_layout", logits_layout);
    const nf_layout& xl = *logits_layout;
    if (xl.rank != 2) NF_INVALID("%s: logits_layout has rank %d but must be 2 ([N, C])", fn, xl.rank);
    check_dtype(fn, "label_dtype", label_dtype);
    if (sparse && label_dtype != NF_INT32 && label_dtype != NF_INT64 && label_dtype != NF_UINT8)
        NF_INVALID("%s: label_dtype = %s must be int32, int64 or uint8 for sparse labels", fn,
                   dtype_name(label_dtype));
    if (!sparse && label_dtype != dtype)
        NF_INVALID("%s: label_dtype = %s must equal dtype = %s for dense labels", fn, dtype_name(label_dtype),
                   dtype_name(dtype));
    const CrossEntropyArgs r{xl.shape[0], xl.shape[1]};
    check_buffer(fn, "logits", logits, total);
    check_buffer(fn, "labels", labels, sparse ? r.n : total);
    check_buffer(fn, "loss_out", loss_out, r.n);
    // A sparse label must name a class, and there is none when C is 0: every row's label fails.
    return r;
}

void fail_label(const char* fn, int64_t row, int64_t label, int64_t classes) {
    NF_INVALID("%s: row %lld has label %lld, outside [0, %lld)", fn, (long long)row, (long long)label,
               (long long)classes);
}

namespace {

void check_rank(const char* fn, const char* arg, const nf_layout& l, int rank, const char* axes) {
    if (l.rank != rank)
        NF_INVALID("%s: %s has rank %d (shape %s), expected %d: %s", fn, arg, l.rank, shape_str(l.shape, l.rank).c_str(),
                   rank, axes);
}

void check_output_contiguous(const char* fn, const char* arg, const nf_layout& l) {
    if (!is_contiguous(l))
        NF_INVALID("%s: %s must be contiguous (row-major strides), got shape %s", fn, arg,
                   shape_str(l.shape, l.rank).c_str());
}

// Fails naming both arguments when axis `what` differs.
void check_axis(const char* fn, const char* what, const char* a_name, const nf_layout& a, int ad, const char* b_name,
                const nf_layout& b, int bd) {
    if (a.shape[ad] != b.shape[bd])
        NF_INVALID("%s: %s mismatch: %s is %s but %s is %s", fn, what, a_name, shape_str(a.shape, a.rank).c_str(),
                   b_name, shape_str(b.shape, b.rank).c_str());
}

// The window fields and the reach of the last tap: (O - 1) * stride + (K - 1) * dilation must stay
// within kMaxElements, so that no tap index computed by the kernels overflows.
Window2DArgs window_args(const char* fn, const nf_window2d* window, const nf_layout& img, int64_t oh, int64_t ow) {
    if (!window) NF_INVALID("%s: window is NULL", fn);
    const nf_window2d& w = *window;
    const struct {
        const char* name;
        int32_t v, min;
    } fields[] = {{"kernel_h", w.kernel_h, 1},     {"kernel_w", w.kernel_w, 1},     {"stride_h", w.stride_h, 1},
                  {"stride_w", w.stride_w, 1},     {"dilation_h", w.dilation_h, 1}, {"dilation_w", w.dilation_w, 1},
                  {"pad_top", w.pad_top, 0},       {"pad_left", w.pad_left, 0}};
    for (const auto& f : fields)
        if (f.v < f.min) NF_INVALID("%s: window->%s = %d must be >= %d", fn, f.name, f.v, f.min);
    Window2DArgs a{img.shape[0], img.shape[1], img.shape[2], img.shape[3], oh, ow,
                   w.kernel_h, w.kernel_w, w.stride_h, w.stride_w, w.dilation_h, w.dilation_w, w.pad_top, w.pad_left};
    if (oh > 0) size_mul(fn, "window reach ((OH - 1) x stride_h)", oh - 1, a.sh);
    if (ow > 0) size_mul(fn, "window reach ((OW - 1) x stride_w)", ow - 1, a.sw);
    return a;
}

}  // namespace

Window2DArgs check_im2col(const char* fn, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                          const nf_window2d* window, const void* out, const nf_layout* out_layout) {
    require_float(fn, dtype);
    const int64_t nx = check_layout(fn, "x_layout", x_layout);
    const int64_t no = check_layout(fn, "out_layout", out_layout);
    const nf_layout &xl = *x_layout, &ol = *out_layout;
    check_rank(fn, "x_layout", xl, 4, "[N, H, W, C]");
    check_rank(fn, "out_layout", ol, 6, "[N, OH, OW, KH, KW, C]");
    const Window2DArgs a = window_args(fn, window, xl, ol.shape[1], ol.shape[2]);
    check_axis(fn, "batch (N)", "x_layout", xl, 0, "out_layout", ol, 0);
    check_axis(fn, "channels (C)", "x_layout", xl, 3, "out_layout", ol, 5);
    if (ol.shape[3] != a.kh || ol.shape[4] != a.kw)
        NF_INVALID("%s: out_layout is %s but its axes 3, 4 must be window->kernel_h, kernel_w = %lld, %lld", fn,
                   shape_str(ol.shape, ol.rank).c_str(), (long long)a.kh, (long long)a.kw);
    check_output_contiguous(fn, "out_layout", ol);
    check_buffer(fn, "x", x, nx);
    check_buffer(fn, "out", out, no);
    return a;
}

Window2DArgs check_col2im(const char* fn, nf_dtype dtype, const void* cols, const nf_layout* cols_layout,
                          const nf_window2d* window, const void* out, const nf_layout* out_layout) {
    require_float(fn, dtype);
    const int64_t nc = check_layout(fn, "cols_layout", cols_layout);
    const int64_t no = check_layout(fn, "out_layout", out_layout);
    const nf_layout &cl = *cols_layout, &ol = *out_layout;
    check_rank(fn, "cols_layout", cl, 6, "[N, OH, OW, KH, KW, C]");
    check_rank(fn, "out_layout", ol, 4, "[N, H, W, C]");
    const Window2DArgs a = window_args(fn, window, ol, cl.shape[1], cl.shape[2]);
    check_axis(fn, "batch (N)", "cols_layout", cl, 0, "out_layout", ol, 0);
    check_axis(fn, "channels (C)", "cols_layout", cl, 5, "out_layout", ol, 3);
    if (cl.shape[3] != a.kh || cl.shape[4] != a.kw)
        NF_INVALID("%s: cols_layout is %s but its axes 3, 4 must be window->kernel_h, kernel_w = %lld, %lld", fn,
                   shape_str(cl.shape, cl.rank).c_str(), (long long)a.kh, (long long)a.kw);
    check_output_contiguous(fn, "out_layout", ol);
    check_buffer(fn, "cols", cols, nc);
    check_buffer(fn, "out", out, no);
    return a;
}

namespace {

void check_pool_op(const char* fn, nf_pool_op op) {
    if (op != NF_POOL_MAX && op != NF_POOL_AVERAGE)
        NF_INVALID("%s: op = %d is not a pool op (NF_POOL_MAX = 0, NF_POOL_AVERAGE = 1)", fn, static_cast<int>(op));
}

}  // namespace

Window2DArgs check_pool2d(const char* fn, nf_pool_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                          const nf_window2d* window, const void* out, const nf_layout* out_layout) {
    check_pool_op(fn, op);
    require_float(fn, dtype);
    const int64_t nx = check_layout(fn, "x_layout", x_layout);
    const int64_t no = check_layout(fn, "out_layout", out_layout);
    const nf_layout &xl = *x_layout, &ol = *out_layout;
    check_rank(fn, "x_layout", xl, 4, "[N, H, W, C]");
    check_rank(fn, "out_layout", ol, 4, "[N, OH, OW, C]");
    const Window2DArgs a = window_args(fn, window, xl, ol.shape[1], ol.shape[2]);
    check_axis(fn, "batch (N)", "x_layout", xl, 0, "out_layout", ol, 0);
    check_axis(fn, "channels (C)", "x_layout", xl, 3, "out_layout", ol, 3);
    check_output_contiguous(fn, "out_layout", ol);
    check_buffer(fn, "x", x, nx);
    check_buffer(fn, "out", out, no);
    return a;
}

Window2DArgs check_pool2d_backward(const char* fn, nf_pool_op op, nf_dtype dtype, const void* x,
                                   const nf_layout* x_layout, const void* dy, const nf_layout* dy_layout,
                                   const nf_window2d* window, const void* dx, const nf_layout* dx_layout) {
    check_pool_op(fn, op);
    require_float(fn, dtype);
    const int64_t nx = check_layout(fn, "x_layout", x_layout);
    const int64_t ny = check_layout(fn, "dy_layout", dy_layout);
    const int64_t nd = check_layout(fn, "dx_layout", dx_layout);
    const nf_layout &xl = *x_layout, &yl = *dy_layout, &dl = *dx_layout;
    check_rank(fn, "x_layout", xl, 4, "[N, H, W, C]");
    check_rank(fn, "dy_layout", yl, 4, "[N, OH, OW, C]");
    check_rank(fn, "dx_layout", dl, 4, "[N, H, W, C]");
    check_same_shape(fn, "x_layout", xl, "dx_layout", dl);
    const Window2DArgs a = window_args(fn, window, dl, yl.shape[1], yl.shape[2]);
    check_axis(fn, "batch (N)", "dy_layout", yl, 0, "dx_layout", dl, 0);
    check_axis(fn, "channels (C)", "dy_layout", yl, 3, "dx_layout", dl, 3);
    check_output_contiguous(fn, "dx_layout", dl);
    if (op == NF_POOL_MAX) check_buffer(fn, "x", x, nx);
    check_buffer(fn, "dy", dy, ny);
    check_buffer(fn, "dx", dx, nd);
    return a;
}

namespace {

// What every normalization kernel takes first: a float dtype, x viewed as [a, b, c] (each count
// >= 0, their product within kMaxElements), epsilon finite and >= 0, and x plus its same-sized
// partner (out or dy) not NULL unless empty. Returns the element count.
int64_t check_norm_operands(const char* fn, nf_dtype dtype, const char* names, int64_t a, int64_t b, int64_t c,
                            double epsilon, const void* x, const void* other, const char* other_name) {
    require_float(fn, dtype);
    if (a < 0 || b < 0 || c < 0)
        NF_INVALID("%s: %s = [%lld, %lld, %lld] has a negative count", fn, names, (long long)a, (long long)b,
                   (long long)c);
    const int64_t total = sat_mul(sat_mul(a, b), c);
    if (total > kMaxElements)
        NF_INVALID("%s: %s = [%lld, %lld, %lld] is more than 2^60 elements", fn, names, (long long)a, (long long)b,
                   (long long)c);
    if (!(epsilon >= 0) || !std::isfinite(epsilon))
        NF_INVALID("%s: epsilon = %g must be finite and >= 0", fn, epsilon);
    if (!x && total > 0) NF_INVALID("%s: x is NULL", fn);
    if (!other && total > 0) NF_INVALID("%s: %s is NULL", fn, other_name);
    return total;
}

// Fails unless a [features] buffer that must be given is (the empty case aside).
void require_stat(const char* fn, const char* name, const void* p, int64_t features) {
    if (!p && features > 0) NF_INVALID("%s: %s is NULL", fn, name);
}

}  // namespace

int64_t check_batch_norm(const char* fn, nf_dtype dtype, const void* x, int64_t outer, int64_t features,
                         int64_t inner, const void* mean, const void* variance, double epsilon, const void* out,
                         const void* batch_mean, const void* batch_variance) {
    check_norm_operands(fn, dtype, "[outer, features, inner]", outer, features, inner, epsilon, x, out, "out");
    if ((mean == nullptr) != (variance == nullptr))
        NF_INVALID("%s: mean and variance must both be given (inference) or both be NULL (training)", fn);
    if (mean && (batch_mean || batch_variance))
        NF_INVALID("%s: batch_mean and batch_variance must be NULL when mean and variance are given", fn);
    if (!mean) {
        require_stat(fn, "batch_mean (training)", batch_mean, features);
        require_stat(fn, "batch_variance (training)", batch_variance, features);
    }
    return sat_mul(outer, inner);
}

int64_t check_batch_norm_backward(const char* fn, nf_dtype dtype, const void* x, int64_t outer, int64_t features,
                                  int64_t inner, const void* dy, const void* mean, const void* variance,
                                  double epsilon, int32_t training) {
    check_norm_operands(fn, dtype, "[outer, features, inner]", outer, features, inner, epsilon, x, dy, "dy");
    if (training && (mean || variance))
        NF_INVALID("%s: training recomputes the batch statistics, so mean and variance must be NULL", fn);
    if (!training) {
        require_stat(fn, "mean (inference)", mean, features);
        require_stat(fn, "variance (inference)", variance, features);
    }
    return sat_mul(outer, inner);
}

void check_layer_norm(const char* fn, nf_dtype dtype, const void* x, int64_t rows, int64_t cols, double epsilon,
                      const void* out_or_dy, const char* out_name) {
    check_norm_operands(fn, dtype, "[rows, cols, 1]", rows, cols, 1, epsilon, x, out_or_dy, out_name);
}

// ---- issue 16 (ops2)

int64_t check_where(const char* fn, nf_dtype dtype, const void* cond, const nf_layout* cond_layout, const void* x,
                    const nf_layout* x_layout, const void* y, const nf_layout* y_layout, const void* out,
                    const nf_layout* out_layout) {
    check_dtype(fn, "dtype", dtype);
    const int64_t n = check_x_out(fn, x, x_layout, out, out_layout);
    check_layout(fn, "cond_layout", cond_layout);
    check_layout(fn, "y_layout", y_layout);
    check_same_shape(fn, "cond_layout", *cond_layout, "out_layout", *out_layout);
    check_same_shape(fn, "y_layout", *y_layout, "out_layout", *out_layout);
    check_buffer(fn, "cond", cond, n);
    check_buffer(fn, "y", y, n);
    return n;
}

namespace {
void check_axis(const char* fn, const nf_layout& l, int32_t axis) {
    if (axis < 0 || axis >= l.rank)
        NF_INVALID("%s: axis = %d is out of range for x of rank %d (shape %s)", fn, static_cast<int>(axis), l.rank,
                   shape_str(l.shape, l.rank).c_str());
}
}  // namespace

int64_t check_scan(const char* fn, nf_scan_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                   const void* out) {
    if (op != NF_SCAN_SUM && op != NF_SCAN_PROD)
        NF_INVALID("%s: op = %d is not a valid nf_scan_op", fn, static_cast<int>(op));
    check_dtype(fn, "dtype", dtype);
    const int64_t n = check_layout(fn, "x_layout", x_layout);
    check_axis(fn, *x_layout, axis);
    if (dtype == NF_BOOL) NF_UNSUPPORTED("%s: dtype bool is not supported (cast to an integer first)", fn);
    check_buffer(fn, "x", x, n);
    check_buffer(fn, "out", out, n);
    return n;
}

int64_t check_sort(const char* fn, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                   const void* values_out, nf_dtype index_dtype, const void* indices_out) {
    check_dtype(fn, "dtype", dtype);
    const int64_t n = check_layout(fn, "x_layout", x_layout);
    check_axis(fn, *x_layout, axis);
    check_buffer(fn, "x", x, n);
    (void)values_out;  // NULL (not wanted) or x's element count of x's dtype: nothing more to check
    if (indices_out) {
        if (index_dtype != NF_INT32 && index_dtype != NF_INT64)
            NF_INVALID("%s: index_dtype = %s must be int32 or int64", fn, dtype_name(index_dtype));
        if (index_dtype == NF_INT32 && x_layout->shape[axis] > INT32_MAX)
            NF_INVALID("%s: axis %d has %lld elements, more than int32 indices reach", fn, static_cast<int>(axis),
                       (long long)x_layout->shape[axis]);
    }
    return n;
}

}  // namespace nf
