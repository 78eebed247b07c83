namespace NeuralFlow.Tests;

/// <summary>
/// Runs code with a replay plan pass turned off through its environment variable (the passes read
/// it at each trace), restoring the variable's earlier value afterwards.
/// </summary>
internal static class PlanPassSwitch
{
    /// <summary><paramref name="run"/>'s result with <paramref name="variable"/> set to "0" meanwhile (NEURALFLOW_FUSION_LCE, ...).</summary>
    public static T Without<T>(string variable, Func<T> run)
    {
        var saved = Environment.GetEnvironmentVariable(variable);
        try
        {
            Environment.SetEnvironmentVariable(variable, "0");
            return run();
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, saved);
        }
    }
}
