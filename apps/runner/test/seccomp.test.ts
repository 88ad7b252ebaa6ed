// The seccomp filter, instruction by instruction (evaluated as the kernel would); its effect inside the real
// sandbox is checked in escapes.test.ts.
import { describe, expect, it } from 'vitest';
import { buildSeccompFilter, CLONE_NAMESPACE_FLAGS, ENOSYS_SYSCALLS, EPERM_SYSCALLS, evaluateSeccompFilter, SECCOMP_ERRNO, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS } from '../src/sandbox/seccomp.ts';

const filter = buildSeccompFilter();
const run = (nr: number, args: number[] = [], arch?: number) => evaluateSeccompFilter(filter, { nr, args, ...(arch === undefined ? {} : { arch }) });

describe('seccomp filter', () => {
  it('is a whole number of 8-byte instructions, under the kernel’s 4096', () => {
    expect(filter.length % 8).toBe(0);
    expect(filter.length / 8).toBeGreaterThan(10);
    expect(filter.length / 8).toBeLessThan(4096);
  });

  it('allows ordinary syscalls (read, write, openat, mmap, futex, exit_group)', () => {
    for (const nr of [0, 1, 257, 9, 202, 231]) expect(run(nr)).toBe(SECCOMP_RET_ALLOW);
  });

  it('refuses the escape and kernel-attack syscalls with EPERM', () => {
    for (const [name, nr] of Object.entries(EPERM_SYSCALLS)) expect(run(nr), name).toBe(SECCOMP_ERRNO(1));
  });

  it('answers clone3 and the new mount API with ENOSYS (libraries fall back)', () => {
    for (const [name, nr] of Object.entries(ENOSYS_SYSCALLS)) expect(run(nr), name).toBe(SECCOMP_ERRNO(38));
  });

  it('allows clone for threads and fork, refuses it with a namespace flag', () => {
    const threadFlags = 0x3d0f00; // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
    expect(run(56, [threadFlags])).toBe(SECCOMP_RET_ALLOW);
    expect(run(56, [17])).toBe(SECCOMP_RET_ALLOW); // SIGCHLD: fork
    expect(run(56, [0x10000000 | 17])).toBe(SECCOMP_ERRNO(1)); // CLONE_NEWUSER
    expect(run(56, [0x20000000])).toBe(SECCOMP_ERRNO(1)); // CLONE_NEWPID
    expect(CLONE_NAMESPACE_FLAGS & threadFlags).toBe(0);
  });

  it('refuses TIOCSTI and TIOCLINUX ioctls only', () => {
    expect(run(16, [1, 0x5412])).toBe(SECCOMP_ERRNO(1));
    expect(run(16, [1, 0x541c])).toBe(SECCOMP_ERRNO(1));
    expect(run(16, [1, 0x5401])).toBe(SECCOMP_RET_ALLOW); // TCGETS
  });

  it('kills on another architecture and refuses the x32 ABI', () => {
    expect(run(0, [], 0x40000003)).toBe(SECCOMP_RET_KILL_PROCESS); // i386
    expect(run(0x40000000 + 1)).toBe(SECCOMP_ERRNO(38));
  });
});
