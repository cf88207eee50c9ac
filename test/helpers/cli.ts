import { type CliIo, runCli } from '../../src/cli/run.js';

/** Runs `basalt-observe <argv>` in-process in `cwd` with `env`; the exit code and what it wrote. */
export async function runBin(
  argv: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    cwd,
    env,
    color: false,
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}
