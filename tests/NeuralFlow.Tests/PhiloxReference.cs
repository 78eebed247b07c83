namespace NeuralFlow.Tests;

/// <summary>
/// Values of the documented Philox formula for seed 42, offset 0, from an independent Python
/// implementation (tests/tools/philox_reference.py), so that no backend is checked against itself.
/// </summary>
internal static class PhiloxReference
{
    public static readonly float[] Uniform42 = [0.612959862f, 0.987718642f, 0.825866818f, 0.729599237f];
    public static readonly float[] Normal42 = [-0.970189691f, -0.0731813088f, -0.336961955f, -0.379737407f];
}
