namespace NeuralFlow.Distributed;

/// <summary>
/// How <see cref="DataParallel"/> moves gradients that live on a GPU, chosen at the first
/// collective on GPU tensors (the same on every rank): NCCL where every rank can load it (and
/// <c>NEURALFLOW_DIST_NCCL</c> is not OFF), else MPI on the device pointers where MPI is
/// CUDA-aware, else MPI on page-locked host copies.
/// </summary>
public enum GpuTransport
{
    /// <summary>No collective has run on GPU tensors yet (or there are none).</summary>
    NotChosen = 0,

    /// <summary>NCCL collectives on the device buffers, queued on the CUDA engine's stream.</summary>
    Nccl = 1,

    /// <summary>MPI reads and writes the device buffers itself (a CUDA-aware MPI).</summary>
    CudaAwareMpi = 2,

    /// <summary>Device to page-locked host buffer (one per bucket, reused), MPI on the host copy, and back.</summary>
    StagedThroughPinnedHost = 3,
}
