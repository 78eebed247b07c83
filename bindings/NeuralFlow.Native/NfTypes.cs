using System.Runtime.InteropServices;

namespace NeuralFlow.Native;

/// <summary><c>nf_status</c>: what every C function returns.</summary>
public enum NfStatus
{
    /// <summary>NF_OK</summary>
    Ok = 0,
    /// <summary>NF_ERROR_INVALID_ARGUMENT</summary>
    InvalidArgument = 1,
    /// <summary>NF_ERROR_UNSUPPORTED</summary>
    Unsupported = 2,
    /// <summary>NF_ERROR_OUT_OF_MEMORY</summary>
    OutOfMemory = 3,
    /// <summary>NF_ERROR_INTERNAL</summary>
    Internal = 4,
}

/// <summary><c>nf_layout</c>: shape, element strides and offset, blittable.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct NfLayout
{
    /// <summary>NF_MAX_RANK.</summary>
    public const int MaxRank = 8;
    /// <summary>Number of dimensions.</summary>
    public int Rank;
    /// <summary>Keep 0.</summary>
    public int Reserved;
    /// <summary>Elements from the buffer pointer to element [0, ..., 0].</summary>
    public long Offset;
    /// <summary>Dimensions (entries past Rank ignored).</summary>
    public fixed long Shape[MaxRank];
    /// <summary>Element strides (0 broadcasts).</summary>
    public fixed long Strides[MaxRank];
}

/// <summary><c>nf_memory_stats</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NfMemoryStats
{
    /// <summary>Bytes handed out and not yet freed.</summary>
    public long LiveBytes;
    /// <summary>Highest LiveBytes seen.</summary>
    public long PeakBytes;
    /// <summary>Freed bytes kept for reuse.</summary>
    public long CachedBytes;
    /// <summary>Successful allocations.</summary>
    public long AllocCount;
    /// <summary>Frees.</summary>
    public long FreeCount;
    /// <summary>Allocations served from the cache.</summary>
    public long CacheHits;
}

/// <summary><c>nf_window2d</c>: the window of a 2-D convolution or pooling over NHWC data (32 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NfWindow2D
{
    /// <summary>Window height (taps).</summary>
    public int KernelH;
    /// <summary>Window width (taps).</summary>
    public int KernelW;
    /// <summary>Rows between output positions.</summary>
    public int StrideH;
    /// <summary>Columns between output positions.</summary>
    public int StrideW;
    /// <summary>Rows between taps.</summary>
    public int DilationH;
    /// <summary>Columns between taps.</summary>
    public int DilationW;
    /// <summary>Padding rows above the image.</summary>
    public int PadTop;
    /// <summary>Padding columns left of the image.</summary>
    public int PadLeft;
}

/// <summary><c>nf_optimizer_options</c>: gradient clipping, weight decay, AMSGrad and centered RMSprop (40 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NfOptimizerOptions
{
    /// <summary>Nonzero: w = w - (w*WeightDecay)*lr first.</summary>
    public double WeightDecay;
    /// <summary>With GradDiv nonzero: g = (g*GradMul)/GradDiv.</summary>
    public double GradMul;
    /// <summary>0: no scaling.</summary>
    public double GradDiv;
    /// <summary>Positive: g clipped to [-ClipValue, ClipValue].</summary>
    public double ClipValue;
    /// <summary>Adam: nonzero for AMSGrad (slot2).</summary>
    public int Amsgrad;
    /// <summary>RMSprop: nonzero for centered (slot2).</summary>
    public int Centered;
    // ---- keras2 session: Ftrl's hyperparameters (read only by kind 7).
    /// <summary>Ftrl: learning_rate_power (at most 0).</summary>
    public double LrPower;
    /// <summary>Ftrl: l1_regularization_strength.</summary>
    public double L1;
    /// <summary>Ftrl: l2_regularization_strength.</summary>
    public double L2;
    /// <summary>Ftrl: l2_shrinkage_regularization_strength.</summary>
    public double L2Shrinkage;
    /// <summary>Ftrl: the paper's beta.</summary>
    public double Beta;
}

/// <summary>nf_optimizer_tensor (issue 17): one variable of nf_optimizer_update_multi.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NfOptimizerTensor
{
    /// <summary>The variable, updated in place.</summary>
    public nint Param;
    /// <summary>Its gradient.</summary>
    public nint Grad;
    /// <summary>First slot, or 0 when unused.</summary>
    public nint Slot0;
    /// <summary>Second slot, or 0.</summary>
    public nint Slot1;
    /// <summary>Third slot, or 0.</summary>
    public nint Slot2;
    /// <summary>Elements.</summary>
    public long Count;
}

/// <summary><c>nf_optimizer_params</c>: hyperparameters of one fused optimizer step (64 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NfOptimizerParams
{
    /// <summary>Learning rate.</summary>
    public double LearningRate;
    /// <summary>SGD and RMSprop momentum.</summary>
    public double Momentum;
    /// <summary>Adam first-moment decay.</summary>
    public double Beta1;
    /// <summary>Adam second-moment decay.</summary>
    public double Beta2;
    /// <summary>Added to the denominator (Adam, RMSprop, Adagrad).</summary>
    public double Epsilon;
    /// <summary>RMSprop mean-square decay.</summary>
    public double Rho;
    /// <summary>SGD: nonzero for Nesterov momentum.</summary>
    public int Nesterov;
    /// <summary>Keep 0.</summary>
    public int Reserved;
    /// <summary>1 for the first update of a variable.</summary>
    public long Step;
}

/// <summary><c>nf_cuda_device_props</c>: one CUDA device as the driver describes it.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct NfCudaDeviceProps
{
    /// <summary>UTF-8, NUL-terminated device name.</summary>
    public fixed byte Name[256];
    /// <summary>Global memory in bytes.</summary>
    public long TotalBytes;
    /// <summary>Compute capability, major.</summary>
    public int Major;
    /// <summary>Compute capability, minor.</summary>
    public int Minor;
    /// <summary>Streaming multiprocessors.</summary>
    public int Multiprocessors;
    /// <summary>Keep 0.</summary>
    public int Reserved;
}

/// <summary><c>nf_fused_step</c>: one step of a fused elementwise program (issue 17).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NfFusedStep
{
    /// <summary>nf_fused_kind: 0 binary, 1 unary.</summary>
    public int Kind;
    /// <summary>The nf_binary_op or nf_unary_op.</summary>
    public int Op;
    /// <summary>First operand register.</summary>
    public int A;
    /// <summary>Second operand register (binary only).</summary>
    public int B;
}
