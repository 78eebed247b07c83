namespace NeuralFlow.Backends;

/// <summary>
/// One variable of a multi-tensor optimizer step (<see cref="IBackend.OptimizerUpdateMulti"/>,
/// <c>nf_optimizer_tensor</c>): the buffers and element count of one
/// <see cref="IBackend.OptimizerUpdate(OptimizerKind, DType, nint, nint, nint, nint, nint, long, in OptimizerParams)"/> call.
/// </summary>
/// <param name="Param">The variable, updated in place.</param>
/// <param name="Grad">Its gradient (contiguous, the variable's dtype).</param>
/// <param name="Slot0">First slot, or 0 when the kind does not use it.</param>
/// <param name="Slot1">Second slot, or 0.</param>
/// <param name="Slot2">Third slot (AMSGrad, centered RMSprop), or 0.</param>
/// <param name="Count">Elements.</param>
public readonly record struct OptimizerTensor(nint Param, nint Grad, nint Slot0, nint Slot1, nint Slot2, long Count);
