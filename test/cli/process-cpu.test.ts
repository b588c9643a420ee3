import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { canMeasureProcessTrees, processTreeCpuMs } from '../../main/cli/commands/process-cpu.js';

(canMeasureProcessTrees() ? describe : describe.skip)('processTreeCpuMs', () => {
  it('counts the CPU of a child process in its parent’s tree, and not in a stranger’s', async () => {
    // A child that burns a fixed amount of work, says so, then idles until killed.
    const child = spawn(
      process.execPath,
      [
        '-e',
        'let x = 0; for (let i = 0; i < 3e8; i++) x += i % 7; console.log("done", x); setInterval(() => {}, 1000);',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(child.stdout!, 'data');
      const own = processTreeCpuMs(process.pid)!;
      const childOnly = processTreeCpuMs(child.pid!)!;
      expect(childOnly).toBeGreaterThan(50);
      // The tree rooted here holds the child: at least the child's time.
      expect(own).toBeGreaterThanOrEqual(childOnly);
      // A process with no such pid has no tree.
      expect(processTreeCpuMs(2 ** 22 + 12345)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
