#!/usr/bin/env python3
"""Rewrites CUDA sources for the emulator: each `kernel<targs><<<grid, block>>>(args)` becomes
`::nf_emu::launch(grid, block, [=]() { kernel<targs>(args); })`, the only CUDA syntax that is not
also C++. Usage: emulate.py OUT_DIR SOURCE... (writes OUT_DIR/cuda/<name>, .cu renamed .cpp)."""
import os, sys


def callee_start(text, end):
    """Start of the callee expression that ends just before `end` (qualified name + template args)."""
    i = end
    if text[i - 1] == '>':  # template arguments: walk back to the matching '<'
        depth = 0
        while True:
            i -= 1
            if text[i] == '>': depth += 1
            elif text[i] == '<':
                depth -= 1
                if depth == 0: break
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] in '_:'):
        i -= 1
    return i


def matching_paren(text, start):
    depth = 0
    for j in range(start, len(text)):
        if text[j] == '(': depth += 1
        elif text[j] == ')':
            depth -= 1
            if depth == 0: return j
    raise SystemExit('unbalanced parentheses after a launch')


def rewrite(text):
    out, pos = [], 0
    while True:
        k = text.find('<<<', pos)
        if k < 0:
            out.append(text[pos:])
            return ''.join(out)
        c = callee_start(text, k)
        e = text.find('>>>', k)
        config = text[k + 3:e]
        p = e + 3
        while text[p].isspace(): p += 1
        assert text[p] == '(', 'a launch must be followed by its arguments'
        q = matching_paren(text, p)
        out.append(text[pos:c])
        out.append(f'::nf_emu::launch({config}, [=]() {{ {text[c:k]}{text[p:q + 1]}; }})')
        pos = q + 1


def main():
    out_dir = sys.argv[1]
    os.makedirs(os.path.join(out_dir, 'cuda'), exist_ok=True)
    for src in sys.argv[2:]:
        name = os.path.basename(src)
        if name.endswith('.cu'): name = name[:-3] + '.cpp'
        text = rewrite(open(src).read())
        dst = os.path.join(out_dir, 'cuda', name)
        if not os.path.exists(dst) or open(dst).read() != text:
            open(dst, 'w').write(text)


main()
