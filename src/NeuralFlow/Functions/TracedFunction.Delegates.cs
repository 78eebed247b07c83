namespace NeuralFlow;

// The delegates NF.Function hands out: each calls Call with the arguments packed and unpacks the
// outputs into the lambda's own result shape (one tensor, several, a pair or triple, nothing).
public sealed partial class TracedFunction
{
    internal Tensor Call0() => Call()[0];
    internal Tensor Call1(Tensor a) => Call(a)[0];
    internal Tensor Call2(Tensor a, Tensor b) => Call(a, b)[0];
    internal Tensor Call3(Tensor a, Tensor b, Tensor c) => Call(a, b, c)[0];
    internal Tensor Call4(Tensor a, Tensor b, Tensor c, Tensor d) => Call(a, b, c, d)[0];
    internal Tensor[] CallMany1(Tensor a) => Call(a);
    internal Tensor[] CallMany2(Tensor a, Tensor b) => Call(a, b);
    internal Tensor[] CallMany3(Tensor a, Tensor b, Tensor c) => Call(a, b, c);
    internal (Tensor, Tensor) CallPair1(Tensor a) => Pair(Call(a));
    internal (Tensor, Tensor) CallPair2(Tensor a, Tensor b) => Pair(Call(a, b));
    internal (Tensor, Tensor) CallPair3(Tensor a, Tensor b, Tensor c) => Pair(Call(a, b, c));
    internal (Tensor, Tensor, Tensor) CallTriple1(Tensor a) => Triple(Call(a));
    internal (Tensor, Tensor, Tensor) CallTriple2(Tensor a, Tensor b) => Triple(Call(a, b));
    internal (Tensor, Tensor, Tensor) CallTriple3(Tensor a, Tensor b, Tensor c) => Triple(Call(a, b, c));
    internal void CallNone0() => Call();
    internal void CallNone1(Tensor a) => Call(a);
    internal void CallNone2(Tensor a, Tensor b) => Call(a, b);
    internal void CallNone3(Tensor a, Tensor b, Tensor c) => Call(a, b, c);
    internal void CallNone4(Tensor a, Tensor b, Tensor c, Tensor d) => Call(a, b, c, d);
    private static (Tensor, Tensor) Pair(Tensor[] r) => (r[0], r[1]);
    private static (Tensor, Tensor, Tensor) Triple(Tensor[] r) => (r[0], r[1], r[2]);
}
