// Signal numbers to names, as Piston reports them ("SIGKILL"). Linux x86_64 numbering.
import { constants } from 'node:os';

const byNumber = new Map<number, string>();
for (const [name, n] of Object.entries(constants.signals)) if (!byNumber.has(n)) byNumber.set(n, name);
// Node lists SIGIOT and SIGPOLL as aliases; keep the usual names.
byNumber.set(6, 'SIGABRT');
byNumber.set(29, 'SIGIO');

export function signalName(n: number): string {
  const known = byNumber.get(n);
  if (known) return known;
  if (n >= 34 && n <= 64) return n <= 49 ? (n === 34 ? 'SIGRTMIN' : `SIGRTMIN+${n - 34}`) : n === 64 ? 'SIGRTMAX' : `SIGRTMAX-${64 - n}`;
  return `SIG${n}`;
}
