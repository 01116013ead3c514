"""A SIMT interpreter for the chunked kernels' gpu.func, in MLIR's generic
form (`--mlir-print-op-generic`), for checking them without a GPU.

It runs one CTA at a time, each value a numpy array over the CTA's threads
(in lock step), and knows the ops the kernels use (arith, memref, vector,
scf, gpu, nvgpu.device_async_copy, the nvvm cp.async groups,
llvm.intr.fma, ex2 through llvm.call_intrinsic, llvm.inline_asm for special
registers and the empty fence). scf.if runs its region under an execution
mask. Checked: bounds and alignment of every access, uniform loop bounds,
barriers and shuffles in converged code, and races on shared memory: a word
written by one thread and read or written by another between two barriers is
an error. cp.async copies land at the cp.async.wait_group that covers them,
so that reading them earlier gives stale data. f32 arithmetic is numpy's
float32; fma is computed in float64 and rounded once; ex2 is exact exp2.
"""
import re
import numpy as np

OP_RE = re.compile(r'^\s*(?:(%[\w]+)(?::(\d+))?\s*=\s*)?"([\w.]+)"\((.*?)\)(.*)$')


class Op:
    __slots__ = ("res", "nres", "name", "operands", "rest", "regions", "attrs")

    def __init__(self, res, nres, name, operands, rest):
        self.res = res
        self.nres = nres
        self.name = name
        self.operands = operands
        self.rest = rest
        self.regions = []
        self.attrs = {}


class Block:
    def __init__(self, args):
        self.args = args
        self.ops = []


def parse_block_header(line):
    m = re.match(r'^\s*\^bb\d+\((.*)\):\s*$', line)
    if not m:
        return None
    args = []
    for part in re.split(r',\s*(?=%)', m.group(1)):
        name = part.split(':')[0].strip()
        args.append(name)
    return args


def parse(lines, i, block):
    """Parses ops into `block` from line i until a region end; returns the
    index of the closing line."""
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if s.startswith('})') or s.startswith('}, {') or s == '}':
            return i
        if s.startswith('^bb'):
            block.args = parse_block_header(line)
            i += 1
            continue
        m = OP_RE.match(line)
        if not m:
            raise ValueError("cannot parse: " + line)
        res, nres, name, operands, rest = m.groups()
        ops = [o.strip() for o in operands.split(',') if o.strip()]
        op = Op(res, int(nres) if nres else (1 if res else 0), name, ops, rest)
        block.ops.append(op)
        if rest.rstrip().endswith('({'):
            i += 1
            while True:
                b = Block([])
                i = parse(lines, i, b)
                op.regions.append(b)
                s = lines[i].strip()
                if s.startswith('}, {'):
                    i += 1
                    continue
                assert s.startswith('})'), s
                op.rest = op.rest + ' ' + s
                break
        i += 1
    return i


def find_kernel(text):
    lines = text.split('\n')
    for i, l in enumerate(lines):
        if '"gpu.func"' in l:
            m = OP_RE.match(l)
            func = Op(None, 0, 'gpu.func', [], m.group(5))
            b = Block([])
            j = parse(lines, i + 1, b)
            func.regions.append(b)
            return func
    raise ValueError("no gpu.func")


class Mem:
    def __init__(self, buf, offset, shape, space, name):
        self.buf = buf
        self.offset = offset
        self.shape = shape
        self.space = space
        self.name = name

    def linear(self, idx):
        lin = 0
        for k, i in enumerate(idx):
            if self.shape is not None and self.shape[k] is not None:
                stride = int(np.prod(self.shape[k + 1:])) if k + 1 < len(self.shape) else 1
            else:
                stride = 1
            lin = lin + np.asarray(i, dtype=np.int64) * stride
        return lin


class SimError(Exception):
    pass


