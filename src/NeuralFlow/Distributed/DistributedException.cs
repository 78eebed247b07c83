namespace NeuralFlow.Distributed;

/// <summary>A distributed run cannot go on: the MPI engine is missing, or a rank hung or died (the message names it).</summary>
public sealed class DistributedException : Exception
{
    /// <summary>An exception with the given message.</summary>
    public DistributedException(string message) : base(message) { }
}
