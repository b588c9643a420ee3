import { readFileSync } from 'node:fs';

/** Whether this CPU runs onnxruntime's int8 kernels fast, and how we know. */
export interface FastInt8 {
  readonly fast: boolean;
  /** The instructions found, or why int8 is not counted as fast here. */
  readonly reason: string;
}

/**
 * int8 beats float32 only where the CPU multiplies and adds bytes in one instruction: x64 with VNNI
 * (AVX512-VNNI or AVX-VNNI), arm64 with the dot-product extension. Without them onnxruntime's int8
 * kernels take about as long as its float32 ones (and x64's AVX2 path can saturate), so `auto` keeps
 * float32. Read from /proc/cpuinfo on Linux; every Apple silicon Mac has dot product; elsewhere there
 * is no reliable way to tell from Node, so int8 is not assumed.
 */
export function detectFastInt8(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
  cpuinfo: () => string = () => readFileSync('/proc/cpuinfo', 'utf8'),
): FastInt8 {
  if (platform === 'darwin' && arch === 'arm64') {
    return { fast: true, reason: 'Apple silicon (arm64 dot product)' };
  }
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) {
    return {
      fast: false,
      reason: `cannot tell whether this ${platform} ${arch} CPU has fast int8 instructions`,
    };
  }
  let flags: Set<string>;
  try {
    flags = cpuFlags(cpuinfo());
  } catch (error) {
    return { fast: false, reason: `could not read /proc/cpuinfo: ${(error as Error).message}` };
  }
  const wanted = arch === 'x64' ? ['avx512_vnni', 'avx_vnni'] : ['asimddp'];
  const found = wanted.filter((flag) => flags.has(flag));
  return found.length > 0
    ? { fast: true, reason: `the CPU has ${found.join(' and ')}` }
    : { fast: false, reason: `the CPU has none of ${wanted.join(', ')} (fast int8)` };
}

/** The feature flags of the first processor in /proc/cpuinfo (`flags` on x64, `Features` on arm64). */
export function cpuFlags(cpuinfo: string): Set<string> {
  const line = cpuinfo.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  return new Set(
    line === undefined
      ? []
      : line
          .slice(line.indexOf(':') + 1)
          .trim()
          .split(/\s+/),
  );
}
