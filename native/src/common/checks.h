// Argument checks of every exported kernel, shared by the CPU engine (nf_*) and the CUDA
// engine (nf_cuda_*), so both libraries reject exactly the same calls with the same messages.
// `fn` is the exported function's name and starts every message. Each check throws nf::Error
// (see common/error.h); the entry point's nf::guard turns that into a status.
//
// What stays with the engines: checks that must read buffer contents (gather indices and
// sparse labels), because only the engine that owns the memory can read it.
#pragma once

#include <cstdint>

#include "common/dtype.h"
#include "common/layout.h"
#include "common/optimizer_step.h"
#include "common/window2d.h"
#include "neuralflow.h"

namespace nf {

// Returns the element count of the shared shape.
int64_t check_binary(const char* fn, nf_binary_op op, nf_dtype dtype, const void* a, const nf_layout* a_layout,
                     const void* b, const nf_layout* b_layout, const void* out, const nf_layout* out_layout);

int64_t check_unary(const char* fn, nf_unary_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                    const void* out, const nf_layout* out_layout);

struct ReduceArgs {
    int64_t nout;  // output elements
    int64_t nred;  // elements reduced into each output
    bool arg;      // ARGMAX/ARGMIN
    int axis;      // the axis of ARGMAX/ARGMIN
};
ReduceArgs check_reduce(const char* fn, nf_reduce_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                        uint32_t axes_mask, const void* out, nf_dtype out_dtype);
const char* reduce_op_name(nf_reduce_op op);

// Returns the element count.
int64_t check_softmax(const char* fn, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                      const void* out);

// Shapes of one batched product: op(a) is [m, k], op(b) is [k, n], `batch` matrices.
struct MatmulArgs {
    int64_t m, n, k, batch;
    int64_t out_numel;
};
MatmulArgs check_matmul(const char* fn, nf_dtype dtype, const void* a, const nf_layout* a_layout,
                        const void* b, const nf_layout* b_layout, const void* out,
                        const nf_layout* out_layout);

// Returns the element count.
int64_t check_cast(const char* fn, nf_dtype src, const void* x, const nf_layout* x_layout, nf_dtype dst,
                   const void* out);
int64_t check_copy(const char* fn, nf_dtype dtype, const void* x, const nf_layout* x_layout, const void* out,
                   const nf_layout* out_layout);

void check_index_dtype(const char* fn, nf_dtype dt);

struct GatherArgs {
    int64_t len;      // x.shape[axis]
    int64_t outer;    // product of the axes before axis
    int64_t inner_n;  // product of the axes after axis
    int64_t total;    // output elements
};
// Everything but the index values (the engine checks those: it owns the memory).
GatherArgs check_gather(const char* fn, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                        nf_dtype index_dtype, const void* indices, int64_t index_count, const void* out);
// "nf_gather: indices[3] = 7 is out of range [0, 5) for axis 0 of x with shape [5, 2]"
[[noreturn]] void fail_gather_index(const char* fn, int64_t j, int64_t value, int64_t len, int axis,
                                    const nf_layout& x_layout);

// nf_scatter_add: src viewed as [outer, count, inner_n]; out as [outer, rows, inner_n].
struct ScatterArgs {
    int64_t rows;     // out's length along axis
    int64_t count;    // src.shape[axis]: the number of indices
    int64_t outer;    // product of the axes before axis
    int64_t inner_n;  // product of the axes after axis
    int64_t total;    // src elements
    nf_layout out;    // out's contiguous layout (for messages and offsets)
};
// Everything but the index values, as check_gather.
ScatterArgs check_scatter_add(const char* fn, nf_dtype dtype, const void* src, const nf_layout* src_layout,
                              int32_t axis, nf_dtype index_dtype, const void* indices, int64_t rows, const void* out);
// "nf_scatter_add: indices[3] = 7 is out of range [0, 5) for axis 0 of out with shape [5, 2]"
[[noreturn]] void fail_scatter_index(const char* fn, int64_t j, int64_t value, const ScatterArgs& s, int axis);

// Returns the number of indices.
int64_t check_one_hot(const char* fn, nf_dtype index_dtype, const void* indices, const nf_layout* indices_layout,
                      int64_t depth, nf_dtype out_dtype, const void* out);

void check_fill(const char* fn, nf_dtype dtype, const void* out, int64_t count);
// check_fill for nf_fill, which takes float16 as well.
void check_fill_storage(const char* fn, nf_dtype dtype, const void* out, int64_t count);
void check_random_uniform(const char* fn, nf_dtype dtype, const void* out, int64_t count, double low, double high);
void check_random_normal(const char* fn, nf_dtype dtype, const void* out, int64_t count);

// Returns optimizer_slots (common/optimizer_step.h); fails when a slot it needs is NULL.
// slot2 and o: nf_optimizer_update_ex's (o NULL: all zeros).
OptimizerSlots check_optimizer(const char* fn, nf_optimizer kind, nf_dtype dtype, const void* param,
                               const void* grad, const void* slot0, const void* slot1, int64_t count,
                               const nf_optimizer_params* p, const void* slot2 = nullptr,
                               const nf_optimizer_options* o = nullptr);

// nf_optimizer_update_ex's checks for both engines: the options (all zeros for NULL) and the
// slots the update uses, those it does not use set to NULL so no step can touch them.
struct OptimizerExArgs {
    nf_optimizer_options o;
    void *s0, *s1, *s2;
};
OptimizerExArgs check_optimizer_ex(const char* fn, nf_optimizer kind, nf_dtype dtype, const void* param, const void* grad,
                                   void* slot0, void* slot1, void* slot2, int64_t count, const nf_optimizer_params* p,
                                   const nf_optimizer_options* o);

struct CrossEntropyArgs {
    int64_t n, c;  // rows, classes
};
// Everything but the sparse label values.
CrossEntropyArgs check_cross_entropy(const char* fn, nf_dtype dtype, const void* logits,
                                     const nf_layout* logits_layout, nf_dtype label_dtype, const void* labels,
                                     int32_t sparse, const void* loss_out);
// "nf_softmax_cross_entropy: row 4 has label 12, outside [0, 10)"
[[noreturn]] void fail_label(const char* fn, int64_t row, int64_t label, int64_t classes);

// x [N, H, W, C] -> out [N, OH, OW, KH, KW, C] (contiguous).
Window2DArgs check_im2col(const char* fn, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                          const nf_window2d* window, const void* out, const nf_layout* out_layout);
// cols [N, OH, OW, KH, KW, C] -> out [N, H, W, C] (contiguous).
Window2DArgs check_col2im(const char* fn, nf_dtype dtype, const void* cols, const nf_layout* cols_layout,
                          const nf_window2d* window, const void* out, const nf_layout* out_layout);
// x [N, H, W, C] -> out [N, OH, OW, C] (contiguous).
Window2DArgs check_pool2d(const char* fn, nf_pool_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                          const nf_window2d* window, const void* out, const nf_layout* out_layout);
// x and dx [N, H, W, C] (dx contiguous), dy [N, OH, OW, C]; x is read for MAX only.
Window2DArgs check_pool2d_backward(const char* fn, nf_pool_op op, nf_dtype dtype, const void* x,
                                   const nf_layout* x_layout, const void* dy, const nf_layout* dy_layout,
                                   const nf_window2d* window, const void* dx, const nf_layout* dx_layout);

// Batch normalization over [outer, features, inner]; returns outer * inner (elements per feature).
// Training (mean and variance NULL) needs batch_mean/batch_variance; inference forbids them.
int64_t check_batch_norm(const char* fn, nf_dtype dtype, const void* x, int64_t outer, int64_t features,
                         int64_t inner, const void* mean, const void* variance, double epsilon, const void* out,
                         const void* batch_mean, const void* batch_variance);
int64_t check_batch_norm_backward(const char* fn, nf_dtype dtype, const void* x, int64_t outer, int64_t features,
                                  int64_t inner, const void* dy, const void* mean, const void* variance,
                                  double epsilon, int32_t training);
// Layer normalization over [rows, cols]; `out` is the forward output or NULL (backward: dy).
void check_layer_norm(const char* fn, nf_dtype dtype, const void* x, int64_t rows, int64_t cols, double epsilon,
                      const void* out_or_dy, const char* out_name);

// ---- issue 16 (ops2)
// nf_where: cond (bool), x, y and out share one shape; returns the element count.
int64_t check_where(const char* fn, nf_dtype dtype, const void* cond, const nf_layout* cond_layout, const void* x,
                    const nf_layout* x_layout, const void* y, const nf_layout* y_layout, const void* out,
                    const nf_layout* out_layout);
// nf_scan and nf_sort: returns x's element count (the output's).
int64_t check_scan(const char* fn, nf_scan_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                   const void* out);
int64_t check_sort(const char* fn, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                   const void* values_out, nf_dtype index_dtype, const void* indices_out);

}  // namespace nf
