// A seccomp filter for bubblewrap's `--seccomp FD`, assembled here as classic BPF so the runner needs no native
// code (no libseccomp). bwrap reads an array of `struct sock_filter` {u16 code; u8 jt; u8 jf; u32 k} (8 bytes,
// little-endian on x86_64) and installs it before exec'ing the candidate's program.
//
// The policy follows flatpak's setup_seccomp (common/flatpak-run.c): allow by default, refuse what a program
// only needs to break out or to attack the kernel. Everything the sandbox would refuse anyway (no capabilities,
// no user namespaces) is refused here a second time, so one mistake in the namespace setup is not enough.

const BPF_LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const BPF_JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const BPF_JGE_K = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const BPF_JSET_K = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const BPF_RET_K = 0x06; // BPF_RET | BPF_K

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
export const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
const EPERM = 1;
const ENOSYS = 38;

// struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]. Arguments are compared on their
// low 32 bits (offset of args[i] on little-endian), as flatpak does for ioctl's request.
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const offsetArgLow = (i: number) => 16 + 8 * i;

/** x86_64 numbers of the syscalls refused with EPERM. */
export const EPERM_SYSCALLS: Record<string, number> = {
  ptrace: 101,
  syslog: 103,
  modify_ldt: 154,
  pivot_root: 155,
  chroot: 161,
  acct: 163,
  settimeofday: 164,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  init_module: 175,
  delete_module: 176,
  quotactl: 179,
  lookup_dcookie: 212,
  clock_settime: 227,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  unshare: 272,
  perf_event_open: 298,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  clock_adjtime: 305,
  setns: 308,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
};

/**
 * Refused with ENOSYS, so libraries fall back to the older call: clone3 (its flags sit in memory where a filter
 * cannot read them, CVE-2021-41133) and the new mount API.
 */
export const ENOSYS_SYSCALLS: Record<string, number> = {
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  clone3: 435,
  mount_setattr: 442,
};

const SYS_IOCTL = 16;
const SYS_CLONE = 56;
const TIOCSTI = 0x5412; // push a character into the terminal's input (CVE-2017-5226)
const TIOCLINUX = 0x541c;
// CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET: a new namespace of any kind.
export const CLONE_NAMESPACE_FLAGS = 0x7e020000;

interface Instruction {
  code: number;
  jt: number | string;
  jf: number | string;
  k: number;
}

/** A tiny assembler: jump targets may name a label; offsets are resolved at the end (they must fit a u8). */
class Program {
  readonly code: Array<Instruction | { label: string }> = [];
  load(offset: number) {
    this.code.push({ code: BPF_LD_W_ABS, jt: 0, jf: 0, k: offset });
  }
  jumpIfEqual(k: number, jt: number | string, jf: number | string = 0) {
    this.code.push({ code: BPF_JEQ_K, jt, jf, k });
  }
  jumpIfAtLeast(k: number, jt: number | string, jf: number | string = 0) {
    this.code.push({ code: BPF_JGE_K, jt, jf, k });
  }
  jumpIfAnyBit(k: number, jt: number | string, jf: number | string = 0) {
    this.code.push({ code: BPF_JSET_K, jt, jf, k });
  }
  ret(k: number) {
    this.code.push({ code: BPF_RET_K, jt: 0, jf: 0, k });
  }
  label(label: string) {
    this.code.push({ label });
  }

  assemble(): Buffer {
    const positions = new Map<string, number>();
    const instructions: Instruction[] = [];
    for (const entry of this.code) {
      if ('label' in entry) positions.set(entry.label, instructions.length);
      else instructions.push(entry);
    }
    const out = Buffer.alloc(instructions.length * 8);
    instructions.forEach((ins, i) => {
      const offset = (target: number | string) => {
        if (typeof target === 'number') return target;
        const at = positions.get(target);
        if (at === undefined) throw new Error(`seccomp: unknown label ${target}`);
        const relative = at - (i + 1);
        if (relative < 0 || relative > 255) throw new Error(`seccomp: jump to ${target} out of range`);
        return relative;
      };
      out.writeUInt16LE(ins.code, i * 8);
      out.writeUInt8(offset(ins.jt), i * 8 + 2);
      out.writeUInt8(offset(ins.jf), i * 8 + 3);
      out.writeUInt32LE(ins.k >>> 0, i * 8 + 4);
    });
    return out;
  }
}

/** The filter as bwrap reads it. x86_64 only: on another architecture every syscall kills the process. */
export function buildSeccompFilter(): Buffer {
  const p = new Program();
  p.load(OFFSET_ARCH);
  p.jumpIfEqual(AUDIT_ARCH_X86_64, 1, 0);
  p.ret(SECCOMP_RET_KILL_PROCESS);
  p.load(OFFSET_NR);
  p.jumpIfAtLeast(X32_SYSCALL_BIT, 'enosys');
  for (const nr of Object.values(EPERM_SYSCALLS)) p.jumpIfEqual(nr, 'eperm');
  for (const nr of Object.values(ENOSYS_SYSCALLS)) p.jumpIfEqual(nr, 'enosys');
  p.jumpIfEqual(SYS_CLONE, 'clone');
  p.jumpIfEqual(SYS_IOCTL, 'ioctl');
  p.ret(SECCOMP_RET_ALLOW);

  p.label('clone');
  p.load(offsetArgLow(0));
  p.jumpIfAnyBit(CLONE_NAMESPACE_FLAGS, 'eperm');
  p.ret(SECCOMP_RET_ALLOW);

  p.label('ioctl');
  p.load(offsetArgLow(1));
  p.jumpIfEqual(TIOCSTI, 'eperm');
  p.jumpIfEqual(TIOCLINUX, 'eperm');
  p.ret(SECCOMP_RET_ALLOW);

  p.label('eperm');
  p.ret(SECCOMP_RET_ERRNO | EPERM);
  p.label('enosys');
  p.ret(SECCOMP_RET_ERRNO | ENOSYS);
  return p.assemble();
}

export interface SeccompData {
  nr: number;
  arch?: number;
  args?: number[];
}

/**
 * Runs the filter on one syscall, as the kernel would (the subset of classic BPF the filter uses). For tests:
 * it checks the encoding byte by byte, not only the intent.
 */
export function evaluateSeccompFilter(filter: Buffer, data: SeccompData): number {
  const arch = data.arch ?? AUDIT_ARCH_X86_64;
  const args = data.args ?? [];
  const word = (offset: number): number => {
    if (offset === OFFSET_NR) return data.nr >>> 0;
    if (offset === OFFSET_ARCH) return arch >>> 0;
    const i = (offset - 16) / 8;
    return Number.isInteger(i) ? (args[i] ?? 0) >>> 0 : 0;
  };
  let acc = 0;
  for (let pc = 0; pc < filter.length / 8; pc++) {
    const code = filter.readUInt16LE(pc * 8);
    const jt = filter.readUInt8(pc * 8 + 2);
    const jf = filter.readUInt8(pc * 8 + 3);
    const k = filter.readUInt32LE(pc * 8 + 4);
    if (code === BPF_LD_W_ABS) acc = word(k);
    else if (code === BPF_RET_K) return k;
    else if (code === BPF_JEQ_K) pc += acc === k ? jt : jf;
    else if (code === BPF_JGE_K) pc += acc >= k ? jt : jf;
    else if (code === BPF_JSET_K) pc += (acc & k) !== 0 ? jt : jf;
    else throw new Error(`seccomp: unknown opcode ${code}`);
  }
  throw new Error('seccomp: filter fell off its end');
}

export const SECCOMP_ERRNO = (errno: number) => SECCOMP_RET_ERRNO | errno;
