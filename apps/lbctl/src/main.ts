// The process: stdin, stdout, stderr and the exit code around run().
import { readFileSync } from 'node:fs';
import { run } from './cli.js';

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await run(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: () => readFileSync(0, 'utf8'),
  });
}