class CTA:
    def __init__(self, func, args, block_id, nthreads, smem_bytes, writes):
        self.func = func
        self.nt = nthreads
        self.tid = np.arange(nthreads, dtype=np.int64)
        self.block_id = block_id
        self.shared = np.full(smem_bytes // 4, np.nan, dtype=np.float32)
        self.args = args
        self.env = {}
        self.pending = []  # committed groups: list of lists of copies
        self.open_group = []
        self.epoch_reset()
        self.writes = writes  # name -> count array for global writes
        self.barriers = 0

    # --- race detection on shared memory -----------------------------------
    def epoch_reset(self):
        n = self.shared.size
        self.writer = np.full(n, -1, dtype=np.int64)
        self.reader = np.full(n, -1, dtype=np.int64)

    def note(self, words, threads, write):
        words = np.asarray(words).reshape(-1)
        threads = np.asarray(threads).reshape(-1)
        if words.size == 0:
            return
        if np.any(words < 0) or np.any(words >= self.shared.size):
            raise SimError("shared access out of bounds")
        w = self.writer[words]
        bad = (w != -1) & (w != threads)
        if np.any(bad):
            k = np.argmax(bad)
            raise SimError(f"race: word {words[k]} written by {w[k]} and "
                           f"{'written' if write else 'read'} by {threads[k]} in one epoch")
        if write:
            r = self.reader[words]
            bad = (r != -1) & (r != threads)
            if np.any(bad):
                k = np.argmax(bad)
                raise SimError(f"race: word {words[k]} read by {r[k]} then written by {threads[k]}")
            # duplicates among writers in this op
            order = np.argsort(words, kind='stable')
            ws, ts = words[order], threads[order]
            dup = (ws[1:] == ws[:-1]) & (ts[1:] != ts[:-1])
            if np.any(dup):
                raise SimError("race: two threads write one word in one op")
            self.writer[words] = threads
        else:
            r = self.reader[words]
            new = np.where((r == -1) | (r == threads), threads, -2)
            # several distinct readers within this op
            self.reader[words] = new
            # mark words read by more than one thread in this op as -2
            order = np.argsort(words, kind='stable')
            ws, ts = words[order], threads[order]
            dup = np.zeros(ws.size, bool)
            dup[1:] = (ws[1:] == ws[:-1]) & (ts[1:] != ts[:-1])
            self.reader[ws[dup]] = -2

    # --- values ------------------------------------------------------------
    def get(self, name):
        if '#' in name:
            base, k = name.split('#')
            return self.env[base][int(k)]
        return self.env[name]

    def run(self):
        body = self.func.regions[0]
        for name, value in zip(body.args, self.args):
            self.env[name] = value
        mask = np.ones(self.nt, bool)
        self.exec_block(body, mask)

    def exec_block(self, block, mask):
        for op in block.ops:
            r = self.exec_op(op, mask)
            if r is not None and r[0] == 'yield':
                return r[1]
        return []

    # --- memory helpers ----------------------------------------------------
    def check_bounds(self, mem, lin, n, mask):
        lo = mem.offset + lin
        act = lo[mask] if np.ndim(lo) else (np.full(mask.sum(), lo))
        if act.size and (act.min() < 0 or act.max() + n > mem.buf.size):
            raise SimError(f"{mem.name}: out of bounds [{act.min()}, {act.max() + n}) of {mem.buf.size}")

    def gather(self, mem, lin, n, mask, align):
        lin = np.broadcast_to(np.asarray(lin, np.int64), (self.nt,))
        self.check_bounds(mem, lin, n, mask)
        pos = mem.offset + np.where(mask, lin, 0)
        if align and np.any(((pos * mem.buf.itemsize) % align)[mask] != 0):
            raise SimError(f"{mem.name}: misaligned vector access")
        idx = pos[:, None] + np.arange(n)[None, :] if n > 1 else pos
        if mem.space == 'shared':
            self.note(np.asarray(idx)[mask], np.broadcast_to(self.tid[:, None], idx.shape)[mask] if n > 1 else self.tid[mask], False)
        return mem.buf[idx]

    def scatter(self, mem, lin, values, n, mask, align):
        lin = np.broadcast_to(np.asarray(lin, np.int64), (self.nt,))
        self.check_bounds(mem, lin, n, mask)
        pos = mem.offset + lin
        if align and np.any(((pos * mem.buf.itemsize) % align)[mask] != 0):
            raise SimError(f"{mem.name}: misaligned vector access")
        values = np.broadcast_to(values, (self.nt, n) if n > 1 else (self.nt,))
        idx = pos[:, None] + np.arange(n)[None, :] if n > 1 else pos
        sel = idx[mask]
        if mem.space == 'shared':
            th = np.broadcast_to(self.tid[:, None], idx.shape)[mask] if n > 1 else self.tid[mask]
            self.note(sel, th, True)
        else:
            cnt = self.writes.setdefault(mem.name, np.zeros(mem.buf.size, np.int64))
            np.add.at(cnt, sel.reshape(-1), 1)
        mem.buf[sel] = values[mask]

    # --- ops ---------------------------------------------------------------
    def exec_op(self, op, mask):
        n = op.name
        ops = op.operands
        g = self.get
        if n == 'arith.constant' and 'dense<' in op.rest:
            m = re.search(r'dense<([^>]+)> : vector<(\d+)xf32>', op.rest)
            self.env[op.res] = np.full((self.nt, int(m.group(2))), np.float32(float(m.group(1))), np.float32)
        elif n == 'arith.constant':
            m = re.search(r'value = ([^:}]+?)\s*(?::\s*([\w]+))?\s*}', op.rest)
            val, ty = m.group(1).strip(), m.group(2)
            if val in ('true', 'false'):
                v = np.bool_(val == 'true')
            elif ty == 'f32':
                v = np.float32(float(val))
            else:
                v = np.int64(int(val))
            self.env[op.res] = v
        elif n in ('arith.addi', 'arith.subi', 'arith.muli'):
            a, b = np.int64(0) + g(ops[0]), np.int64(0) + g(ops[1])
            self.env[op.res] = {'arith.addi': a + b, 'arith.subi': a - b, 'arith.muli': a * b}[n]
        elif n in ('arith.divui', 'arith.remui', 'arith.minui', 'arith.maxui'):
            a = np.asarray(g(ops[0])).astype(np.uint64)
            b = np.asarray(g(ops[1])).astype(np.uint64)
            if n == 'arith.divui':
                r = a // b
            elif n == 'arith.remui':
                r = a % b
            elif n == 'arith.minui':
                r = np.minimum(a, b)
            else:
                r = np.maximum(a, b)
            self.env[op.res] = r.astype(np.int64)
        elif n == 'arith.maxsi':
            self.env[op.res] = np.maximum(np.int64(0) + g(ops[0]), np.int64(0) + g(ops[1]))
        elif n in ('arith.index_cast', 'arith.index_castui', 'arith.extsi', 'arith.extui', 'arith.trunci'):
            self.env[op.res] = np.int64(0) + g(ops[0])
        elif n == 'arith.cmpi':
            p = int(re.search(r'predicate = (\d+)', op.rest).group(1))
            a, b = np.int64(0) + g(ops[0]), np.int64(0) + g(ops[1])
            if p >= 6:
                a, b = np.asarray(a).astype(np.uint64), np.asarray(b).astype(np.uint64)
            f = [np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
                 np.less, np.less_equal, np.greater, np.greater_equal][p]
            self.env[op.res] = f(a, b)
        elif n == 'arith.select':
            self.env[op.res] = np.where(g(ops[0]), g(ops[1]), g(ops[2]))
        elif n in ('arith.addf', 'arith.subf', 'arith.mulf'):
            a, b = np.float32(0) + g(ops[0]), np.float32(0) + g(ops[1])
            a = np.asarray(a, np.float32)
            b = np.asarray(b, np.float32)
            self.env[op.res] = {'arith.addf': a + b, 'arith.subf': a - b, 'arith.mulf': a * b}[n].astype(np.float32)
        elif n == 'llvm.intr.fma':
            a, b, c = (np.asarray(g(x), np.float64) for x in ops)
            self.env[op.res] = (a * b + c).astype(np.float32)
        elif n == 'llvm.call_intrinsic':
            assert 'llvm.nvvm.ex2.approx.ftz.f' in op.rest
            with np.errstate(over='ignore'):
                self.env[op.res] = np.exp2(np.asarray(g(ops[0]), np.float32)).astype(np.float32)
        elif n == 'llvm.inline_asm':
            s = re.search(r'asm_string = "([^"]*)"', op.rest).group(1)
            if s == '':
                pass
            else:
                m = re.match(r'mov\.u32 \$0, %(\w+)\.(\w);', s)
                reg, dim = m.groups()
                if reg == 'tid':
                    self.env[op.res] = self.tid.copy()
                else:
                    self.env[op.res] = np.int64(self.block_id['xyz'.index(dim)])
        elif n == 'gpu.thread_id':
            assert 'dim x' in op.rest
            self.env[op.res] = self.tid.copy()
        elif n == 'gpu.block_id':
            d = re.search(r'dim (\w)', op.rest).group(1)
            self.env[op.res] = np.int64(self.block_id['xyz'.index(d)])
        elif n == 'gpu.barrier':
            if not mask.all():
                raise SimError("barrier in divergent code")
            self.barriers += 1
            self.epoch_reset()
        elif n == 'gpu.dynamic_shared_memory':
            self.env[op.res] = 'shared'
        elif n == 'memref.view':
            base = g(ops[0])
            assert base == 'shared'
            off = int(g(ops[1]))
            assert off % 16 == 0
            ty = re.search(r'-> memref<([\dx]+)xf32', op.rest).group(1)
            shape = [int(x) for x in ty.split('x')]
            size = int(np.prod(shape)) * 4
            if off + size > self.shared.size * 4:
                raise SimError("view past the dynamic shared memory")
            self.env[op.res] = Mem(self.shared, off // 4, shape, 'shared', f'smem@{off}')
        elif n == 'memref.load':
            mem = g(ops[0])
            lin = mem.linear([g(x) for x in ops[1:]])
            self.env[op.res] = self.gather(mem, lin, 1, mask, 0)
        elif n == 'memref.store':
            mem = g(ops[1])
            lin = mem.linear([g(x) for x in ops[2:]])
            self.scatter(mem, lin, g(ops[0]), 1, mask, 0)
        elif n == 'vector.load':
            mem = g(ops[0])
            vn = int(re.search(r'-> vector<(\d+)xf32>', op.rest).group(1))
            al = int(re.search(r'alignment = (\d+)', op.rest).group(1))
            lin = mem.linear([g(x) for x in ops[1:]])
            self.env[op.res] = self.gather(mem, lin, vn, mask, al)
        elif n == 'vector.store':
            mem = g(ops[1])
            vn = int(re.search(r'\(vector<(\d+)xf32>', op.rest).group(1))
            al = int(re.search(r'alignment = (\d+)', op.rest).group(1))
            lin = mem.linear([g(x) for x in ops[2:]])
            self.scatter(mem, lin, g(ops[0]), vn, mask, al)
        elif n == 'vector.extract':
            k = int(re.search(r'static_position = array<i64: (\d+)>', op.rest).group(1))
            self.env[op.res] = np.asarray(g(ops[0]))[:, k]
        elif n == 'vector.from_elements':
            vals = [np.broadcast_to(np.asarray(g(x), np.float32), (self.nt,)) for x in ops]
            self.env[op.res] = np.stack(vals, axis=1)
        elif n == 'gpu.shuffle':
            val = np.broadcast_to(np.asarray(g(ops[0])), (self.nt,))
            off = np.broadcast_to(np.int64(0) + g(ops[1]), (self.nt,))
            width = int(np.asarray(g(ops[2])).reshape(-1)[0])
            assert width == 32
            wm = mask.reshape(-1, 32)
            if np.any(wm.any(1) != wm.all(1)):
                raise SimError("shuffle in a partially active warp")
            lane = self.tid % 32
            base = self.tid - lane
            mode = re.search(r'shuffle_mode (\w+)', op.rest).group(1)
            if mode == 'up':
                src = lane - off
                valid = src >= 0
            elif mode == 'idx':
                src = off
                valid = src < 32
            else:
                raise SimError("shuffle mode " + mode)
            srcc = np.clip(src, 0, 31)
            self.env[op.res] = (val[base + srcc], valid)
        elif n == 'nvgpu.device_async_copy':
            dst = g(ops[0])
            # operands: dst, dstIdx x rank, src, srcIdx, srcElements
            rank = len(dst.shape)
            didx = [g(x) for x in ops[1:1 + rank]]
            src = g(ops[1 + rank])
            sidx = g(ops[2 + rank])
            cnt = np.broadcast_to(np.int64(0) + g(ops[3 + rank]), (self.nt,))
            de = int(re.search(r'dstElements = (\d+)', op.rest).group(1))
            dlin = np.broadcast_to(dst.linear(didx), (self.nt,))
            slin = np.broadcast_to(np.int64(0) + sidx, (self.nt,))
            self.check_bounds(src, slin, de, mask)
            self.check_bounds(dst, dlin, de, mask)
            if np.any(((dst.offset + dlin) * 4 % 16)[mask] != 0) or np.any((slin * 4 % 16)[mask] != 0):
                raise SimError("cp.async misaligned")
            m = mask.copy()
            data = src.buf[np.where(m, slin, 0)[:, None] + np.arange(de)[None, :]].copy()
            data[np.arange(de)[None, :] >= cnt[:, None]] = 0
            self.open_group.append((dst, dlin.copy(), data, m))
            self.env[op.res] = None
        elif n == 'nvvm.cp.async.commit.group':
            self.pending.append(self.open_group)
            self.open_group = []
        elif n == 'nvvm.cp.async.wait.group':
            keep = int(re.search(r'n = (\d+)', op.rest).group(1))
            land = self.pending[:len(self.pending) - keep] if keep else self.pending
            self.pending = self.pending[len(self.pending) - keep:] if keep else []
            for group in land:
                for dst, dlin, data, m in group:
                    idx = dst.offset + dlin[:, None] + np.arange(data.shape[1])[None, :]
                    th = np.broadcast_to(self.tid[:, None], idx.shape)
                    self.note(idx[m], th[m], True)
                    dst.buf[idx[m]] = data[m]
        elif n == 'scf.if':
            cond = np.broadcast_to(g(ops[0]), (self.nt,))
            inner, other = mask & cond, mask & ~cond
            then_vals = self.exec_block(op.regions[0], inner) if inner.any() else None
            else_vals = None
            if len(op.regions) > 1 and op.regions[1].ops and other.any():
                else_vals = self.exec_block(op.regions[1], other)
            if op.nres:
                results = []
                for k in range(op.nres):
                    t = then_vals[k] if then_vals is not None else None
                    e = else_vals[k] if else_vals is not None else None
                    if t is None:
                        results.append(e)
                    elif e is None:
                        results.append(t)
                    else:
                        results.append(np.where(cond, t, e))
                self.env[op.res] = results[0] if op.nres == 1 else results
        elif n == 'scf.for':
            lb, ub, st = (np.broadcast_to(np.int64(0) + g(x), (self.nt,)) for x in ops[:3])
            for x in (lb, ub, st):
                if len(set(x[mask].tolist())) > 1:
                    raise SimError("non-uniform loop bounds")
            lb, ub, st = int(lb[mask][0]), int(ub[mask][0]), int(st[mask][0])
            vals = [g(x) for x in ops[3:]]
            body = op.regions[0]
            iv = lb
            while iv < ub:
                self.env[body.args[0]] = np.int64(iv)
                for name, v in zip(body.args[1:], vals):
                    self.env[name] = v
                vals = self.exec_block(body, mask)
                iv += st
            self.env[op.res] = vals
        elif n == 'scf.yield':
            return ('yield', [g(x) for x in ops])
        elif n == 'gpu.return':
            return ('yield', [])
        else:
            raise SimError("unknown op " + n)
        return None


def run_kernel(text, args_by_name, grid, nthreads, smem_bytes):
    """Runs the first gpu.func of `text` on the grid; `args_by_name` are its
    arguments in order (Mem for memrefs, np.int64 for index). Returns the
    write counts of the global buffers (by Mem name) and the barriers run."""
    func = find_kernel(text)
    writes = {}
    barriers = 0
    for z in range(grid[2]):
        for y in range(grid[1]):
            for x in range(grid[0]):
                cta = CTA(func, args_by_name, (x, y, z), nthreads, smem_bytes, writes)
                cta.run()
                if any(len(group) for group in cta.pending) or cta.open_group:
                    raise SimError("cp.async copies never waited on")
                barriers += cta.barriers
    return writes, barriers
