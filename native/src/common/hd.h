// NF_HD marks small inline helpers that CUDA kernels share with the CPU engine (integer
// arithmetic, dtype conversion), so both engines compute them with the very same code.
#pragma once

#if defined(__CUDACC__)
#define NF_HD __host__ __device__
#else
#define NF_HD
#endif
