# Independent Python implementation of the Philox formula in native/include/neuralflow.h.
# It produced the constants in tests/NeuralFlow.Tests/PhiloxReference.cs.
import math, struct
M0,M1,W0,W1=0xD2511F53,0xCD9E8D57,0x9E3779B9,0xBB67AE85
def philox(c,k):
    c=list(c);k=list(k)
    for r in range(10):
        p0=M0*c[0]; p1=M1*c[2]
        hi0,lo0=p0>>32,p0&0xffffffff; hi1,lo1=p1>>32,p1&0xffffffff
        c=[(hi1^c[1]^k[0])&0xffffffff, lo1, (hi0^c[3]^k[1])&0xffffffff, lo0]
        if r<9: k=[(k[0]+W0)&0xffffffff,(k[1]+W1)&0xffffffff]
    return c
def f32(x): return struct.unpack('f',struct.pack('f',x))[0]
seed=42
u=[];n=[]
for g in range(4):
    w=philox((g&0xffffffff,g>>32,0,0),(seed&0xffffffff,seed>>32))
    uu=(w[0]>>8)*2**-24; u.append(f32(0+(1-0)*uu))
    u1=((w[0]>>8)+1)*2**-24; u2=(w[1]>>8)*2**-24
    n.append(f32(0+1*math.sqrt(-2*math.log(u1))*math.cos(2*math.pi*u2)))
print(['%.9g'%x for x in u]); print(['%.9g'%x for x in n])
