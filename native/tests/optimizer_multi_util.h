// nf_optimizer_update_multi's test cases, shared by the CPU test (test_optimizer_multi.cpp) and
// the CUDA one (cuda/test_cuda_optimizer_multi.cpp): every kind, with and without options, over a
// mix of tensor sizes (empty, one element, odd, just past a SIMD/part boundary, large), each
// tensor with its own random values, so that a multi call that mixes tensors up shows.
#pragma once

#include <string>
#include <vector>

#include "test_util.h"

namespace nftm {

struct MultiCase {
    std::string name;
    nf_optimizer kind;
    nf_optimizer_params p;
    nf_optimizer_options o;
};

inline nf_optimizer_params multi_params(double lr, double momentum = 0, int nesterov = 0, int64_t step = 3) {
    return nft::optimizer_params(lr, momentum, nesterov, step);
}

// Every kind; the original four also without options (their own vectorised loops on the CPU).
inline std::vector<MultiCase> multi_cases() {
    using nft::ftrl_options;
    using nft::optimizer_options;
    return {
        {"sgd", NF_OPTIMIZER_SGD, multi_params(0.1), {}},
        {"sgd_nesterov", NF_OPTIMIZER_SGD, multi_params(0.1, 0.9, 1), {}},
        {"sgd_momentum_decay_clip", NF_OPTIMIZER_SGD, multi_params(0.1, 0.9), optimizer_options(0.01, 0, 0, 0.3)},
        {"adam", NF_OPTIMIZER_ADAM, multi_params(0.01), {}},
        {"adam_amsgrad_decay", NF_OPTIMIZER_ADAM, multi_params(0.01), optimizer_options(0.004, 0, 0, 0, 1)},
        {"adam_scaled", NF_OPTIMIZER_ADAM, multi_params(0.01), optimizer_options(0, 0.5, 1.7)},
        {"rmsprop", NF_OPTIMIZER_RMSPROP, multi_params(0.01), {}},
        {"rmsprop_momentum", NF_OPTIMIZER_RMSPROP, multi_params(0.01, 0.5), {}},
        {"rmsprop_centered_clip", NF_OPTIMIZER_RMSPROP, multi_params(0.01, 0.5), optimizer_options(0, 0, 0, 0.2, 0, 1)},
        {"adagrad", NF_OPTIMIZER_ADAGRAD, multi_params(0.1), {}},
        {"nadam", NF_OPTIMIZER_NADAM, multi_params(0.002), {}},
        {"adamax", NF_OPTIMIZER_ADAMAX, multi_params(0.002), optimizer_options(0.01)},
        {"adadelta", NF_OPTIMIZER_ADADELTA, multi_params(1.0), {}},
        {"ftrl", NF_OPTIMIZER_FTRL, multi_params(0.05), ftrl_options(-0.5, 0.01, 0.02, 0.03, 0.1)},
        {"ftrl_power", NF_OPTIMIZER_FTRL, multi_params(0.05), ftrl_options(-0.3, 0.001)},
    };
}

// Element counts of the tensors of one call.
inline std::vector<int64_t> multi_sizes(bool emulated = false) {
    if (emulated) return {7, 0, 1, 4097, 20000, 3};
    return {7, 0, 1, 4097, 100000, 3, 33000};
}

// One tensor's host values: param and gradient in [-1, 1], slots positive (valid state for
// every kind: second moments, accumulators and Ftrl's accumulator must be).
template <class T>
struct MultiData {
    std::vector<T> w, g, s0, s1, s2;
};

template <class T>
MultiData<T> multi_data(int64_t n, uint32_t seed) {
    return {nft::random_values<T>(n, -1, 1, seed), nft::random_values<T>(n, -1, 1, seed + 1),
            nft::random_values<T>(n, 0.05, 1, seed + 2), nft::random_values<T>(n, 0.05, 1, seed + 3),
            nft::random_values<T>(n, 0.05, 1, seed + 4)};
}

}  // namespace nftm
